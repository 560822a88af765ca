package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestRetentionErasesWithProof: a candidate's deletion request, a cancelled application past
// its retention period and a deletion request under a legal hold go through the retention
// workflow on the real stack. The erased applications' objects are gone from MinIO (their
// keys destroyed first), their personal columns are empty, their blind index no longer
// matches, the candidate who asked is told with the proof's digest, a proof and audit entries
// exist; the held one is untouched and its candidate told why, until the hold is released.
func TestRetentionErasesWithProof(t *testing.T) {
	e := testenv.Start(t)
	admin, rec := e.Client(t, hireflow.RoleAdmin), e.Client(t, hireflow.RoleRecruiter)
	var out map[string]any
	var eb errBody
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text", "dimensions": []string{"problem_solving"}}}}, &job))
	type cand struct {
		p         demo.Profile
		app, tok  string
		candidate string
	}
	apply := func(tag string) cand {
		p := demo.StrongBackend("Retention "+tag+" Person", uniqueEmail("ret-"+tag))
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status, "%+v", r.Error)
		link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
		c := cand{p: p, app: r.ApplicationID, tok: link[strings.LastIndex(link, "/")+1:]}
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT candidate_id FROM applications WHERE id = $1`, c.app).Scan(&c.candidate))
		return c
	}
	asker, held, cancelled := apply("asker"), apply("held"), apply("cancelled")
	require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+asker.tok+"/answers",
		map[string]string{"question_id": "q1", "text": "On call I traced a latency regression to a lock and fixed it; p99 fell by half."}, &out), "%v", out)

	// The policy: cancelled applications are erased at once; deletion requests at the next run.
	require.Equal(t, 403, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/organisation/retention", map[string]any{}, &eb), "only admins set the policy")
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/retention", map[string]any{"rejected_days": -1}, &eb))
	require.Equal(t, "rejected_days", eb.Error.Field)
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/retention", map[string]any{"rejected_days": 30, "withdrawn_days": 7,
		"expired_days": 30, "declined_days": 30, "cancelled_days": 0, "request_days": 0}, &out), "%v", out)
	require.Equal(t, "retention/"+e.Org.ID, out["schedule"])

	require.Equal(t, 202, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+asker.tok+"/deletion", map[string]any{}, &out))
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+held.app+"/legal-hold", map[string]any{"reason": "Employment tribunal claim 2026-117"}, &out), "%v", out)
	require.Equal(t, 409, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+held.app+"/legal-hold", map[string]any{"reason": "again"}, &eb))
	require.Equal(t, 202, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+held.tok+"/deletion", map[string]any{}, &out))
	require.Equal(t, 202, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+cancelled.app+"/cancel", map[string]any{"reason_code": "position_filled"}, &out))
	waitStage(t, e, asker.app, hireflow.StageDeletion, 30*time.Second)
	waitStage(t, e, held.app, hireflow.StageDeletion, 30*time.Second)
	waitStage(t, e, cancelled.app, hireflow.StageCancelled, 30*time.Second)

	objectKeys := func(app string) []string {
		var keys []string
		for o := range e.Objects.Client().ListObjects(ctx, e.Objects.Bucket(), minio.ListObjectsOptions{Prefix: e.Org.ID + "/applications/" + app + "/", Recursive: true, WithVersions: true}) {
			require.NoError(t, o.Err)
			keys = append(keys, o.Key)
		}
		return keys
	}
	require.NotEmpty(t, objectKeys(asker.app), "the résumé is stored before")

	var run struct{ Due, Erased, Held, Failed int }
	require.Equal(t, 403, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/retention/run", nil, &eb))
	require.Equal(t, 200, doJSON(t, admin, http.MethodPost, e.BaseURL+"/api/v1/retention/run", nil, &run), "%v", run)
	require.Equal(t, 3, run.Due)
	require.Equal(t, 2, run.Erased)
	require.Equal(t, 1, run.Held)

	erased := func(c cand) {
		t.Helper()
		require.Empty(t, objectKeys(c.app), "no object of the application is left in MinIO")
		var keysLeft, resume, texts int
		var erasedAt *time.Time
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM stored_objects WHERE application_id = $1 AND key_enc <> '\x'),
			(SELECT count(*) FROM applications WHERE id = $1 AND resume_text_enc IS NOT NULL),
			(SELECT count(*) FROM answers WHERE application_id = $1 AND text_enc IS NOT NULL), (SELECT erased_at FROM applications WHERE id = $1)`, c.app).
			Scan(&keysLeft, &resume, &texts, &erasedAt))
		require.Zero(t, keysLeft, "every data key destroyed")
		require.Zero(t, resume+texts, "no sealed résumé text or answer left")
		require.NotNil(t, erasedAt)
		var nameLen, emailLen int
		var hash, nameHash []byte
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT length(name_enc), length(email_enc), email_hash, name_hash FROM candidates WHERE id = $1`, c.candidate).Scan(&nameLen, &emailLen, &hash, &nameHash))
		require.Nil(t, nameHash, "the name's blind index is gone")
		require.Zero(t, nameLen+emailLen, "name and email erased")
		var live, destroyed int
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE key_enc <> '\x'), count(*) FILTER (WHERE key_enc = '\x' AND destroyed_at IS NOT NULL)
			FROM data_keys WHERE owner_id IN ($1, $2)`, c.app, c.candidate).Scan(&live, &destroyed))
		require.Zero(t, live, "the application's and the candidate's data keys are destroyed")
		require.Equal(t, 2, destroyed)
		require.False(t, bytes.Equal(hash, e.Box.EmailIndex(c.p.Email)), "the blind index no longer finds the person")
		var proof struct {
			Reason, Rule, Digest string
			Erased               map[string]any
		}
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+c.app+"/deletion-proof", nil, &proof))
		require.Len(t, proof.Digest, 64)
		require.Positive(t, proof.Erased["object_keys"], "%v", proof.Erased)
		require.Positive(t, proof.Erased["object_versions_removed"], "%v", proof.Erased)
		require.NotEmpty(t, proof.Erased["run_id"], "the proof names the workflow run: %v", proof.Erased)
		require.Contains(t, proof.Erased["workflow_id"], "retention", "%v", proof.Erased)
		var audited int
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action IN ('application.erased','application.contact_erased')`, c.app).Scan(&audited))
		require.Equal(t, 2, audited)
		// The staff page of an erased application still opens, without the person.
		var got struct{ Application hireflow.Application }
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+c.app, nil, &got))
		require.Empty(t, got.Application.CandidateName)
	}
	erased(asker)
	erased(cancelled)
	done := e.WaitEmail(t, asker.p.Email, "Your data has been deleted", 30*time.Second)
	var digest string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT digest FROM deletion_proofs WHERE application_id = $1`, asker.app).Scan(&digest))
	require.Contains(t, done.Text, digest, "the confirmation carries the proof's digest")
	require.Equal(t, "request", func() string {
		var r string
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT reason FROM deletion_proofs WHERE application_id = $1`, asker.app).Scan(&r))
		return r
	}())
	for _, m := range e.Emails(t, cancelled.p.Email) {
		require.NotContains(t, m.Subject, "deleted", "retention by policy sends no email")
	}

	// Held: nothing erased, the candidate told why; released: erased at the next run.
	require.NotEmpty(t, objectKeys(held.app))
	e.WaitEmail(t, held.p.Email, "About your request to delete your data", 30*time.Second)
	require.Equal(t, 200, doJSON(t, rec, http.MethodDelete, e.BaseURL+"/api/v1/applications/"+held.app+"/legal-hold", nil, &out))
	require.Equal(t, 200, doJSON(t, admin, http.MethodPost, e.BaseURL+"/api/v1/retention/run", nil, &run), "%v", run)
	require.Equal(t, 1, run.Erased)
	erased(held)
	require.Equal(t, 409, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+held.app+"/legal-hold", map[string]any{"reason": "late"}, &eb), "nothing left to hold")

	// Nothing personal anywhere: no history, and no table row holds the names or emails in clear.
	var needles []string
	for _, c := range []cand{asker, held, cancelled} {
		needles = append(needles, c.p.Name, c.p.Email)
	}
	hits, read := e.HistoryScan(t, needles)
	require.Positive(t, read)
	require.Empty(t, hits)
	rows, err := e.Store.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	rows.Close()
	for _, tbl := range tables {
		for _, n := range needles {
			var found int
			require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM `+tbl+` t WHERE strpos(lower(row_to_json(t)::text), lower($1)) > 0`, n).Scan(&found), tbl)
			require.Zero(t, found, "%s holds %q", tbl, n)
		}
	}
}

