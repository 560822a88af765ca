package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/workflows"
)

// TestBiasAuditOnTheRealStack: a generated population whose true selection rates are known
// (screening: women 30 %, men 40 %; routing: everyone 50 %) is audited through the API and the
// workflow; the stored audit recovers the rates and ratios exactly, flags the group under the
// four-fifths threshold, cannot be changed afterwards, and the monthly schedule exists.
func TestBiasAuditOnTheRealStack(t *testing.T) {
	e := testenv.Start(t)
	job := createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
	var ruleSet string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM rule_sets WHERE job_id = $1`, job.ID).Scan(&ruleSet))
	at := time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)
	var cands, apps, decs, groups [][]any
	add := func(sex string, n, passed int) {
		for i := 0; i < n; i++ {
			cid, aid := uuid.New(), uuid.New()
			cands = append(cands, []any{cid, e.Org.ID, e.Box.Hash("email", aid.String()), []byte("x"), []byte("x")})
			apps = append(apps, []any{aid, e.Org.ID, job.ID, cid, "screening", "active", ruleSet, 1, "audit/" + aid.String(), "en"})
			outcome := "reject"
			if i < passed {
				outcome = "pass"
			}
			decs = append(decs, []any{e.Org.ID, aid, "screening", "screening", 1, outcome, at},
				[]any{e.Org.ID, aid, "routing", "routing", 1, map[bool]string{true: "advance", false: "hold"}[i%2 == 0], at})
			groups = append(groups, []any{aid, e.Org.ID, sex, "25_39"})
		}
	}
	add("female", 400, 120)
	add("male", 500, 200)
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"candidates", []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, cands},
		{"applications", []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language"}, apps},
		{"decisions", []string{"org_id", "application_id", "step_key", "kind", "rule_version", "outcome", "created_at"}, decs},
		{"application_groups", []string{"application_id", "org_id", "sex", "age_band"}, groups},
	} {
		_, err := e.Store.Pool().CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows))
		require.NoError(t, err, c.table)
	}

	var eb errBody
	analyst := e.Client(t, hireflow.RoleAnalyst)
	require.Equal(t, 422, doJSON(t, analyst, http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits", map[string]string{"from": "2026-11-01", "to": "2026-10-01"}, &eb))
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits", map[string]string{"from": "2026-10-01", "to": "2026-11-01"}, &eb))
	var audit store.BiasAudit
	require.Equal(t, 201, doJSON(t, analyst, http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits", map[string]string{"from": "2026-10-01", "to": "2026-11-01"}, &audit))
	require.Equal(t, "on_demand", audit.Trigger)
	require.Equal(t, 900, audit.Report.ByPoint["screening"])
	require.Equal(t, []int{1}, audit.RuleVersions["screening"])
	rates := map[string]float64{}
	for _, r := range audit.Report.Rates {
		if r.Category == "sex" {
			rates[r.Point+"/"+r.Group+"/rate"] = r.Rate
			rates[r.Point+"/"+r.Group+"/ratio"] = r.ImpactRatio
		}
	}
	require.Equal(t, 0.3, rates["screening/female/rate"])
	require.Equal(t, 0.4, rates["screening/male/rate"])
	require.InDelta(t, 0.75, rates["screening/female/ratio"], 1e-12)
	require.InDelta(t, 1.0, rates["routing/female/ratio"], 1e-12, "routing selects half of everyone")
	require.Equal(t, []string{"screening sex=female 0.75"}, audit.Report.Below)
	require.Equal(t, 1, audit.Below)

	var list struct{ Audits []store.BiasAudit }
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/analytics/bias-audits", nil, &list))
	require.Len(t, list.Audits, 1)
	_, err := e.Store.Pool().Exec(ctx, `UPDATE bias_audits SET below = 0 WHERE id = $1`, audit.ID)
	require.ErrorContains(t, err, "immutable")
	_, err = e.Store.Pool().Exec(ctx, `DELETE FROM bias_audits WHERE id = $1`, audit.ID)
	require.ErrorContains(t, err, "immutable")
	var alerts int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'bias_audit.below_threshold'`, e.Org.ID).Scan(&alerts))
	require.Equal(t, 1, alerts)

	// The monthly schedule, created once.
	id, err := workflows.EnsureBiasAuditSchedule(ctx, e.Temporal, e.Cfg.TaskQueue, e.Org.ID)
	require.NoError(t, err)
	_, err = workflows.EnsureBiasAuditSchedule(ctx, e.Temporal, e.Cfg.TaskQueue, e.Org.ID)
	require.NoError(t, err, "idempotent")
	h := e.Temporal.ScheduleClient().GetHandle(ctx, id)
	d, err := h.Describe(ctx)
	require.NoError(t, err)
	require.Len(t, d.Schedule.Spec.Calendars, 1)
	require.NoError(t, h.Delete(ctx))
}
