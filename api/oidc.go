package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// OpenID Connect sign-in for companies: each organisation names its provider (issuer, client,
// which claim carries the role and how its values map to hireflow roles). The console's
// "Sign in with single sign-on" runs the authorisation-code flow with PKCE, a state and a
// nonce kept in a short-lived sealed cookie; the callback verifies the ID token (issuer,
// audience, expiry, signature, nonce), requires a verified email, and matches the user by the
// provider's subject or email — or provisions one with the mapped role.

const oidcCookie = "hf_oidc"

// oidcFlow is what the sealed cookie carries between the redirect and the callback.
type oidcFlow struct {
	Org, State, Nonce, Verifier, Next string
	Expires                           time.Time
}

var oidcProviders sync.Map // issuer → *oidcCached

type oidcCached struct {
	p  *oidc.Provider
	at time.Time
}

// provider discovers (and caches for ten minutes) an issuer's configuration.
func provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	if v, ok := oidcProviders.Load(issuer); ok && time.Since(v.(*oidcCached).at) < 10*time.Minute {
		return v.(*oidcCached).p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, hireflow.Errorf(hireflow.KindUnavailable, "oidc_discovery_failed", "issuer", "the identity provider's configuration could not be read: %v", err).
			ZH("无法读取身份提供方的配置")
	}
	oidcProviders.Store(issuer, &oidcCached{p: p, at: time.Now()})
	return p, nil
}

func (s *Server) oauthConfig(p *oidc.Provider, cfg store.OIDCProvider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID, "email", "profile"}
	if cfg.RoleClaim == "groups" {
		scopes = append(scopes, "groups")
	}
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: s.Cfg.PublicURL + "/console/login/oidc/callback", Scopes: scopes}
}

// setOIDCBody is the JSON body of setOIDC.
type setOIDCBody struct {
	Issuer       string            `json:"issuer"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"client_secret"`
	RoleClaim    string            `json:"role_claim"`
	RoleMap      map[string]string `json:"role_map"`
	DefaultRole  string            `json:"default_role"`
}

// setOIDC stores the organisation's provider after checking that its discovery document reads.
func (s *Server) setOIDC(c *fiber.Ctx) error {
	p := principal(c)
	var req setOIDCBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.Issuer)
	local := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost")
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && local && !s.Cfg.Production())) {
		return invalid("issuer", "the issuer must be an https:// URL")
	}
	if err := textField("client_id", req.ClientID, 1, 200); err != nil {
		return err
	}
	if err := textField("client_secret", req.ClientSecret, 1, 500); err != nil {
		return err
	}
	if req.RoleClaim == "" {
		req.RoleClaim = "hireflow_role"
	}
	if err := textField("role_claim", req.RoleClaim, 1, 100); err != nil {
		return err
	}
	ok := func(r string) bool {
		return slices.Contains([]hireflow.Role{recruiter, manager, interviewer, analyst}, hireflow.Role(r))
	}
	for k, r := range req.RoleMap {
		if !ok(r) || strings.TrimSpace(k) == "" || len(k) > 200 {
			return invalid("role_map", "role_map maps claim values to recruiter, hiring_manager, interviewer or analyst (admins are made in hireflow)")
		}
	}
	if req.DefaultRole != "" && !ok(req.DefaultRole) {
		return invalid("default_role", "default_role is empty, recruiter, hiring_manager, interviewer or analyst")
	}
	if _, err := provider(c.UserContext(), req.Issuer); err != nil {
		return err
	}
	cfg := store.OIDCProvider{Issuer: req.Issuer, ClientID: req.ClientID, ClientSecret: req.ClientSecret, RoleClaim: req.RoleClaim,
		RoleMap: req.RoleMap, DefaultRole: req.DefaultRole}
	if err := s.Store.OIDCProviderSet(c.UserContext(), p.OrgID, cfg); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "organisation.oidc_set", "organisation", p.OrgID, map[string]any{"issuer": req.Issuer})
	return c.JSON(fiber.Map{"oidc": cfg, "redirect_url": s.Cfg.PublicURL + "/console/login/oidc/callback"})
}

func (s *Server) getOIDC(c *fiber.Ctx) error {
	cfg, ok, err := s.Store.OIDCProviderGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	if !ok {
		return hireflow.NotFound("oidc_not_configured", "")
	}
	return c.JSON(fiber.Map{"oidc": cfg, "redirect_url": s.Cfg.PublicURL + "/console/login/oidc/callback"})
}

func errNoSSO() error {
	return hireflow.Errorf(hireflow.KindNotFound, "oidc_not_configured", "org", "this organisation has no single sign-on; sign in with your password").
		ZH("此组织未配置单点登录，请使用密码登录")
}

