package e2e

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestMetricsBySourceShowUpAndLoadOnTheRealStack: applications with a known source, language
// and history (some accepted an offer, some came to their live round, some reminders went to
// a named recruiter) give exact numbers in the funnel by source and language, show-up, SLA
// breaches by person and interviewer load; the console's analytics page draws the same numbers
// with their tables and export links, for the roles that may read them; bad filters are coded.
func TestMetricsBySourceShowUpAndLoadOnTheRealStack(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	job := createJob(t, e, rec, jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})

	// Through the apply form: the source is kept (lower-cased); a bad one is refused.
	p := demo.StrongBackend("Sou Rce", uniqueEmail("src"))
	r, err := demo.ApplyWith(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true, map[string]string{"source": "LinkedIn"})
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	r0, srcEmail := r.ApplicationID, p.Email
	var src string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT source FROM applications WHERE id = $1`, r.ApplicationID).Scan(&src))
	require.Equal(t, "linkedin", src)
	for _, bad := range []string{"<script>", strings.Repeat("a", 41), "a b"} {
		p := demo.StrongBackend("Bad Source", uniqueEmail("badsrc"))
		r, err := demo.ApplyWith(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true, map[string]string{"source": bad})
		require.NoError(t, err)
		require.Equal(t, 422, r.Status, bad)
		require.Equal(t, "invalid_source", r.Error.Code)
	}
	// Self-identification only with its own consent.
	p = demo.StrongBackend("No Consent", uniqueEmail("eeo"))
	r, err = demo.ApplyWith(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true, map[string]string{"eeo_sex": "female"})
	require.NoError(t, err)
	require.Equal(t, 422, r.Status)
	require.Equal(t, "eeo_consent_required", r.Error.Code)

	// A generated history: 10 from "campus" (zh), 6 without a source (en); every one applied and
	// was screened; 4 campus ones got an offer, 3 accepted it.
	var ruleSet string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM rule_sets WHERE job_id = $1`, job.ID).Scan(&ruleSet))
	var cands, apps, events [][]any
	var campus []uuid.UUID
	at := time.Date(2026, 9, 7, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 16; i++ {
		cid, aid := uuid.New(), uuid.New()
		source, language := "campus", "zh"
		if i >= 10 {
			source, language = "", "en"
		} else {
			campus = append(campus, aid)
		}
		cands = append(cands, []any{cid, e.Org.ID, e.Box.Hash("email", aid.String()), []byte("x"), []byte("x")})
		apps = append(apps, []any{aid, e.Org.ID, job.ID, cid, "review", "active", ruleSet, 1, "gen/" + aid.String(), language, source, at})
		events = append(events, []any{e.Org.ID, aid, "screening", "active", "applied", at}, []any{e.Org.ID, aid, "screening", "active", "screened", at.Add(time.Hour)})
	}
	require.NoError(t, e.Store.Copy(ctx,
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language", "source", "created_at"}, Rows: apps},
		store.CopyTable{Table: "application_events", Columns: []string{"org_id", "application_id", "stage", "status", "event_key", "at"}, Rows: events}))
	for i, aid := range campus[:4] {
		_, err := e.Store.Pool().Exec(ctx, `INSERT INTO application_events (org_id, application_id, stage, status, event_key, at)
			VALUES ($1, $2, 'offer', 'active', 'offer', $3)`, e.Org.ID, aid, at.Add(48*time.Hour))
		require.NoError(t, err)
		var offer string
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `INSERT INTO offers (org_id, application_id, position, salary, currency, start_date, expires_at, status)
			VALUES ($1, $2, 'Engineer', 30000, 'CNY', '2026-12-01', now() + interval '7 days', 'approved') RETURNING id`, e.Org.ID, aid).Scan(&offer))
		status := "accepted"
		if i == 3 {
			status = "declined"
		}
		_, err = e.Store.Pool().Exec(ctx, `UPDATE offers SET status = $2 WHERE id = $1`, offer, status)
		require.NoError(t, err)
	}
	// Live rounds: 3 rounds, the candidate came to 2 (feedback from two interviewers on one).
	iv, mgr := e.Users[hireflow.RoleInterviewer].ID, e.Users[hireflow.RoleHiringManager].ID
	for _, fb := range []struct {
		app      uuid.UUID
		who      string
		attended bool
	}{{campus[0], iv, true}, {campus[0], mgr, true}, {campus[1], iv, true}, {campus[2], iv, false}} {
		_, err := e.Store.Pool().Exec(ctx, `INSERT INTO interview_feedback (org_id, application_id, round, interviewer_id, ratings, recommendation, attended)
			VALUES ($1, $2, 1, $3, '{}', 'hold', $4)`, e.Org.ID, fb.app, fb.who, fb.attended)
		require.NoError(t, err)
	}
	// Two hold-SLA reminders to the recruiter, one to the manager.
	for i, who := range []string{e.Recruiter.ID, e.Recruiter.ID, mgr} {
		_, _, err := e.Store.EmailClaimTo(ctx, e.Org.ID, campus[i].String(), who, "sla-test:"+uuid.NewString(), hireflow.NoticeHoldSLA, "en", "<x@y>")
		require.NoError(t, err)
	}

	analyst := e.Client(t, hireflow.RoleAnalyst)
	base := e.BaseURL + "/api/v1/analytics/"
	q := "?job=" + job.ID + "&from=2026-09-01&to=2026-10-01"
	var funnel struct{ Rows []store.FunnelStep }
	steps := func(extra string) map[string]int64 {
		require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"funnel"+q+extra, nil, &funnel))
		out := map[string]int64{}
		for _, s := range funnel.Rows {
			out[s.Step] = s.Applications
		}
		return out
	}
	all := steps("")
	require.Equal(t, int64(16), all["applied"])
	require.Equal(t, int64(3), all["accepted"])
	require.Equal(t, "accepted", funnel.Rows[6].Step, "accepted comes after offered")
	require.Equal(t, int64(10), steps("&source=campus")["applied"])
	require.Equal(t, int64(3), steps("&source=campus")["accepted"])
	require.Equal(t, int64(6), steps("&source=none")["screened"])
	require.Equal(t, int64(6), steps("&language=en")["applied"])
	require.Equal(t, int64(0), steps("&language=en&source=campus")["applied"])

	var m store.Metric
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"metrics/show-up?job="+job.ID, nil, &m))
	require.Equal(t, []string{"rounds", "attended", "share"}, m.Columns)
	require.Equal(t, []any{3.0, 2.0, 0.6667}, m.Rows[0])
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"metrics/sla-by-person?job="+job.ID, nil, &m))
	perPerson := map[any]float64{}
	for _, r := range m.Rows {
		perPerson[r[0]] += r[3].(float64)
	}
	require.ElementsMatch(t, []float64{2, 1}, values(perPerson))
	for k := range perPerson {
		require.Len(t, k, 16, "a pseudonym, not a user ID")
	}
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"metrics/interviewer-load?job="+job.ID, nil, &m))
	load := map[any]float64{}
	for _, r := range m.Rows {
		load[r[0]] += r[2].(float64)
	}
	require.ElementsMatch(t, []float64{3, 1}, values(load))
	require.Equal(t, 200, doJSON(t, analyst, http.MethodGet, base+"metrics/sources"+q, nil, &m))
	require.Contains(t, m.Rows, []any{"campus", 1.0, "applied", 10.0})
	require.Contains(t, m.Rows, []any{"none", 1.0, "applied", 6.0})

	var eb errBody
	for _, bad := range []struct{ query, field string }{{"?source=%3Cscript%3E", "source"}, {"?language=fr", "language"},
		{"?job=1'%20OR%201=1", "job"}, {"?from=2026-13-01", "from"}} {
		require.Equal(t, 422, doJSON(t, analyst, http.MethodGet, base+"funnel"+bad.query, nil, &eb), bad.query)
		require.Equal(t, bad.field, eb.Error.Field)
	}
	require.Equal(t, 404, doJSON(t, analyst, http.MethodGet, base+"metrics/nope", nil, &eb))

	// The console page draws the same numbers, each chart with its table and export links.
	page := func(hc *http.Client, path string) (int, string) {
		resp, err := hc.Get(e.BaseURL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode, string(must(io.ReadAll(resp.Body)))
	}
	code, body := page(analyst, "/console/analytics"+q+"&source=campus&lang=en")
	require.Equal(t, 200, code)
	for _, want := range []string{`id="chart-funnel"`, `id="chart-show-up"`, `id="chart-sla-by-person"`, `id="chart-interviewer-load"`,
		`<svg`, `<td>Accepted</td><td>3</td><td>75.0%</td>`, `<td>Applied</td><td>10</td>`, `format=xlsx`, `Sign out`} {
		require.Contains(t, body, want)
	}
	code, body = page(analyst, "/console/analytics?job="+job.ID)
	require.Equal(t, 200, code)
	require.Contains(t, body, `<div class="v">66.7%</div>`, "show-up as the API computes it")
	code, body = page(analyst, "/console/analytics?lang=zh")
	require.Equal(t, 200, code)
	require.Contains(t, body, "招聘漏斗")
	code, body = page(analyst, "/console/analytics?source=%3Cscript%3Ealert(1)%3C/script%3E")
	require.Equal(t, 422, code)
	require.NotContains(t, body, "<script>alert(1)")
	require.Contains(t, body, `role="alert"`)
	code, _ = page(e.Client(t, hireflow.RoleInterviewer), "/console/analytics")
	require.Equal(t, 403, code, "interviewers have no analytics")
	code, body = page(e.Client(t, hireflow.RoleInterviewer), "/console")
	require.Equal(t, 200, code, "signing in lands on the console home")
	require.NotContains(t, body, `href="/console/analytics"`, "no link to what the role may not open")
	code, body = page(e.Client(t, hireflow.RoleAdmin), "/console/analytics/audits")
	require.Equal(t, 200, code)
	require.Contains(t, body, `data-api="/api/v1/organisation/alert-chat"`, "admins configure the robot")
	code, body = page(analyst, "/console/analytics/audits")
	require.Equal(t, 200, code)
	require.Contains(t, body, `data-api="/api/v1/analytics/bias-audits"`, "analysts may run an audit")
	require.NotContains(t, body, "alert-chat", "but not configure alerts")
	require.NotContains(t, body, "calibration/proposals\" data-method=\"POST\"", "nor write rule drafts")
	// The home page's inbox: what waits for the role, longest first, with the count in the
	// navigation; names only for roles that see them; the read is audited.
	waitStage(t, e, r0, hireflow.StageInvited, 30*time.Second)
	_, err = e.Store.Pool().Exec(ctx, `UPDATE applications SET stage = 'hold', updated_at = now() - interval '3 days' WHERE id = $1`, r0)
	require.NoError(t, err)
	code, body = page(rec, "/console?lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, `id="inbox-hold"`)
	require.Contains(t, body, `href="/console/applications/`+r0+`">Sou Rce</a>`)
	require.Contains(t, body, "waiting 3.0 d")
	require.Contains(t, body, `<span class="late">past its SLA by 24.0 h</span>`, "three days held against a 48 h SLA")
	require.Contains(t, body, `<span class="late">1 past SLA</span>`)
	require.Contains(t, body, `<span class="count" aria-label="1 waiting">1</span>`)
	var reads int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'candidate.read' AND subject_type = 'inbox' AND actor_id = $2`,
		e.Org.ID, e.Recruiter.ID).Scan(&reads))
	require.Equal(t, 1, reads)
	code, body = page(e.Client(t, hireflow.RoleHiringManager), "/console?lang=zh")
	require.Equal(t, 200, code)
	require.Contains(t, body, `id="inbox-review"`)
	require.Contains(t, body, "待评审")
	require.NotContains(t, body, "Sou Rce", "a held application is the recruiter's")
	code, body = page(analyst, "/console")
	require.Equal(t, 200, code)
	require.NotContains(t, body, `id="inbox-`, "analysts have no candidate inbox")

	// The job's candidate board: a count per stage for the filter, a page of cards, an email
	// found through its blind index; bad filters are shown (422); other roles are refused.
	code, body = page(rec, "/console/jobs?lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, `href="/console/jobs/`+job.ID+`/board"`)
	board := "/console/jobs/" + job.ID + "/board"
	code, body = page(rec, board+"?lang=en")
	require.Equal(t, 200, code)
	for _, want := range []string{`data-stage="">All <span class="n">17</span>`, `data-stage="review">Review <span class="n">16</span>`,
		`data-stage="hold">On hold <span class="n">1</span>`, ">Sou Rce</a>"} {
		require.Contains(t, body, want)
	}
	code, body = page(rec, board+"?source=campus&stage=review&lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, `data-stage="review">Review <span class="n">10</span>`)
	require.NotContains(t, body, "Sou Rce")
	code, body = page(rec, board+"?email="+strings.ToUpper(srcEmail))
	require.Equal(t, 200, code)
	require.Contains(t, body, ">Sou Rce</a>")
	require.Contains(t, body, `data-stage="">All <span class="n">1</span>`)
	// By the whole name, through the name's keyed index (case, width and spacing normalised).
	code, body = page(rec, board+"?q="+url.QueryEscape("  sou   ＲＣＥ ")+"&lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, ">Sou Rce</a>")
	require.Contains(t, body, `data-stage="">All <span class="n">1</span>`)
	code, body = page(rec, board+"?q=Sou&lang=en")
	require.Equal(t, 200, code)
	require.NotContains(t, body, ">Sou Rce</a>", "no partial matches: nothing is scanned")
	code, _ = page(rec, board+"?q="+strings.Repeat("x", 201))
	require.Equal(t, 422, code)
	code, body = page(rec, board+"?q="+url.QueryEscape(strings.ToUpper(srcEmail)))
	require.Equal(t, 200, code)
	require.Contains(t, body, ">Sou Rce</a>", "an address in the same box searches by email")
	// The score filter reads each application's mean score, kept by a trigger on the scores.
	var ansA, ansB string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `INSERT INTO answers (org_id, application_id, question_id, kind, idempotency_key) VALUES ($1, $2, 'q1', 'text', gen_random_uuid()::text) RETURNING id`, e.Org.ID, r0).Scan(&ansA))
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `INSERT INTO answers (org_id, application_id, question_id, kind, idempotency_key) VALUES ($1, $2, 'q2', 'text', gen_random_uuid()::text) RETURNING id`, e.Org.ID, r0).Scan(&ansB))
	_, err = e.Store.Pool().Exec(ctx, `INSERT INTO answer_scores (answer_id, org_id, application_id, scores, overall, scorer) VALUES ($1, $3, $4, '{}', 90, 'test'), ($2, $3, $4, '{}', 70, 'test')`, ansA, ansB, e.Org.ID, r0)
	require.NoError(t, err)
	code, body = page(rec, board+"?min_score=79.5&lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, ">Sou Rce</a>", "mean 80 ≥ 79.5")
	require.Contains(t, body, `data-stage="">All <span class="n">1</span>`)
	_, err = e.Store.Pool().Exec(ctx, `UPDATE answer_scores SET overall = 50 WHERE answer_id = $1`, ansA)
	require.NoError(t, err)
	code, body = page(rec, board+"?min_score=79.5&lang=en")
	require.Equal(t, 200, code)
	require.NotContains(t, body, ">Sou Rce</a>", "a re-score moves the mean to 60")
	for _, bad := range []string{"?min_score=abc", "?stage=%3Cscript%3E", "?page=0", "?email=nope", "?from=2026-02-30"} {
		code, body = page(rec, board+bad)
		require.Equal(t, 422, code, bad)
		require.Contains(t, body, `class="error" role="alert"`, bad)
		require.NotContains(t, body, `="<script>`, "escaped")
		require.NotContains(t, body, ">Sou Rce</a>", "a refused filter lists nobody")
	}
	code, _ = page(rec, "/console/jobs/"+uuid.NewString()+"/board")
	require.Equal(t, 404, code, "no such job (or another organisation's)")
	code, _ = page(analyst, board)
	require.Equal(t, 403, code)
	code, _ = page(e.Client(t, hireflow.RoleInterviewer), board)
	require.Equal(t, 403, code)

	// Who looked: the application page lists the reads of its candidate's data; the log is
	// readable (filtered) through the API and the console by admins and recruiters.
	code, body = page(rec, "/console/applications/"+r0+"?lang=en")
	require.Equal(t, 200, code)
	require.Contains(t, body, `id="reads"`)
	require.Contains(t, body, "<code>"+e.Recruiter.ID+"</code>")
	// Its timeline: stages, decisions and the workflow's own events, in plain words.
	code, body = page(rec, "/console/applications/"+r0+"/timeline?lang=en")
	require.Equal(t, 200, code)
	for _, want := range []string{`data-source="stage"`, `data-source="decision"`, `data-source="workflow"`, "The hiring workflow started",
		"Invited to the interview", "Applied", "Screening"} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, "activity BeginApplication", "activities are left out")
	code, body = page(rec, "/console/applications/"+r0+"/timeline?lang=zh")
	require.Equal(t, 200, code)
	require.Contains(t, body, "招聘流程已开始")
	code, _ = page(rec, "/console/applications/"+uuid.NewString()+"/timeline")
	require.Equal(t, 404, code)
	code, _ = page(e.Client(t, hireflow.RoleInterviewer), "/console/applications/"+r0+"/timeline")
	require.Equal(t, 403, code)

	var log struct {
		Entries []store.AuditEntry
	}
	admin := e.Client(t, hireflow.RoleAdmin)
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/audit-log?action=candidate.read&subject="+r0, nil, &log))
	require.NotEmpty(t, log.Entries)
	for _, en := range log.Entries {
		require.Equal(t, "candidate.read", en.Action)
		require.Equal(t, r0, en.SubjectID)
	}
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/audit-log?action=candidate.", nil, &log), "a prefix")
	require.NotEmpty(t, log.Entries)
	for _, bad := range []string{"?action=DROP%20TABLE", "?actor=%27%20OR%201=1", "?before=-1"} {
		require.Equal(t, 422, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/audit-log"+bad, nil, &eb), bad)
	}
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleHiringManager), http.MethodGet, e.BaseURL+"/api/v1/audit-log", nil, &eb))
	code, body = page(admin, "/console/audit-log?action=candidate.read&lang=zh")
	require.Equal(t, 200, code)
	require.Contains(t, body, "审计日志")
	require.Contains(t, body, "<code>"+r0+"</code>")
	code, _ = page(analyst, "/console/audit-log")
	require.Equal(t, 403, code)

	resp, err := http.Get(e.BaseURL + "/console/analytics")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "/console/login", resp.Request.URL.Path, "signed out: to the sign-in page")

	// The export of the page's funnel is the API's.
	resp, err = analyst.Get(e.BaseURL + "/api/v1/analytics/funnel" + q + "&source=campus&format=csv")
	require.NoError(t, err)
	recs, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, []string{"7", "accepted", "3", "0.7500", "3"}, recs[7])
}

func values(m map[any]float64) []float64 {
	var out []float64
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
