// Package e2e holds end-to-end tests over the real stack: HTTP in, Temporal dev server,
// PostgreSQL, MinIO and the maildev capture server, checked through their own interfaces.
package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

var ctx = context.Background()

type jobTimings struct {
	Reminder, Expiry, Rejection, HoldSLA string
	Family                               string // the job family, when the test needs one
}

func createJob(t *testing.T, e *testenv.Env, hc *http.Client, tm jobTimings) hireflow.Job {
	t.Helper()
	j := demo.BackendJob()
	body := map[string]any{"title": j.Title, "title_zh": j.TitleZH, "description": j.Description, "location": j.Location,
		"requirements": j.Requirements, "dimensions": j.Dimensions, "questions": j.Questions, "screening_rule": j.ScreeningRule,
		"timings": map[string]string{"invite_reminder_after": tm.Reminder, "invite_expires_after": tm.Expiry,
			"rejection_delay": tm.Rejection, "hold_sla": tm.HoldSLA}}
	if tm.Family != "" {
		body["family"] = tm.Family
	}
	var out hireflow.Job
	status := doJSON(t, hc, http.MethodPost, e.BaseURL+"/api/v1/jobs", body, &out)
	require.Equal(t, http.StatusCreated, status)
	require.NotEmpty(t, out.ID)
	return out
}

func doJSON(t *testing.T, hc *http.Client, method, url string, body, out any) int {
	t.Helper()
	var r io.Reader
	ctype := ""
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r, ctype = bytes.NewReader(b), "application/json"
	}
	return send(t, hc, method, url, ctype, r, out)
}

// send makes one request and decodes a JSON answer into out (if given); it returns the status.
func send(t *testing.T, hc *http.Client, method, url, ctype string, body io.Reader, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), "body: %s", raw)
	}
	return resp.StatusCode
}

type errBody struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func stageOf(t *testing.T, e *testenv.Env, appID string) hireflow.Stage {
	a, err := e.Store.ApplicationGet(ctx, e.Org.ID, appID, false)
	require.NoError(t, err)
	return a.Stage
}

func waitStage(t *testing.T, e *testenv.Env, appID string, want hireflow.Stage, timeout time.Duration) {
	t.Helper()
	testenv.Eventually(t, timeout, fmt.Sprintf("application %s to reach %s", appID, want), func() bool {
		return stageOf(t, e, appID) == want
	})
}

// ruleSetOf is the ID of the rule set a job was created with.
func ruleSetOf(t *testing.T, e *testenv.Env, hc *http.Client, jobID string) string {
	t.Helper()
	var list struct {
		Rulesets []struct {
			ID    string `json:"id"`
			JobID string `json:"job_id"`
		}
	}
	require.Equal(t, 200, doJSON(t, hc, http.MethodGet, e.BaseURL+"/api/v1/rulesets", nil, &list))
	for _, x := range list.Rulesets {
		if x.JobID == jobID {
			return x.ID
		}
	}
	t.Fatalf("job %s has no rule set", jobID)
	return ""
}

func uniqueEmail(tag string) string {
	return fmt.Sprintf("%s-%s@candidates.test", tag, uuid.NewString()[:8])
}

