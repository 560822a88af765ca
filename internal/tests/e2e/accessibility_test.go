package e2e

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// axeSource is axe-core (installed pinned by deploy/local/stack.sh install; its path comes
// from `stack.sh env`).
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("HIREFLOW_AXE_JS")
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is required: %v (bash deploy/local/stack.sh install)", err)
		}
		t.Skipf("axe-core not installed (%v): run deploy/local/stack.sh install", err)
	}
	return string(b)
}

// axeCheck runs axe-core's WCAG 2 A/AA rules on the page and returns its serious and critical
// violations, each with up to three of the elements it found.
const axeCheck = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(function(r){
  return r.violations.filter(function(v){return v.impact === 'serious' || v.impact === 'critical';}).map(function(v){
    return v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(function(n){return n.target.join(' ');}).join(' | ');
  });
})`

// TestEveryPageIsAccessible runs axe-core in Chromium on every page — the candidate's (apply,
// status, interview, data download), the sign-in and set-password pages, and every console page
// as the roles that open it — at a phone's and a desktop's width, in both languages: no serious
// or critical violation.
// tokenish matches a link token in a path (43 URL-safe characters).
var tokenish = regexp.MustCompile(`[A-Za-z0-9_-]{40,}`)

func TestEveryPageIsAccessible(t *testing.T) {
	axe := axeSource(t)
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "video", "max_seconds": 30},
			{"id": "q2", "text_en": "How do you explain a trade-off?", "kind": "text"}}}, &job))
	p := demo.StrongBackend("Axe Candidate", uniqueEmail("axe"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
	access := seal.RandomToken()
	require.NoError(t, e.Store.TokenIssue(ctx, e.Org.ID, r.ApplicationID, "access", e.Box.Hash("token", access), time.Now().Add(time.Hour), false))

	setpw := seal.RandomToken()
	require.NoError(t, e.Store.StaffTokenIssue(ctx, e.Org.ID, e.Users[hireflow.RoleAnalyst].ID, e.Box.Hash("staff_token", setpw), time.Now().Add(time.Hour)))

	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "accessibility")
	check := func(who, path string) {
		t.Helper()
		for _, width := range []int64{390, 1280} {
			for _, lang := range []string{"en", "zh"} {
				url := e.BaseURL + path
				if strings.Contains(url, "?") {
					url += "&lang=" + lang
				} else {
					url += "?lang=" + lang
				}
				var found []string
				require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url),
					chromedp.WaitReady(`body`, chromedp.ByQuery),
					chromedp.Evaluate(axe, nil),
					chromedp.Evaluate(axeCheck, &found, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
				), "%s %s", who, path)
				require.Empty(t, found, "%s %s at %d px (%s)", who, path, width, lang)
				// Link tokens are secrets: the file is named after the page, not the token.
				name := strings.Trim(strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(tokenish.ReplaceAllString(path, "link")), "_")
				if len(name) > 60 {
					name = name[:60]
				}
				keep(t, bctx, fmt.Sprintf("%s-%s-%d-%s", who, name, width, lang))
			}
		}
	}
	// The candidate's pages and the public ones.
	for _, path := range []string{"/jobs/" + job.ID + "/apply", strings.TrimPrefix(link, e.BaseURL), "/c/" + access + "/data", "/console/login", "/console/set-password/" + setpw, "/api/docs"} {
		check("candidate", path)
	}
	require.Equal(t, 200, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+link[strings.LastIndex(link, "/")+1:]+"/consent",
		map[string]any{"recording": true, "notice_version": "2026-11"}, nil))
	check("candidate", strings.TrimPrefix(link, e.BaseURL)+"/interview")

	signIn := func(role hireflow.Role) {
		u := e.Users[role]
		require.NoError(t, chromedp.Run(bctx, network.ClearBrowserCookies(),
			chromedp.Navigate(e.BaseURL+"/console/login?lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, e.Passwords[role], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.console`, chromedp.ByQuery)))
	}
	rs := ruleSetOf(t, e, rec, job.ID)
	app := "/console/applications/" + r.ApplicationID
	pages := map[hireflow.Role][]string{
		hireflow.RoleRecruiter: {"/console", "/console/jobs", "/console/jobs/" + job.ID + "/board", app, app + "/decisions", app + "/timeline", app + "/report",
			"/console/analytics", "/console/analytics/audits", "/console/schedule", "/console/audit-log", "/console/account", "/console/rulesets", "/console/rulesets/" + rs, "/console/jobs/new", "/console/help"},
		hireflow.RoleAdmin: {"/console", "/console/admin", "/console/account", "/console/help"},
	}
	for _, role := range []hireflow.Role{hireflow.RoleRecruiter, hireflow.RoleAdmin} {
		signIn(role)
		for _, path := range pages[role] {
			check(fmt.Sprint(role), path)
		}
	}
}
