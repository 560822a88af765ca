package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/passwd"
	"github.com/hireflow/hireflow/internal/seal"
)

const sessionCookie = "hf_session"

func principal(c *fiber.Ctx) hireflow.Principal {
	p, _ := c.Locals("principal").(hireflow.Principal)
	return p
}

func errSignIn() error {
	return hireflow.Errorf(hireflow.KindUnauthorized, "unauthenticated", "", "sign in, or send a valid bearer token").
		ZH("请先登录，或提供有效的访问令牌")
}

// authenticate accepts a bearer API token or a session cookie.
func (s *Server) authenticate(c *fiber.Ctx) error {
	var p hireflow.Principal
	var err error
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return errSignIn()
		}
		p, err = s.Store.APITokenPrincipal(c.UserContext(), s.Box.Hash("api_token", tok))
	} else if sid := c.Cookies(sessionCookie); sid != "" {
		p, err = s.Store.SessionPrincipal(c.UserContext(), s.Box.Hash("session", sid))
	} else {
		return errSignIn()
	}
	if err != nil {
		if hireflow.ErrorKind(err) == hireflow.KindNotFound {
			return errSignIn()
		}
		return err
	}
	c.Locals("principal", p)
	return c.Next()
}

type loginRequest struct {
	Org      string `json:"org"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	for field, v := range map[string]string{"org": req.Org, "email": req.Email, "password": req.Password} {
		if strings.TrimSpace(v) == "" {
			return hireflow.Errorf(hireflow.KindInvalid, "field_required", field, "%s is required", field).ZH("缺少字段 %s", field)
		}
	}
	bad := hireflow.Errorf(hireflow.KindUnauthorized, "invalid_credentials", "", "the organisation, email or password is wrong").
		ZH("组织、邮箱或密码错误")
	org, err := s.Store.OrgGetBySlug(c.UserContext(), req.Org)
	if err != nil && hireflow.ErrorKind(err) != hireflow.KindNotFound {
		return err
	}
	hash := passwd.Dummy
	var user hireflow.User
	if err == nil {
		var uerr error
		user, hash, uerr = s.Store.UserByEmail(c.UserContext(), org.ID, req.Email)
		if uerr != nil && hireflow.ErrorKind(uerr) != hireflow.KindNotFound {
			return uerr
		}
		if uerr != nil {
			hash = passwd.Dummy
		}
	}
	if passwd.Verify(hash, req.Password) != nil || user.ID == "" {
		return bad
	}
	sid := seal.RandomToken()
	expires := time.Now().Add(s.Cfg.SessionTTL)
	if err := s.Store.SessionCreate(c.UserContext(), s.Box.Hash("session", sid), org.ID, user.ID, expires); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), org.ID, "user", user.ID, "auth.login", "user", user.ID, nil)
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sid, Path: "/", Expires: expires, HTTPOnly: true,
		Secure: s.Cfg.Production(), SameSite: fiber.CookieSameSiteLaxMode})
	return c.JSON(fiber.Map{"user": user, "expires_at": expires})
}

func (s *Server) logout(c *fiber.Ctx) error {
	if sid := c.Cookies(sessionCookie); sid != "" {
		_ = s.Store.SessionDelete(c.UserContext(), s.Box.Hash("session", sid))
	}
	c.ClearCookie(sessionCookie)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	p := principal(c)
	return c.JSON(fiber.Map{"org_id": p.OrgID, "user_id": p.UserID, "role": p.Role})
}

func (s *Server) createAPIToken(c *fiber.Ctx) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > 100 {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", "name", "name is required (at most 100 characters)")
	}
	if err := displayText("name", req.Name); err != nil {
		return err
	}
	p := principal(c)
	raw := "hf_" + seal.RandomToken()
	id, err := s.Store.APITokenCreate(c.UserContext(), p.OrgID, p.UserID, req.Name, s.Box.Hash("api_token", raw))
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "api_token.create", "api_token", id, nil)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "token": raw, "note": "shown once; store it now"})
}

// decodeJSON reads a JSON body strictly enough to give a useful error.
func decodeJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return hireflow.Errorf(hireflow.KindUnsupported, "json_required", "", "send the body as application/json").
			ZH("请求体必须是 application/json")
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
