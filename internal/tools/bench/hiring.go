package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
)

// Paths the hiring benchmark drives.
var Paths = []string{"hire", "screen_reject", "review_reject", "offer_declined", "approval_rejected", "withdrawal"}

// HiringResult is what `hireflow bench hiring` prints as its last line.
type HiringResult struct {
	PerPath        int                       `json:"applications_per_path"`
	Questions      int                       `json:"questions"`
	Actions        map[string]float64        `json:"actions"` // "actions_per_<path>"
	HireBreakdown  map[string]int            `json:"hire_breakdown"`
	Seconds        float64                   `json:"seconds"`
	PathsPerSecond float64                   `json:"paths_per_s"`
	Raw            map[string]map[string]int `json:"-"`
}

// HiringPaths drives every path n times through the public API on the running stack, then counts
// the billable actions of each application's histories (its own and its approval children's).
func HiringPaths(ctx context.Context, a *app.App, n int, progress func(string)) (HiringResult, error) {
	res := HiringResult{PerPath: n, Actions: map[string]float64{}, HireBreakdown: map[string]int{}}
	suffix := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	base, stop, err := inProcess(a, "bench-life-"+suffix)
	if err != nil {
		return res, err
	}
	defer stop()
	d := &driver{a: a, base: base, staff: map[hireflow.Role]*http.Client{}, ctx: ctx}
	if err := d.setup(suffix); err != nil {
		return res, err
	}
	res.Questions = len(d.job.Questions)
	start := time.Now()
	apps := map[string][]string{}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, path := range Paths {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(path string, i int) {
				defer wg.Done()
				id, err := d.run(path, i)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("bench: path %s: %w", path, err)
				}
				apps[path] = append(apps[path], id)
			}(path, i)
		}
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	res.Seconds = time.Since(start).Seconds()
	res.PathsPerSecond = float64(n*len(Paths)) / res.Seconds
	progress(fmt.Sprintf("drove %d applications in %.1fs; counting actions", n*len(Paths), res.Seconds))
	res.Raw = map[string]map[string]int{}
	for _, path := range Paths {
		total := 0
		for _, id := range apps[path] {
			counts, err := d.countActions(id)
			if err != nil {
				return res, err
			}
			for k, v := range counts {
				total += v
				if path == "hire" {
					res.HireBreakdown[k] += v
				}
			}
		}
		res.Actions["actions_per_"+path] = float64(total) / float64(len(apps[path]))
	}
	for k, v := range res.HireBreakdown {
		res.HireBreakdown[k] = v / n
	}
	return res, nil
}

type driver struct {
	a     *app.App
	ctx   context.Context
	base  string
	org   hireflow.Organisation
	job   hireflow.Job
	staff map[hireflow.Role]*http.Client
}

func (d *driver) setup(suffix string) error {
	if err := d.setupStaff(suffix); err != nil {
		return err
	}
	return d.setupJob()
}

// setupStaff creates the bench's organisation with a signed-in recruiter and hiring manager.
func (d *driver) setupStaff(suffix string) error {
	var err error
	if d.org, err = d.a.Store.OrgCreate(d.ctx, "bench-"+suffix, "Bench "+suffix); err != nil {
		return err
	}
	for _, role := range []hireflow.Role{hireflow.RoleRecruiter, hireflow.RoleHiringManager} {
		pw := "bench-" + uuid.NewString()
		hash, _ := passwd.Hash(pw)
		email := string(role) + "@bench-" + suffix + ".local"
		if _, err := d.a.Store.UserCreate(d.ctx, d.org.ID, email, "Bench "+string(role), role, hash); err != nil {
			return err
		}
		hc, err := staffhttp.Login(d.base, d.org.Slug, email, pw)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		d.staff[role] = hc
	}
	return nil
}

