package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/workflows"
)

// applyToRecordedJob creates a job with the questions and applies to it as a strong candidate.
func applyToRecordedJob(t *testing.T, e *testenv.Env, name, tag string, questions []map[string]any) (demo.ApplyResponse, demo.Profile) {
	t.Helper()
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, e.Client(t, hireflow.RoleRecruiter), http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title,
		"requirements": j.Requirements, "dimensions": j.Dimensions, "questions": questions,
		"timings": map[string]string{"invite_reminder_after": "5m", "invite_expires_after": "10m"}}, &job))
	p := demo.StrongBackend(name, uniqueEmail(tag))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status)
	return r, p
}

// spokenWebM is the script spoken by flite and encoded as WebM/Opus, like a browser's recording.
func spokenWebM(t *testing.T, script string) []byte {
	t.Helper()
	dir := t.TempDir()
	wav, webm := filepath.Join(dir, "a.wav"), filepath.Join(dir, "a.webm")
	out, err := exec.Command("flite", "-voice", "rms", "-t", script, "-o", wav).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libopus", webm).CombinedOutput()
	require.NoError(t, err, "%s", out)
	b, err := os.ReadFile(webm)
	require.NoError(t, err)
	return b
}

// TestRecordedAnswersThroughTheScoringWorker stores recorded answers as the upload endpoint
// will (an encrypted object and an answer row), signals the workflow, and checks what the real
// scoring worker (ffmpeg + pocketsphinx + content scorer) made of them.
func TestRecordedAnswersThroughTheScoringWorker(t *testing.T) {
	e := testenv.Start(t)
	r, p := applyToRecordedJob(t, e, "Vera Voice", "voice", []map[string]any{
		{"id": "q1", "text_en": "An incident you resolved?", "kind": "video", "max_seconds": 60, "dimensions": []string{"problem_solving", "ownership"}},
		{"id": "q2", "text_en": "A trade-off you explained?", "kind": "video", "max_seconds": 3, "dimensions": []string{"communication"}},
		{"id": "q3", "text_en": "A customer you helped?", "kind": "video", "max_seconds": 60, "dimensions": []string{"communication"}},
	})
	waitStage(t, e, r.ApplicationID, hireflow.StageInvited, 30*time.Second)

	good := spokenWebM(t, "When I was on call a customer reported that checkout failed. "+
		"I took ownership, analysed the logs, found the root cause and we reduced errors by sixty percent.")

	submit := func(q string, data []byte) string {
		key := e.Org.ID + "/applications/" + r.ApplicationID + "/answers/" + q
		obj, err := e.Objects.Prepare(e.Org.ID, r.ApplicationID, "answer", key, "video/webm", data)
		require.NoError(t, err)
		require.NoError(t, e.Objects.Upload(ctx, obj))
		objID, err := e.Store.ObjectRecord(ctx, obj.Row)
		require.NoError(t, err)
		id, _, err := e.Store.AnswerCreate(ctx, e.Org.ID, r.ApplicationID, q, "video", "en", "", objID, "video:"+key)
		require.NoError(t, err)
		require.NoError(t, e.Temporal.SignalWorkflow(ctx, hireflow.WorkflowIDForApplication(r.ApplicationID), "",
			workflows.SignalAnswerSubmitted, workflows.AnswerSignal{AnswerID: id, QuestionID: q}))
		return id
	}
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
	token := link[strings.LastIndex(link, "/")+1:]
	upload := func(q string, data []byte) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/answers/"+q+"/recording", bytes.NewReader(data))
		req.Header.Set("Content-Type", "video/webm")
		resp, err := e.HTTP.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	// Recording needs consent first; the interview page shows the consent step and the questions.
	status, res := upload("q1", good)
	require.Equal(t, 403, status)
	require.Equal(t, "consent_required", res["error"].(map[string]any)["code"])
	resp, err := e.HTTP.Get(e.BaseURL + "/c/" + token + "/interview")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, string(page), `id="consent"`)
	require.Contains(t, string(page), `data-id="q1" data-kind="video"`)
	var consent map[string]any
	require.Equal(t, 422, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/consent", map[string]any{"recording": false, "notice_version": "2026-11"}, &consent))
	require.Equal(t, 200, doJSON(t, e.HTTP, http.MethodPost, e.BaseURL+"/api/v1/candidate/"+token+"/consent", map[string]any{"recording": true, "notice_version": "2026-11"}, &consent))

	// Hostile and broken uploads get coded errors and store nothing.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
	for _, tc := range []struct {
		name   string
		q      string
		data   []byte
		status int
		code   string
	}{
		{"NotAVideo", "q1", png, 415, "unsupported_media_type"},
		{"Empty", "q1", nil, 422, "file_empty"},
		{"Truncated", "q1", good[:len(good)/40], 422, "recording_unreadable"},
		{"TooLong", "q2", good, 422, "recording_too_long"},
		{"TextQuestion", "nope", good, 422, "unknown_question"},
	} {
		status, res := upload(tc.q, tc.data) //nolint:govet // shadows on purpose
		require.Equal(t, tc.status, status, "%s: %v", tc.name, res)
		require.Equal(t, tc.code, res["error"].(map[string]any)["code"], tc.name)
	}
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM answers WHERE application_id = $1`, r.ApplicationID).Scan(&n))
	require.Zero(t, n, "refused uploads leave no answers")

	status, res = upload("q1", good)
	require.Equal(t, 201, status, "%v", res)
	goodID := res["answer_id"].(string)
	status, again := upload("q1", good)
	require.Equal(t, 201, status)
	require.Equal(t, goodID, again["answer_id"], "the same recording again is the same answer")
	o, err := e.Store.StoredObjectGet(ctx, e.Org.ID, func() string {
		var id string
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT object_id FROM answers WHERE id = $1`, goodID).Scan(&id))
		return id
	}())
	require.NoError(t, err)
	rawObj, err := e.Objects.Client().GetObject(ctx, o.Bucket, o.Key, minio.GetObjectOptions{})
	require.NoError(t, err)
	stored, err := io.ReadAll(rawObj)
	require.NoError(t, err)
	require.False(t, bytes.Contains(stored, good[:64]), "the stored recording is ciphertext")
	// A recording that passed the upload checks but cannot be decoded by the worker.
	submit("q2", append([]byte("\x1a\x45\xdf\xa3"), []byte(strings.Repeat("broken ", 50))...))
	// A silent recording: scored, and flagged for a person.
	silent := filepath.Join(t.TempDir(), "silent.webm")
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono",
		"-t", "8", "-c:a", "libopus", silent).CombinedOutput()
	require.NoError(t, err, "%s", out)
	silentData, err := os.ReadFile(silent)
	require.NoError(t, err)
	silentID := submit("q3", silentData)

	var report struct {
		Transcript string
		Words      []struct {
			W       string
			S, E, C float64
		}
		Highlights []string
		Features   struct {
			MeanConfidence float64 `json:"mean_confidence"`
			WordsPerMinute float64 `json:"words_per_minute"`
		}
		Flags struct {
			LowConfidence bool `json:"low_confidence"`
			TooShort      bool `json:"too_short"`
		}
		Limits  string
		Content struct {
			Scores   map[string]float64
			Evidence []struct {
				Dim, Kind, Phrase string
				At                float64
			}
			Parts map[string]struct{ Competency, STAR float64 }
		}
	}
	var scorer string
	testenv.Eventually(t, 90*time.Second, "the recorded answer's score", func() bool {
		var raw []byte
		err := e.Store.Pool().QueryRow(ctx, `SELECT report, scorer FROM answer_scores WHERE answer_id = $1`, goodID).Scan(&raw, &scorer)
		if err != nil {
			return false
		}
		require.NoError(t, json.Unmarshal(raw, &report))
		return true
	})
	require.Equal(t, "speech-v2", scorer)
	dims := map[string]bool{}
	for _, ev := range report.Content.Evidence {
		require.GreaterOrEqual(t, ev.At, 0.0, "every piece of evidence has the time it was said")
		require.LessOrEqual(t, ev.At, report.Words[len(report.Words)-1].E)
		if ev.Kind == "competency" {
			dims[ev.Dim] = true
		}
	}
	require.NotEmpty(t, dims, "competency phrases are found in the transcript")
	for d := range dims {
		require.Contains(t, report.Content.Scores, d)
		require.Positive(t, report.Content.Parts[d].Competency)
	}
	require.Contains(t, report.Transcript, "customer")
	require.NotEmpty(t, report.Words)
	require.Regexp(t, `^\d\d:\d\d — mentions`, report.Highlights[0], "highlights carry the time they were said")
	require.Greater(t, report.Features.MeanConfidence, 0.6)
	require.False(t, report.Flags.LowConfidence)
	require.Contains(t, report.Limits, "visual")

	var silentFlags map[string]bool
	testenv.Eventually(t, 90*time.Second, "the silent answer's flags", func() bool {
		var raw []byte
		if e.Store.Pool().QueryRow(ctx, `SELECT flags FROM answer_scores WHERE answer_id = $1`, silentID).Scan(&raw) != nil {
			return false
		}
		require.NoError(t, json.Unmarshal(raw, &silentFlags))
		return true
	})
	require.True(t, silentFlags["mostly_silence"], "%v", silentFlags)
	require.True(t, silentFlags["too_short"], "%v", silentFlags)

	// The corrupt recording fails without retries and sends the application to a person.
	waitStage(t, e, r.ApplicationID, hireflow.StageHold, 60*time.Second)
	ds, err := e.Store.DecisionList(ctx, e.Org.ID, r.ApplicationID)
	require.NoError(t, err)
	routing := ds[len(ds)-1]
	require.Equal(t, "routing", routing.Kind)
	require.Equal(t, "hold", routing.Outcome)
	flags, _ := json.Marshal(routing.Inputs["flags"])
	require.Contains(t, string(flags), `"scoring_failed":true`)
	v, err := e.Temporal.QueryWorkflow(ctx, hireflow.WorkflowIDForApplication(r.ApplicationID), "", workflows.QueryState)
	require.NoError(t, err)
	var st workflows.State
	require.NoError(t, v.Get(&st))
	require.Contains(t, st.Flags, "scoring_failed")
}
