package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestAdminUsersAndTokens: an admin invites a colleague (bad inputs and other roles refused);
// the colleague sets a password from the emailed one-time link and signs in; the admin changes
// their role (it applies at once) and deactivates them (their session ends); the admin cannot
// lock themselves out and the organisation keeps an admin; API tokens are listed with their last
// use and revoked; the admin page shows no candidate and fits a phone and a desktop in both
// languages.
func TestAdminUsersAndTokens(t *testing.T) {
	e := testenv.Start(t)
	admin := e.Client(t, hireflow.RoleAdmin)
	var eb errBody
	var out map[string]any
	invite := func(body map[string]any) int {
		return doJSON(t, admin, http.MethodPost, e.BaseURL+"/api/v1/users", body, &eb)
	}
	email := uniqueEmail("colleague")
	require.Equal(t, 422, invite(map[string]any{"email": "not an email", "display_name": "X", "role": "recruiter"}))
	require.Equal(t, "email", eb.Error.Field)
	require.Equal(t, 422, invite(map[string]any{"email": email, "display_name": "X", "role": "owner"}))
	require.Equal(t, 422, invite(map[string]any{"email": email, "display_name": "<script>", "role": "recruiter"}))
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPost, e.BaseURL+"/api/v1/users", map[string]any{"email": email, "display_name": "X", "role": "admin"}, &eb))
	require.Equal(t, 201, invite(map[string]any{"email": email, "display_name": "Colleague Chen", "role": "recruiter"}), "%+v", eb)
	require.Equal(t, 409, invite(map[string]any{"email": email, "display_name": "Again", "role": "recruiter"}))

	m := e.WaitEmail(t, email, "You are invited", 30*time.Second)
	link := regexp.MustCompile(`https?://[^\s"'<>]+/console/set-password/[A-Za-z0-9_-]{43}`).FindString(m.Text)
	require.NotEmpty(t, link, m.Text)
	require.Contains(t, string(getPage(t, e.HTTP, link+"?lang=zh")), "设置密码")
	post := func(pw, again string) (int, string) {
		hc := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := hc.PostForm(link, url.Values{"password": {pw}, "confirm": {again}})
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location") + string(b)
	}
	code, body := post("short", "short")
	require.Equal(t, 422, code)
	require.Contains(t, body, "12 characters")
	code, _ = post("correct horse battery staple", "correct horse battery stable")
	require.Equal(t, 422, code)
	pw := "correct horse battery staple"
	code, body = post(pw, pw)
	require.Equal(t, 303, code)
	require.True(t, strings.HasPrefix(body, "/console/login?org="+e.Org.Slug), body)
	code, _ = post(pw, pw)
	require.Equal(t, 410, code, "the link works once")

	colleague, err := staffhttp.Login(e.BaseURL, e.Org.Slug, email, pw)
	require.NoError(t, err)
	require.Equal(t, 200, doJSON(t, colleague, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &out))
	require.Equal(t, "recruiter", out["role"])
	userID := out["user_id"].(string)

	require.Equal(t, 422, doJSON(t, admin, http.MethodPatch, e.BaseURL+"/api/v1/users/"+userID, map[string]any{"role": "ceo"}, &eb))
	require.Equal(t, 200, doJSON(t, admin, http.MethodPatch, e.BaseURL+"/api/v1/users/"+userID, map[string]any{"role": "interviewer"}, &out))
	require.Equal(t, 200, doJSON(t, colleague, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &out))
	require.Equal(t, "interviewer", out["role"], "a role change applies at once")
	require.Equal(t, 200, doJSON(t, admin, http.MethodPatch, e.BaseURL+"/api/v1/users/"+userID, map[string]any{"disabled": true}, &out))
	require.Equal(t, 401, doJSON(t, colleague, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &eb), "deactivated: signed out")
	_, err = staffhttp.Login(e.BaseURL, e.Org.Slug, email, pw)
	require.Error(t, err, "and cannot sign in")
	me := e.Users[hireflow.RoleAdmin]
	require.Equal(t, 409, doJSON(t, admin, http.MethodPatch, e.BaseURL+"/api/v1/users/"+me.ID, map[string]any{"disabled": true}, &eb))
	require.Equal(t, "own_account", eb.Error.Code)
	demote := hireflow.RoleRecruiter
	_, err = e.Store.UserUpdate(ctx, e.Org.ID, me.ID, &demote, nil)
	require.ErrorContains(t, err, "at least one active admin")
	require.Equal(t, 404, doJSON(t, admin, http.MethodPatch, e.BaseURL+"/api/v1/users/"+testenv.Start(t).Users[hireflow.RoleRecruiter].ID, map[string]any{"disabled": true}, &eb),
		"another organisation's user")

	// API tokens: listed with last use, revoked.
	integ := e.Client(t, hireflow.RoleIntegration)
	var tok struct{ ID, Token string }
	require.Equal(t, 201, doJSON(t, integ, http.MethodPost, e.BaseURL+"/api/v1/api-tokens", map[string]any{"name": "ehr sync"}, &tok))
	bearer := func() int {
		req, _ := http.NewRequest(http.MethodGet, e.BaseURL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, 200, bearer())
	var list struct {
		Tokens []struct {
			ID, Name   string
			LastUsedAt *time.Time `json:"last_used_at"`
			Token      string
		}
	}
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/api-tokens", nil, &list))
	require.Len(t, list.Tokens, 1)
	require.Equal(t, "ehr sync", list.Tokens[0].Name)
	require.NotNil(t, list.Tokens[0].LastUsedAt)
	require.Empty(t, list.Tokens[0].Token, "never the secret")
	require.Equal(t, 404, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodDelete, e.BaseURL+"/api/v1/api-tokens/"+tok.ID, nil, &eb), "not the analyst's token")
	require.Equal(t, 204, doJSON(t, admin, http.MethodDelete, e.BaseURL+"/api/v1/api-tokens/"+tok.ID, nil, nil))
	require.Equal(t, 401, bearer(), "revoked")

	page := string(getPage(t, admin, e.BaseURL+"/console/admin?lang=en"))
	require.Contains(t, page, email)
	require.Contains(t, page, "Deactivated")
	resp, err := e.Client(t, hireflow.RoleRecruiter).Get(e.BaseURL + "/console/admin")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)

	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "admin")
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/login?lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, me.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleAdmin], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav.console`, chromedp.ByQuery)))
	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "zh"} {
			var wide string
			require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(e.BaseURL+"/console/admin?lang="+lang), chromedp.WaitVisible(`#invite`, chromedp.ByQuery), chromedp.Evaluate(wider, &wide)))
			require.Empty(t, wide, "the admin page at %d px (%s)", width, lang)
		}
	}
	// Invite from the page itself (its fetch carries the CSRF token).
	other := uniqueEmail("from-page")
	var shown string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/admin?lang=en"), chromedp.WaitVisible(`#invite`, chromedp.ByQuery),
		chromedp.SendKeys(`#inv-email`, other, chromedp.ByQuery), chromedp.SendKeys(`#inv-name`, "Page Invitee", chromedp.ByQuery),
		chromedp.Click(`#invite button`, chromedp.ByQuery), chromedp.WaitVisible(`#invite-result`, chromedp.ByQuery), chromedp.Text(`#invite-result`, &shown, chromedp.ByQuery)))
	require.Equal(t, "Done.", shown)
	e.WaitEmail(t, other, "You are invited", 30*time.Second)
}
