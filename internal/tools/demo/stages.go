package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
)

// PipelineJobTitle names the demo job whose candidates are driven to every later stage.
const PipelineJobTitle = "Platform Engineer (demo pipeline)"

// Typed answers the demo candidates give; the scoring worker scores them like any other.
const (
	answerIncidentEN = `When I was on call at my previous company, checkout latency doubled. My task was to find the root cause fast.
I took ownership: I analysed the traces and metrics, formed a hypothesis about lock contention, and I decided to test it on one node.
As a result we reduced p99 latency by 60% and saved about 20 hours per week; I followed up with a postmortem.`
	answerTradeoffEN = `I start from what the listener cares about, for example cost or delivery date. I explain the two options with one
concrete example each, say what we gain and what we give up, and I recommend one. Last year I explained to our sales director why we
should delay a feature by two weeks to fix reliability; she agreed because I showed the customer impact in numbers.`
	answerIncidentZH = `去年双十一前，我负责的支付服务延迟翻倍。我的任务是尽快找到根因。我通过日志和链路追踪定位到数据库锁竞争，
决定先在一个节点上验证优化方案。结果 p99 延迟降低了 60%，每周节省约 20 小时的人工排查时间。之后我组织了复盘，补充了监控告警。`
	answerTradeoffZH = `我会先了解对方最关心什么，比如成本或上线时间。然后用一个具体例子说明两个方案各自的收益和代价，并给出我的建议。
有一次我向销售总监解释为什么要推迟两周上线新功能来修复稳定性问题，我用客户投诉数据说明影响，她最终同意了。`
)

// DriveStages applies three candidates to the demo pipeline job through the public API and
// takes each further through the real paths — the candidate endpoints, the staff API, the
// workflow and the scoring worker — so that the staff pages have something at every later
// stage: a scored report waiting for review, an offer waiting for the hiring manager's
// approval, and a hire with its onboarding form and probation result. It is idempotent: a
// second run finds the job and does nothing. progress receives one line per step.
func DriveStages(ctx context.Context, a *app.App, apiURL string, res Result, progress func(string)) error {
	org, staff := res.Org, res.Staff
	jobs, err := a.Store.JobList(ctx, org.ID, 50)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.Title == PipelineJobTitle {
			return nil
		}
	}
	d := &driver{ctx: ctx, a: a, api: apiURL, org: org, progress: progress}
	for _, c := range staff {
		switch c.Role {
		case hireflow.RoleRecruiter:
			d.rec, err = d.signIn(c)
		case hireflow.RoleHiringManager:
			d.mgr, err = d.signIn(c)
		}
		if err != nil {
			return err
		}
	}
	if d.rec == nil || d.mgr == nil {
		return fmt.Errorf("demo: no recruiter or hiring manager sign-in")
	}
	job, err := d.createJob()
	if err != nil {
		return err
	}
	recording, cleanup := d.recording()
	defer cleanup()

	type plan struct {
		p     Profile
		lang  string
		upTo  hireflow.Stage
		voice bool
	}
	li := StrongBackend("李娜", "li.na@example.com")
	li.Language, li.Phone = "zh", "+86 139 0000 1111"
	priya := StrongBackend("Priya Sharma", "priya.sharma@example.com")
	tom := StrongBackend("Tom Becker", "tom.becker@example.com")
	for _, pl := range []plan{{li, "zh", hireflow.StageReview, false}, {priya, "en", hireflow.StageOffer, true}, {tom, "en", hireflow.StageCompleted, true}} {
		if err := d.take(job, pl.p, pl.upTo, pl.voice && recording != nil, recording); err != nil {
			return fmt.Errorf("demo: %s: %w", pl.p.Email, err)
		}
	}
	return nil
}

type driver struct {
	ctx      context.Context
	a        *app.App
	api      string
	org      hireflow.Organisation
	rec, mgr *http.Client
	anon     http.Client
	progress func(string)
}

func (d *driver) say(format string, args ...any) {
	if d.progress != nil {
		d.progress(fmt.Sprintf(format, args...))
	}
}

func (d *driver) signIn(c Credentials) (*http.Client, error) {
	hc, err := staffhttp.Login(d.api, d.org.Slug, c.Email, c.Password)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return hc, nil
}

