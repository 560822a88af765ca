package api

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
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
	Org          string `json:"org"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	OTP          string `json:"otp"`           // the authenticator's six digits, when two-step sign-in is on
	RecoveryCode string `json:"recovery_code"` // or one of the recovery codes
}

// Lock-out: this many failed sign-ins in a row lock a local account for LockFor.
const (
	MaxFailedLogins = 5
	LockFor         = 15 * time.Minute
)

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
	ctx := c.UserContext()
	org, err := s.Store.OrgGetBySlug(ctx, req.Org)
	if err != nil && hireflow.ErrorKind(err) != hireflow.KindNotFound {
		return err
	}
	acct := store.Account{Hash: passwd.Dummy}
	if err == nil {
		var uerr error
		if acct, uerr = s.Store.AccountByEmail(ctx, org.ID, req.Email); uerr != nil {
			if hireflow.ErrorKind(uerr) != hireflow.KindNotFound {
				return uerr
			}
			acct = store.Account{Hash: passwd.Dummy}
		}
	}
	user := acct.User
	if acct.LockedUntil != nil && acct.LockedUntil.After(time.Now()) {
		_ = passwd.Verify(passwd.Dummy, req.Password) // the same time as a real check
		return errLocked(*acct.LockedUntil)
	}
	fail := func(e error) error {
		if user.ID == "" {
			return e
		}
		_ = s.Store.Audit(ctx, org.ID, "user", user.ID, "auth.login_failed", "user", user.ID, map[string]any{"code": hireflow.AsError(e).Code})
		if locked, err := s.Store.LoginFailed(ctx, user.ID, MaxFailedLogins, LockFor); err == nil && locked {
			_ = s.Store.Audit(ctx, org.ID, "user", user.ID, "auth.locked", "user", user.ID, nil)
			return errLocked(time.Now().Add(LockFor))
		}
		return e
	}
	// An account signed in only through the company's identity provider has no password.
	hash := acct.Hash
	if hash == "" {
		hash = passwd.Dummy // the same time for an account with no password as for a wrong one
	}
	if passwd.Verify(hash, req.Password) != nil || acct.Hash == "" || user.ID == "" {
		return fail(bad)
	}
	method := "password"
	if acct.TOTPEnabled {
		switch {
		case strings.TrimSpace(req.OTP) == "" && strings.TrimSpace(req.RecoveryCode) == "":
			return hireflow.Errorf(hireflow.KindUnauthorized, "otp_required", "otp", "enter the six-digit code from your authenticator app").
				ZH("请输入身份验证器应用中的六位验证码")
		case strings.TrimSpace(req.OTP) != "":
			if !validTOTP(req.OTP, acct.TOTPSecret) {
				return fail(hireflow.Errorf(hireflow.KindUnauthorized, "otp_invalid", "otp", "the code is wrong or has expired").ZH("验证码错误或已过期"))
			}
			method = "totp"
		default:
			ok, err := s.Store.RecoveryCodeUse(ctx, user.ID, s.Box.Hash("recovery", normalCode(req.RecoveryCode)))
			if err != nil {
				return err
			}
			if !ok {
				return fail(hireflow.Errorf(hireflow.KindUnauthorized, "recovery_code_invalid", "recovery_code", "the recovery code is wrong or was used").ZH("恢复码错误或已使用"))
			}
			method = "recovery_code"
		}
	}
	if err := s.Store.LoginSucceeded(ctx, user.ID); err != nil {
		return err
	}
	return s.startSession(c, org.ID, user, method)
}

// startSession signs the browser in: the session row (by the hash of its id), the cookie, and
// the CSRF token for scripts.
func (s *Server) startSession(c *fiber.Ctx, orgID string, user hireflow.User, method string) error {
	sid, expires, err := s.sessionCookie(c, orgID, user, method)
	if err != nil || method == "oidc" {
		return err
	}
	return c.JSON(fiber.Map{"user": user, "expires_at": expires, "csrf_token": s.csrfToken(sid), "method": method})
}

// sessionCookie starts a session for user and sets its cookie.
func (s *Server) sessionCookie(c *fiber.Ctx, orgID string, user hireflow.User, method string) (string, time.Time, error) {
	sid := seal.RandomToken()
	expires := time.Now().Add(s.Cfg.SessionTTL)
	if err := s.Store.SessionStart(c.UserContext(), store.NewSession{IDHash: s.Box.Hash("session", sid), OrgID: orgID, UserID: user.ID,
		Expires: expires, UserAgent: c.Get(fiber.HeaderUserAgent), Method: method}); err != nil {
		return "", expires, err
	}
	_ = s.Store.Audit(c.UserContext(), orgID, "user", user.ID, "auth.login", "user", user.ID, map[string]any{"method": method})
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: sid, Path: "/", Expires: expires, HTTPOnly: true,
		Secure: s.Cfg.Production(), SameSite: fiber.CookieSameSiteLaxMode})
	return sid, expires, nil
}

func errLocked(until time.Time) error {
	return hireflow.Errorf(hireflow.KindRateLimited, "account_locked", "", "too many failed sign-ins: this account is locked until %s UTC", until.UTC().Format("15:04")).
		ZH("登录失败次数过多，此账号已锁定至 UTC %s", until.UTC().Format("15:04"))
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

// createAPITokenBody is the JSON body of createAPIToken.
type createAPITokenBody struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

func (s *Server) createAPIToken(c *fiber.Ctx) error {
	var req createAPITokenBody
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
