package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

func sendYAML(t *testing.T, hc *http.Client, method, url, body string, out any) int {
	t.Helper()
	return send(t, hc, method, url, "application/yaml", strings.NewReader(body), out)
}

func TestRuleSetsVersionSimulatePublish(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	analyst := e.Client(t, hireflow.RoleAnalyst)
	job := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})

	// Twelve applicants, all passing version 1; women in this sample have fewer years.
	var appIDs []string
	for i := 0; i < 12; i++ {
		sex, years := "female", 4
		if i%2 == 1 {
			sex, years = "male", 9
		}
		p := demo.StrongBackend(fmt.Sprintf("Rule Applicant %d", i), uniqueEmail("rules"))
		p.Lines[3] = fmt.Sprintf("Backend engineer with %d years of experience.", years)
		r, err := demo.ApplyWith(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true,
			map[string]string{"eeo_sex": sex, "eeo_age_band": "25_39", "eeo_consent": "true"})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.Status, "%+v", r.Error)
		appIDs = append(appIDs, r.ApplicationID)
	}
	testenv.Eventually(t, 60*time.Second, "12 screening decisions", func() bool {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM decisions WHERE org_id = $1 AND step_key = 'screening'`, e.Org.ID).Scan(&n))
		return n == 12
	})

	var list struct {
		Rulesets []struct {
			ID        string `json:"id"`
			JobID     string `json:"job_id"`
			Published int    `json:"published_version"`
		}
	}
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/rulesets", nil, &list))
	require.Len(t, list.Rulesets, 1)
	rsID := list.Rulesets[0].ID
	require.Equal(t, job.ID, list.Rulesets[0].JobID)
	require.Equal(t, 1, list.Rulesets[0].Published)
	base := e.BaseURL + "/api/v1/rulesets/" + rsID

	t.Run("InvalidDraftListsEveryError", func(t *testing.T) {
		var eb struct {
			Error struct {
				Code, Message, Field string
				Details              []struct {
					Rule, Message string
					Line, Column  int
				}
			}
		}
		status := sendYAML(t, rec, http.MethodPut, base+"/draft", "rules:\n  screening: |\n    resume.years >=\n  routing: 'overall > \"x\"'\npipeline:\n  - stage: offer\n", &eb)
		require.Equal(t, 422, status)
		require.Equal(t, "rule_invalid", eb.Error.Code)
		require.GreaterOrEqual(t, len(eb.Error.Details), 3)
		require.Contains(t, eb.Error.Message, "line")
		require.Equal(t, 403, sendYAML(t, analyst, http.MethodPut, base+"/draft", "rules: {screening: '\"pass\"'}\n", nil))
		require.Equal(t, 400, sendYAML(t, rec, http.MethodPut, base+"/draft", "rules: [unclosed\n", nil))
	})

	var draft struct{ Version int }
	require.Equal(t, 201, sendYAML(t, rec, http.MethodPut, base+"/draft", "rules:\n  screening: |\n    resume.years >= 6 ? \"pass\" : \"reject\"\npipeline:\n  - stage: screen\n  - stage: video_interview\n  - stage: review\n  - stage: offer\n", &draft))
	require.Equal(t, 2, draft.Version)

	var sim struct {
		Report struct {
			Total, Changed int
			BelowGate      []string `json:"below_impact_threshold"`
			Groups         []struct {
				Category, Group           string
				ImpactBefore, ImpactAfter float64 `json:"-"`
				Before                    float64 `json:"impact_ratio_before"`
				After                     float64 `json:"impact_ratio_after"`
			}
		}
		Summary string
	}
	require.Equal(t, 200, doJSON(t, analyst, http.MethodPost, base+"/simulate", map[string]any{}, &sim))
	require.Equal(t, 12, sim.Report.Total)
	require.Equal(t, 6, sim.Report.Changed)
	require.Contains(t, sim.Summary, "6 fewer would pass")
	require.Contains(t, sim.Report.BelowGate, "sex=female 0.00")

	var eb errBody
	require.Equal(t, 409, doJSON(t, rec, http.MethodPost, base+"/publish", map[string]any{"version": 2}, &eb))
	require.Equal(t, "bias_gate", eb.Error.Code)
	require.Contains(t, eb.Error.Message, "sex=female")
	var pub map[string]any
	reason := "Role requires senior on-call ownership; validated with legal on 2026-11-20"
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, base+"/publish", map[string]any{"version": 2, "override_reason": reason}, &pub))
	var audited string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT detail->>'override_reason' FROM audit_log WHERE org_id = $1 AND action = 'ruleset.publish'`, e.Org.ID).Scan(&audited))
	require.Equal(t, reason, audited)
	require.Equal(t, 409, doJSON(t, rec, http.MethodPost, base+"/publish", map[string]any{"version": 2, "override_reason": reason}, &eb), "a published version is not a draft")
	_, err := e.Store.Pool().Exec(ctx, `UPDATE rule_set_versions SET rules = '{}' WHERE rule_set_id = $1 AND version = 2`, rsID)
	require.ErrorContains(t, err, "immutable", "published versions cannot change, even in SQL")

	var diff struct{ Diff string }
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"/diff?from=1&to=2", nil, &diff))
	require.Contains(t, diff.Diff, "+resume.years >= 6")
	require.Contains(t, diff.Diff, "-hasAll(resume.skills, job.must)")

	req, _ := http.NewRequest(http.MethodGet, base+"/versions/2?format=yaml", nil)
	resp, err := analyst.Do(req)
	require.NoError(t, err)
	y, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(y), "resume.years >= 6")
	require.Contains(t, string(y), "stage: video_interview")

	t.Run("NewApplicationsPinTheNewVersion", func(t *testing.T) {
		p := demo.StrongBackend("Pinned Applicant", uniqueEmail("pin"))
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status)
		a, err := e.Store.ApplicationGet(ctx, e.Org.ID, r.ApplicationID, false)
		require.NoError(t, err)
		require.Equal(t, 2, a.RuleVersion)
		old, err := e.Store.ApplicationGet(ctx, e.Org.ID, appIDs[0], false)
		require.NoError(t, err)
		require.Equal(t, 1, old.RuleVersion, "applications in flight keep their version")
	})

	t.Run("ExplicitMigrationIsAudited", func(t *testing.T) {
		var out map[string]any
		require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+appIDs[1]+"/migrate-rules", map[string]int{"version": 2}, &out))
		require.EqualValues(t, 1, out["from_version"])
		require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+appIDs[1]+"/migrate-rules", map[string]int{"version": 99}, &eb))
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'application.migrate_rules' AND subject_id = $2`, e.Org.ID, appIDs[1]).Scan(&n))
		require.Equal(t, 1, n)
	})

	t.Run("OrganisationDefaultSeedsNewJobs", func(t *testing.T) {
		var out map[string]any
		require.Equal(t, 201, sendYAML(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets",
			"name: House rules\nrules:\n  screening: 'resume.years >= 1 ? \"pass\" : \"hold\"'\n  routing: 'overall >= 80 ? \"advance\" : \"hold\"'\n", &out))
		require.Equal(t, 409, sendYAML(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets", "rules: {screening: '\"pass\"'}\n", &eb), "one default per organisation")
		j := demo.BackendJob()
		var created hireflow.Job
		require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": "From default",
			"requirements": j.Requirements, "dimensions": j.Dimensions}, &created))
		require.Contains(t, created.ScreeningRule, "resume.years >= 1")
		v, err := e.Store.RuleSetVersion(ctx, e.Org.ID, created.RuleSetID, 1)
		require.NoError(t, err)
		require.Contains(t, v.Content.Rules["routing"], "overall >= 80")
	})

	t.Run("DecisionsExplained", func(t *testing.T) {
		var ds struct{ Decisions []hireflow.Decision }
		require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/applications/"+appIDs[0]+"/decisions", nil, &ds))
		require.Len(t, ds.Decisions, 1)
		require.Contains(t, ds.Decisions[0].Explanation, "screening v1: `hasAll(resume.skills, job.must)")
		require.Contains(t, ds.Decisions[0].Explanation, "resume.years = 4")
		require.Contains(t, ds.Decisions[0].Explanation, "→ pass")
		resp, err := analyst.Get(e.BaseURL + "/console/applications/" + appIDs[0] + "/decisions")
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		require.True(t, bytes.Contains(page, []byte("resume.years = 4")))
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = noFollow.Get(e.BaseURL + "/console/applications/" + appIDs[0] + "/decisions")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed-out staff go to the sign-in page")
		require.Contains(t, resp.Header.Get("Location"), "/console/login?next=")
	})
}
