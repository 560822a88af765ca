package e2e

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/rules"
)

// TestCalibrationProposalOnTheRealStack: 60 synthetic hires whose probation rating follows
// their problem-solving score (communication and ownership are noise). A recruiter asks for a
// proposal through the API; CalibrationWorkflow writes it into a draft of the job's rule set
// with the simulation of the scoring under the new weights; the weight moves to problem
// solving; nothing is published until a person publishes the draft. Refusals are coded.
func TestCalibrationProposalOnTheRealStack(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	job := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h", Family: "Backend Platform"})
	sibling := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h", Family: "Backend Platform"})
	thin := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h", Family: "Sales Ops"})
	require.Equal(t, "Backend Platform", job.Family)
	var ruleSet string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM rule_sets WHERE job_id = $1`, job.ID).Scan(&ruleSet))
	rng := rand.New(rand.NewPCG(7, 7))
	var cands, apps, answers, scores, probation, groups [][]any
	hire := func(jobID string, i int) {
		cid, aid, ans := uuid.New(), uuid.New(), uuid.New()
		ps := 1 + float64(i%5)
		cands = append(cands, []any{cid, e.Org.ID, e.Box.Hash("email", aid.String()), []byte("x"), []byte("x")})
		apps = append(apps, []any{aid, e.Org.ID, jobID, cid, "probation", "hired", ruleSet, 1, "cal/" + aid.String(), "en"})
		answers = append(answers, []any{ans, e.Org.ID, aid, "q1", "text", "cal:" + ans.String()})
		scores = append(scores, []any{ans, e.Org.ID, aid, map[string]float64{"problem_solving": ps, "communication": 1 + 4*rng.Float64(),
			"ownership": 1 + 4*rng.Float64()}, ps, "test"})
		probation = append(probation, []any{aid, e.Org.ID, "pass", int(ps)})
		groups = append(groups, []any{aid, e.Org.ID, map[bool]string{true: "female", false: "male"}[i%2 == 0], "25_39"})
	}
	// 40 hires of the job and 20 of another job of its family: calibration pools the family.
	for i := 0; i < 60; i++ {
		hire(map[bool]string{true: job.ID, false: sibling.ID}[i < 40], i)
	}
	for i := 0; i < 5; i++ {
		hire(thin.ID, i)
	}
	require.NoError(t, e.Store.Copy(ctx,
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language"}, Rows: apps},
		store.CopyTable{Table: "answers", Columns: []string{"id", "org_id", "application_id", "question_id", "kind", "idempotency_key"}, Rows: answers},
		store.CopyTable{Table: "answer_scores", Columns: []string{"answer_id", "org_id", "application_id", "scores", "overall", "scorer"}, Rows: scores},
		store.CopyTable{Table: "probation_evaluations", Columns: []string{"application_id", "org_id", "outcome", "rating"}, Rows: probation},
		store.CopyTable{Table: "application_groups", Columns: []string{"application_id", "org_id", "sex", "age_band"}, Rows: groups}))

	url := e.BaseURL + "/api/v1/analytics/calibration/proposals"
	var eb errBody
	bad := map[string]any{"title": "X", "family": strings.Repeat("f", 81)}
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", bad, &eb))
	require.Equal(t, "family", eb.Error.Field)
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodPost, url, map[string]any{"job_id": job.ID}, &eb))
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, url, map[string]any{"job_id": "x'; DROP TABLE jobs;--"}, &eb))
	require.Equal(t, "job_id", eb.Error.Field)
	require.Equal(t, 404, doJSON(t, rec, http.MethodPost, url, map[string]any{"job_id": uuid.NewString()}, &eb), "another organisation's or no job")
	require.Equal(t, 409, doJSON(t, rec, http.MethodPost, url, map[string]any{"job_id": thin.ID}, &eb))
	require.Equal(t, "not_enough_data", eb.Error.Code)
	require.Contains(t, eb.Error.Message, "5 hires")

	var p store.CalibrationProposal
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, url, map[string]any{"job_id": job.ID}, &p))
	require.Equal(t, 60, p.Evidence.N, "the family's hires, pooled")
	require.Equal(t, "Backend Platform", p.Evidence.Family)
	var overall *rules.Correlation
	for i := range p.Evidence.Dimensions {
		if p.Evidence.Dimensions[i].Dimension == rules.OverallDimension {
			overall = &p.Evidence.Dimensions[i]
		}
	}
	require.NotNil(t, overall, "the overall score is correlated too")
	require.True(t, overall.Enough)
	require.Greater(t, overall.Rho, 0.9, "the overall score here is the predictive dimension")
	require.NotContains(t, p.Evidence.Proposed, rules.OverallDimension, "and never weighted")
	require.Equal(t, ruleSet, p.RuleSetID)
	require.Equal(t, "on_demand", p.Trigger)
	w := p.Evidence.Proposed
	require.Greater(t, w["problem_solving"], 0.6, "the weight moves to the dimension that predicts probation: %v", w)
	for d, x := range w {
		if d != "problem_solving" {
			require.Less(t, x, w["problem_solving"], d)
		}
	}
	require.NotNil(t, p.Simulation)
	require.Equal(t, 40, p.Simulation.ByPoint["scoring"], "the draft's scoring simulated over the job's own applications")

	// The draft holds the weights rule; the published version is unchanged until a person publishes.
	var rs struct {
		Ruleset struct {
			Published int `json:"published_version"`
			Draft     int `json:"draft_version"`
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+ruleSet, nil, &rs))
	require.Equal(t, p.DraftVersion, rs.Ruleset.Draft)
	require.Equal(t, 1, rs.Ruleset.Published)
	var v struct {
		Content struct{ Rules map[string]string } `json:"content"`
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+ruleSet+"/versions/"+itoa(p.DraftVersion), nil, &v))
	require.Equal(t, rules.WeightsRule(w), v.Content.Rules["weights"])
	require.Contains(t, v.Content.Rules["weights"], `"problem_solving": `)
	var logged int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'calibration.proposed' AND subject_id = $2`,
		e.Org.ID, ruleSet).Scan(&logged))
	require.Equal(t, 1, logged)

	var list struct{ Proposals []store.CalibrationProposal }
	require.Equal(t, 200, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodGet, url+"?job="+job.ID, nil, &list))
	require.Len(t, list.Proposals, 1)
	require.Equal(t, p.ID, list.Proposals[0].ID)

	// A person publishes it, through the same bias gate (the scoring gate joins the screening one).
	var pubAns map[string]any
	status := doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/"+ruleSet+"/publish", map[string]any{"version": p.DraftVersion}, &pubAns)
	if len(p.Simulation.Below) > 0 {
		require.Equal(t, 409, status, "a failing scoring gate needs an override reason")
		status = doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/"+ruleSet+"/publish",
			map[string]any{"version": p.DraftVersion, "override_reason": "validated against probation outcomes"}, &pubAns)
	}
	require.Equal(t, 200, status, "%v", pubAns)
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/rulesets/"+ruleSet, nil, &rs))
	require.Equal(t, p.DraftVersion, rs.Ruleset.Published)
}

func itoa(n int) string {
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	if len(b) == 0 {
		return "0"
	}
	return string(b)
}