// TestTemporalPayloadsAreEncrypted: what the Temporal server stores is ciphertext (the
// application's IDs are not readable in its history), and the codec server on the operations
// listener — the one the Temporal UI calls — decrypts it.
func TestTemporalPayloadsAreEncrypted(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text"}}}, &job))
	p := demo.StrongBackend("Cipher Person", uniqueEmail("cipher"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status)
	waitStage(t, e, r.ApplicationID, hireflow.StageInvited, 30*time.Second)
	it := e.Temporal.GetWorkflowHistory(ctx, hireflow.WorkflowIDForApplication(r.ApplicationID), "", false, 0)
	require.True(t, it.HasNext())
	first, err := it.Next()
	require.NoError(t, err)
	in := first.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	require.NotEmpty(t, in)
	require.Equal(t, "binary/encrypted-hireflow-v1", string(in[0].Metadata["encoding"]))
	require.NotContains(t, string(in[0].Data), r.ApplicationID, "the server holds ciphertext")
	require.Len(t, in[0].Metadata["encryption-key-id"], 12, "the payload names its key")
	meta := map[string]string{}
	for k, v := range in[0].Metadata {
		meta[k] = base64.StdEncoding.EncodeToString(v)
	}
	body, _ := json.Marshal(map[string]any{"payloads": []map[string]any{{"metadata": meta, "data": base64.StdEncoding.EncodeToString(in[0].Data)}}})
	decode := func(c *http.Client, bearer string) (int, []byte) {
		req, err := http.NewRequest(http.MethodPost, e.OpsURL+"/codec/decode", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	// Only a signed-in analyst decodes: nobody signed in is 401, other roles 403, a forged token 401.
	code, out := decode(e.HTTP, "")
	require.Equal(t, 401, code, "%s", out)
	require.Contains(t, string(out), "unauthenticated")
	for _, role := range []hireflow.Role{hireflow.RoleRecruiter, hireflow.RoleAdmin, hireflow.RoleHiringManager} {
		code, out = decode(e.Client(t, role), "")
		require.Equal(t, 403, code, "%s: %s", role, out)
	}
	code, _ = decode(e.HTTP, "hf_forged")
	require.Equal(t, 401, code)
	code, out = decode(e.Client(t, hireflow.RoleAnalyst), "")
	require.Equal(t, 200, code, "%s", out)
	var dec struct {
		Payloads []struct{ Data []byte }
	}
	require.NoError(t, json.Unmarshal(out, &dec))
	require.Contains(t, string(dec.Payloads[0].Data), r.ApplicationID, "the codec server decrypts for the UI")
	var audited int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'temporal.decode' AND actor_id = $2`,
		e.Org.ID, e.Users[hireflow.RoleAnalyst].ID).Scan(&audited))
	require.Equal(t, 1, audited, "each decode is audited")
	resp, err := http.Post(e.BaseURL+"/codec/decode", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode, "never on the public API port")
}

// TestRightOfAccess: from the status page a candidate asks for a copy of their data; a fresh
// emailed link (its own purpose, 24 h) opens a page whose button downloads one ZIP holding
// data.json (their details, answers, decisions, who looked) and the résumé as uploaded. The
// application link does not download, the download link is not an application link, a forged
// one is refused, a second ask within ten minutes sends no second email, and the download is
// audited.
func TestRightOfAccess(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text", "dimensions": []string{"problem_solving"}}}}, &job))
	p := demo.StrongBackend("Access Person", uniqueEmail("access"))
	resume := demo.ResumePDF(p.Lines)
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", resume, true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
	tok := link[strings.LastIndex(link, "/")+1:]
	var out map[string]any
	answer := "I traced a latency regression to a lock and fixed it; p99 fell from 900 ms to 120 ms."
	require.Equal(t, 201, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+tok+"/answers", map[string]string{"question_id": "q1", "text": answer}, &out), "%v", out)
	// A staff read, which the copy must list by role.
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID, nil, &out))

	status := string(getPage(t, e.HTTP, link))
	require.Contains(t, status, `action="/c/`+tok+`/access`, "the status page offers the copy")
	form := func(url string) (int, []byte, http.Header) {
		resp, err := e.HTTP.Post(url, "application/x-www-form-urlencoded", strings.NewReader(""))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header
	}
	code, page, _ := form(link + "/access?lang=en")
	require.Equal(t, 202, code, "%s", page)
	require.Contains(t, string(page), "We emailed you a link")
	m := e.WaitEmail(t, p.Email, "Your copy of your data", 30*time.Second)
	dl := regexp.MustCompile(`https?://[^\s"'<>]+/c/[A-Za-z0-9_-]{43}/data`).FindString(m.Text)
	require.NotEmpty(t, dl, "%s", m.Text)
	require.NotEqual(t, link+"/data", dl, "a fresh link, not the application's")
	code, page, _ = form(link + "/access")
	require.Contains(t, string(page), "emailed you a link", "a second ask within ten minutes answers the same")
	require.Equal(t, 202, code)

	// Purposes do not mix; forged links are refused.
	code, page, _ = form(link + "/data")
	require.Equal(t, 401, code, "the application link downloads nothing: %s", page)
	resp, err := e.HTTP.Get(strings.TrimSuffix(dl, "/data"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 401, resp.StatusCode, "the download link is no application link")
	code, _, _ = form(e.BaseURL + "/c/" + strings.Repeat("A", 43) + "/data")
	require.Equal(t, 401, code)
	code, _, _ = form(e.BaseURL + "/c/../../etc/passwd/data")
	require.Contains(t, []int{401, 404}, code)

	require.Contains(t, string(getPage(t, e.HTTP, dl+"?lang=zh")), "下载您的数据")
	code, body, hdr := form(dl)
	require.Equal(t, 200, code, "%s", body)
	require.Equal(t, "application/zip", hdr.Get("Content-Type"))
	require.Contains(t, hdr.Get("Content-Disposition"), "attachment")
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		files[f.Name] = b
	}
	require.Equal(t, resume, files["resume/resume.pdf"], "the résumé as uploaded, decrypted")
	var data struct {
		Candidate   struct{ Name, Email string }
		Application struct {
			ID, Stage  string
			ResumeText string `json:"resume_text"`
		}
		Answers   []struct{ Text string }
		Decisions []struct{ Kind, Explanation string }
		Reads     []struct{ Role, Action string } `json:"who_accessed"`
	}
	require.NoError(t, json.Unmarshal(files["data.json"], &data), "%s", files["data.json"])
	require.Equal(t, p.Name, data.Candidate.Name)
	require.Equal(t, p.Email, data.Candidate.Email)
	require.Equal(t, r.ApplicationID, data.Application.ID)
	require.NotEmpty(t, data.Application.ResumeText)
	require.Len(t, data.Answers, 1)
	require.Equal(t, answer, data.Answers[0].Text)
	require.NotEmpty(t, data.Decisions)
	require.NotEmpty(t, data.Decisions[0].Explanation, "decisions are explained, not raw rules")
	var recruiterRead bool
	for _, rd := range data.Reads {
		recruiterRead = recruiterRead || (rd.Role == "recruiter" && rd.Action == "candidate.read")
	}
	require.True(t, recruiterRead, "who looked, by role: %+v", data.Reads)
	require.NotContains(t, string(files["data.json"]), e.Users[hireflow.RoleRecruiter].Email, "staff are named by role only")

	var audited int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'candidate.access_download'`, r.ApplicationID).Scan(&audited))
	require.Equal(t, 1, audited)
	time.Sleep(2 * time.Second)
	n := 0
	for _, x := range e.Emails(t, p.Email) {
		if x.Subject == m.Subject {
			n++
		}
	}
	require.Equal(t, 1, n, "one link per ten minutes")
	hits, _ := e.HistoryScan(t, []string{p.Name, p.Email})
	require.Empty(t, hits)
}
