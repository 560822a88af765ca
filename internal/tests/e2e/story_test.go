package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
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

// keep writes a screenshot of the page into the test's artifact folder (kept with
// `go test -artifacts`, which the README's test command passes).
func keep(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var buf []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 70))) // JPEG: cheap to encode beside the other tests
	require.NoError(t, os.WriteFile(filepath.Join(t.ArtifactDir(), name+".jpg"), buf, 0o644))
}

// TestHiringStoryAcrossRoles is the console's story in one Chromium, each role signing in on the
// sign-in page: the recruiter creates a job with three questions and a salary band in the job
// designer and, in the chain designer, a two-step chain (the hiring manager, then — above the
// band — the admin as HR director), simulates and publishes; a candidate applies and answers;
// the recruiter finds them on the board by email, opens them and moves them on, then drafts an
// offer above the band with the chain shown before sending; the hiring manager approves from
// the inbox; the admin approves next from the offer's own page; the candidate gets the offer.
// The interviewer, on no panel, has nothing to act on and cannot open the candidate; the admin
// sees the candidate's name nowhere. Every page is kept as a screenshot.
func TestHiringStoryAcrossRoles(t *testing.T) {
	e := testenv.Start(t)
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "story")
	step := 0
	snap := func(name string) {
		step++
		keep(t, bctx, strings.ReplaceAll(strings.ReplaceAll(itoa(step)+"-"+name, "/", "_"), " ", "_"))
	}
	signIn := func(role hireflow.Role, lang string) {
		u := e.Users[role]
		require.NoError(t, chromedp.Run(bctx, network.ClearBrowserCookies(), chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(e.BaseURL+"/console/login?lang="+lang), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, e.Passwords[role], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.console`, chromedp.ByQuery)))
		snap(string(role) + "-home")
	}

	// waitApproval reloads the home page until an offer waits for the signed-in approver.
	waitApproval := func(lang string) {
		testenv.Eventually(t, 30*time.Second, "an offer in the approvals inbox", func() bool {
			var n int
			require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console?lang="+lang), chromedp.WaitVisible(`nav.console`, chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelectorAll('#inbox-approvals a').length`, &n)))
			return n > 0
		})
	}

	// The recruiter designs the job.
	signIn(hireflow.RoleRecruiter, "en")
	var apply string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/jobs/new?lang=en"), chromedp.WaitVisible(`#job`, chromedp.ByQuery),
		chromedp.SendKeys(`#j-title`, "Platform Engineer", chromedp.ByQuery),
		chromedp.SendKeys(`#j-must`, "Go, PostgreSQL", chromedp.ByQuery),
		chromedp.SendKeys(`#j-cur`, "CNY", chromedp.ByQuery), chromedp.SendKeys(`#j-bmin`, "35000", chromedp.ByQuery), chromedp.SendKeys(`#j-bmax`, "50000", chromedp.ByQuery),
		chromedp.Click(`#add-q`, chromedp.ByQuery), chromedp.Click(`#add-q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q-en-1`, "How do you explain a trade-off?", chromedp.ByQuery),
		chromedp.SendKeys(`#q-en-2`, "Tell us about a migration you led.", chromedp.ByQuery),
	))
	for i := 0; i < 3; i++ {
		require.NoError(t, chromedp.Run(bctx, chromedp.SetValue(`#q-kind-`+itoa(i), "text", chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById('q-kind-`+itoa(i)+`').dispatchEvent(new Event('change'))`, nil)))
	}
	snap("job-designer")
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`#job button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#next`, chromedp.ByQuery),
		chromedp.AttributeValue(`#to-apply`, "href", &apply, nil, chromedp.ByQuery)))
	jobID := strings.TrimSuffix(strings.TrimPrefix(apply, "/jobs/"), "/apply")
	var job hireflow.Job
	rec := e.Client(t, hireflow.RoleRecruiter)
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/jobs/"+jobID, nil, &job))
	require.Len(t, job.Questions, 3)
	require.Equal(t, 50000.0, job.Offer.BandMax)

	// The chain: the hiring manager, then the admin above the band; simulated and published.
	rs := ruleSetOf(t, e, rec, jobID)
	var expr, done string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/rulesets/"+rs+"?lang=en"), chromedp.WaitVisible(`#designer`, chromedp.ByQuery),
		chromedp.SetValue(`#ad-cond`, "band", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('ad-cond').dispatchEvent(new Event('change'))`, nil),
		chromedp.Click(`#ad-use`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('r-approval').value`, &expr),
		chromedp.WaitVisible(`#checkall.notice`, chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery), chromedp.WaitVisible(`#result.notice`, chromedp.ByQuery),
		chromedp.Click(`#simulate`, chromedp.ByQuery), chromedp.WaitVisible(`#simresult`, chromedp.ByQuery), chromedp.Sleep(500*time.Millisecond),
	))
	snap("rules-editor-simulated")
	require.NoError(t, chromedp.Run(bctx, chromedp.Evaluate(`window.beforePublish = true`, nil),
		chromedp.Click(`#publish`, chromedp.ByQuery), chromedp.WaitVisible(`#result.notice`, chromedp.ByQuery),
		chromedp.Text(`#result`, &done, chromedp.ByQuery)))
	// The editor reloads itself on the published version: let it, before leaving the page.
	testenv.Eventually(t, 30*time.Second, "the editor reloaded", func() bool {
		var fresh bool
		err := chromedp.Run(bctx, chromedp.Evaluate(`!window.beforePublish && document.readyState === 'complete'`, &fresh))
		return err == nil && fresh
	})
	require.Equal(t, `offer.salary > offer.band_max ? ["hiring_manager", "admin"] : ["hiring_manager"]`, expr)
	require.Contains(t, done, "Published")

	// A candidate applies and answers.
	p := demo.StrongBackend("Story Candidate", uniqueEmail("story"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, jobID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	link := e.WaitEmail(t, p.Email, "Your next step", 60*time.Second).Link(t)
	token := link[strings.LastIndex(link, "/")+1:]
	var out map[string]any
	for _, q := range job.Questions {
		require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/answers",
			map[string]string{"question_id": q.ID, "text": strongAnswer}, &out), "%v", out)
	}
	waitStage(t, e, r.ApplicationID, hireflow.StageReview, 3*time.Minute)

	// The recruiter finds them on the board by email and moves them on.
	var found string
	// A page still settling can replace a node between finding and typing: try the search afresh.
	var searchErr error
	for try := 0; try < 3; try++ {
		if searchErr = chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/jobs/"+jobID+"/board?lang=en"), chromedp.WaitVisible(`#email`, chromedp.ByQuery),
			chromedp.SendKeys(`#email`, p.Email, chromedp.ByQuery), chromedp.Click(`form.filters button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`ul.inbox a[href="/console/applications/`+r.ApplicationID+`"]`, chromedp.ByQuery),
			chromedp.Text(`ul.inbox`, &found, chromedp.ByQuery)); searchErr == nil {
			break
		}
		t.Logf("board search, try %d: %v", try+1, searchErr)
	}
	require.NoError(t, searchErr)
	require.Contains(t, found, p.Name)
	snap("board-search")
	var res string
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`ul.inbox a[href="/console/applications/`+r.ApplicationID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#r-decision`, chromedp.ByQuery)))
	snap("application-review")
	require.NoError(t, chromedp.Run(bctx, chromedp.SetValue(`#r-rating`, "4", chromedp.ByQuery), chromedp.SendKeys(`#r-note`, "Clear and specific.", chromedp.ByQuery),
		chromedp.Click(`form[data-path=reviews] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#result.ok`, chromedp.ByQuery), chromedp.Text(`#result`, &res, chromedp.ByQuery)))
	waitStage(t, e, r.ApplicationID, hireflow.StageOffer, 30*time.Second)

	// The offer above the band, its chain shown before sending.
	var chain string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=en"), chromedp.WaitVisible(`#offer-form`, chromedp.ByQuery),
		chromedp.SendKeys(`#o-salary`, "56000", chromedp.ByQuery), chromedp.SendKeys(`#o-start`, time.Now().AddDate(0, 1, 0).Format("2006-01-02"), chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll('#chain-preview li').length === 2`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#chain-preview`, &chain, chromedp.ByQuery)))
	require.Contains(t, chain, "hiring manager")
	require.Contains(t, chain, "administrator")
	snap("offer-form")
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`#offer-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#result.ok`, chromedp.ByQuery)))

	// The hiring manager approves from the inbox.
	signIn(hireflow.RoleHiringManager, "zh")
	var terms string
	waitApproval("zh")
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Click(`#inbox-approvals a`, chromedp.ByQuery), chromedp.WaitVisible(`#approve-form`, chromedp.ByQuery),
		chromedp.Text(`#approve-form`, &terms, chromedp.ByQuery)))
	require.Contains(t, terms, "56000 CNY", "the approver sees the terms decided on")
	require.Contains(t, terms, "35000–50000 CNY")
	snap("manager-approve")
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`#approve-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#a-result.ok`, chromedp.ByQuery)))

	// The interviewer is on no panel: nothing waits for them, and the candidate does not open.
	signIn(hireflow.RoleInterviewer, "en")
	var ivHome, ivPage string
	require.NoError(t, chromedp.Run(bctx, chromedp.OuterHTML(`main`, &ivHome, chromedp.ByQuery),
		chromedp.Navigate(e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=en"), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		chromedp.Text(`main`, &ivPage, chromedp.ByQuery)))
	require.NotContains(t, ivHome, p.Name)
	require.Contains(t, ivPage, "This page cannot be opened")
	snap("interviewer-refused")

	// The admin, as HR director, approves next from the offer's own page, seeing no candidate.
	signIn(hireflow.RoleAdmin, "en")
	var adminHTML []string
	var h string
	waitApproval("en")
	require.NoError(t, chromedp.Run(bctx, chromedp.OuterHTML(`html`, &h, chromedp.ByQuery)))
	adminHTML = append(adminHTML, h)
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`#inbox-approvals a`, chromedp.ByQuery), chromedp.WaitVisible(`#approve-form`, chromedp.ByQuery),
		chromedp.OuterHTML(`html`, &h, chromedp.ByQuery)))
	adminHTML = append(adminHTML, h)
	snap("admin-offer-page")
	require.NoError(t, chromedp.Run(bctx, chromedp.Click(`#approve-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`#a-result.ok`, chromedp.ByQuery)))
	for _, path := range []string{"/console/admin", "/console/help", "/console/account"} {
		require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+path+"?lang=en"), chromedp.WaitVisible(`h1`, chromedp.ByQuery), chromedp.OuterHTML(`html`, &h, chromedp.ByQuery)))
		adminHTML = append(adminHTML, h)
		snap("admin" + path)
	}
	for _, h := range adminHTML {
		require.NotContains(t, h, p.Name, "the admin sees no candidate name")
		require.NotContains(t, h, p.Email)
	}
	e.WaitEmail(t, p.Email, "Your offer for", 60*time.Second)
	entries, err := os.ReadDir(t.ArtifactDir())
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 14, "a screenshot of every page of the story")
}