func (d *driver) setupJob() error {
	j := demo.BackendJob()
	body := map[string]any{"title": j.Title, "requirements": j.Requirements, "dimensions": j.Dimensions,
		"questions": []map[string]any{
			{"id": "q1", "text_en": "An incident you resolved?", "kind": "text", "dimensions": []string{"problem_solving", "ownership"}},
			{"id": "q2", "text_en": "Explaining a trade-off?", "kind": "text", "dimensions": []string{"communication"}},
			{"id": "q3", "text_en": "A decision you owned?", "kind": "text", "dimensions": []string{"ownership"}},
		},
		"timings": map[string]string{"invite_reminder_after": "1h", "invite_expires_after": "2h", "rejection_delay": "1s", "hold_sla": "1h",
			"review_sla": "1h", "approval_sla": "1h", "offer_expires_after": "1h", "probation_length": "2s", "probation_sla": "1h"}}
	st, raw, err := d.do(d.staff[hireflow.RoleRecruiter], http.MethodPost, "/api/v1/jobs", body)
	if err != nil || st != 201 {
		return fmt.Errorf("bench: job: %d %s %v", st, raw, err)
	}
	return json.Unmarshal(raw, &d.job)
}

func (d *driver) do(hc *http.Client, method, path string, body any) (int, []byte, error) {
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(d.ctx, method, d.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), nil
}

