package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/demo"
)

// Regression tests for the defects a new user hit; each failed before its fix.
func TestDefectsStayFixed(t *testing.T) {
	e := newHiringEnv(t)
	rec := e.rec

	t.Run("DraftSavedThreeTimes", func(t *testing.T) {
		// Both the job's rule set and the organisation's default rule set.
		var created map[string]any
		require.Equal(t, 201, sendYAML(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets", "rules: {screening: '\"hold\"'}\n", &created))
		var list struct {
			Rulesets []struct {
				ID string `json:"id"`
			}
		}
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets", nil, &list))
		require.Len(t, list.Rulesets, 2)
		for _, rs := range list.Rulesets {
			versions := map[int]bool{}
			for i, rule := range []string{`"hold"`, `resume.years > 1 ? "pass" : "hold"`, `resume.years > 2 ? "pass" : "reject"`} {
				var draft struct{ Version int }
				status := sendYAML(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rulesets/"+rs.ID+"/draft", "rules:\n  screening: '"+strings.ReplaceAll(rule, "'", "''")+"'\n", &draft)
				require.Equal(t, 201, status, "save %d of the draft", i+1)
				versions[draft.Version] = true
			}
			require.Len(t, versions, 1, "the draft is replaced, keeping its version number")
			var got struct {
				Versions []struct {
					Version int
					Status  string
				}
			}
			require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+rs.ID, nil, &got))
			drafts := 0
			for _, v := range got.Versions {
				if v.Status == "draft" {
					drafts++
				}
			}
			require.Equal(t, 1, drafts)
		}
	})

	t.Run("ChosenLanguageWinsOverTheBrowser", func(t *testing.T) {
		p := demo.ChineseSales("王小明", uniqueEmail("lang"))
		p.Lines = demo.StrongBackend("x", "x@example.com").Lines // passes the backend job's rule
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, e.job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status, "%+v", r.Error)
		waitStage(t, e.Env, r.ApplicationID, hireflow.StageInvited, 30*time.Second)
		raw := seal.RandomToken()
		require.NoError(t, e.Store.TokenIssue(ctx, e.Org.ID, r.ApplicationID, "application", e.Box.Hash("token", raw), time.Now().Add(time.Hour), false))
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		get := func(url string) string {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Language", "en-US,en;q=0.9")
			resp, err := browser.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		page := get(e.BaseURL + "/c/" + raw)
		require.Contains(t, page, `lang="zh`, "the application's language, not the browser's")
		page = get(e.BaseURL + "/c/" + raw + "?lang=en")
		require.Contains(t, page, `lang="en"`, "the switch still works")
		page = get(e.BaseURL + "/c/" + raw)
		require.Contains(t, page, `lang="en"`, "and is remembered")
	})

	t.Run("StaffPageShowsOnlyTheStagesForms", func(t *testing.T) {
		appID, token, _ := e.applyAndOpen("Stage Forms", "forms")
		waitStage(t, e.Env, appID, hireflow.StageInvited, 20*time.Second)
		page := func(hc *http.Client) string {
			resp, err := hc.Get(e.BaseURL + "/console/applications/" + appID)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		p := page(rec)
		for _, form := range []string{`data-path="decision"`, `data-path="offers"`, `data-path="reviews"`, `data-path="probation"`, `data-offer=`} {
			require.NotContains(t, p, form, "the invited stage offers no staff action")
		}
		require.Contains(t, p, `id="no-actions"`)
		e.interview(appID, token)
		require.Contains(t, page(e.mgr), `data-path="reviews"`, "the review stage offers the review form")
		require.NotContains(t, page(e.mgr), `data-path="offers"`)
		require.NotContains(t, page(rec), `data-path="decision"`, "nothing is held")
	})

	t.Run("ChineseDecisionsPage", func(t *testing.T) {
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, e.job.ID, demo.StrongBackend("Zh Page", uniqueEmail("zhpage")), "cv.pdf",
			demo.ResumePDF(demo.StrongBackend("Zh Page", "z@example.com").Lines), true)
		require.NoError(t, err)
		waitStage(t, e.Env, r.ApplicationID, hireflow.StageInvited, 30*time.Second)
		resp, err := rec.Get(e.BaseURL + "/console/applications/" + r.ApplicationID + "/decisions?lang=zh")
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		require.Contains(t, page, "简历筛选规则（第 1 版）")
		require.Contains(t, page, "→ 通过")
		require.NotContains(t, page, "screening v1:", "no English explanation on the Chinese page")
		require.NotContains(t, page, "word-break:break-word", "words are not broken mid-word")
		require.Contains(t, page, `<li><code>job.must = [&#34;go&#34;, &#34;postgresql&#34;, &#34;kubernetes&#34;]</code></li>`)
		var ds struct {
			Decisions []hireflow.Decision
		}
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/decisions", nil, &ds))
		require.NotEmpty(t, ds.Decisions)
		require.NotEmpty(t, ds.Decisions[0].Explanation)
		require.NotEmpty(t, ds.Decisions[0].ExplanationZH, "every explanation has both languages")
	})

	t.Run("DynamicRuleResultHoldsForAPerson", func(t *testing.T) {
		// A result only known at run time that is no outcome is a recorded rule error: held.
		var created hireflow.Job
		j := demo.BackendJob()
		require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": "Dynamic", "requirements": j.Requirements,
			"dimensions": j.Dimensions, "questions": j.Questions, "screening_rule": `resume.years > 100 ? "pass" : lower("MAYBE")`}, &created))
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, created.ID, demo.StrongBackend("Dyn", uniqueEmail("dyn")), "cv.pdf", demo.ResumePDF(demo.StrongBackend("Dyn", "d@example.com").Lines), true)
		require.NoError(t, err)
		waitStage(t, e.Env, r.ApplicationID, hireflow.StageHold, 30*time.Second)
		var ds struct {
			Decisions []hireflow.Decision
		}
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/decisions", nil, &ds))
		require.Contains(t, ds.Decisions[0].Reason, "rule_error")
	})
}
