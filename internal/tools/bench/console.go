package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/rules"
)

// ConsoleResult is the console's server time for a job of many applications, beside a bare
// indexed query of the same rows in the same run.
type ConsoleResult struct {
	Applications int     `json:"applications"`
	OtherJobs    int     `json:"other_jobs"`
	Runs         int     `json:"runs"`
	LoadSeconds  float64 `json:"load_seconds"`
	BoardP50Ms   float64 `json:"board_p50_ms"`
	BoardP99Ms   float64 `json:"board_p99_ms"`
	FilterP50Ms  float64 `json:"filtered_p50_ms"`
	FilterP99Ms  float64 `json:"filtered_p99_ms"`
	SearchP50Ms  float64 `json:"search_p50_ms"`
	SearchP99Ms  float64 `json:"search_p99_ms"`
	InboxP50Ms   float64 `json:"inbox_p50_ms"`
	InboxP99Ms   float64 `json:"inbox_p99_ms"`
	// The board's first page at the store (its two queries and the names opened), without the
	// HTTP, sign-in, matrix, audit row and HTML around it.
	StoreBoardP50Ms float64 `json:"store_board_p50_ms"`
	StoreBoardP99Ms float64 `json:"store_board_p99_ms"`
	StoreRatio      float64 `json:"store_board_p99_ratio"`
	BareP50Ms       float64 `json:"bare_p50_ms"`
	BareP99Ms       float64 `json:"bare_p99_ms"`
	WorstRatio      float64 `json:"worst_p99_ratio"` // the slowest page's p99 over the bare query's
}

var consoleStages = []struct {
	stage  hireflow.Stage
	status hireflow.Status
}{
	{hireflow.StageScreening, hireflow.StatusActive}, {hireflow.StageHold, hireflow.StatusActive}, {hireflow.StageInvited, hireflow.StatusActive},
	{hireflow.StageInterview, hireflow.StatusActive}, {hireflow.StageLiveRound, hireflow.StatusActive}, {hireflow.StageReview, hireflow.StatusActive},
	{hireflow.StageOffer, hireflow.StatusActive}, {hireflow.StageOnboarding, hireflow.StatusHired}, {hireflow.StageProbation, hireflow.StatusHired},
	{hireflow.StageRejected, hireflow.StatusRejected}, {hireflow.StageRejected, hireflow.StatusRejected}, {hireflow.StageWithdrawn, hireflow.StatusWithdrawn},
	{hireflow.StageExpired, hireflow.StatusExpired},
}

