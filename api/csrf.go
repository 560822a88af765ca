package api

import (
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
)

// CSRF: every state-changing request signed in by the session cookie carries the session's
// token — the header X-CSRF-Token (the console's pages add it to every fetch; the sign-in's
// JSON answer hands it to scripts) or a form field _csrf — and, when the browser names its
// Origin, comes from this site. Bearer tokens are not sent by browsers on their own and need
// neither. The token is a keyed hash of the session id: nothing to store, gone with the session.

const csrfHeader = "X-CSRF-Token"

// csrfToken is the session's token.
func (s *Server) csrfToken(sid string) string { return hex.EncodeToString(s.Box.Hash("csrf", sid)) }

// csrf refuses a cookie-authenticated POST, PUT, PATCH or DELETE without the session's token or
// from another origin.
func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sid, _ := c.Locals("session_id").(string)
	if sid == "" {
		return c.Next() // a bearer token
	}
	if !s.sameOrigin(c) {
		return errCSRF()
	}
	got := c.Get(csrfHeader)
	if got == "" && strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) {
		got = c.FormValue("_csrf")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfToken(sid))) != 1 {
		return errCSRF()
	}
	return c.Next()
}

// sameOrigin: no Origin header (not a browser's cross-origin request), or this site's.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	if pub, err := url.Parse(s.Cfg.PublicURL); err == nil && origin == pub.Scheme+"://"+pub.Host {
		return true
	}
	return origin == c.Protocol()+"://"+string(c.Request().Host())
}

func errCSRF() error {
	return hireflow.Errorf(hireflow.KindForbidden, "csrf_invalid", "", "this request did not come from a hireflow page; reload the page and retry").
		ZH("此请求并非来自 hireflow 页面，请刷新页面后重试")
}