func TestApplyScreenInviteEndToEnd(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	job := createJob(t, e, rec, jobTimings{Reminder: "30s", Expiry: "60s", Rejection: "1s", HoldSLA: "2s"})

	var names, emails, phones []string
	apply := func(p demo.Profile, file string, data []byte) string {
		t.Helper()
		names, emails, phones = append(names, p.Name), append(emails, p.Email), append(phones, p.Phone)
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, file, data, true)
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.Status, "%s: %s", r.Error.Code, r.Error.Message)
		return r.ApplicationID
	}

	t.Run("PassInvitesAndLinkOpensStatusPage", func(t *testing.T) {
		p := demo.StrongBackend("Evelyn Strongfield", uniqueEmail("strong"))
		pdf := demo.ResumePDF(p.Lines)
		id := apply(p, "evelyn.pdf", pdf)

		// Decision recorded with the rule, its hash and non-personal inputs.
		testenv.Eventually(t, 30*time.Second, "screening decision", func() bool {
			ds, err := e.Store.DecisionList(ctx, e.Org.ID, id)
			require.NoError(t, err)
			return len(ds) == 1
		})
		ds, err := e.Store.DecisionList(ctx, e.Org.ID, id)
		require.NoError(t, err)
		d := ds[0]
		require.Equal(t, "pass", d.Outcome)
		require.Equal(t, job.RuleVersion, d.RuleVersion)
		require.NotEmpty(t, d.ProgramHash)
		require.Contains(t, d.RuleSource, "hasAll")
		inputs, _ := json.Marshal(d.Inputs)
		require.Contains(t, string(inputs), `"kubernetes"`)
		require.NotContains(t, string(inputs), "Evelyn")
		require.NotContains(t, string(inputs), p.Email)

		// The résumé object is ciphertext at rest and decrypts to the upload.
		o, err := e.Store.ObjectForApplication(ctx, e.Org.ID, id, "resume")
		require.NoError(t, err)
		require.NotContains(t, o.Key, "Evelyn")
		obj, err := e.Objects.Client().GetObject(ctx, o.Bucket, o.Key, minio.GetObjectOptions{})
		require.NoError(t, err)
		raw, err := io.ReadAll(obj)
		require.NoError(t, err)
		require.NotEmpty(t, raw)
		require.False(t, bytes.Contains(raw, []byte("%PDF")), "a raw read must not show the PDF")
		require.False(t, bytes.Contains(raw, []byte("Evelyn")))
		plain, err := e.Objects.Read(ctx, o)
		require.NoError(t, err)
		require.Equal(t, pdf, plain)
		sum := sha256.Sum256(pdf)
		require.Equal(t, hex.EncodeToString(sum[:]), o.SHA256)

		// Personal columns are ciphertext in PostgreSQL.
		var nameEnc, emailEnc []byte
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT c.name_enc, c.email_enc FROM candidates c JOIN applications a ON a.candidate_id = c.id WHERE a.id = $1`, id).Scan(&nameEnc, &emailEnc))
		require.False(t, bytes.Contains(nameEnc, []byte("Evelyn")))
		require.False(t, bytes.Contains(emailEnc, []byte(p.Email)))

		// The invitation arrives with a link; the link opens the status page.
		m := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second)
		require.Contains(t, m.Text, "Evelyn Strongfield")
		require.Contains(t, m.HTML, "Backend Engineer")
		link := m.Link(t)
		require.True(t, strings.HasPrefix(link, e.BaseURL+"/c/"))
		waitStage(t, e, id, hireflow.StageInvited, 10*time.Second)

		resp, err := http.Get(link)
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(page), `data-stage="interview"`, "opening the invitation starts the interview stage")
		require.Contains(t, string(page), "video interview", "the page shows the next step")
		require.Contains(t, string(page), `name="viewport"`)
		// Opening the link tells the workflow; the interview stage begins.
		waitStage(t, e, id, hireflow.StageInterview, 15*time.Second)

		req, _ := http.NewRequest(http.MethodGet, link+"?lang=zh", nil)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(t, err)
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Contains(t, string(page), "面试")
		require.Contains(t, string(page), `lang="zh-CN"`)

		var st map[string]any
		tok := link[strings.LastIndex(link, "/")+1:]
		require.Equal(t, http.StatusOK, doJSON(t, e.HTTP, http.MethodGet, e.BaseURL+"/api/v1/candidate/"+tok+"/status", nil, &st))
		require.Equal(t, "interview", st["stage"])
		require.Equal(t, id, st["application_id"])

		// Staff see it through the API, with the workflow's live state.
		var got struct {
			Application hireflow.Application `json:"application"`
			State       map[string]any       `json:"workflow_state"`
		}
		// Opening the link told the workflow, which started the interview stage and recorded it:
		// the workflow and PostgreSQL agree.
		testenv.Eventually(t, 20*time.Second, "the workflow and PostgreSQL to agree on the interview stage", func() bool {
			require.Equal(t, http.StatusOK, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+id, nil, &got))
			return got.State["Stage"] == "interview" && got.Application.Stage == hireflow.StageInterview
		})
		require.Equal(t, "Evelyn Strongfield", got.Application.CandidateName)
	})

	t.Run("RejectSendsPoliteRejection", func(t *testing.T) {
		p := demo.WeakBackend("Wendell Weakley", uniqueEmail("weak"))
		id := apply(p, "wendell.txt", []byte(strings.Join(p.Lines, "\n")))
		m := e.WaitEmail(t, p.Email, "Your application for Backend Engineer", 30*time.Second)
		require.Contains(t, m.Text, "will not be moving forward")
		require.NotRegexp(t, `/c/[A-Za-z0-9_-]{43}`, m.Text, "a rejection carries no link")
		waitStage(t, e, id, hireflow.StageRejected, 10*time.Second)
		ds, err := e.Store.DecisionList(ctx, e.Org.ID, id)
		require.NoError(t, err)
		require.Equal(t, "reject", ds[0].Outcome)
		require.Len(t, e.Emails(t, p.Email), 1, "exactly one email")
	})

	t.Run("HoldWaitsForRecruiter", func(t *testing.T) {
		p := demo.PartialBackend("Harper Holdsworth", uniqueEmail("hold"))
		id := apply(p, "harper.docx", demo.ResumeDOCX(p.Lines))
		waitStage(t, e, id, hireflow.StageHold, 30*time.Second)

		// The SLA reminder reaches the recruiter.
		e.WaitEmail(t, e.Recruiter.Email, "waits for your decision", 20*time.Second)

		url := e.BaseURL + "/api/v1/applications/" + id + "/decision"
		var eb errBody
		require.Equal(t, http.StatusUnprocessableEntity, doJSON(t, rec, http.MethodPost, url, map[string]any{"outcome": "reject"}, &eb))
		require.Equal(t, "reason_required", eb.Error.Code)
		require.Equal(t, http.StatusUnprocessableEntity, doJSON(t, rec, http.MethodPost, url, map[string]any{"outcome": "maybe"}, &eb))
		require.Equal(t, "invalid_outcome", eb.Error.Code)
		require.Equal(t, http.StatusForbidden, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodPost, url, map[string]any{"outcome": "pass"}, &eb))

		var ok map[string]any
		require.Equal(t, http.StatusOK, doJSON(t, rec, http.MethodPost, url, map[string]any{"outcome": "pass", "note": "strong Go background"}, &ok))
		require.NotEmpty(t, ok["decision_id"])
		require.Equal(t, http.StatusConflict, doJSON(t, rec, http.MethodPost, url, map[string]any{"outcome": "pass"}, &eb), "a second decision is refused")
		require.Equal(t, "not_on_hold", eb.Error.Code)

		e.WaitEmail(t, p.Email, "Your next step", 30*time.Second)
		var decisions struct{ Decisions []hireflow.Decision }
		require.Equal(t, http.StatusOK, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodGet, url+"s", nil, &decisions))
		require.Len(t, decisions.Decisions, 2)
		require.Equal(t, "hold", decisions.Decisions[0].Outcome)
		require.Equal(t, "recruiter", decisions.Decisions[1].Kind)
		require.Equal(t, e.Recruiter.ID, decisions.Decisions[1].DecidedBy)
	})

	t.Run("WithdrawFromStatusPage", func(t *testing.T) {
		p := demo.StrongBackend("Willa Withdrawn", uniqueEmail("withdraw"))
		p.Phone = "+86 138 0013 8000"
		id := apply(p, "willa.pdf", demo.ResumePDF(p.Lines))
		link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
		resp, err := http.PostForm(link+"/withdraw", map[string][]string{})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "withdrawal needs the confirmation box")
		resp, err = http.PostForm(link+"/withdraw", map[string][]string{"confirm": {"yes"}})
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), "withdrawal was received")
		waitStage(t, e, id, hireflow.StageWithdrawn, 15*time.Second)
		resp, err = http.Get(link)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusGone, resp.StatusCode, "links are revoked after withdrawal")
	})

	t.Run("NoPersonalDataInWorkflowHistories", func(t *testing.T) {
		needles := append(append(append([]string{}, names...), emails...), phones...)
		hits, read := e.HistoryScan(t, needles)
		require.GreaterOrEqual(t, read, 4)
		require.Empty(t, hits, "personal data found in workflow histories")
	})
}

func TestReminderAndExpiry(t *testing.T) {
	e := testenv.Start(t)
	job := createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "2s", Expiry: "6s", Rejection: "1s", HoldSLA: "1m"})
	p := demo.StrongBackend("Rory Reminded", uniqueEmail("remind"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "rory.txt", []byte(strings.Join(p.Lines, "\n")), true)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status)
	invite := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second)
	reminder := e.WaitEmail(t, p.Email, "Reminder", 20*time.Second)
	require.NotEqual(t, invite.Link(t), reminder.Link(t), "the reminder carries its own link")
	waitStage(t, e, r.ApplicationID, hireflow.StageExpired, 20*time.Second)
	for _, l := range []string{invite.Link(t), reminder.Link(t)} {
		resp, err := http.Get(l)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusGone, resp.StatusCode)
		require.Contains(t, string(body), "This link cannot be used")
	}
	require.Len(t, e.Emails(t, p.Email), 2, "one invitation and one reminder, never more")
}

func TestBadApplicationsLeaveNothing(t *testing.T) {
	e := testenv.Start(t)
	job := createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
	good := demo.StrongBackend("Bad Input", uniqueEmail("bad"))
	pdf := demo.ResumePDF(good.Lines)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1, 2, 3}, 500)...)
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 10<<20)...)
	huge := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 13<<20)...)
	noName, badEmail, badPhone := good, good, good
	noName.Name, badEmail.Email, badPhone.Phone = "", "not-an-email", "call me maybe"
	for _, tc := range []struct {
		name    string
		jobID   string
		p       demo.Profile
		file    string
		data    []byte
		consent bool
		status  int
		code    string
		field   string
	}{
		{"WrongFileType", job.ID, good, "cv.png", png, true, 415, "unsupported_file_type", "resume"},
		{"EmptyFile", job.ID, good, "cv.pdf", []byte{}, true, 422, "file_empty", "resume"},
		{"Oversize", job.ID, good, "cv.pdf", big, true, 413, "file_too_large", "resume"},
		{"OverBodyLimit", job.ID, good, "cv.pdf", huge, true, 413, "file_too_large", "resume"},
		{"CorruptPDF", job.ID, good, "cv.pdf", pdf[:len(pdf)/2], true, 422, "resume_unreadable", "resume"},
		{"MissingFile", job.ID, good, "", nil, true, 422, "field_required", "resume"},
		{"MissingName", job.ID, noName, "cv.pdf", pdf, true, 422, "field_required", "name"},
		{"BadEmail", job.ID, badEmail, "cv.pdf", pdf, true, 422, "invalid_email", "email"},
		{"BadPhone", job.ID, badPhone, "cv.pdf", pdf, true, 422, "invalid_phone", "phone"},
		{"NoConsent", job.ID, good, "cv.pdf", pdf, false, 422, "consent_required", "privacy_consent"},
		{"UnknownJob", uuid.NewString(), good, "cv.pdf", pdf, true, 404, "job_not_found", ""},
		{"NotAUUID", "../../etc/passwd", good, "cv.pdf", pdf, true, 404, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, tc.jobID, tc.p, tc.file, tc.data, tc.consent)
			require.NoError(t, err)
			require.Equal(t, tc.status, r.Status, "%+v", r.Error)
			if tc.code != "" {
				require.Equal(t, tc.code, r.Error.Code)
				require.NotEmpty(t, r.Error.Message)
				require.Equal(t, tc.field, r.Error.Field)
			}
		})
	}
	t.Run("NotMultipart", func(t *testing.T) {
		var eb errBody
		require.Equal(t, 415, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/public/jobs/"+job.ID+"/applications", map[string]string{"name": "x"}, &eb))
		require.Equal(t, "multipart_required", eb.Error.Code)
	})
	t.Run("ChineseErrorMessages", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/v1/public/jobs/"+job.ID+"/applications", strings.NewReader("--x--"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
		resp, err := e.HTTP.Do(req)
		require.NoError(t, err)
		var eb errBody
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&eb))
		resp.Body.Close()
		require.Equal(t, 422, resp.StatusCode)
		require.Contains(t, eb.Error.Message, "请")
	})

	// Nothing was created by any refused request.
	var apps, cands, objs int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM applications WHERE org_id = $1),
		(SELECT count(*) FROM candidates WHERE org_id = $1), (SELECT count(*) FROM stored_objects WHERE org_id = $1)`, e.Org.ID).Scan(&apps, &cands, &objs))
	require.Zero(t, apps)
	require.Zero(t, cands)
	require.Zero(t, objs)
	n := 0
	for range e.Objects.Client().ListObjects(ctx, e.Objects.Bucket(), minio.ListObjectsOptions{Prefix: e.Org.ID + "/", Recursive: true}) {
		n++
	}
	require.Zero(t, n, "no objects in the bucket")
	resp, err := e.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: e.Cfg.TemporalNamespace,
		Query: `HireflowOrg = "` + e.Org.ID + `"`})
	require.NoError(t, err)
	require.Zero(t, resp.Count, "no workflows")

	t.Run("DuplicateIsConflict", func(t *testing.T) {
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, good, "cv.pdf", pdf, true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status)
		dup := good
		dup.Email = strings.ToUpper(good.Email)
		r, err = demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, dup, "cv.pdf", pdf, true)
		require.NoError(t, err)
		require.Equal(t, 409, r.Status)
		require.Equal(t, "already_applied", r.Error.Code)
	})
}

