package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestOrganisationSettingsDriveTheOffer: an admin sets the organisation's default timings and
// its departments with their managers (bad values, another organisation's user and other roles
// refused) and rotates the webhook secret; a job carries a salary band; the rule set's approval
// chain names the department's manager. A candidate goes through: the review is late by the
// organisation's SLA and the manager is reminded; the offer is held to the job's band, its chain
// is previewed (the department's manager by name, the admin above the band) before it is sent;
// only the one the chain waits for sees the approve form, with delegation; the manager, then the
// admin, approve.
func TestOrganisationSettingsDriveTheOffer(t *testing.T) {
	e := testenv.Start(t)
	other := testenv.Start(t)
	admin, rec := e.Client(t, hireflow.RoleAdmin), e.Client(t, hireflow.RoleRecruiter)
	mgrUser := e.Users[hireflow.RoleHiringManager]
	var eb errBody
	var out map[string]any

	// Default timings.
	timings := e.BaseURL + "/api/v1/organisation/timings"
	require.Equal(t, 403, doJSON(t, rec, http.MethodPut, timings, map[string]any{"timings": map[string]string{"review_sla": "2s"}}, &eb))
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleInterviewer), http.MethodGet, timings, nil, &eb))
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, timings, map[string]any{"timings": map[string]string{"review_sla": "9000h"}}, &eb))
	require.Equal(t, "timings.review_sla", eb.Error.Field)
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, timings, map[string]any{"timings": map[string]string{"invite_reminder_after": "72h", "invite_expires_after": "48h"}}, &eb))
	require.Equal(t, "timings.invite_reminder_after", eb.Error.Field)
	require.Equal(t, 400, doJSON(t, admin, http.MethodPut, timings, map[string]any{"timings": map[string]string{"review_sla": "soon"}}, &eb))
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, timings, map[string]any{"timings": map[string]string{"review_sla": "2s"}}, &out), "%v", out)
	var tv struct {
		Timings, Deployment, Effective map[string]string
	}
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, timings, nil, &tv))
	require.Equal(t, "2s", tv.Timings["review_sla"])
	require.Equal(t, "2s", tv.Effective["review_sla"])
	require.Equal(t, tv.Deployment["hold_sla"], tv.Effective["hold_sla"], "what the organisation leaves out is the deployment's")

	// Departments and their managers.
	depts := e.BaseURL + "/api/v1/organisation/departments"
	put := func(hc *http.Client, ds ...map[string]string) int {
		return doJSON(t, hc, http.MethodPut, depts, map[string]any{"departments": ds}, &eb)
	}
	require.Equal(t, 403, put(rec, map[string]string{"name": "Platform"}))
	require.Equal(t, 422, put(admin, map[string]string{"name": "Platform", "manager_id": other.Users[hireflow.RoleHiringManager].ID}), "another organisation's user")
	require.Equal(t, "departments[0].manager_id", eb.Error.Field)
	require.Equal(t, 422, put(admin, map[string]string{"name": "Platform"}, map[string]string{"name": " platform "}))
	require.Equal(t, "departments[1].name", eb.Error.Field)
	require.Equal(t, 422, put(admin, map[string]string{"name": "<b>Sales</b>"}))
	require.Equal(t, 422, put(admin, map[string]string{"name": "Platform", "manager_id": "42"}))
	require.Equal(t, 200, put(admin, map[string]string{"name": "Platform", "manager_id": mgrUser.ID}, map[string]string{"name": "Sales"}))
	var dl struct {
		Departments []struct {
			Name      string `json:"name"`
			ManagerID string `json:"manager_id"`
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, depts, nil, &dl), "recruiters read the departments to draft offers")
	require.Len(t, dl.Departments, 2)
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleInterviewer), http.MethodGet, depts, nil, &eb))
	var dir struct {
		People []map[string]any
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/staff-directory", nil, &dir))
	require.NotEmpty(t, dir.People)
	for _, p := range dir.People {
		require.NotContains(t, p, "email", "the directory names colleagues without their addresses")
		require.NotEqual(t, "integration", p["role"])
	}

	// The webhook: its address shown, never its secret; the secret rotated.
	integ := e.Client(t, hireflow.RoleIntegration)
	require.Equal(t, 409, doJSON(t, admin, http.MethodPost, e.BaseURL+"/api/v1/webhook/secret", nil, &eb))
	require.Equal(t, "webhook_not_configured", eb.Error.Code)
	require.Equal(t, 200, doJSON(t, integ, http.MethodPut, e.BaseURL+"/api/v1/webhook", map[string]string{"url": "http://127.0.0.1:9/hooks", "secret": "first-secret-0123456789"}, &out))
	var wh map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/webhook", nil, &wh))
	require.Equal(t, "http://127.0.0.1:9/hooks", wh["url"])
	require.NotContains(t, fmt.Sprint(wh), "first-secret")
	require.Equal(t, 403, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/webhook/secret", nil, &eb))
	var rot struct{ URL, Secret string }
	require.Equal(t, 200, doJSON(t, admin, http.MethodPost, e.BaseURL+"/api/v1/webhook/secret", nil, &rot))
	require.True(t, strings.HasPrefix(rot.Secret, "whsec_") && len(rot.Secret) > 40, rot.Secret)
	hookURL, secret, _, err := e.Store.WebhookGet(ctx, e.Org.ID)
	require.NoError(t, err)
	require.Equal(t, rot.Secret, secret, "deliveries are signed with the secret shown once")
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/webhook", nil, &wh))
	require.NotContains(t, fmt.Sprint(wh), rot.Secret)
	require.Equal(t, "http://127.0.0.1:9/hooks", hookURL, "rotation keeps the address")

	// A job with a salary band (bad bands refused).
	j := demo.BackendJob()
	jobBody := func(offer map[string]any) map[string]any {
		return map[string]any{"title": j.Title, "requirements": j.Requirements, "dimensions": j.Dimensions, "offer": offer,
			"questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident you resolved.", "kind": "text", "dimensions": []string{"problem_solving", "ownership"}}},
			"timings":   map[string]string{"invite_reminder_after": "1h", "invite_expires_after": "2h", "rejection_delay": "1s", "hold_sla": "1h"}}
	}
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", jobBody(map[string]any{"currency": "CNY", "band_min": 50000, "band_max": 30000}), &eb))
	require.Equal(t, "offer.band_max", eb.Error.Field)
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", jobBody(map[string]any{"currency": "yuan", "band_min": 30000, "band_max": 50000}), &eb))
	require.Equal(t, "offer.currency", eb.Error.Field)
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs",
		jobBody(map[string]any{"currency": "CNY", "band_min": 35000, "band_max": 50000, "level": 3, "department": "Platform"}), &job), "%+v", job)
	require.Equal(t, 50000.0, job.Offer.BandMax)

	// The chain: the department's manager, and the admin above the band.
	rs := ruleSetOf(t, e, rec, job.ID)
	var v1 struct {
		Content map[string]any `json:"content"`
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+rs+"/versions/1", nil, &v1))
	content := v1.Content
	rulesMap, _ := content["rules"].(map[string]any)
	if rulesMap == nil {
		rulesMap = map[string]any{}
	}
	rulesMap["approval"] = `offer.salary > offer.band_max ? ["department_manager", "admin"] : ["department_manager"]`
	content["rules"] = rulesMap
	var draft struct{ Version int }
	require.Equal(t, 201, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rulesets/"+rs+"/draft", content, &draft), "%+v", draft)
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/"+rs+"/publish", map[string]any{"version": draft.Version}, &out), "%v", out)

	// A candidate applies and answers; the review waits past the organisation's 2 s SLA.
	p := demo.StrongBackend("Settings Candidate", uniqueEmail("settings"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	appID := r.ApplicationID
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
	token := link[strings.LastIndex(link, "/")+1:]
	require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/answers",
		map[string]string{"question_id": "q1", "text": strongAnswer}, &out), "%v", out)
	waitStage(t, e, appID, hireflow.StageReview, 60*time.Second)
	e.WaitEmail(t, mgrUser.Email, "Reminder: review for "+job.Title, 60*time.Second)

	mgr := e.Client(t, hireflow.RoleHiringManager)
	require.Equal(t, 200, doJSON(t, mgr, http.MethodPost, e.BaseURL+"/api/v1/applications/"+appID+"/reviews",
		map[string]any{"rating": 4.5, "decision": "advance", "note": "Clear incident story."}, &out), "%v", out)
	waitStage(t, e, appID, hireflow.StageOffer, 30*time.Second)

	// The preview: the band filled in from the job, the chain with the manager by name.
	preview := e.BaseURL + "/api/v1/applications/" + appID + "/offer/preview"
	var pv struct {
		Band  string
		Terms map[string]any
		Steps []struct {
			Approvers []struct{ Approver, Label string }
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, preview, map[string]any{"position": "Backend Engineer", "salary": 60000}, &pv))
	require.Equal(t, "above", pv.Band)
	require.Equal(t, 50000.0, pv.Terms["band_max"])
	require.Equal(t, "Platform", pv.Terms["department"])
	require.Len(t, pv.Steps, 2)
	require.Equal(t, "user:"+mgrUser.ID, pv.Steps[0].Approvers[0].Approver)
	require.Contains(t, pv.Steps[0].Approvers[0].Label, mgrUser.DisplayName)
	require.Equal(t, "admin", pv.Steps[1].Approvers[0].Approver)
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, preview, map[string]any{"position": "Backend Engineer", "salary": 45000, "department": "Sales"}, &pv))
	require.Equal(t, "inside", pv.Band)
	require.Len(t, pv.Steps, 1)
	require.Equal(t, "hiring_manager", pv.Steps[0].Approvers[0].Approver, "a department without a manager falls back to the hiring managers")
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, preview, map[string]any{"salary": 45000, "currency": "EUR"}, &eb))
	require.Equal(t, "currency", eb.Error.Field)
	require.Equal(t, 403, doJSON(t, mgr, http.MethodPost, preview, map[string]any{"salary": 45000}, &eb))
	require.Equal(t, 404, doJSON(t, other.Client(t, hireflow.RoleRecruiter), http.MethodPost, other.BaseURL+"/api/v1/applications/"+appID+"/offer/preview", map[string]any{"salary": 45000}, &eb))

	offers := e.BaseURL + "/api/v1/applications/" + appID + "/offers"
	start := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, offers, map[string]any{"position": "Backend Engineer", "salary": 60000, "band_min": 30000, "band_max": 90000, "start_date": start}, &eb))
	require.Equal(t, "band_max", eb.Error.Field, "a draft may not widen the job's band")
	var offer struct {
		OfferID string `json:"offer_id"`
	}
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, offers, map[string]any{"position": "Backend Engineer", "salary": 60000, "start_date": start}, &offer))
	o, err := e.Store.OfferGet(ctx, e.Org.ID, offer.OfferID)
	require.NoError(t, err)
	require.Equal(t, 50000.0, o.BandMax)
	require.Equal(t, "CNY", o.Currency)

	decide := func(hc *http.Client, body map[string]any) int {
		return doJSON(t, hc, http.MethodPost, e.BaseURL+"/api/v1/offers/"+offer.OfferID+"/decision", body, &eb)
	}
	// Only the one the chain waits for sees the approve form, with delegation.
	page := e.BaseURL + "/console/applications/" + appID + "?lang=en"
	var mgrPage string
	testenv.Eventually(t, 30*time.Second, "the chain to wait for the department's manager", func() bool {
		mgrPage = string(getPage(t, mgr, page))
		return strings.Contains(mgrPage, `id="approve-form"`)
	})
	require.Contains(t, mgrPage, `id="a-delegate"`)
	require.Contains(t, mgrPage, "Step 1 / 2")
	require.Contains(t, mgrPage, "waiting for "+mgrUser.DisplayName)
	require.Equal(t, 403, decide(admin, map[string]any{"decision": "approve"}), "the admin's step is not open yet: %+v", eb)
	require.Equal(t, 422, decide(mgr, map[string]any{"decision": "delegate", "delegate_to": mgrUser.ID}), "not to oneself")
	require.Equal(t, 422, decide(mgr, map[string]any{"decision": "delegate", "delegate_to": other.Users[hireflow.RoleRecruiter].ID}), "not to another organisation")
	require.NotContains(t, string(getPage(t, rec, page)), `id="approve-form"`, "the recruiter is not in this chain")

	require.Equal(t, 200, decide(mgr, map[string]any{"decision": "approve"}))
	// The admin opens no application: the inbox links the offer's own page, with the terms and
	// the form but not the candidate.
	offerPage := "/console/offers/" + offer.OfferID
	testenv.Eventually(t, 20*time.Second, "the admin's step in the admin's inbox", func() bool {
		return strings.Contains(string(getPage(t, admin, e.BaseURL+"/console?lang=en")), `href="`+offerPage+`"`)
	})
	adminView := string(getPage(t, admin, e.BaseURL+offerPage+"?lang=en"))
	require.Contains(t, adminView, `id="approve-form"`)
	require.Contains(t, adminView, "60000 CNY")
	require.Contains(t, adminView, "35000–50000 CNY")
	require.Contains(t, adminView, "Step 2 / 2")
	require.NotContains(t, adminView, p.Name)
	require.NotContains(t, adminView, p.Email)
	require.Contains(t, string(getPage(t, admin, e.BaseURL+offerPage+"?lang=zh")), "审批中")
	for _, hc := range []*http.Client{e.Client(t, hireflow.RoleInterviewer), mgr} {
		resp, err := hc.Get(e.BaseURL + offerPage)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 404, resp.StatusCode, "the chain does not wait for them")
	}
	recView := string(getPage(t, rec, e.BaseURL+offerPage+"?lang=en"))
	require.NotContains(t, recView, `id="approve-form"`, "recruiters follow the offer without deciding on it")
	require.Contains(t, recView, "in approval")
	resp, err := other.Client(t, hireflow.RoleAdmin).Get(other.BaseURL + offerPage)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode, "another organisation's offer")
	require.Equal(t, 200, decide(admin, map[string]any{"decision": "approve"}))
	e.WaitEmail(t, p.Email, "Your offer for", 60*time.Second)

	// The offer form in the browser, on a phone in Chinese: band and chain from the server.
	t.Run("OfferFormInTheBrowser", func(t *testing.T) {
		p2 := demo.StrongBackend("Settings Second", uniqueEmail("settings2"))
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p2, "cv.pdf", demo.ResumePDF(p2.Lines), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status, "%+v", r.Error)
		link := e.WaitEmail(t, p2.Email, "Your next step", 30*time.Second).Link(t)
		require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+link[strings.LastIndex(link, "/")+1:]+"/answers",
			map[string]string{"question_id": "q1", "text": strongAnswer}, &out), "%v", out)
		waitStage(t, e, r.ApplicationID, hireflow.StageReview, 60*time.Second)
		require.Equal(t, 200, doJSON(t, mgr, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/reviews",
			map[string]any{"rating": 4, "decision": "advance", "note": "Good."}, &out), "%v", out)
		waitStage(t, e, r.ApplicationID, hireflow.StageOffer, 30*time.Second)

		bctx := browser(t, "/dev/null")
		defer shot(t, bctx, "offer-form-zh-390")
		u := e.Users[hireflow.RoleRecruiter]
		var bmax, note, chain string
		var ro bool
		require.NoError(t, chromedp.Run(bctx, network.ClearBrowserCookies(), chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(e.BaseURL+"/console/login?lang=zh"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleRecruiter], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.console`, chromedp.ByQuery),
			chromedp.Navigate(e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=zh"), chromedp.WaitVisible(`#offer-form`, chromedp.ByQuery),
			chromedp.Value(`#o-bmax`, &bmax, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById('o-bmax').readOnly`, &ro),
			chromedp.SendKeys(`#o-salary`, "60000", chromedp.ByQuery),
			chromedp.Poll(`document.querySelectorAll('#chain-preview li').length === 2`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Text(`#band-note`, &note, chromedp.ByQuery),
			chromedp.Text(`#chain-preview`, &chain, chromedp.ByQuery),
		))
		require.Equal(t, "50000", bmax)
		require.True(t, ro, "the job's band is not edited on the offer")
		require.NotEmpty(t, note)
		require.Contains(t, chain, mgrUser.DisplayName, "the department's manager by name")
		var wide bool
		require.NoError(t, chromedp.Run(bctx, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &wide)))
		require.False(t, wide, "the offer form fits a phone")
	})
}

