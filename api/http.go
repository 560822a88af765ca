package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// The HTTP helpers every handler shares: decoding and validating input, rendering pages and
// errors, and talking to the workflow (updates, signals, their errors).

// update sends a validated update and waits for its result; refusals become 409/422.
func (s *Server) update(ctx context.Context, workflowID, name string, arg, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	h, err := s.Workflows.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name,
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil {
		return workflowError(err)
	}
	return nil
}

func (s *Server) signal(ctx context.Context, appID, name string, arg any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Workflows.SignalWorkflow(ctx, hireflow.WorkflowIDForApplication(appID), "", name, arg); err != nil {
		return workflowError(err)
	}
	return nil
}

// decodeJSON reads a JSON body strictly enough to give a useful error.
func decodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return hireflow.Errorf(hireflow.KindUnsupported, "json_required", "", "send the body as application/json").
			ZH("请求体必须是 application/json")
	}
	if err := checkBody(c.Method()+" "+c.Route().Path, c.Body(), reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "the body has data after the JSON value").
			ZH("JSON 值之后还有多余的数据")
	}
	return nil
}

// jsonError says what is wrong with a body in the client's terms (which field, what type),
// never in the decoder's Go type names.
func jsonError(err error) *hireflow.Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "true or false", reflect.Slice: "a list",
			reflect.Map: "an object", reflect.Struct: "an object"}[te.Type.Kind()]
		if want == "" {
			want = "a number in range"
		}
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", te.Field, "%s must be %s", fieldName(te.Field), want).
			ZH("%s 的类型不对", fieldName(te.Field))
	case errors.As(err, &se):
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "the body is not valid JSON (at byte %d)", se.Offset).
			ZH("请求体不是有效的 JSON（第 %d 字节处）", se.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "the body is empty or cut short").
			ZH("请求体为空或不完整")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return hireflow.Errorf(hireflow.KindBadRequest, "unknown_field", f, "this endpoint has no field %q", f).
			ZH("此接口没有字段 %q", f)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "json:") && len(msg) <= 200 {
		// Our own types' UnmarshalJSON (durations, …) explain themselves in the client's terms.
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "%s", msg).ZH("请求体有误：%s", msg)
	}
	return hireflow.Errorf(hireflow.KindBadRequest, "invalid_json", "", "the body is not valid JSON for this endpoint").
		ZH("请求体不是此接口可接受的 JSON")
}

func fieldName(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}

func trimErr(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func invalid(field, format string, args ...any) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", field, format, args...)
}

func textField(field, v string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	if n < min {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", field, "%s is required", field).ZH("缺少字段 %s", field)
	}
	if n > max {
		return invalid(field, "%s is longer than %d characters", field, max)
	}
	return nil
}

func (s *Server) render(c *fiber.Ctx, status int, name string, d pageData) error {
	// The language switch keeps the page's other query parameters (next=, org=, …).
	q := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { q.Set(string(k), string(v)) })
	other := "zh"
	if d.Lang == "zh" {
		other = "en"
	}
	q.Set("lang", other)
	if ql := c.Query("lang"); ql == "zh" || ql == "en" {
		// A language chosen on any page stays chosen on the next (links need not carry it).
		c.Cookie(&fiber.Cookie{Name: "hf_lang", Value: ql, Path: "/", MaxAge: 365 * 86400, SameSite: fiber.CookieSameSiteLaxMode})
	}
	d.LangURL = "?" + q.Encode()
	if d.Color == "" {
		d.Color = "#1f5fbf"
	}
	if d.OrgName == "" {
		d.OrgName = "hireflow"
	}
	// Scripts run only with this response's nonce: an injected <script> or handler does not.
	d.Nonce = seal.RandomToken()[:24]
	if sid := c.Cookies(sessionCookie); sid != "" {
		d.CSRF = s.csrfToken(sid)
	}
	var b strings.Builder
	if err := s.pages.ExecuteTemplate(&b, name, d); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; script-src 'nonce-"+d.Nonce+"'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "+
		"media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Type("html", "utf-8")
	return c.Status(status).SendString(b.String())
}