// call sends JSON and decodes the answer; the status is returned for the caller to check.
func (d *driver) call(hc *http.Client, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(d.ctx, method, d.api+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, nil
}

func (d *driver) must(hc *http.Client, method, path string, body any, want int) (map[string]any, error) {
	out := map[string]any{}
	st, err := d.call(hc, method, path, body, &out)
	if err != nil {
		return out, err
	}
	if st != want {
		return out, fmt.Errorf("%s %s answered %d, want %d: %v", method, path, st, want, out)
	}
	return out, nil
}

// until posts body to path until it is answered 200 (the workflow refuses a step it is not yet
// waiting for with 409), for at most timeout.
func (d *driver) until(hc *http.Client, path string, body any, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		st, err := d.call(hc, http.MethodPost, path, body, nil)
		if err != nil {
			return err
		}
		if st == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still answered %d after %s", st, timeout)
		}
		select {
		case <-d.ctx.Done():
			return d.ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (d *driver) createJob() (hireflow.Job, error) {
	j := BackendJob()
	body := map[string]any{"title": PipelineJobTitle, "title_zh": "平台工程师（演示流程）", "location": j.Location,
		"description":  "Demo candidates at every stage, driven through the real workflow. 演示候选人覆盖每个阶段。",
		"requirements": j.Requirements, "dimensions": j.Dimensions,
		"questions": []map[string]any{
			{"id": "q1", "text_en": j.Questions[0].TextEN, "text_zh": j.Questions[0].TextZH, "kind": "text",
				"dimensions": []string{"problem_solving", "ownership"}, "points_en": j.Questions[0].PointsEN, "points_zh": j.Questions[0].PointsZH},
			{"id": "q2", "text_en": j.Questions[1].TextEN, "text_zh": j.Questions[1].TextZH, "kind": "video", "think_seconds": 30, "max_seconds": 120,
				"retakes": 1, "dimensions": []string{"communication"}},
		},
		// Short waits so that the hire reaches its probation result within a minute of `make dev`.
		"timings": map[string]string{"rejection_delay": "5s", "probation_length": "20s"}}
	var job hireflow.Job
	st, err := d.call(d.rec, http.MethodPost, "/api/v1/jobs", body, &job)
	if err != nil {
		return job, err
	}
	if st != http.StatusCreated {
		return job, fmt.Errorf("demo: creating the pipeline job answered %d", st)
	}
	d.say("job %q created", PipelineJobTitle)
	return job, nil
}

// recording makes one spoken answer as WebM/Opus with flite and ffmpeg, or nil when either is
// missing (the candidates then type every answer).
func (d *driver) recording() ([]byte, func()) {
	if _, err := exec.LookPath("flite"); err != nil {
		return nil, func() {}
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, func() {}
	}
	dir, err := os.MkdirTemp("", "hireflow-demo-")
	if err != nil {
		return nil, func() {}
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	wav, webm := filepath.Join(dir, "a.wav"), filepath.Join(dir, "a.webm")
	script := strings.ReplaceAll(answerTradeoffEN, "\n", " ")
	if err := exec.CommandContext(d.ctx, "flite", "-voice", "rms", "-t", script, "-o", wav).Run(); err != nil {
		return nil, cleanup
	}
	if err := exec.CommandContext(d.ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libopus", webm).Run(); err != nil {
		return nil, cleanup
	}
	b, err := os.ReadFile(webm)
	if err != nil {
		return nil, cleanup
	}
	return b, cleanup
}

func (d *driver) waitStage(appID string, want ...hireflow.Stage) (hireflow.Application, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		app, err := d.a.Store.ApplicationGet(d.ctx, d.org.ID, appID, false)
		if err != nil {
			return app, err
		}
		for _, w := range want {
			if app.Stage == w {
				return app, nil
			}
		}
		if time.Now().After(deadline) {
			return app, fmt.Errorf("still at %s after 3 minutes, waiting for %v", app.Stage, want)
		}
		select {
		case <-d.ctx.Done():
			return app, d.ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// link issues a fresh candidate link, as the emails do (the demo cannot read the candidate's inbox).
func (d *driver) link(appID string) (string, error) {
	raw := seal.RandomToken()
	err := d.a.Store.TokenIssue(d.ctx, d.org.ID, appID, activities.TokenPurposeApplication, d.a.Box.Hash("token", raw),
		time.Now().Add(d.a.Cfg.TokenTTL), false)
	return raw, err
}

func (d *driver) take(job hireflow.Job, p Profile, upTo hireflow.Stage, voice bool, recording []byte) error {
	r, err := Apply(d.ctx, &d.anon, d.api, job.ID, p, "cv.pdf", ResumePDF(p.Lines), true)
	if err != nil {
		return err
	}
	if r.Status != http.StatusCreated {
		return fmt.Errorf("apply answered %d %s", r.Status, r.Error.Code)
	}
	id := r.ApplicationID
	if _, err := d.waitStage(id, hireflow.StageInvited); err != nil {
		return err
	}
	tok, err := d.link(id)
	if err != nil {
		return err
	}
	cand := "/api/v1/candidate/" + tok
	q1, q2 := answerIncidentEN, answerTradeoffEN
	if p.Language == "zh" {
		q1, q2 = answerIncidentZH, answerTradeoffZH
	}
	if _, err := d.must(&d.anon, http.MethodPost, cand+"/answers", map[string]string{"question_id": "q1", "text": q1}, http.StatusCreated); err != nil {
		return err
	}
	if voice {
		if _, err := d.must(&d.anon, http.MethodPost, cand+"/consent", map[string]any{"recording": true, "notice_version": "2026-10"}, http.StatusOK); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, d.api+cand+"/answers/q2/recording", bytes.NewReader(recording))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "video/webm")
		resp, err := d.anon.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
			return fmt.Errorf("recording upload answered %d", resp.StatusCode)
		}
	} else if _, err := d.must(&d.anon, http.MethodPost, cand+"/answers", map[string]string{"question_id": "q2", "text": q2}, http.StatusCreated); err != nil {
		return err
	}
	if _, err := d.waitStage(id, hireflow.StageReview, hireflow.StageHold); err != nil {
		return err
	}
	d.say("%s: interview scored, waiting for review", p.Email)
	if upTo == hireflow.StageReview {
		return nil
	}
	staffApp := "/api/v1/applications/" + id
	if _, err := d.must(d.mgr, http.MethodPost, staffApp+"/reviews", map[string]any{"rating": 4.5, "decision": "advance",
		"note": "Clear incident story with measured impact."}, http.StatusOK); err != nil {
		return err
	}
	if _, err := d.waitStage(id, hireflow.StageOffer); err != nil {
		return err
	}
	offer, err := d.must(d.rec, http.MethodPost, staffApp+"/offers", map[string]any{"position": "Platform Engineer", "salary": 42000,
		"currency": "CNY", "band_min": 35000, "band_max": 50000, "level": 3, "department": "Platform",
		"start_date": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}, http.StatusCreated)
	if err != nil {
		return err
	}
	offerID, _ := offer["offer_id"].(string)
	d.say("%s: offer drafted, waiting for the hiring manager's approval", p.Email)
	if upTo == hireflow.StageOffer {
		return nil
	}
	// The approval child workflow may need a moment before it waits for the manager.
	if err := d.until(d.mgr, "/api/v1/offers/"+url.PathEscape(offerID)+"/decision", map[string]any{"decision": "approve"}, time.Minute); err != nil {
		return fmt.Errorf("approving the offer: %w", err)
	}
	// The candidate answers the approved offer from the status page's link.
	if err := d.until(&d.anon, cand+"/offer", map[string]any{"accept": true}, time.Minute); err != nil {
		return fmt.Errorf("accepting the offer: %w", err)
	}
	if _, err := d.waitStage(id, hireflow.StageOnboarding, hireflow.StageProbation); err != nil {
		return err
	}
	form := url.Values{"phone": {"+49 30 1234567"}, "address": {"Musterstraße 1, Berlin"}, "emergency_name": {"Anna Becker"},
		"emergency_phone": {"+49 30 7654321"}, "id_type": {"passport"}, "id_number": {"C01X00T47"}, "bank_name": {"Demo Bank"},
		"bank_account": {"622202020011223"}}
	resp, err := d.anon.PostForm(d.api+"/c/"+tok+"/onboarding", form)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("the onboarding form answered %d", resp.StatusCode)
	}
	d.say("%s: hired, onboarding form in; probation result in about 20 s", p.Email)
	// The workflow asks for the evaluation when the probation period ends; until then it refuses it.
	if err := d.until(d.mgr, staffApp+"/probation", map[string]any{"outcome": "pass", "rating": 4}, 2*time.Minute); err != nil {
		return fmt.Errorf("the probation evaluation: %w", err)
	}
	if _, err := d.waitStage(id, hireflow.StageCompleted); err != nil {
		return err
	}
	d.say("%s: probation passed; the loop is closed", p.Email)
	return nil
}