// TestGuidesFitTheRole: the guides page gives each role its guides (HR the first-run tour with
// links only to what they may open, those who read reports the report guide, everyone the
// candidate FAQ), in both languages; the home page's getting-started list ticks off what HR has
// done and goes once everything is.
func TestGuidesFitTheRole(t *testing.T) {
	e := testenv.Start(t)
	page := func(role hireflow.Role, path string) string {
		return string(getPage(t, e.Client(t, role), e.BaseURL+path))
	}
	for role, want := range map[hireflow.Role][]string{
		hireflow.RoleRecruiter:     {`id="tour"`, `id="report"`, `id="faq"`, `href="/console/jobs/new"`, `href="/console/rulesets"`},
		hireflow.RoleAdmin:         {`id="tour"`, `id="faq"`, `href="/console/admin"`},
		hireflow.RoleInterviewer:   {`id="report"`, `id="faq"`},
		hireflow.RoleHiringManager: {`id="report"`, `id="faq"`},
	} {
		html := page(role, "/console/help?lang=en")
		for _, w := range want {
			require.Contains(t, html, w, "%s", role)
		}
		if role == hireflow.RoleInterviewer || role == hireflow.RoleHiringManager {
			require.NotContains(t, html, `href="/console/jobs/new"`, "%s is not linked to what it may not open", role)
		}
		if role == hireflow.RoleAdmin {
			require.NotContains(t, html, `id="report"`)
			require.NotContains(t, html, `href="/console/jobs"`, "admins open no board")
		}
		if role == hireflow.RoleInterviewer || role == hireflow.RoleHiringManager {
			require.NotContains(t, html, `id="tour"`)
		}
	}
	require.Contains(t, page(hireflow.RoleInterviewer, "/console/help?lang=zh"), "它无法判断的内容")
	require.Contains(t, page(hireflow.RoleInterviewer, "/console/help?lang=en"), "What it cannot judge")

	home := page(hireflow.RoleRecruiter, "/console?lang=en")
	require.Contains(t, home, `id="start"`)
	require.Contains(t, home, "Create your first job</a> <span class=\"muted\">· to do")
	createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
	home = page(hireflow.RoleRecruiter, "/console?lang=en")
	require.Contains(t, home, "Create your first job</a> <span class=\"ok-tag\">✓ done")
	require.Contains(t, home, "approval chain</a> <span class=\"muted\">· to do")

	admin := e.Client(t, hireflow.RoleAdmin)
	require.Contains(t, string(getPage(t, admin, e.BaseURL+"/console?lang=zh")), "设置组织默认时限与部门")
	var out map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/timings", map[string]any{"timings": map[string]string{"hold_sla": "24h"}}, &out))
	require.NotContains(t, string(getPage(t, admin, e.BaseURL+"/console?lang=en")), `id="start"`, "gone once done")
	require.NotContains(t, page(hireflow.RoleInterviewer, "/console?lang=en"), `id="start"`)
}
