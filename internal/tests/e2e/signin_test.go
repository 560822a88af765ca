package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestSecondFactorLockoutAndSessions: a recruiter turns on two-step sign-in (a wrong code is
// refused, a right one gives ten recovery codes); sign-in then needs the code or a recovery
// code (each usable once); the session list shows every browser, one can be ended and then all
// ("sign out everywhere"), after which the old cookies are refused; five wrong passwords lock
// an account, even for the right password; a cookie write without the CSRF token is refused.
func TestSecondFactorLockoutAndSessions(t *testing.T) {
	e := testenv.Start(t)
	u := e.Users[hireflow.RoleRecruiter]
	rec := e.Client(t, hireflow.RoleRecruiter)
	var setup struct {
		Secret, OtpauthURL, QrPng string `json:"-"`
	}
	var raw map[string]string
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/auth/totp/setup", map[string]any{}, &raw), "%v", raw)
	setup.Secret, setup.OtpauthURL, setup.QrPng = raw["secret"], raw["otpauth_url"], raw["qr_png"]
	require.Contains(t, setup.OtpauthURL, "otpauth://totp/")
	require.True(t, strings.HasPrefix(setup.QrPng, "data:image/png;base64,"))
	var eb errBody
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/auth/totp/enable", map[string]string{"code": "000000"}, &eb))
	require.Equal(t, "otp_invalid", eb.Error.Code)
	code := func() string {
		c, err := totp.GenerateCode(setup.Secret, time.Now())
		require.NoError(t, err)
		return c
	}
	var enabled struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/auth/totp/enable", map[string]string{"code": code()}, &enabled))
	require.Len(t, enabled.RecoveryCodes, 10)
	var stored []byte
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT totp_secret_enc FROM users WHERE id = $1`, u.ID).Scan(&stored))
	require.NotContains(t, string(stored), setup.Secret, "the secret is sealed")

	login := func(body map[string]string) (int, map[string]any) {
		b := map[string]string{"org": e.Org.Slug, "email": u.Email, "password": e.Passwords[hireflow.RoleRecruiter]}
		for k, v := range body {
			b[k] = v
		}
		var out map[string]any
		return doJSON(t, &http.Client{Timeout: 30 * time.Second}, http.MethodPost, e.BaseURL+"/api/v1/auth/login", b, &out), out
	}
	st, out := login(nil)
	require.Equal(t, 401, st)
	require.Equal(t, "otp_required", out["error"].(map[string]any)["code"])
	st, out = login(map[string]string{"otp": "123456"})
	require.Equal(t, 401, st)
	require.Equal(t, "otp_invalid", out["error"].(map[string]any)["code"])
	st, out = login(map[string]string{"otp": code()})
	require.Equal(t, 200, st, "%v", out)
	require.Equal(t, "totp", out["method"])
	st, out = login(map[string]string{"recovery_code": strings.ToUpper(enabled.RecoveryCodes[0])})
	require.Equal(t, 200, st, "a recovery code, typed in capitals: %v", out)
	require.Equal(t, "recovery_code", out["method"])
	st, _ = login(map[string]string{"recovery_code": enabled.RecoveryCodes[0]})
	require.Equal(t, 401, st, "each recovery code works once")
	require.NoError(t, e.Store.LoginSucceeded(ctx, u.ID)) // the failures above count toward the lock

	// Sessions: this client's, the two above; end one, then all.
	var list struct {
		Sessions []struct {
			ID, Method string
			Current    bool
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/auth/sessions", nil, &list))
	require.GreaterOrEqual(t, len(list.Sessions), 3)
	current, other := 0, ""
	for _, s := range list.Sessions {
		if s.Current {
			current++
		} else if other == "" {
			other = s.ID
		}
	}
	require.Equal(t, 1, current)
	require.Equal(t, 204, doJSON(t, rec, http.MethodDelete, e.BaseURL+"/api/v1/auth/sessions/"+other, nil, nil))
	require.Equal(t, 404, doJSON(t, rec, http.MethodDelete, e.BaseURL+"/api/v1/auth/sessions/"+other, nil, &eb), "already ended")
	mgr := e.Client(t, hireflow.RoleHiringManager)
	var mgrList struct{ Sessions []struct{ ID string } }
	require.Equal(t, 200, doJSON(t, mgr, http.MethodGet, e.BaseURL+"/api/v1/auth/sessions", nil, &mgrList))
	require.Equal(t, 404, doJSON(t, rec, http.MethodDelete, e.BaseURL+"/api/v1/auth/sessions/"+mgrList.Sessions[0].ID, nil, &eb), "another user's session")
	var ended struct{ Ended int }
	require.Equal(t, 200, doJSON(t, rec, http.MethodDelete, e.BaseURL+"/api/v1/auth/sessions", nil, &ended))
	require.GreaterOrEqual(t, ended.Ended, 2)
	require.Equal(t, 401, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &eb), "signed out everywhere")
	require.Equal(t, 200, doJSON(t, mgr, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &out), "other users stay signed in")

	// Lock-out: five wrong passwords, then even the right one waits.
	m := e.Users[hireflow.RoleInterviewer]
	wrong := map[string]string{"org": e.Org.Slug, "email": m.Email, "password": "not-it"}
	for i := 1; i <= 5; i++ {
		st := doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/auth/login", wrong, &eb)
		if i < 5 {
			require.Equal(t, 401, st, "attempt %d", i)
		} else {
			require.Equal(t, 429, st, "the fifth locks")
			require.Equal(t, "account_locked", eb.Error.Code)
		}
	}
	_, err := staffhttp.Login(e.BaseURL, e.Org.Slug, m.Email, e.Passwords[hireflow.RoleInterviewer])
	require.ErrorContains(t, err, "account_locked")
	var locked int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'auth.locked' AND actor_id = $2`, e.Org.ID, m.ID).Scan(&locked))
	require.Equal(t, 1, locked)

	// CSRF over the wire: a cookie without the token writes nothing; from another origin neither.
	jar, _ := cookiejar.New(nil)
	bare := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	require.Equal(t, 200, doJSON(t, bare, http.MethodPost, e.BaseURL+"/api/v1/auth/login", map[string]string{"org": e.Org.Slug,
		"email": e.Users[hireflow.RoleAdmin].Email, "password": e.Passwords[hireflow.RoleAdmin]}, &out))
	require.Equal(t, 403, doJSON(t, bare, http.MethodPut, e.BaseURL+"/api/v1/organisation/branding", map[string]string{"brand_line": "pwned"}, &eb))
	require.Equal(t, "csrf_invalid", eb.Error.Code)
	req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/v1/auth/login", strings.NewReader(`{"org":"x","email":"y","password":"z"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode, "no sign-in from another site")
}