// Console seeds a job with n applications across every stage (names and emails sealed under
// each candidate's own key, as applying does; a third scored) and otherJobs jobs of 50
// applications each, then times, through the real console pages signed in as a recruiter:
// the board's first page, a filtered page (stage, language, minimum score), a search by email
// (the blind index) and the home page's inbox — beside a bare indexed SELECT … LIMIT 50 of
// the board's rows.
func Console(ctx context.Context, a *app.App, n, otherJobs, runs int, progress func(string)) (ConsoleResult, error) {
	res := ConsoleResult{Applications: n, OtherJobs: otherJobs, Runs: runs}
	org, job, err := benchOrg(ctx, a, "console")
	if err != nil {
		return res, err
	}
	var userID string
	if err := a.Store.Pool().QueryRow(ctx, `SELECT id FROM users WHERE org_id = $1`, org.ID).Scan(&userID); err != nil {
		return res, err
	}
	progress(fmt.Sprintf("creating %d other jobs", otherJobs))
	t0 := time.Now()
	jobs := []hireflow.Job{job}
	c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: job.ScreeningRule}})
	if len(errs) > 0 {
		return res, errs[0]
	}
	for i := 0; i < otherJobs; i++ {
		j := demo.BackendJob()
		j.Title = fmt.Sprintf("Bench job %03d", i)
		if err := a.Store.JobCreate(ctx, hireflow.Principal{OrgID: org.ID, UserID: userID, Role: hireflow.RoleRecruiter}, &j, c); err != nil {
			return res, err
		}
		jobs = append(jobs, j)
	}
	progress(fmt.Sprintf("writing %d applications to the job and %d to the others", n, 50*otherJobs))
	var keys, cands, apps, answers, scores [][]any
	start := time.Now().Add(-200 * 24 * time.Hour)
	searchEmail := ""
	total := n + 50*otherJobs
	for i := 0; i < total; i++ {
		j := jobs[0]
		if i >= n {
			j = jobs[1+(i-n)/50]
		}
		cid, aid := uuid.NewString(), uuid.NewString()
		name, email := fmt.Sprintf("Bench Candidate %05d", i), fmt.Sprintf("bench.%05d.%s@console.example", i, cid[:6])
		if i == n/2 {
			searchEmail = email
		}
		dk := seal.NewDataKey()
		box, err := a.Box.WithKey(dk)
		if err != nil {
			return res, err
		}
		keys = append(keys, []any{"candidate", cid, org.ID, a.Box.Seal(dk, "data_keys.candidate:"+cid)})
		cands = append(cands, []any{cid, org.ID, a.Box.EmailIndex(email), box.SealString(name, "candidates.name:"+cid), box.SealString(email, "candidates.email:"+cid)})
		st := consoleStages[i%len(consoleStages)]
		at := start.Add(time.Duration(i) * 17 * time.Minute)
		apps = append(apps, []any{aid, org.ID, j.ID, cid, string(st.stage), string(st.status), j.RuleSetID, j.RuleVersion, "bench/" + aid,
			[]string{"en", "zh"}[i%2], []string{"", "linkedin", "boss", "referral"}[i%4], at, at.Add(time.Hour)})
		if i%3 == 0 {
			ans := uuid.NewString()
			answers = append(answers, []any{ans, org.ID, aid, "q1", "text", "en", "bench:" + ans})
			scores = append(scores, []any{ans, org.ID, aid, []byte(`{"communication": 3}`), float64(40 + i%60), "offline"})
		}
	}
	if err := a.Store.Copy(ctx,
		store.CopyTable{Table: "data_keys", Columns: []string{"owner_type", "owner_id", "org_id", "key_enc"}, Rows: keys},
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version",
			"workflow_id", "language", "source", "created_at", "updated_at"}, Rows: apps},
		store.CopyTable{Table: "answers", Columns: []string{"id", "org_id", "application_id", "question_id", "kind", "language", "idempotency_key"}, Rows: answers},
		store.CopyTable{Table: "answer_scores", Columns: []string{"answer_id", "org_id", "application_id", "scores", "overall", "scorer"}, Rows: scores},
	); err != nil {
		return res, err
	}
	// As autovacuum would after a load of this size: statistics, and the visibility map that
	// lets the stage counts answer from the index.
	for _, t := range []string{"applications", "candidates", "answer_scores", "data_keys"} {
		if _, err := a.Store.Pool().Exec(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return res, err
		}
	}
	res.LoadSeconds = round2(time.Since(t0).Seconds())

	srv := api.New(a.HTTPDeps())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	go func() { _ = srv.Listener(ln) }()
	defer func() { _ = srv.Shutdown() }()
	base := "http://" + ln.Addr().String()
	sid := seal.RandomToken()
	if err := a.Store.SessionCreate(ctx, a.Box.Hash("session", sid), org.ID, userID, time.Now().Add(time.Hour)); err != nil {
		return res, err
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	page := func(path, must string) func() error {
		return func() error {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			req.Header.Set("Cookie", "hf_session="+sid)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.Contains(body, []byte(must)) {
				return fmt.Errorf("bench: %s answered %d without %q: %.300s", path, resp.StatusCode, must, body)
			}
			return nil
		}
	}
	board := "/console/jobs/" + job.ID + "/board?lang=en"
	timers := []struct {
		p50, p99 *float64
		fn       func() error
	}{
		{&res.BoardP50Ms, &res.BoardP99Ms, page(board, "Bench Candidate")},
		{&res.FilterP50Ms, &res.FilterP99Ms, page(board+"&stage=review&language=zh&min_score=50", "Bench Candidate")},
		{&res.SearchP50Ms, &res.SearchP99Ms, page(board+"&email="+searchEmail, fmt.Sprintf("Bench Candidate %05d", n/2))},
		{&res.InboxP50Ms, &res.InboxP99Ms, page("/console?lang=en", "Bench Candidate")},
		{&res.StoreBoardP50Ms, &res.StoreBoardP99Ms, func() error {
			cards, _, err := a.Store.Board(ctx, org.ID, job.ID, store.BoardFilter{}, 50, 0, true)
			if err == nil && (len(cards) != 50 || cards[0].CandidateName == "") {
				err = fmt.Errorf("bench: the store's board page has %d cards", len(cards))
			}
			return err
		}},
		{&res.BareP50Ms, &res.BareP99Ms, func() error {
			rows, err := a.Store.Pool().Query(ctx, `SELECT a.id, a.stage, a.status, a.source, a.language, a.created_at, c.name_enc
				FROM applications a JOIN candidates c ON c.id = a.candidate_id WHERE a.org_id = $1 AND a.job_id = $2 ORDER BY a.created_at DESC LIMIT 50`, org.ID, job.ID)
			if err != nil {
				return err
			}
			k := 0
			for rows.Next() {
				k++
			}
			rows.Close()
			if k != 50 {
				return fmt.Errorf("bench: the bare query found %d rows", k)
			}
			return rows.Err()
		}},
	}
	progress(fmt.Sprintf("timing each page %d times, interleaved", runs))
	durations := make([][]time.Duration, len(timers))
	for i := 0; i < runs+5; i++ {
		for k, tm := range timers {
			t := time.Now()
			if err := tm.fn(); err != nil {
				return res, err
			}
			if i >= 5 { // five warm-up rounds
				durations[k] = append(durations[k], time.Since(t))
			}
		}
	}
	for k, tm := range timers {
		*tm.p50, *tm.p99 = percentile(durations[k], 0.5), percentile(durations[k], 0.99)
	}
	for _, p := range []float64{res.BoardP99Ms, res.FilterP99Ms, res.SearchP99Ms, res.InboxP99Ms} {
		res.WorstRatio = max(res.WorstRatio, ratio(p, res.BareP99Ms))
	}
	res.StoreRatio = ratio(res.StoreBoardP99Ms, res.BareP99Ms)
	return res, nil
}