func TestLinksAndAccess(t *testing.T) {
	e := testenv.Start(t)
	for _, tc := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"Forged", "/c/" + strings.Repeat("A", 43), 401, "link_invalid"},
		{"Malformed", "/c/not-a-token", 401, "link_invalid"},
		{"Injection", "/c/%27%20OR%201=1--", 401, "link_invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(e.BaseURL + tc.path)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			require.Contains(t, string(body), `data-code="`+tc.code+`"`)
			require.Contains(t, string(body), "This link cannot be used")
		})
	}
	t.Run("ForgedJSON", func(t *testing.T) {
		var eb errBody
		require.Equal(t, 401, doJSON(t, e.HTTP, http.MethodGet, e.BaseURL+"/api/v1/candidate/"+strings.Repeat("b", 43)+"/status", nil, &eb))
		require.Equal(t, "link_invalid", eb.Error.Code)
	})
	t.Run("StaffEndpointsNeedSignIn", func(t *testing.T) {
		var eb errBody
		require.Equal(t, 401, doJSON(t, e.HTTP, http.MethodGet, e.BaseURL+"/api/v1/applications", nil, &eb))
		require.Equal(t, "unauthenticated", eb.Error.Code)
		req, _ := http.NewRequest(http.MethodGet, e.BaseURL+"/api/v1/jobs", nil)
		req.Header.Set("Authorization", "Bearer hf_forged")
		resp, err := e.HTTP.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 401, resp.StatusCode)
	})
	t.Run("WrongPassword", func(t *testing.T) {
		var eb errBody
		require.Equal(t, 401, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/auth/login",
			map[string]string{"org": e.Org.Slug, "email": e.Recruiter.Email, "password": "wrong-password"}, &eb))
		require.Equal(t, "invalid_credentials", eb.Error.Code)
	})
	t.Run("RolesFromOnePolicy", func(t *testing.T) {
		var eb errBody
		require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleAdmin), http.MethodGet, e.BaseURL+"/api/v1/applications", nil, &eb),
			"admins configure flows but do not see candidates")
		require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleInterviewer), http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{}, &eb))
		var list struct{ Applications []hireflow.Application }
		require.Equal(t, 200, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodGet, e.BaseURL+"/api/v1/applications", nil, &list))
	})
	t.Run("APITokenForIntegrations", func(t *testing.T) {
		var tok struct{ Token string }
		require.Equal(t, 201, doJSON(t, e.Client(t, hireflow.RoleIntegration), http.MethodPost, e.BaseURL+"/api/v1/api-tokens", map[string]string{"name": "ehr-sync"}, &tok))
		req, _ := http.NewRequest(http.MethodGet, e.BaseURL+"/api/v1/jobs", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := e.HTTP.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
	})
	t.Run("JobValidation", func(t *testing.T) {
		rec := e.Client(t, hireflow.RoleRecruiter)
		j := demo.BackendJob()
		base := func() map[string]any {
			return map[string]any{"title": j.Title, "requirements": j.Requirements, "dimensions": j.Dimensions, "questions": j.Questions}
		}
		for _, tc := range []struct {
			name   string
			mutate func(map[string]any)
			status int
			code   string
			field  string
			msg    string
		}{
			{"RuleSyntax", func(m map[string]any) { m["screening_rule"] = "resume.years >= \n  ? \"pass\"" }, 422, "rule_invalid", "screening_rule", "line 2"},
			{"RuleUnknownField", func(m map[string]any) { m["screening_rule"] = `resume.age < 40 ? "pass" : "reject"` }, 422, "rule_invalid", "screening_rule", "unknown field age"},
			{"RuleWrongKind", func(m map[string]any) { m["screening_rule"] = `resume.years > 2` }, 422, "rule_invalid", "screening_rule", "column"},
			{"WeightsSum", func(m map[string]any) {
				m["dimensions"] = []map[string]any{{"key": "a", "name_en": "A", "weight": 0.5}}
			}, 422, "weights_sum", "dimensions", "add up to 1"},
			{"MissingTitle", func(m map[string]any) { m["title"] = " " }, 422, "field_required", "title", "title"},
			{"TooManyPoints", func(m map[string]any) {
				qs := append([]hireflow.Question(nil), j.Questions...)
				qs[0].PointsEN = strings.Split("a b c d e f g h i j k", " ")
				m["questions"] = qs
			}, 422, "invalid_field", "questions[0].points_en", "at most 10"},
			{"BlankPoint", func(m map[string]any) {
				qs := append([]hireflow.Question(nil), j.Questions...)
				qs[1].PointsZH = []string{"说明取舍", "  "}
				m["questions"] = qs
			}, 422, "invalid_field", "questions[1].points_zh", "1-200 characters"},
			{"UnknownJSONField", func(m map[string]any) { m["salary"] = 1 }, 400, "unknown_field", "salary", "no field"},
			{"BadDuration", func(m map[string]any) { m["timings"] = map[string]string{"hold_sla": "tomorrow"} }, 400, "invalid_json", "", "duration"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := base()
				tc.mutate(m)
				var eb errBody
				require.Equal(t, tc.status, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", m, &eb))
				require.Equal(t, tc.code, eb.Error.Code)
				require.Equal(t, tc.field, eb.Error.Field)
				require.Contains(t, eb.Error.Message, tc.msg)
			})
		}
	})
	t.Run("Branding", func(t *testing.T) {
		admin := e.Client(t, hireflow.RoleAdmin)
		var eb errBody
		require.Equal(t, 422, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/branding", map[string]string{"color": "red"}, &eb))
		require.Equal(t, "color", eb.Error.Field)
		require.Equal(t, 422, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/branding",
			map[string]string{"color": "#112233", "logo_url": "javascript:alert(1)"}, &eb))
		require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPut, e.BaseURL+"/api/v1/organisation/branding",
			map[string]string{"color": "#112233"}, &eb))
		var out map[string]any
		require.Equal(t, 200, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/branding",
			map[string]string{"brand_line": "Careers with care", "color": "#112233", "logo_url": "https://cdn.example.com/logo.png"}, &out))
		job := createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
		resp, err := http.Get(e.BaseURL + "/jobs/" + job.ID + "/apply")
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Contains(t, string(page), `src="https://cdn.example.com/logo.png"`)
		require.Contains(t, string(page), "Careers with care")
		require.Contains(t, string(page), "--brand:#112233")
	})
	t.Run("HealthAndMetrics", func(t *testing.T) {
		var ready map[string]any
		require.Equal(t, 200, doJSON(t, e.HTTP, http.MethodGet, e.BaseURL+"/readyz", nil, &ready))
		require.Equal(t, true, ready["ready"])
		resp, err := http.Get(e.BaseURL + "/metrics")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, "the public API port exposes no operational data")
		resp, err = http.Get(e.MetricsURL)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Contains(t, string(body), "hireflow_http_requests_total")
		require.Contains(t, string(body), "temporal_", "the Temporal SDK's metrics are exported")
	})
}
