package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/chat/chattest"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/internal/tools/trail"
	"github.com/hireflow/hireflow/workflows"
)

// TestAnalyticsViewsForAnAnalystLogin: applications of two organisations go through screening;
// a read-only login granted one organisation reads its pseudonymised views (stable pseudonyms,
// no names, no raw IDs), sees none of the other organisation's rows and no base table; the
// console's API answers the same funnel, also as CSV; and the trail joins decisions, stages and
// the workflow's own events.
func TestAnalyticsViewsForAnAnalystLogin(t *testing.T) {
	a := testenv.Start(t)
	b := testenv.Start(t)
	applied := map[*testenv.Env][]string{}
	jobIDs := map[*testenv.Env]string{}
	for _, e := range []*testenv.Env{a, b} {
		rec := e.Client(t, hireflow.RoleRecruiter)
		job := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1s", HoldSLA: "1h"})
		jobIDs[e] = job.ID
		for i, p := range []demo.Profile{demo.StrongBackend("Ana Lytics", uniqueEmail("an1")), demo.WeakBackend("Wei Kerr", uniqueEmail("an2"))} {
			r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
			require.NoError(t, err)
			require.Equal(t, 201, r.Status, "%d: %+v", i, r.Error)
			applied[e] = append(applied[e], r.ApplicationID)
		}
		waitStage(t, e, applied[e][0], hireflow.StageInvited, 30*time.Second)
		waitStage(t, e, applied[e][1], hireflow.StageRejected, 30*time.Second)
	}

	role := "analyst_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	require.NoError(t, a.Store.AnalyticsGrant(ctx, a.Org.ID, role, "correct-horse-battery"))
	require.Error(t, a.Store.AnalyticsGrant(ctx, a.Org.ID, "Robert'); DROP TABLE jobs;--", "correct-horse-battery"), "role names are checked")
	require.Error(t, a.Store.AnalyticsGrant(ctx, a.Org.ID, role, "short"), "a weak password is refused")
	cfg, err := pgx.ParseConfig(a.Cfg.DatabaseURL)
	require.NoError(t, err)
	cfg.User, cfg.Password = role, "correct-horse-battery"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	defer conn.Close(ctx)

	// Only the granted organisation, under pseudonyms.
	rows, err := conn.Query(ctx, `SELECT org_id::text, application, candidate, stage FROM analytics.applications`)
	require.NoError(t, err)
	seen := map[string]string{}
	for rows.Next() {
		var org, app, cand, stage string
		require.NoError(t, rows.Scan(&org, &app, &cand, &stage))
		require.Equal(t, a.Org.ID, org, "an analyst sees only the organisation granted")
		require.Len(t, app, 16)
		for _, id := range append(applied[a], applied[b]...) {
			require.NotContains(t, id, app, "a pseudonym is not the ID")
		}
		seen[app] = stage
	}
	require.NoError(t, rows.Err())
	require.Len(t, seen, 2)
	var again string
	require.NoError(t, conn.QueryRow(ctx, `SELECT application FROM analytics.applications WHERE stage = 'rejected'`).Scan(&again))
	require.Equal(t, "rejected", seen[again], "pseudonyms are stable between queries")

	// No base table, no key, no other schema's rows.
	for _, q := range []string{`SELECT count(*) FROM applications`, `SELECT count(*) FROM candidates`, `SELECT count(*) FROM pseudonym_keys`,
		`SELECT count(*) FROM application_events`, `UPDATE analytics_grants SET org_id = org_id`} {
		_, err := conn.Exec(ctx, q)
		require.Error(t, err, q)
		require.Contains(t, err.Error(), "permission denied", q)
	}
	var other int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM analytics.events WHERE org_id = $1`, b.Org.ID).Scan(&other))
	require.Zero(t, other, "row-level security hides the other organisation")
	var foreign *string
	require.NoError(t, conn.QueryRow(ctx, `SELECT analytics.pseudonym($1, $2)`, b.Org.ID, applied[b][0]).Scan(&foreign))
	require.Nil(t, foreign, "no pseudonym for another organisation's ID")

	// The funnel an analyst computes in SQL is the console's.
	var sqlInvited int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT coalesce(sum(applications), 0)::bigint FROM analytics.funnel WHERE step = 'invited'`).Scan(&sqlInvited))
	require.EqualValues(t, 1, sqlInvited)
	var funnel struct {
		Rows []struct {
			Step         string  `json:"step"`
			Applications int64   `json:"applications"`
			Conversion   float64 `json:"conversion"`
		} `json:"rows"`
	}
	require.Equal(t, 200, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/funnel", nil, &funnel))
	steps := map[string]int64{}
	for _, r := range funnel.Rows {
		steps[r.Step] = r.Applications
	}
	require.EqualValues(t, 2, steps["applied"])
	require.EqualValues(t, 2, steps["screened"])
	require.Equal(t, sqlInvited, steps["invited"])
	require.InDelta(t, 0.5, funnel.Rows[2].Conversion, 1e-9, "invited of screened")

	resp, err := a.Client(t, hireflow.RoleRecruiter).Get(a.BaseURL + "/api/v1/analytics/funnel?format=csv&from=2020-01-01")
	require.NoError(t, err)
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/csv")
	require.True(t, strings.HasPrefix(string(body[:n]), "position,step,applications,conversion,drop_off\n1,applied,2,"), "%s", body[:n])

	var eb errBody
	require.Equal(t, 422, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/funnel?from=yesterday", nil, &eb))
	require.Equal(t, "from", eb.Error.Field)
	require.Equal(t, 422, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/stage-durations?format=xml", nil, &eb))
	require.Equal(t, 403, doJSON(t, a.Client(t, hireflow.RoleInterviewer), http.MethodGet, a.BaseURL+"/api/v1/analytics/funnel", nil, &eb))
	var durations struct {
		Rows []struct {
			Stage        string `json:"stage"`
			Applications int64  `json:"applications"`
		} `json:"rows"`
	}
	require.Equal(t, 200, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/stage-durations", nil, &durations))
	require.NotEmpty(t, durations.Rows, "the screening stage was left by both")
	// The percentiles read by position in the index are percentile_cont's (a period switches
	// to percentile_cont over the period's events).
	byIndex, err := a.Store.StageDurations(ctx, a.Org.ID, store.AnalyticsFilter{})
	require.NoError(t, err)
	bySort, err := a.Store.StageDurations(ctx, a.Org.ID, store.AnalyticsFilter{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, len(bySort), len(byIndex))
	for i := range byIndex {
		require.Equal(t, bySort[i].Stage, byIndex[i].Stage)
		require.Equal(t, bySort[i].Applications, byIndex[i].Applications)
		require.InDelta(t, bySort[i].P50Seconds, byIndex[i].P50Seconds, 1e-6)
		require.InDelta(t, bySort[i].P90Seconds, byIndex[i].P90Seconds, 1e-6)
	}
	// The kept counts are the events' own.
	var kept, counted int64
	require.NoError(t, a.Store.Pool().QueryRow(ctx, `SELECT coalesce(sum(applications), 0) FROM funnel_counts WHERE org_id = $1 AND event_key = 'screened'`, a.Org.ID).Scan(&kept))
	require.NoError(t, a.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM application_events WHERE org_id = $1 AND event_key = 'screened'`, a.Org.ID).Scan(&counted))
	require.Equal(t, counted, kept)

	// The further metrics, as tables; and every answer as a spreadsheet.
	for _, name := range store.MetricNames() {
		var m store.Metric
		require.Equal(t, 200, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/metrics/"+name, nil, &m), name)
		require.NotEmpty(t, m.Columns, name)
	}
	require.Equal(t, 404, doJSON(t, a.Client(t, hireflow.RoleAnalyst), http.MethodGet, a.BaseURL+"/api/v1/analytics/metrics/salaries", nil, &eb))
	require.Equal(t, "metric_not_found", eb.Error.Code)
	resp, err = a.Client(t, hireflow.RoleAnalyst).Get(a.BaseURL + "/api/v1/analytics/funnel?format=xlsx")
	require.NoError(t, err)
	book, err := excelize.OpenReader(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	sheet := book.GetSheetName(0)
	head, _ := book.GetCellValue(sheet, "C1")
	appliedCell, _ := book.GetCellValue(sheet, "C2")
	require.Equal(t, "applications", head)
	require.Equal(t, "2", appliedCell)

	// The operator's counters, by organisation ID and kind only.
	resp, err = http.Get(a.MetricsURL)
	require.NoError(t, err)
	metrics := string(must(io.ReadAll(resp.Body)))
	resp.Body.Close()
	for _, want := range []string{
		`hireflow_stage_entered_total{job="` + jobIDs[a] + `",org="` + a.Org.ID + `",stage="invited"} 1`,
		`hireflow_stage_entered_total{job="` + jobIDs[a] + `",org="` + a.Org.ID + `",stage="rejected"} 1`,
		`hireflow_decisions_total{job="` + jobIDs[a] + `",kind="screening",org="` + a.Org.ID + `",outcome="reject"} 1`,
		`hireflow_emails_total{kind="invitation",org="` + a.Org.ID + `",result="sent"} 1`,
	} {
		require.Contains(t, metrics, want)
	}
	require.NotContains(t, metrics, "Wei Kerr")

	// One application's trail: the screening decision, the stages, the workflow's events.
	items, err := trail.Build(ctx, a.Store, a.Temporal, applied[a][1])
	require.NoError(t, err)
	var lines []string
	for _, it := range items {
		lines = append(lines, it.Source+" "+it.What+" "+it.Detail)
	}
	joined := strings.Join(lines, "\n")
	require.Contains(t, joined, "decision screening rule screening")
	require.Contains(t, joined, "→ reject")
	require.Contains(t, joined, "stage rejected")
	require.Contains(t, joined, "workflow activity BeginApplication")
	require.NotContains(t, joined, "Wei Kerr", "no personal data in the trail")
}

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
	require.NoError(t, e.Store.Copy(ctx,
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language"}, Rows: apps},
		store.CopyTable{Table: "decisions", Columns: []string{"org_id", "application_id", "step_key", "kind", "rule_version", "outcome", "created_at"}, Rows: decs},
		store.CopyTable{Table: "application_groups", Columns: []string{"application_id", "org_id", "sex", "age_band"}, Rows: groups}))

	var eb errBody
	analyst := e.Client(t, hireflow.RoleAnalyst)
	admin := e.Client(t, hireflow.RoleAdmin)
	// The alert's chat robot: a local DingTalk robot that checks the signature as DingTalk does.
	robot := chattest.New("SEC-test-secret")
	defer robot.Close()
	chatURL := e.BaseURL + "/api/v1/organisation/alert-chat"
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "slack", "url": robot.URL}, "kind"},
		{map[string]any{"kind": "dingtalk", "url": "ftp://example.com/x"}, "url"},
		{map[string]any{"kind": "dingtalk", "url": "http://user:pw@example.com/x"}, "url"},
		{map[string]any{"kind": "feishu", "url": robot.URL, "secret": strings.Repeat("s", 300)}, "secret"},
	} {
		require.Equal(t, 422, doJSON(t, admin, http.MethodPut, chatURL, bad.body, &eb), "%v", bad.body)
		require.Equal(t, bad.field, eb.Error.Field)
	}
	require.Equal(t, 403, doJSON(t, analyst, http.MethodPut, chatURL, map[string]any{"kind": "wecom", "url": robot.URL}, &eb))
	var chatView map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, chatURL, map[string]any{"kind": "dingtalk", "url": robot.URL + chattest.DingTalkPath, "secret": "SEC-test-secret"}, &chatView))
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, chatURL, nil, &chatView))
	require.Equal(t, true, chatView["configured"])
	require.NotContains(t, fmt.Sprint(chatView), "SEC-test-secret", "the secret is never shown")
	require.NotContains(t, fmt.Sprint(chatView), "tok", "nor the token")
	var sealed []byte
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT alert_chat_enc FROM organisations WHERE id = $1`, e.Org.ID).Scan(&sealed))
	require.NotContains(t, string(sealed), "SEC-test-secret", "sealed at rest")

	require.Equal(t, 422, doJSON(t, analyst, http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits?from=2026-11-01&to=2026-10-01", nil, &eb))
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits?from=2026-10-01&to=2026-11-01", nil, &eb))
	var audit store.BiasAudit
	require.Equal(t, 201, doJSON(t, analyst, http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits?from=2026-10-01&to=2026-11-01", nil, &audit))
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

	// The alert reached every admin by email and the robot, once each, with only counts and codes.
	adminUser := e.Users[hireflow.RoleAdmin]
	mail := e.WaitEmail(t, adminUser.Email, "Bias audit alert", 30*time.Second)
	require.Contains(t, mail.Text, "screening sex=female 0.75")
	require.Contains(t, mail.Text, "/console/analytics/audits#audit-"+audit.ID)
	msgs := robot.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, fmt.Sprint(msgs[0]), "screening sex=female 0.75")
	var sent struct{ Alerts []store.AuditAlert }
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/analytics/bias-audits/"+audit.ID+"/alerts", nil, &sent))
	require.ElementsMatch(t, []store.AuditAlert{{Channel: "chat:dingtalk", Status: "sent"}, {Channel: "email:" + adminUser.ID, Status: "sent"}}, sent.Alerts)
	require.Equal(t, 404, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/analytics/bias-audits/not-an-id/alerts", nil, &eb))
	other := testenv.Start(t)
	require.Equal(t, 404, doJSON(t, other.Client(t, hireflow.RoleAnalyst), http.MethodGet, other.BaseURL+"/api/v1/analytics/bias-audits/"+audit.ID+"/alerts", nil, &eb),
		"another organisation's audit is not found")
	// Per job family (the job's title when it names none).
	require.Contains(t, audit.Report.Families, job.Title)
	require.Equal(t, audit.Report.Below, audit.Report.Families[job.Title].Below)

	// A robot that refuses (a wrong secret) is recorded with its answer; the audit still stands.
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, chatURL, map[string]any{"kind": "dingtalk", "url": robot.URL + chattest.DingTalkPath, "secret": "wrong"}, &chatView))
	var second store.BiasAudit
	require.Equal(t, 201, doJSON(t, analyst, http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits?from=2026-10-01&to=2026-11-01", nil, &second))
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, e.BaseURL+"/api/v1/analytics/bias-audits/"+second.ID+"/alerts", nil, &sent))
	var chatAlert store.AuditAlert
	for _, al := range sent.Alerts {
		if al.Channel == "chat:dingtalk" {
			chatAlert = al
		}
	}
	require.Equal(t, "failed", chatAlert.Status)
	require.Contains(t, chatAlert.Detail, "310000")
	require.Len(t, robot.Messages(), 1)

	// The public summary: only once an admin publishes it; 404 alike for unpublished and unknown.
	pub := func(slug string) (int, string) {
		resp, err := http.Get(e.BaseURL + "/audits/" + slug + "?lang=zh")
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode, string(must(io.ReadAll(resp.Body)))
	}
	code, _ := pub(e.Org.Slug)
	require.Equal(t, 404, code)
	code, _ = pub("no-such-org")
	require.Equal(t, 404, code)
	pubURL := e.BaseURL + "/api/v1/analytics/bias-audits/publication"
	require.Equal(t, 403, doJSON(t, analyst, http.MethodPut, pubURL, map[string]any{"published": true}, &eb))
	require.Equal(t, 400, doJSON(t, admin, http.MethodPut, pubURL, map[string]any{"published": "yes"}, &eb))
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, pubURL, map[string]any{}, &eb))
	var pubAns map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, pubURL, map[string]any{"published": true}, &pubAns))
	require.Contains(t, pubAns["url"], "/audits/"+e.Org.Slug)
	code, page := pub(e.Org.Slug)
	require.Equal(t, 200, code)
	require.Contains(t, page, "偏差审计摘要")
	require.Contains(t, page, "0.750")
	require.Contains(t, page, job.Title)
	require.NotContains(t, page, "female 0.75 <script", "escaped")

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

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestAuditChainUnderConcurrentWrites: 40 audit rows written at once by the API's pool for one
// organisation (with the rows the API itself writes) still form one verified chain, and a
// checkpoint signs its head.
func TestAuditChainUnderConcurrentWrites(t *testing.T) {
	e := testenv.Start(t)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			require.NoError(t, e.Store.Audit(ctx, e.Org.ID, "system", "test", "test.concurrent", "n", strconv.Itoa(i), nil))
		}(i)
	}
	e.Client(t, hireflow.RoleRecruiter) // a sign-in writes its own row meanwhile
	wg.Wait()
	seq, err := e.Store.AuditCheckpoint(ctx, e.Org.ID)
	require.NoError(t, err)
	require.GreaterOrEqual(t, seq, int64(40))
	v, err := e.Store.AuditVerify(ctx, e.Org.ID)
	require.NoError(t, err)
	require.Nil(t, v.Broken, "%+v", v.Broken)
	require.Equal(t, seq, v.Rows)
	require.Equal(t, 1, v.Checkpoints)

	// The daily schedule signs the head too (triggered now).
	require.NoError(t, e.Store.Audit(ctx, e.Org.ID, "system", "test", "test.after", "n", "x", nil))
	id, err := workflows.EnsureAuditCheckpointSchedule(ctx, e.Temporal, e.Cfg.TaskQueue, e.Org.ID)
	require.NoError(t, err)
	h := e.Temporal.ScheduleClient().GetHandle(ctx, id)
	defer h.Delete(context.Background()) //nolint:errcheck
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	testenv.Eventually(t, 30*time.Second, "the scheduled checkpoint", func() bool {
		v, err := e.Store.AuditVerify(ctx, e.Org.ID)
		return err == nil && v.Checkpoints == 2 && v.Broken == nil
	})
}