// TestOIDCSignIn signs staff in through a real OpenID Connect provider (mockoidc, started
// here): a new person is provisioned with the role their group maps to; an existing user is
// matched by email and linked; an unverified email, no mapped role, a forged or replayed
// callback and another state are refused with their codes; the admin's settings are
// validated (issuer, discovery) and the secret never shown.
func TestOIDCSignIn(t *testing.T) {
	e := testenv.Start(t)
	m, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Shutdown() })
	admin := e.Client(t, hireflow.RoleAdmin)
	var eb errBody
	put := func(body map[string]any) int {
		return doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/oidc", body, &eb)
	}
	cfg := map[string]any{"issuer": m.Issuer(), "client_id": m.ClientID, "client_secret": m.ClientSecret, "role_claim": "groups",
		"role_map": map[string]string{"hr-team": "recruiter", "eng-leads": "hiring_manager"}}
	bad := func(k string, v any) map[string]any {
		c := map[string]any{}
		for a, b := range cfg {
			c[a] = b
		}
		c[k] = v
		return c
	}
	require.Equal(t, 422, put(bad("issuer", "ftp://idp.example")))
	require.Equal(t, "issuer", eb.Error.Field)
	require.Equal(t, 422, put(bad("role_map", map[string]string{"x": "admin"})), "no admins from the provider")
	require.Equal(t, 503, put(bad("issuer", "http://127.0.0.1:1/oidc")))
	require.Equal(t, "oidc_discovery_failed", eb.Error.Code)
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPut, e.BaseURL+"/api/v1/organisation/oidc", cfg, &eb))
	require.Equal(t, 200, put(cfg), "%+v", eb)
	page := string(getPage(t, admin, e.BaseURL+"/api/v1/organisation/oidc"))
	require.NotContains(t, page, m.ClientSecret, "the secret is never shown")

	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, Timeout: 30 * time.Second}
	}
	next := "/console/jobs"
	signIn := func(hc *http.Client, u mockoidc.User) (int, string) {
		m.QueueUser(u)
		resp, err := hc.Get(e.BaseURL + "/console/login/oidc?org=" + e.Org.Slug + "&next=" + next)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.Path + " " + string(b)
	}
	me := func(hc *http.Client) map[string]any {
		var out map[string]any
		require.Equal(t, 200, doJSON(t, hc, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &out))
		return out
	}

	newcomer := browser()
	st, body := signIn(newcomer, &mockoidc.MockUser{Subject: "sub-new", Email: "new.recruiter@corp.example", EmailVerified: true, Groups: []string{"staff", "hr-team"}, PreferredUsername: "new.recruiter"})
	require.Equal(t, 200, st, body)
	require.True(t, strings.HasPrefix(body, "/console/jobs "), "back where the sign-in started: %.80s", body)
	require.Equal(t, "recruiter", me(newcomer)["role"])
	var subject, hash string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT oidc_subject, password_hash FROM users WHERE org_id = $1 AND email = 'new.recruiter@corp.example'`, e.Org.ID).Scan(&subject, &hash))
	require.Equal(t, "sub-new", subject)
	require.Empty(t, hash, "no password for a provisioned account")
	_, err = staffhttp.Login(e.BaseURL, e.Org.Slug, "new.recruiter@corp.example", "")
	require.Error(t, err, "and no password sign-in")

	next = "/console"
	existing := e.Users[hireflow.RoleInterviewer]
	linked := browser()
	st, body = signIn(linked, &mockoidc.MockUser{Subject: "sub-iv", Email: strings.ToUpper(existing.Email), EmailVerified: true})
	require.Equal(t, 200, st, body)
	got := me(linked)
	require.Equal(t, existing.ID, got["user_id"], "matched by email")
	require.Equal(t, "interviewer", got["role"], "no mapped group keeps the role")

	for name, c := range map[string]struct {
		u    mockoidc.User
		code string
	}{
		"unverified": {&mockoidc.MockUser{Subject: "sub-u", Email: "unverified@corp.example", EmailVerified: false, Groups: []string{"hr-team"}}, "oidc_email_unverified"},
		"no role":    {&mockoidc.MockUser{Subject: "sub-r", Email: "norole@corp.example", EmailVerified: true, Groups: []string{"sales"}}, "oidc_no_role"},
	} {
		st, body := signIn(browser(), c.u)
		require.Contains(t, []int{401, 403}, st, name)
		require.Contains(t, body, c.code, name)
	}
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM users WHERE org_id = $1 AND email IN ('unverified@corp.example', 'norole@corp.example')`, e.Org.ID).Scan(&n))
	require.Zero(t, n, "nobody provisioned")

	// Forged and replayed callbacks.
	resp, err := browser().Get(e.BaseURL + "/console/login/oidc/callback?code=forged&state=forged")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 401, resp.StatusCode)
	require.Contains(t, string(b), "oidc_flow_expired")
	hc := browser()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = hc.Get(e.BaseURL + "/console/login/oidc?org=" + e.Org.Slug)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 303, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.Contains(t, loc, "code_challenge_method=S256")
	require.Contains(t, loc, "nonce=")
	resp, err = hc.Get(e.BaseURL + "/console/login/oidc/callback?code=x&state=not-the-state")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 401, resp.StatusCode)
	require.Contains(t, string(b), "oidc_state_mismatch")
	resp, err = browser().Get(e.BaseURL + "/console/login/oidc?org=no-such-org")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)

	var logins int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'auth.login' AND detail->>'method' = 'oidc'`, e.Org.ID).Scan(&logins))
	require.Equal(t, 2, logins)
}