// oidcStart redirects the browser to the organisation's provider.
func (s *Server) oidcStart(c *fiber.Ctx) error {
	org, err := s.Store.OrgGetBySlug(c.UserContext(), strings.TrimSpace(c.Query("org")))
	if err != nil {
		return errNoSSO()
	}
	cfg, ok, err := s.Store.OIDCProviderGet(c.UserContext(), org.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errNoSSO()
	}
	p, err := provider(c.UserContext(), cfg.Issuer)
	if err != nil {
		return err
	}
	next := c.Query("next")
	if !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		next = "/console"
	}
	f := oidcFlow{Org: org.ID, State: seal.RandomToken(), Nonce: seal.RandomToken(), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: time.Now().Add(10 * time.Minute)}
	b, _ := json.Marshal(f)
	c.Cookie(&fiber.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(s.Box.Seal(b, "oidc-flow")), Path: "/console/login/oidc",
		Expires: f.Expires, HTTPOnly: true, Secure: s.Cfg.Production(), SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(s.oauthConfig(p, cfg).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), fiber.StatusSeeOther)
}

func errOIDC(code, msg, zh string) error {
	return hireflow.Errorf(hireflow.KindUnauthorized, code, "", "single sign-on failed: %s", msg).ZH("单点登录失败：%s", zh)
}

// oidcCallback finishes the flow: the code for tokens, the ID token verified, the user found
// or provisioned, a session started.
func (s *Server) oidcCallback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	raw, err := base64.RawURLEncoding.DecodeString(c.Cookies(oidcCookie))
	var f oidcFlow
	if err == nil {
		var plain []byte
		if plain, err = s.Box.Open(raw, "oidc-flow"); err == nil {
			err = json.Unmarshal(plain, &f)
		}
	}
	c.ClearCookie(oidcCookie)
	if err != nil || f.State == "" || time.Now().After(f.Expires) {
		return errOIDC("oidc_flow_expired", "the sign-in took too long or was started elsewhere; start again", "登录超时或并非从本页发起，请重新开始")
	}
	if e := c.Query("error"); e != "" {
		return errOIDC("oidc_refused", "the identity provider refused: "+truncate(e, 80), "身份提供方拒绝了登录")
	}
	if c.Query("state") != f.State {
		return errOIDC("oidc_state_mismatch", "the answer does not belong to this sign-in", "返回结果与本次登录不匹配")
	}
	cfg, ok, err := s.Store.OIDCProviderGet(ctx, f.Org)
	if err != nil {
		return err
	}
	if !ok {
		return errNoSSO()
	}
	p, err := provider(ctx, cfg.Issuer)
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := s.oauthConfig(p, cfg).Exchange(tctx, c.Query("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return errOIDC("oidc_exchange_failed", "the code was not accepted", "授权码未被接受")
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: cfg.ClientID}).Verify(tctx, rawID)
	if err != nil {
		return errOIDC("oidc_token_invalid", "the identity token did not verify", "身份令牌校验失败")
	}
	if idt.Nonce != f.Nonce {
		return errOIDC("oidc_nonce_mismatch", "the identity token is not for this sign-in", "身份令牌与本次登录不匹配")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return errOIDC("oidc_token_invalid", "the identity token's claims are unreadable", "身份令牌内容无法读取")
	}
	email, _ := claims["email"].(string)
	verified, _ := claims["email_verified"].(bool)
	if email == "" || !verified || len(email) > 254 || !strings.Contains(email, "@") {
		return errOIDC("oidc_email_unverified", "the provider gives no verified email", "身份提供方未提供已验证的邮箱")
	}
	name, _ := claims["name"].(string)
	if name == "" {
		name, _ = claims["preferred_username"].(string)
	}
	if name == "" {
		name = email[:strings.Index(email, "@")]
	}
	user, err := s.Store.OIDCUser(ctx, f.Org, idt.Subject, email, truncate(name, 100), roleFromClaims(cfg, claims))
	if err != nil {
		return err
	}
	if err := s.startSession(c, f.Org, user, "oidc"); err != nil {
		return err
	}
	return c.Redirect(f.Next, fiber.StatusSeeOther)
}

// roleFromClaims maps the role claim (a string or a list) through role_map; a value that is a
// role's own name counts too; else the default role ("" keeps an existing user's role).
func roleFromClaims(cfg store.OIDCProvider, claims map[string]any) hireflow.Role {
	var values []string
	switch v := claims[cfg.RoleClaim].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	// The most capable mapped role wins when several values map.
	rank := map[hireflow.Role]int{recruiter: 4, manager: 3, interviewer: 2, analyst: 1}
	best := hireflow.Role("")
	for _, v := range values {
		r := hireflow.Role(cfg.RoleMap[v])
		if r == "" && rank[hireflow.Role(v)] > 0 {
			r = hireflow.Role(v)
		}
		if rank[r] > rank[best] {
			best = r
		}
	}
	if best == "" {
		best = hireflow.Role(cfg.DefaultRole)
	}
	return best
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