func (s *Server) renderError(c *fiber.Ctx, status int, code, msg string) error {
	d := pageData{Lang: lang(c), Title: translate(lang(c), "error.title"), Code: code, Message: msg}
	if strings.HasPrefix(c.Path(), "/console") {
		// Staff pages: no talk of emailed links, a way back to the console instead.
		d.Title, d.Staff = translate(lang(c), "error.staff_title"), true
	}
	if (code == "link_expired" || code == "link_revoked") && tokenRe.MatchString(c.Params("token")) {
		d.Token = c.Params("token") // offer "email me a new link"
	}
	return s.render(c, status, "error.html", d)
}

func appIDParam(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return "", hireflow.NotFound("application_not_found", "application")
	}
	return id, nil
}

// workflowError maps a validator's refusal to 409/422 with its reason.
func workflowError(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if appErr.Type() == "" && strings.Contains(appErr.Message(), "unknown update") {
			return hireflow.Errorf(hireflow.KindConflict, "not_ready", "", "the application is not at this step")
		}
		kind := hireflow.KindInvalid
		if strings.HasPrefix(appErr.Type(), "not_") || strings.HasPrefix(appErr.Type(), "duplicate_") {
			kind = hireflow.KindConflict
		}
		if appErr.Type() == "role_not_allowed" || appErr.Type() == "not_an_approver" {
			kind = hireflow.KindForbidden
		}
		return hireflow.Errorf(kind, appErr.Type(), "", "%s", appErr.Message())
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return hireflow.Errorf(hireflow.KindConflict, "workflow_closed", "", "the application's workflow has finished")
	}
	return err
}

func required(field, en, zh string) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "field_required", field, "%s", en).ZH("%s", zh)
}

// staffRequest decodes a staff member's JSON body and loads the application the path names
// (in the member's organisation): the preamble of every staff step.
func staffRequest[T any](s *Server, c *fiber.Ctx) (T, hireflow.Application, error) {
	var req T
	if err := decodeJSON(c, &req); err != nil {
		return req, hireflow.Application{}, err
	}
	app, err := s.staffApp(c)
	return req, app, err
}

// candidateRequest checks the candidate's link and decodes the JSON body: the preamble of
// every candidate step.
func candidateRequest[T any](s *Server, c *fiber.Ctx) (T, store.CandidateToken, store.Contact, error) {
	var req T
	tok, ct, err := s.useToken(c)
	if err != nil {
		return req, tok, ct, err
	}
	return req, tok, ct, decodeJSON(c, &req)
}

// maxText refuses a free-text field longer than n characters.
func maxText(field, v string, n int) error {
	if utf8.RuneCountInString(v) > n {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", field, "%s is longer than %d characters", field, n).
			ZH("%s 超过 %d 个字符", field, n)
	}
	return nil
}

// staffStep is a staff step the workflow takes as an update: the request is decoded, the
// application loaded, the update that build makes of them (after build's own checks) sent to
// the workflow, whose validator may still refuse it with its reason, and then after (if any)
// stores what stays out of the workflow and says what to answer.
func staffStep[T any](s *Server, c *fiber.Ctx, name string, build func(T, hireflow.Principal) (any, error),
	after func(context.Context, T, hireflow.Application, workflows.UpdateAck) (fiber.Map, error)) error {
	req, app, err := staffRequest[T](s, c)
	if err != nil {
		return err
	}
	arg, err := build(req, principal(c))
	if err != nil {
		return err
	}
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, name, arg, &ack); err != nil {
		return err
	}
	res := fiber.Map{"accepted": true}
	if after != nil {
		if res, err = after(c.UserContext(), req, app, ack); err != nil {
			return err
		}
	}
	return c.JSON(res)
}

// idRequest reads the path's ID (param checks its shape) and decodes the JSON body.
func idRequest[T any](c *fiber.Ctx, param func(*fiber.Ctx) (string, error)) (string, T, error) {
	var req T
	id, err := param(c)
	if err != nil {
		return id, req, err
	}
	return id, req, decodeJSON(c, &req)
}

// listed answers {key: list} (an empty list, never null), or the error that came with it.
func listed[T any](c *fiber.Ctx, key string, list []T, err error) error {
	if err != nil {
		return err
	}
	if list == nil {
		list = []T{}
	}
	return c.JSON(fiber.Map{key: list})
}
