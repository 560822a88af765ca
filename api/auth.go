package api

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/infra/seal"
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
		c.Locals("session_id", sid)
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
	if !s.sameOrigin(c) {
		return errCSRF() // no signing a browser in from another site
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
	return c.JSON(fiber.Map{"user": user, "expires_at": expires, "csrf_token": s.csrfToken(sid)})
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
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Scopes == nil {
		req.Scopes = []string{fName, fEmail, fPhone} // what the integration role sees by default
	}
	if len(req.Scopes) > len(visibilityFields) {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_scope", "scopes", "at most %d scopes", len(visibilityFields))
	}
	for _, sc := range req.Scopes {
		if !slices.Contains(visibilityFields, sc) {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_scope", "scopes", "unknown scope %q: use fields of %v", sc, visibilityFields).ZH("未知的权限范围")
		}
	}
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > 100 {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", "name", "name is required (at most 100 characters)")
	}
	if err := displayText("name", req.Name); err != nil {
		return err
	}
	p := principal(c)
	raw := "hf_" + seal.RandomToken()
	id, err := s.Store.APITokenCreate(c.UserContext(), p.OrgID, p.UserID, req.Name, s.Box.Hash("api_token", raw), req.Scopes)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "api_token.create", "api_token", id, nil)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "token": raw, "scopes": req.Scopes, "note": "shown once; store it now"})
}
