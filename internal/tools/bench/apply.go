// Package bench measures hireflow on the running stack, always beside a baseline measured in
// the same run, and prints the figures as JSON.
package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/workers"
)

// ApplyResult is what `hireflow bench apply` prints as its last line.
type ApplyResult struct {
	Applications       int     `json:"applications"`
	Concurrency        int     `json:"concurrency"`
	ApplicationsPerSec float64 `json:"applications_per_s"`
	BaselinePerSec     float64 `json:"baseline_per_s"`
	Ratio              float64 `json:"ratio"`
	ApplySeconds       float64 `json:"apply_seconds"`
	BaselineSeconds    float64 `json:"baseline_seconds"`
	P50ApplyMillis     float64 `json:"http_apply_p50_ms"`
	P95ApplyMillis     float64 `json:"http_apply_p95_ms"`
}

// workerOpts are the same for the measured path and the baseline.
var workerOpts = worker.Options{MaxConcurrentWorkflowTaskPollers: 4, MaxConcurrentActivityTaskPollers: 8}

// Apply pushes n applications through the real HTTP apply endpoint, screening and invitation
// (email included) and measures applications per second until every one is invited. Then it
// runs n bare workflows with the same number of activities (2) on the same server.
func Apply(ctx context.Context, a *app.App, n, concurrency int, progress func(string)) (ApplyResult, error) {
	res := ApplyResult{Applications: n, Concurrency: concurrency}
	org, job, err := demo.OrgWithJob(ctx, a, "bench")
	if err != nil {
		return res, err
	}
	suffix := strings.TrimPrefix(org.Slug, "bench-")

	base, stop, err := inProcess(a, "bench-apply-"+suffix)
	if err != nil {
		return res, err
	}
	defer stop()

	// The baseline runs half before and half after the measured path, so that a server slowing
	// down as its database grows weighs on both alike. An application runs two activities to its
	// invitation (BeginApplication: plan and screening; RecordStage: the invitation and the
	// stage), so the baseline workflow has two.
	progress("running the first half of the baseline")
	before, err := Baseline(ctx, a.Temporal, n/2, concurrency, applyActivities)
	if err != nil {
		return res, err
	}
	pdf := demo.ResumePDF(demo.StrongBackend("Bench Candidate", "bench@example.com").Lines)
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	lat := make([]time.Duration, n)
	var failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	runParallel(n, concurrency, func(i int) {
		p := demo.StrongBackend(fmt.Sprintf("Bench Candidate %d", i), fmt.Sprintf("bench-%s-%d@example.com", suffix, i))
		t0 := time.Now()
		r, err := demo.Apply(ctx, hc, base, job.ID, p, "resume.pdf", pdf, true)
		lat[i] = time.Since(t0)
		if err != nil || r.Status != http.StatusCreated {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d %s %v", r.Status, r.Error.Code, err))
		}
	})
	if failed.Load() > 0 {
		return res, fmt.Errorf("bench: %d applications failed, first: %v", failed.Load(), firstErr.Load())
	}
	progress(fmt.Sprintf("submitted %d applications in %.1fs; waiting for invitations", n, time.Since(start).Seconds()))
	for {
		var invited int
		if err := a.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM application_events WHERE org_id = $1 AND event_key = 'invited'`, org.ID).Scan(&invited); err != nil {
			return res, err
		}
		if invited >= n {
			break
		}
		if time.Since(start) > 30*time.Minute {
			return res, fmt.Errorf("bench: only %d of %d invited after 30 minutes", invited, n)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	res.ApplySeconds = time.Since(start).Seconds()
	res.ApplicationsPerSec = float64(n) / res.ApplySeconds
	res.P50ApplyMillis, res.P95ApplyMillis = percentile(lat, 0.5), percentile(lat, 0.95)
	progress(fmt.Sprintf("applications: %.1f/s; running the second half of the baseline", res.ApplicationsPerSec))
	after, err := Baseline(ctx, a.Temporal, n-n/2, concurrency, applyActivities)
	if err != nil {
		return res, err
	}
	res.BaselineSeconds = before + after
	res.BaselinePerSec = float64(n) / res.BaselineSeconds
	res.Ratio = res.ApplicationsPerSec / res.BaselinePerSec
	return res, nil
}

// applyActivities is how many activities an application runs until it is invited.
const applyActivities = 2

// BareInput is the baseline workflow's input.
type BareInput struct{ Activities int }

// BareWorkflow runs n no-op activities one after another.
func BareWorkflow(ctx workflow.Context, in BareInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for i := 0; i < in.Activities; i++ {
		if err := workflow.ExecuteActivity(ctx, BareActivity, i).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// BareActivity does nothing.
func BareActivity(context.Context, int) error { return nil }

// Baseline runs n bare workflows of k activities and returns the seconds until all completed.
func Baseline(ctx context.Context, c client.Client, n, concurrency, k int) (float64, error) {
	queue := "bench-bare-" + uuid.NewString()[:8]
	w := worker.New(c, queue, workerOpts)
	w.RegisterWorkflow(BareWorkflow)
	w.RegisterActivity(BareActivity)
	if err := w.Start(); err != nil {
		return 0, err
	}
	defer w.Stop()
	var failed atomic.Int64
	runs := make([]client.WorkflowRun, n)
	start := time.Now()
	// Start like the apply endpoint does (the caller does not wait for the workflow), then wait
	// for every one to finish.
	runParallel(n, concurrency, func(i int) {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s/%d", queue, i), TaskQueue: queue}, BareWorkflow, BareInput{Activities: k})
		if err != nil {
			failed.Add(1)
			return
		}
		runs[i] = run
	})
	runParallel(n, concurrency, func(i int) {
		if runs[i] != nil && runs[i].Get(ctx, nil) != nil {
			failed.Add(1)
		}
	})
	if failed.Load() > 0 {
		return 0, fmt.Errorf("bench: %d baseline workflows failed", failed.Load())
	}
	return time.Since(start).Seconds(), nil
}

func runParallel(n, concurrency int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for c := 0; c < concurrency; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// inProcess runs the application worker, a scoring worker and the API in this process on
// task queues of their own, and returns the API's base URL.
func inProcess(a *app.App, queue string) (string, func(), error) {
	cfg := *a.Cfg
	cfg.TaskQueue, cfg.ScoringTaskQueue, cfg.RateLimitPerMin = queue, queue+"-scoring", 0
	ab := *a
	ab.Cfg = &cfg
	w := workers.NewApplicationWorker(a.Temporal, cfg.TaskQueue, ab.Activities(), workerOpts)
	sw := workers.NewScoringWorker(a.Temporal, cfg.ScoringTaskQueue, ab.Activities(), worker.Options{})
	if err := w.Start(); err != nil {
		return "", nil, err
	}
	if err := sw.Start(); err != nil {
		w.Stop()
		return "", nil, err
	}
	f := api.New(ab.HTTPDeps())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.Stop()
		sw.Stop()
		return "", nil, err
	}
	go func() { _ = f.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = f.Shutdown(); sw.Stop(); w.Stop() }, nil
}
