package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/internal/tools/trail"
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
	for _, e := range []*testenv.Env{a, b} {
		rec := e.Client(t, hireflow.RoleRecruiter)
		job := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1s", HoldSLA: "1h"})
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
		`hireflow_stage_entered_total{org="` + a.Org.ID + `",stage="invited"} 1`,
		`hireflow_stage_entered_total{org="` + a.Org.ID + `",stage="rejected"} 1`,
		`hireflow_decisions_total{kind="screening",org="` + a.Org.ID + `",outcome="reject"} 1`,
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

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
