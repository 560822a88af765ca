package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/demo"
)

// scoringOnStack runs a video interview through the public API on the running stack: a job
// with n recorded questions, an application, the candidate's consent, and the same recording
// uploaded to each question every pace seconds. The in-process API, application worker and
// scoring worker are the real ones. With pieces, each answer is first "recorded" for pace
// seconds (its length when pace is 0) while its pieces are sent as the interview page sends
// them (PUT …/pieces/{seq}?take=, one every PieceSeconds, the bytes recorded so far), and the
// whole recording is uploaded at the end. It returns the time from the last upload's response
// to the last stored report, and the summed time from each upload to its stored report.
func scoringOnStack(ctx context.Context, a *app.App, webm string, n int, seconds, pace float64, pieces bool, progress func(string)) (float64, float64, error) {
	data, err := os.ReadFile(webm)
	if err != nil {
		return 0, 0, err
	}
	suffix := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	base, stop, err := inProcess(a, "bench-score-"+suffix)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	d := &driver{a: a, base: base, staff: map[hireflow.Role]*http.Client{}, ctx: ctx}
	if err := d.setupStaff(suffix); err != nil {
		return 0, 0, err
	}
	maxSecs := int(math.Min(900, math.Ceil(seconds)+30))
	var questions []map[string]any
	for i := 1; i <= n; i++ {
		questions = append(questions, map[string]any{"id": fmt.Sprintf("q%d", i), "text_en": "Tell us about a production incident you resolved.",
			"kind": "video", "max_seconds": maxSecs, "dimensions": []string{"problem_solving", "ownership"}})
	}
	j := demo.BackendJob()
	st, raw, err := d.do(d.staff[hireflow.RoleRecruiter], http.MethodPost, "/api/v1/jobs", map[string]any{"title": j.Title,
		"requirements": j.Requirements, "dimensions": j.Dimensions, "questions": questions,
		"timings": map[string]string{"invite_reminder_after": "1h", "invite_expires_after": "2h"}})
	if err != nil || st != 201 {
		return 0, 0, fmt.Errorf("bench: job: %d %s %v", st, raw, err)
	}
	if err := json.Unmarshal(raw, &d.job); err != nil {
		return 0, 0, err
	}
	p := demo.StrongBackend("Bench Speaker", "bench-speaker-"+suffix+"@example.com")
	r, err := demo.Apply(ctx, http.DefaultClient, base, d.job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true)
	if err != nil || r.Status != 201 {
		return 0, 0, fmt.Errorf("bench: apply: %d %v %v", r.Status, r.Error, err)
	}
	if err := d.stage(r.ApplicationID, hireflow.StageInvited); err != nil {
		return 0, 0, err
	}
	token := seal.RandomToken()
	if err := a.Store.TokenIssue(ctx, d.org.ID, r.ApplicationID, activities.TokenPurposeApplication, a.Box.Hash("token", token), time.Now().Add(2*time.Hour), false); err != nil {
		return 0, 0, err
	}
	if err := d.until(http.DefaultClient, http.MethodPost, "/api/v1/candidate/"+token+"/consent",
		map[string]any{"recording": true, "notice_version": "bench"}, 200); err != nil {
		return 0, 0, err
	}
	// The stored reports are watched from the first upload on: each is timed when its row
	// appears (polled every 100 ms).
	var mu sync.Mutex
	uploaded, scored := map[string]time.Time{}, map[string]time.Time{}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchErr := make(chan error, 1)
	go func() {
		for {
			rows, err := a.Store.Pool().Query(wctx, `SELECT answer_id::text FROM answer_scores WHERE application_id = $1`, r.ApplicationID)
			if err != nil {
				watchErr <- err
				return
			}
			now := time.Now()
			for rows.Next() {
				var id string
				if rows.Scan(&id) != nil {
					continue
				}
				mu.Lock()
				if _, ok := scored[id]; !ok {
					scored[id] = now
					if up, ok := uploaded[id]; ok {
						progress(fmt.Sprintf("report stored %.1f s after its upload", now.Sub(up).Seconds()))
					}
				}
				mu.Unlock()
			}
			rows.Close()
			select {
			case <-wctx.Done():
				watchErr <- nil
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	var lastUpload time.Time
	for i := 1; i <= n; i++ {
		if pieces {
			if err := sendPieces(ctx, base, token, fmt.Sprintf("q%d", i), data, cmp.Or(pace, seconds)); err != nil {
				return 0, 0, err
			}
		} else if i > 1 && pace > 0 {
			select {
			case <-ctx.Done():
				return 0, 0, ctx.Err()
			case <-time.After(time.Duration(pace * float64(time.Second))):
			}
		}
		sent := time.Now()
		var resp *http.Response
		for try := 0; ; try++ {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/candidate/%s/answers/q%d/recording", base, token, i), bytes.NewReader(data))
			req.Header.Set("Content-Type", "video/webm")
			if resp, err = http.DefaultClient.Do(req); err == nil {
				break
			}
			// A kept-alive connection the server closed while the candidate "recorded" (the
			// write fails before any request reached it): send again on a new one.
			if try == 2 || ctx.Err() != nil {
				return 0, 0, err
			}
		}
		var out struct {
			AnswerID string `json:"answer_id"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != 201 || out.AnswerID == "" {
			return 0, 0, fmt.Errorf("bench: upload q%d answered %d", i, resp.StatusCode)
		}
		mu.Lock()
		lastUpload = time.Now()
		uploaded[out.AnswerID] = lastUpload
		mu.Unlock()
		progress(fmt.Sprintf("uploaded answer %d (%d KB in %.2f s)", i, len(data)/1024, lastUpload.Sub(sent).Seconds()))
	}
	deadline := time.Now().Add(time.Duration(seconds*float64(n)+300) * time.Second)
	for {
		mu.Lock()
		done := len(scored) >= n
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("bench: %d of %d reports stored before the deadline", len(scored), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-watchErr; err != nil && ctx.Err() == nil && wctx.Err() == nil {
		return 0, 0, err
	}
	mu.Lock()
	defer mu.Unlock()
	var total float64
	var last time.Time
	for id, at := range scored {
		up, ok := uploaded[id]
		if !ok || at.Before(up) {
			// Seen before its upload returned: it took no longer than the poll interval.
			up = at
		}
		total += at.Sub(up).Seconds()
		if at.After(last) {
			last = at
		}
	}
	return last.Sub(lastUpload).Seconds(), total, nil
}

// sendPieces sends a recording as the interview page does while it records for rec seconds:
// every PieceSeconds the bytes recorded since the previous piece, numbered from 0, under one
// take drawn for the attempt.
func sendPieces(ctx context.Context, base, token, question string, data []byte, rec float64) error {
	take := strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	began, sent, seq := time.Now(), 0, 0
	for tick := 1; sent < len(data); tick++ {
		at := began.Add(time.Duration(float64(tick) * PieceSeconds * float64(time.Second)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(at)):
		}
		upto := min(len(data), int(float64(len(data))*min(1, time.Since(began).Seconds()/rec)))
		if upto <= sent {
			continue // nothing new recorded: no piece, and no number used (the server joins from 0 without a gap)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, fmt.Sprintf("%s/api/v1/candidate/%s/answers/%s/pieces/%d?take=%s", base, token, question, seq, take), bytes.NewReader(data[sent:upto]))
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return fmt.Errorf("bench: piece %d of %s answered %d", seq, question, resp.StatusCode)
		}
		sent, seq = upto, seq+1
	}
	return nil
}
