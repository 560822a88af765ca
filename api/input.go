package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
)

// MaxQueryValue bounds one query-string value.
const MaxQueryValue = 1024

// MaxJSONDepth bounds how deeply a request's JSON may nest; no endpoint needs more than a few.
const MaxJSONDepth = 32

// checkInput refuses, before any handler runs, text that PostgreSQL cannot store or that no
// person typed: NUL characters and invalid UTF-8 in the query string, in form fields and in
// JSON strings (keys included), JSON nested deeper than MaxJSONDepth, and JSON objects that name
// a key twice (which decoders resolve differently, so the value checked need not be the value
// used). File parts of a multipart form are bytes, not text, and are left to their handler.
func (s *Server) checkInput(c *fiber.Ctx) error {
	if err := checkArgs(c.Request().URI().QueryArgs().VisitAll); err != nil {
		return err
	}
	// No query parameter of ours is long (filters, IDs, dates, a language) or given twice (the
	// handler would read the first and ignore the rest).
	var long, twice []byte
	seen := map[string]bool{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if long == nil && len(v) > MaxQueryValue {
			long = k
		}
		if twice == nil && seen[string(k)] {
			twice = k
		}
		seen[string(k)] = true
	})
	if twice != nil {
		return hireflow.Errorf(hireflow.KindBadRequest, "duplicate_parameter", queryName(string(twice)), "a query parameter is given twice").
			ZH("查询参数重复")
	}
	if long != nil {
		return hireflow.Errorf(hireflow.KindInvalid, "value_too_long", queryName(string(long)), "a query parameter is at most %d bytes", MaxQueryValue).
			ZH("查询参数最长 %d 字节", MaxQueryValue)
	}
	ctype := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ctype, fiber.MIMEApplicationJSON):
		if err := checkJSON(c.Body()); err != nil {
			return err
		}
	case strings.HasPrefix(ctype, fiber.MIMEApplicationForm):
		if err := checkArgs(c.Request().PostArgs().VisitAll); err != nil {
			return err
		}
	case strings.HasPrefix(ctype, fiber.MIMEMultipartForm):
		form, err := c.MultipartForm()
		if err != nil {
			// The parser's own message names internals (boundaries, header lines): never echo it.
			return hireflow.Errorf(hireflow.KindBadRequest, "invalid_multipart", "",
				"the form could not be read; send it again as multipart/form-data").
				ZH("无法读取表单，请以 multipart/form-data 重新提交")
		}
		for name, values := range form.Value {
			if err := checkText(name, name); err != nil {
				return err
			}
			for _, v := range values {
				if err := checkText(name, v); err != nil {
					return err
				}
			}
		}
	}
	return c.Next()
}

// checkArgs checks every name and value of a query string or urlencoded form.
func checkArgs(visit func(func(k, v []byte))) error {
	var bad error
	visit(func(k, v []byte) {
		if bad == nil {
			bad = checkText(string(k), string(k))
		}
		if bad == nil {
			bad = checkText(string(k), string(v))
		}
	})
	return bad
}

// checkText refuses a NUL or invalid UTF-8 in one value; field names the input at fault.
func checkText(field, v string) error {
	if !utf8.ValidString(field) {
		field = ""
	}
	if !utf8.ValidString(v) {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_text", field, "the text is not valid UTF-8").
			ZH("文本不是有效的 UTF-8 编码")
	}
	if strings.IndexByte(v, 0) >= 0 {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_text", field, "the text contains a NUL character").
			ZH("文本包含空字符（NUL）")
	}
	return nil
}

// checkJSON walks the body's tokens once: strings, depth and duplicate keys. Syntax errors are
// left to the handler's decoder, which reports them in its own words.
func checkJSON(body []byte) error {
	if !utf8.Valid(body) {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_text", "", "the body is not valid UTF-8").
			ZH("请求体不是有效的 UTF-8 编码")
	}
	type frame struct {
		object bool
		keys   map[string]bool
		key    string // the key whose value is being read
		onKey  bool   // in an object: the next string is a key
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the handler's decoder reports
		}
		var top *frame
		field := ""
		if len(stack) > 0 {
			top = stack[len(stack)-1]
			field = top.key
		}
		// A value ends here when it is a scalar, or a closing delimiter ends a container.
		valueDone := func() {
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].onKey = true
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if len(stack) >= MaxJSONDepth {
					return hireflow.Errorf(hireflow.KindBadRequest, "json_too_deep", field,
						"the JSON is nested more than %d levels deep", MaxJSONDepth).ZH("JSON 嵌套超过 %d 层", MaxJSONDepth)
				}
				stack = append(stack, &frame{object: t == '{', keys: map[string]bool{}, onKey: t == '{', key: field})
				continue
			}
			stack = stack[:len(stack)-1]
			valueDone()
		case string:
			if top != nil && top.object && top.onKey {
				if err := checkText(field, t); err != nil {
					return err
				}
				if top.keys[t] {
					return hireflow.Errorf(hireflow.KindBadRequest, "duplicate_key", t, "the JSON names %q twice", t).
						ZH("JSON 中 %q 出现了两次", t)
				}
				top.keys[t], top.key, top.onKey = true, t, false
				continue
			}
			if err := checkText(field, t); err != nil {
				return err
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// displayText refuses, in a name or title that other people will read, the characters that can
// make one text look like another: direction overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), zero-width characters and other invisible format characters.
func displayText(field, v string) error {
	if err := checkText(field, v); err != nil {
		return err
	}
	for _, r := range v {
		if unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r) || (unicode.IsControl(r) && r != '\t') {
			return hireflow.Errorf(hireflow.KindInvalid, "invisible_characters", field,
				"%s contains an invisible or direction-changing character (U+%04X); remove it and retry", field, r).
				ZH("%s 包含不可见或改变文字方向的字符（U+%04X），请删除后重试", field, r)
		}
	}
	return nil
}

// plainName is a name shown to people in pages, emails and letters (a colleague, a
// department): display text without markup characters or line breaks.
func plainName(field, v string) error {
	if err := displayText(field, v); err != nil {
		return err
	}
	if strings.ContainsAny(v, "<>\r\n") {
		return invalid(field, "the name may not contain < > or line breaks").ZH("名称不能包含 < > 或换行")
	}
	return nil
}

// queryName is a query parameter's name fit to echo in an error (valid UTF-8, short).
func queryName(k string) string {
	if !utf8.ValidString(k) || len(k) > 64 {
		return ""
	}
	return k
}
