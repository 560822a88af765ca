package e2e

import (
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

// TestRulesEditorInTheBrowser: a recruiter opens a job's rule set in the rules editor, types a
// broken screening rule and sees the compiler's line, column and reason while typing; fixes it
// ("every rule compiles"), saves a draft, simulates it over past applications (the summary and
// the bias gate's verdict show) and publishes; the published version is the edited rule. An
// analyst sees the same page without the editing controls. Both pages fit 390 px in both
// languages.
func TestRulesEditorInTheBrowser(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text"}}}, &job))
	rs := ruleSetOf(t, e, rec, job.ID)
	var eb errBody
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/check", map[string]any{"rules": map[string]string{"screening": "resume.years >"}}, &eb))
	require.Equal(t, "rule_invalid", eb.Error.Code)
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodPost, e.BaseURL+"/api/v1/rulesets/check", map[string]any{"rules": map[string]string{}}, &eb))

	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "rules-editor")
	signIn := func(role hireflow.Role) {
		u := e.Users[role]
		require.NoError(t, chromedp.Run(bctx, network.ClearBrowserCookies(),
			chromedp.Navigate(e.BaseURL+"/console/login?lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, e.Passwords[role], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`nav.console`, chromedp.ByQuery)))
	}
	signIn(hireflow.RoleRecruiter)
	page := e.BaseURL + "/console/rulesets/" + rs + "?lang=en"
	var errText, ok, saved, sim, done string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/rulesets?lang=en"), chromedp.WaitVisible(`a[href="/console/rulesets/`+rs+`"]`, chromedp.ByQuery),
		chromedp.Navigate(page), chromedp.WaitVisible(`#r-screening`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('r-screening').value=''`, nil),
		chromedp.SendKeys(`#r-screening`, "resume.years >= 3 &&\n  hasAll(resume.skills, [\"go\"]) ? \"pass\" : ", chromedp.ByQuery),
		chromedp.WaitVisible(`#e-screening.error`, chromedp.ByQuery),
		chromedp.Text(`#e-screening`, &errText, chromedp.ByQuery),
	))
	require.Contains(t, errText, "Line 2, column", "the compiler's position while typing: %q", errText)
	rule := `resume.years >= 3 && hasAll(resume.skills, ["go"]) ? "pass" : "hold"`
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Evaluate(`document.getElementById('r-screening').value=''`, nil),
		chromedp.SendKeys(`#r-screening`, rule, chromedp.ByQuery),
		chromedp.WaitVisible(`#checkall.notice`, chromedp.ByQuery),
		chromedp.Text(`#checkall`, &ok, chromedp.ByQuery),
		chromedp.Click(`#save`, chromedp.ByQuery),
		chromedp.WaitVisible(`#result.notice`, chromedp.ByQuery),
		chromedp.Text(`#result`, &saved, chromedp.ByQuery),
		chromedp.Click(`#simulate`, chromedp.ByQuery),
		chromedp.WaitVisible(`#simresult`, chromedp.ByQuery),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Text(`#simresult`, &sim, chromedp.ByQuery),
		chromedp.Click(`#publish`, chromedp.ByQuery),
		chromedp.WaitVisible(`#result.notice`, chromedp.ByQuery),
		chromedp.Text(`#result`, &done, chromedp.ByQuery),
	))
	require.Equal(t, "Every rule compiles.", ok)
	require.Contains(t, saved, "Saved as draft v")
	require.Contains(t, sim, "Bias gate")
	require.Contains(t, done, "Published", "%s / %s", sim, done)
	var r struct {
		Ruleset struct {
			Published int `json:"published_version"`
		}
		Versions []struct {
			Version int
			Content struct{ Rules map[string]string }
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+rs, nil, &r))
	for _, v := range r.Versions {
		if v.Version == r.Ruleset.Published {
			require.Equal(t, rule, strings.TrimSpace(v.Content.Rules["screening"]), "the published version is the edited rule")
		}
	}
	require.Greater(t, r.Ruleset.Published, 1)

	// The approval-chain designer: the manager, then — above the band — the admin; the same
	// rule the API takes, tried on a sample offer; a hand-written rule it cannot draw stays code.
	var expr, tried, valid string
	var hand bool
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(page), chromedp.WaitVisible(`#designer`, chromedp.ByQuery),
		chromedp.SetValue(`#ad-cond`, "band", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('ad-cond').dispatchEvent(new Event('change'))`, nil),
		chromedp.Click(`#ad-use`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('r-approval').value`, &expr),
		chromedp.WaitVisible(`#checkall.notice`, chromedp.ByQuery),
		chromedp.Text(`#checkall`, &valid, chromedp.ByQuery),
		chromedp.Click(`#try`, chromedp.ByQuery),
		chromedp.WaitVisible(`#try-result.notice`, chromedp.ByQuery),
		chromedp.Text(`#try-result`, &tried, chromedp.ByQuery),
	))
	require.Equal(t, `offer.salary > offer.band_max ? ["hiring_manager", "admin"] : ["hiring_manager"]`, expr)
	require.Equal(t, "Every rule compiles.", valid)
	var durations string
	require.NoError(t, chromedp.Run(bctx, chromedp.SetValue(`#ad-sla`, "36h", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('ad-sla').dispatchEvent(new Event('change'))`, nil),
		chromedp.Evaluate(`document.getElementById('r-durations').value`, &durations)))
	require.Contains(t, durations, `"approval_sla": "36h"`, "the chain's SLA is the timings rule's approval_sla")
	require.Equal(t, "This offer goes to: 1. hiring manager → 2. administrator", tried)
	require.NoError(t, chromedp.Run(bctx,
		chromedp.SetValue(`#try-salary`, "38000", chromedp.ByQuery), chromedp.Click(`#try`, chromedp.ByQuery),
		chromedp.Sleep(700*time.Millisecond), chromedp.Text(`#try-result`, &tried, chromedp.ByQuery)))
	require.Equal(t, "This offer goes to: 1. hiring manager", tried, "within the band: the manager alone")
	var out map[string]any
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rules/approval/try", map[string]any{"rule": expr,
		"offer": map[string]any{"salary": 50000, "band_max": 40000}}, &out), "the API takes the designer's rule: %v", out)
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rules/approval/try", map[string]any{"rule": `["ceo"]`}, &eb))
	var draft struct{ Version int }
	require.Equal(t, 201, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rulesets/"+rs+"/draft", map[string]any{"rules": map[string]string{
		"screening": rule, "approval": `offer.level > 3 && offer.currency == "CNY" ? ["recruiter"] : ["hiring_manager"]`}}, &draft))
	var shown string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(page), chromedp.WaitVisible(`#designer`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('ad-hand').hidden`, &hand),
		chromedp.Evaluate(`document.getElementById('r-approval').value`, &shown)))
	require.False(t, hand, "a hand-written chain the designer cannot draw is said so")
	require.Contains(t, shown, `offer.currency == "CNY"`, "and stays as code")

	signIn(hireflow.RoleAnalyst)
	var buttons int
	var readonly bool
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(page), chromedp.WaitVisible(`#r-screening`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#save,#publish').length`, &buttons),
		chromedp.Evaluate(`document.getElementById('r-screening').readOnly`, &readonly)))
	require.Zero(t, buttons, "an analyst reads the rules without editing controls")
	require.True(t, readonly)
	for _, lang := range []string{"en", "zh"} {
		for _, path := range []string{"/console/rulesets", "/console/rulesets/" + rs} {
			var wide string
			require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(e.BaseURL+path+"?lang="+lang),
				chromedp.WaitVisible(`main`, chromedp.ByQuery), chromedp.Evaluate(wider, &wide)))
			require.Empty(t, wide, "%s at 390 px (%s)", path, lang)
		}
	}
}