// until retries a call while the workflow is not yet at that step (409) and returns the final status.
func (d *driver) until(hc *http.Client, method, path string, body any, want int) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, raw, err := d.do(hc, method, path, body)
		if err != nil {
			return err
		}
		if st == want {
			return nil
		}
		if (st != http.StatusConflict && st != http.StatusNotFound) || time.Now().After(deadline) {
			return fmt.Errorf("%s %s answered %d: %s", method, path, st, raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *driver) stage(appID string, want hireflow.Stage) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		a, err := d.a.Store.ApplicationGet(d.ctx, d.org.ID, appID, false)
		if err != nil {
			return err
		}
		if a.Stage == want {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("application %s did not reach %s", appID, want)
}

const benchAnswer = `When I was on call at my previous company, checkout latency doubled. My task was to find the root cause fast.
I took ownership: I analysed the traces, formed a hypothesis about lock contention, and I decided to run an experiment.
As a result we reduced p99 latency by 60% and saved 20 hours a week; I followed up and explained the trade-off to stakeholders.`

func (d *driver) run(path string, i int) (string, error) {
	rec, mgr := d.staff[hireflow.RoleRecruiter], d.staff[hireflow.RoleHiringManager]
	p := demo.StrongBackend(fmt.Sprintf("Bench %s %d", path, i), fmt.Sprintf("bench-%s-%d-%s@example.com", path, i, uuid.NewString()[:6]))
	if path == "screen_reject" {
		p = demo.WeakBackend(p.Name, p.Email)
	}
	r, err := demo.Apply(d.ctx, http.DefaultClient, d.base, d.job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true)
	if err != nil || r.Status != 201 {
		return "", fmt.Errorf("apply: %d %v %v", r.Status, r.Error, err)
	}
	id := r.ApplicationID
	if path == "screen_reject" {
		return id, d.stage(id, hireflow.StageRejected)
	}
	if err := d.stage(id, hireflow.StageInvited); err != nil {
		return id, err
	}
	// A link of the bench's own, issued like the invitation's (the raw token never leaves here).
	raw := seal.RandomToken()
	if err := d.a.Store.TokenIssue(d.ctx, d.org.ID, id, activities.TokenPurposeApplication, d.a.Box.Hash("token", raw), time.Now().Add(time.Hour), false); err != nil {
		return id, err
	}
	answer := func(q string) error {
		return d.until(http.DefaultClient, http.MethodPost, "/api/v1/candidate/"+raw+"/answers", map[string]string{"question_id": q, "text": benchAnswer}, 201)
	}
	if err := answer("q1"); err != nil {
		return id, err
	}
	if path == "withdrawal" {
		resp, err := http.PostForm(d.base+"/c/"+raw+"/withdraw", map[string][]string{"confirm": {"yes"}})
		if err != nil {
			return id, err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return id, fmt.Errorf("withdraw answered %d", resp.StatusCode)
		}
		return id, d.stage(id, hireflow.StageWithdrawn)
	}
	for _, q := range []string{"q2", "q3"} {
		if err := answer(q); err != nil {
			return id, err
		}
	}
	review := map[string]any{"rating": 4, "decision": "advance"}
	if path == "review_reject" {
		review = map[string]any{"rating": 2, "decision": "reject", "reason_code": "skills"}
	}
	if err := d.until(mgr, http.MethodPost, "/api/v1/applications/"+id+"/reviews", review, 200); err != nil {
		return id, err
	}
	if path == "review_reject" {
		return id, d.stage(id, hireflow.StageRejected)
	}
	offer := map[string]any{"position": "Backend Engineer", "salary": 42000, "currency": "CNY", "band_min": 35000, "band_max": 50000,
		"start_date": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}
	st, rawOffer, err := d.do(rec, http.MethodPost, "/api/v1/applications/"+id+"/offers", offer)
	for tries := 0; st == http.StatusConflict && tries < 600; tries++ {
		time.Sleep(50 * time.Millisecond)
		st, rawOffer, err = d.do(rec, http.MethodPost, "/api/v1/applications/"+id+"/offers", offer)
	}
	if err != nil || st != 201 {
		return id, fmt.Errorf("offer: %d %s %v", st, rawOffer, err)
	}
	var o struct {
		OfferID string `json:"offer_id"`
	}
	_ = json.Unmarshal(rawOffer, &o)
	decision := map[string]any{"decision": "approve"}
	if path == "approval_rejected" {
		decision = map[string]any{"decision": "reject", "reason_code": "over_budget"}
	}
	if err := d.until(mgr, http.MethodPost, "/api/v1/offers/"+o.OfferID+"/decision", decision, 200); err != nil {
		return id, err
	}
	if path == "approval_rejected" {
		if err := d.until(rec, http.MethodPost, "/api/v1/applications/"+id+"/cancel", map[string]string{"reason_code": "position_filled"}, 202); err != nil {
			return id, err
		}
		return id, d.stage(id, hireflow.StageCancelled)
	}
	accept := path == "hire"
	if err := d.until(http.DefaultClient, http.MethodPost, "/api/v1/candidate/"+raw+"/offer", map[string]any{"accept": accept, "reason_code": "other_offer"}, 200); err != nil {
		return id, err
	}
	if !accept {
		return id, d.stage(id, hireflow.StageDeclined)
	}
	if err := d.until(mgr, http.MethodPost, "/api/v1/applications/"+id+"/probation", map[string]any{"outcome": "pass", "rating": 4}, 200); err != nil {
		return id, err
	}
	return id, d.stage(id, hireflow.StageCompleted)
}

// countActions counts an application's billable actions from its history and its approval
// children's: workflow starts, activity attempts, timers, signals, accepted updates, search
// attribute upserts and side-effect/local-activity markers (version markers are not actions).
func (d *driver) countActions(appID string) (map[string]int, error) {
	counts := map[string]int{}
	ids := []string{hireflow.WorkflowIDForApplication(appID)}
	for i := 0; i < len(ids); i++ {
		it := d.a.Temporal.GetWorkflowHistory(d.ctx, ids[i], "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return nil, err
			}
			switch ev.EventType {
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
				counts["workflow_started"]++
			case enums.EVENT_TYPE_ACTIVITY_TASK_STARTED:
				counts["activity_attempts"] += int(ev.GetActivityTaskStartedEventAttributes().GetAttempt())
			case enums.EVENT_TYPE_TIMER_STARTED:
				counts["timers"]++
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				counts["signals"]++
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				counts["updates"]++
			case enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
				counts["search_attribute_upserts"]++
			case enums.EVENT_TYPE_MARKER_RECORDED:
				if n := ev.GetMarkerRecordedEventAttributes().GetMarkerName(); n != "Version" {
					counts["markers"]++
				}
			case enums.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
				ids = append(ids, ev.GetChildWorkflowExecutionStartedEventAttributes().GetWorkflowExecution().GetWorkflowId())
			}
		}
	}
	return counts, nil
}
