package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/app"
)

// LiveJobTitle names the demo job whose pipeline books a live interview against the roster.
const LiveJobTitle = "Site Reliability Engineer (live interview)"

// DriveScheduling gives the demo interviewer a roster (the next four weeks, 09:00–18:00 Asia/
// Shanghai with a lunch rest, uploaded as a CSV through the API), creates a job whose pipeline
// has a live round, and applies one candidate, who is emailed three held times to choose from
// (the mail UI). Idempotent: a second run finds the job and does nothing.
func DriveScheduling(ctx context.Context, a *app.App, apiURL string, res Result, progress func(string)) error {
	jobs, err := a.Store.JobList(ctx, res.Org.ID, 50)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.Title == LiveJobTitle {
			return nil
		}
	}
	d := &driver{ctx: ctx, a: a, api: apiURL, org: res.Org, progress: progress}
	var ivEmail string
	for _, c := range res.Staff {
		switch c.Role {
		case hireflow.RoleRecruiter:
			if d.rec, err = d.signIn(c); err != nil {
				return err
			}
		case hireflow.RoleInterviewer:
			ivEmail = c.Email
		}
	}
	if d.rec == nil || ivEmail == "" {
		return fmt.Errorf("demo: no recruiter or interviewer")
	}
	iv, _, err := a.Store.UserByEmail(ctx, res.Org.ID, ivEmail)
	if err != nil {
		return err
	}
	if _, err := d.must(d.rec, http.MethodPut, "/api/v1/interviewers/"+iv.ID+"/settings", map[string]any{"time_zone": "Asia/Shanghai",
		"daily_cap": 4, "weekly_cap": 12, "buffer_before_min": 10, "buffer_after_min": 10}, http.StatusOK); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("interviewer,date,start,end,kind,rest_start,rest_end\n")
	sh := time.FixedZone("CST", 8*3600)
	for i := 0; i < 28; i++ {
		day := time.Now().In(sh).AddDate(0, 0, i)
		if day.Weekday() == time.Sunday {
			fmt.Fprintf(&csv, "%s,%s,,,rest,,\n", ivEmail, day.Format(time.DateOnly))
			continue
		}
		fmt.Fprintf(&csv, "%s,%s,09:00,18:00,work,12:00,13:00\n", ivEmail, day.Format(time.DateOnly))
	}
	if err := d.upload("/api/v1/rosters/upload", "roster.csv", []byte(csv.String())); err != nil {
		return err
	}
	d.say("the interviewer's roster uploaded (4 weeks)")
	if _, err := d.must(d.rec, http.MethodPut, "/api/v1/organisation/scheduling", map[string]any{"slots_offered": 3, "hold_minutes": 2880,
		"min_notice_hours": 12, "window_days": 14, "max_reschedules": 2, "reschedule_notice_hours": 4, "meeting_provider": "tencent",
		"meeting_template": "https://meeting.tencent.com/dm/{id}"}, http.StatusOK); err != nil {
		return err
	}
	j := BackendJob()
	var job hireflow.Job
	st, err := d.call(d.rec, http.MethodPost, "/api/v1/jobs", map[string]any{"title": LiveJobTitle, "title_zh": "站点可靠性工程师（现场面试）",
		"location": j.Location, "requirements": j.Requirements, "dimensions": j.Dimensions,
		"questions": []map[string]any{{"id": "q1", "text_en": j.Questions[0].TextEN, "text_zh": j.Questions[0].TextZH, "kind": "text",
			"dimensions": []string{"problem_solving"}}}}, &job)
	if err != nil || st != http.StatusCreated {
		return fmt.Errorf("demo: creating the live-interview job answered %d: %v", st, err)
	}
	var list struct {
		Rulesets []struct {
			ID    string `json:"id"`
			JobID string `json:"job_id"`
		} `json:"rulesets"`
	}
	if _, err := d.call(d.rec, http.MethodGet, "/api/v1/rulesets", nil, &list); err != nil {
		return err
	}
	rs := ""
	for _, r := range list.Rulesets {
		if r.JobID == job.ID {
			rs = r.ID
		}
	}
	draft, err := d.must(d.rec, http.MethodPut, "/api/v1/rulesets/"+rs+"/draft", map[string]any{"rules": map[string]string{"screening": j.ScreeningRule},
		"pipeline": []map[string]any{{"stage": "screen"}, {"stage": "live_round", "params": map[string]string{"duration_minutes": "45"}}, {"stage": "review"}}}, http.StatusCreated)
	if err != nil {
		return err
	}
	if _, err := d.must(d.rec, http.MethodPost, "/api/v1/rulesets/"+rs+"/publish", map[string]any{"version": draft["version"],
		"override_reason": "demo: a pipeline with a live interview"}, http.StatusOK); err != nil {
		return err
	}
	p := StrongBackend("Zhou Shiyu 周诗雨", "zhou.shiyu@candidates.demo")
	r, err := Apply(ctx, http.DefaultClient, apiURL, job.ID, p, "cv.pdf", ResumePDF(p.Lines), true)
	if err != nil || r.Status != http.StatusCreated {
		return fmt.Errorf("demo: applying to the live-interview job: %v %d", err, r.Status)
	}
	d.say("a candidate applied to %q: their email offers three held times (see the mail UI)", LiveJobTitle)
	return nil
}

// upload posts one file as the multipart field "file" with the recruiter's session.
func (d *driver) upload(path, name string, body []byte) error {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := part.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, d.api+path, &b)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := d.rec.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return fmt.Errorf("demo: %s answered %d: %s", path, resp.StatusCode, msg)
	}
	return nil
}
