package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestPracticeRunOnYourself: a recruiter starts a practice run and goes through a hiring on
// themselves — the invitation comes to their own address, they answer as the candidate, review
// as the hiring manager, draft the offer as the recruiter and approve it as the manager, and the
// offer email reaches them — all in the organisation's practice organisation: the real one gets
// no application, no webhook delivery, no public job. Only HR may start one, only a stand-in may
// switch roles, a job of another organisation is not found, and the home page's button and the
// banner's role switch work in Chromium.
func TestPracticeRunOnYourself(t *testing.T) {
	e := testenv.Start(t)
	other := testenv.Start(t)
	hook := &hookSink{secret: "practice-hook-secret-0123456789"}
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	srv := hs.URL
	var out map[string]any
	require.Equal(t, 200, doJSON(t, e.Client(t, hireflow.RoleIntegration), http.MethodPut, e.BaseURL+"/api/v1/webhook",
		map[string]string{"url": srv + "/hooks", "secret": hook.secret}, &out))
	var eb errBody
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleInterviewer), http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{}, &eb))
	otherJob := createJob(t, other, other.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
	rec := e.Client(t, hireflow.RoleRecruiter)
	require.Equal(t, 404, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{"job_id": otherJob.ID}, &eb), "another organisation's job")
	require.Equal(t, 404, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{"job_id": "../x"}, &eb))
	require.Equal(t, 400, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{"job": "x"}, &eb))
	require.Equal(t, "unknown_field", eb.Error.Code)
	require.Equal(t, 403, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/practice/role", map[string]any{"role": "admin"}, &eb), "only a practice run switches roles")
	require.Equal(t, "not_practising", eb.Error.Code)

	type started struct {
		Organisation  string `json:"organisation"`
		Role          string `json:"role"`
		CSRF          string `json:"csrf_token"`
		ApplicationID string `json:"application_id"`
		JobID         string `json:"job_id"`
	}
	var run started
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{}, &run))
	require.Equal(t, "recruiter", run.Role)
	require.True(t, strings.HasPrefix(run.Organisation, e.Org.Slug+"-practice-"), run.Organisation)
	as := func(s started) *http.Client {
		return staffhttp.WithCSRF(&http.Client{Jar: rec.Jar, Timeout: 60 * time.Second}, s.CSRF)
	}
	p := as(run)
	var me map[string]any
	require.Equal(t, 200, doJSON(t, p, http.MethodGet, e.BaseURL+"/api/v1/me", nil, &me))
	require.NotEqual(t, e.Org.ID, me["org_id"], "signed in to the practice organisation")
	practiceOrg := me["org_id"].(string)
	require.Equal(t, 409, doJSON(t, p, http.MethodPost, e.BaseURL+"/api/v1/practice", map[string]any{}, &eb), "no practice inside practice")
	require.Equal(t, 422, doJSON(t, p, http.MethodPost, e.BaseURL+"/api/v1/practice/role", map[string]any{"role": "analyst"}, &eb))
	require.Contains(t, string(getPage(t, p, e.BaseURL+"/console?lang=en")), `id="practice"`, "the practice banner")

	// The candidate's side, in the recruiter's own inbox.
	me2 := e.Users[hireflow.RoleRecruiter]
	link := e.WaitEmail(t, me2.Email, "Your next step", 60*time.Second).Link(t)
	token := link[strings.LastIndex(link, "/")+1:]
	for _, q := range []string{"q1", "q2"} {
		require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/answers",
			map[string]string{"question_id": q, "text": strongAnswer}, &out), "%v", out)
	}
	stage := func() string {
		a, err := e.Store.ApplicationGet(ctx, practiceOrg, run.ApplicationID, false)
		require.NoError(t, err)
		return string(a.Stage)
	}
	testenv.Eventually(t, 60*time.Second, "the practice application to reach review", func() bool { return stage() == "review" })

	switchTo := func(role string) started {
		var s started
		require.Equal(t, 201, doJSON(t, as(run), http.MethodPost, e.BaseURL+"/api/v1/practice/role", map[string]any{"role": role}, &s))
		require.Equal(t, role, s.Role)
		run.CSRF = s.CSRF
		return s
	}
	mgr := switchTo("hiring_manager")
	require.Equal(t, 200, doJSON(t, as(mgr), http.MethodPost, e.BaseURL+"/api/v1/applications/"+run.ApplicationID+"/reviews",
		map[string]any{"rating": 4.5, "decision": "advance", "note": "Practice review."}, &out), "%v", out)
	testenv.Eventually(t, 30*time.Second, "the offer stage", func() bool { return stage() == "offer" })
	switchTo("recruiter")
	var offer struct {
		OfferID string `json:"offer_id"`
	}
	require.Equal(t, 201, doJSON(t, as(run), http.MethodPost, e.BaseURL+"/api/v1/applications/"+run.ApplicationID+"/offers",
		map[string]any{"position": "Backend Engineer", "salary": 40000, "start_date": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}, &offer))
	switchTo("hiring_manager")
	testenv.Eventually(t, 20*time.Second, "the chain to wait for the hiring manager", func() bool {
		return doJSON(t, as(run), http.MethodPost, e.BaseURL+"/api/v1/offers/"+offer.OfferID+"/decision", map[string]any{"decision": "approve"}, &eb) == 200
	})
	e.WaitEmail(t, me2.Email, "Your offer for", 60*time.Second)
	testenv.Eventually(t, 30*time.Second, "a staff email of the run at the stand-in's tagged address", func() bool {
		local, domain, _ := strings.Cut(me2.Email, "@")
		return len(e.Emails(t, local+"+practice-hiring-manager@"+domain)) > 0
	})

	// Nothing of it in the real organisation.
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE org_id = $1`, e.Org.ID).Scan(&n))
	require.Zero(t, n, "no application in the real organisation")
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE org_id = $1`, practiceOrg).Scan(&n))
	require.Equal(t, 1, n)
	hook.mu.Lock()
	require.Empty(t, hook.events, "the HR system hears nothing of a practice run")
	hook.mu.Unlock()
	resp, err := e.HTTP.Get(e.BaseURL + "/jobs/" + run.JobID + "/apply")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode, "a practice job is not open to the public")

	// The same run from the home page, in Chromium at 390 px: the button, the banner, the switch.
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "practice-390")
	admin := e.Users[hireflow.RoleAdmin]
	var role, banner string
	require.NoError(t, chromedp.Run(bctx, network.ClearBrowserCookies(), chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.BaseURL+"/console/login?lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, admin.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleAdmin], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#practice-go`, chromedp.ByQuery),
		chromedp.Click(`#practice-go`, chromedp.ByQuery),
		chromedp.WaitVisible(`#practice`, chromedp.ByQuery),
		chromedp.Text(`#practice`, &banner, chromedp.ByQuery),
		chromedp.SetValue(`#practice-role`, "hiring_manager", chromedp.ByQuery),
		chromedp.Evaluate(`window.beforeSwitch = true`, nil),
		chromedp.Click(`#practice-switch`, chromedp.ByQuery),
	))
	// The page reloads as the new role (a navigation, so evaluations may fail meanwhile).
	testenv.Eventually(t, 15*time.Second, "the page as the hiring manager", func() bool {
		var ok bool
		err := chromedp.Run(bctx, chromedp.Evaluate(`!window.beforeSwitch && document.readyState === 'complete' && !!document.getElementById('practice-role')`, &ok))
		return err == nil && ok
	})
	require.NoError(t, chromedp.Run(bctx, chromedp.Value(`#practice-role`, &role, chromedp.ByQuery)))
	require.Contains(t, banner, "Nothing here reaches real candidates")
	require.Equal(t, "hiring_manager", role)
	var wide string
	require.NoError(t, chromedp.Run(bctx, chromedp.Evaluate(wider, &wide)))
	require.Empty(t, wide, "the banner fits a phone")
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM organisations WHERE practice_of = $1`, e.Org.ID).Scan(&n))
	require.Equal(t, 1, n, "one practice organisation per organisation, reused")
}
