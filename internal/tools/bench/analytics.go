package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// AnalyticsResult is the funnel and stage-duration query times beside a plain scan.
type AnalyticsResult struct {
	Applications int     `json:"applications"`
	Events       int     `json:"events"`
	LoadSeconds  float64 `json:"load_seconds"`
	FunnelMs     float64 `json:"funnel_ms"`
	DurationsMs  float64 `json:"durations_ms"`
	CountMs      float64 `json:"count_ms"` // SELECT count(*) of the same organisation's events
	FunnelRatio  float64 `json:"funnel_ratio"`
	DurationsRat float64 `json:"durations_ratio"`
	Hired        int64   `json:"hired"` // the funnel's hired step, as a check of the numbers
}

// analyticsPath is the events one application goes through in the bench (screened and invited
// by everyone; fewer reach each later step, as in a real funnel).
var analyticsPath = []struct{ key, stage string }{
	{"applied", "screening"}, {"screened", "screening"}, {"invited", "invited"}, {"interview", "interview"},
	{"routed", "review"}, {"reviewed", "review"}, {"offer", "offer"}, {"onboarded", "probation"}, {"completed", "completed"},
}

// Analytics writes n applications with events (10 per application on average, 1,000,000 for
// the default 100,000) for a fresh organisation with COPY, then times the funnel and the stage
// durations exactly as the console and the API read them (the analytics views, through the
// store), each the median of 5 runs, beside a plain count(*) of the same rows in the same run.
func Analytics(ctx context.Context, a *app.App, n int, progress func(string)) (AnalyticsResult, error) {
	res := AnalyticsResult{Applications: n}
	org, job, err := benchOrg(ctx, a, "analytics")
	if err != nil {
		return res, err
	}
	progress(fmt.Sprintf("writing %d applications and their events", n))
	t0 := time.Now()
	conn, err := a.Store.Pool().Acquire(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Release()
	placeholder := a.Box.SealString("bench", "bench")
	var cands, apps, events [][]any
	start := time.Now().Add(-365 * 24 * time.Hour)
	for i := 0; i < n; i++ {
		cid, aid := uuid.New(), uuid.New()
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		cands = append(cands, []any{cid, org.ID, a.Box.Hash("email", aid.String()), placeholder, placeholder})
		// Everyone applies, is screened and invited; then each later step keeps fewer (i%k).
		steps := 3 + i%7
		if i%10 == 0 {
			steps = len(analyticsPath)
		}
		last := analyticsPath[steps-1]
		status := "active"
		if last.key == "onboarded" || last.key == "completed" {
			status = "hired"
		}
		apps = append(apps, []any{aid, org.ID, job.ID, cid, last.stage, status, job.RuleSetID, 1, "bench/" + aid.String(), []string{"en", "zh"}[i%2], at})
		for k := 0; k < steps; k++ {
			stepAt := at.Add(time.Duration(k*(k+1)) * time.Hour)
			var left any
			if k+1 < steps {
				left = at.Add(time.Duration((k+1)*(k+2)) * time.Hour)
			}
			events = append(events, []any{org.ID, aid, job.ID, analyticsPath[k].stage, status, analyticsPath[k].key, stepAt, left})
		}
	}
	// Up to ten events per application: reminders of an hour each, their own stage in the
	// durations (a real table holds more than the funnel's keys).
	for i := 0; len(events) < 10*n; i++ {
		row := events[i%len(events)]
		at := row[6].(time.Time)
		events = append(events, []any{row[0], row[1], row[2], "reminder", row[4], fmt.Sprintf("reminder:%d", i), at, at.Add(time.Hour)})
	}
	res.Events = len(events)
	if err := a.Store.Copy(ctx,
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language", "created_at"}, Rows: apps},
		store.CopyTable{Table: "application_events", Columns: []string{"org_id", "application_id", "job_id", "stage", "status", "event_key", "at", "left_at"}, Rows: events},
	); err != nil {
		return res, err
	}
	// As autovacuum would after a load of this size: statistics, and the visibility map that
	// lets the duration index answer without the table.
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) application_events`); err != nil {
		return res, err
	}
	if _, err := conn.Exec(ctx, `ANALYZE applications`); err != nil {
		return res, err
	}
	res.LoadSeconds = time.Since(t0).Seconds()
	progress(fmt.Sprintf("loaded %d events in %.1fs; timing the queries", res.Events, res.LoadSeconds))
	f := store.AnalyticsFilter{}
	var funnel []store.FunnelStep
	if res.FunnelMs, err = median5(func() error { funnel, err = a.Store.Funnel(ctx, org.ID, f); return err }); err != nil {
		return res, err
	}
	if res.DurationsMs, err = median5(func() error { _, err := a.Store.StageDurations(ctx, org.ID, f); return err }); err != nil {
		return res, err
	}
	if res.CountMs, err = median5(func() error {
		var k int64
		return conn.QueryRow(ctx, `SELECT count(*) FROM application_events WHERE org_id = $1`, org.ID).Scan(&k)
	}); err != nil {
		return res, err
	}
	for _, st := range funnel {
		if st.Step == "hired" {
			res.Hired = st.Applications
		}
	}
	res.FunnelRatio, res.DurationsRat = res.FunnelMs/res.CountMs, res.DurationsMs/res.CountMs
	return res, nil
}

// median5 runs fn five times and returns the median duration in milliseconds.
func median5(fn func() error) (float64, error) {
	var ds []time.Duration
	for i := 0; i < 5; i++ {
		t := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	return percentile(ds, 0.5), nil
}
