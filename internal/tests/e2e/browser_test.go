package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/workflows"
)

// browser starts headless Chromium at a phone's size with a fake camera and the given WAV as
// the microphone, as a candidate's phone would be.
func browser(t *testing.T, wav string) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	require.NoError(t, err, "chromium is required (bash deploy/local/stack.sh install)")
	// The profile is removed after the browser has gone (cleanups run last-in, first-out).
	profile, err := os.MkdirTemp("", "hireflow-chromium-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile), chromedp.WindowSize(375, 812),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-file-for-fake-audio-capture", wav)}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 10*time.Minute) // a safety net: under -race with every package running, a long flow takes minutes
	t.Cleanup(cancel3)
	return ctx
}

// shot keeps a screenshot when the test fails.
func shot(t *testing.T, ctx context.Context, name string) {
	if !t.Failed() {
		return
	}
	var buf []byte
	if chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 80)) == nil {
		dir := filepath.Join(os.TempDir(), "hireflow-screenshots")
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, name+".jpg"), buf, 0o644)
		t.Logf("screenshot: %s", filepath.Join(dir, name+".jpg"))
	}
}

// TestInterviewInTheBrowser: from the invitation email, a phone-sized Chromium opens the link,
// consents, types one answer and records another with the fake camera and a spoken answer as
// the microphone; the recording is uploaded, scored by the real worker, and the page confirms.
func TestInterviewInTheBrowser(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title,
		"requirements": j.Requirements, "dimensions": j.Dimensions, "questions": []map[string]any{
			{"id": "q1", "text_en": "Tell us about an incident you resolved.", "kind": "video", "think_seconds": 2, "max_seconds": 12, "dimensions": []string{"problem_solving", "ownership"}},
			{"id": "q2", "text_en": "How do you explain a trade-off?", "kind": "text", "dimensions": []string{"communication"}},
			{"id": "q3", "text_en": "Tell us about a customer you helped.", "kind": "video", "max_seconds": 12, "dimensions": []string{"communication"}},
		}, "timings": map[string]string{"invite_reminder_after": "5m", "invite_expires_after": "10m"}}, &job))
	p := demo.StrongBackend("Bea Browser", uniqueEmail("browser"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status)
	link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)

	dir := t.TempDir()
	wav := filepath.Join(dir, "answer.wav")
	out, err := exec.Command("flite", "-voice", "rms", "-t", "When I was on call a customer reported that checkout failed. "+
		"I took ownership, found the root cause and we reduced errors by sixty percent.", "-o", wav).CombinedOutput()
	require.NoError(t, err, "%s", out)

	bctx := browser(t, wav)
	defer shot(t, bctx, "interview")
	var status string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(`a[href*="/interview"]`),
		chromedp.Click(`a[href*="/interview"]`),
		chromedp.WaitVisible(`#consent`),
		chromedp.Click(`#consent input[name="recording"]`),
		chromedp.Click(`#consent button[type="submit"]`),
		chromedp.WaitVisible(`#questions`),
		// Device check and a practice answer that never leaves the phone.
		chromedp.Click(`#device-check`),
		chromedp.WaitVisible(`#device-status.ok`),
		chromedp.Click(`#practice-rec`),
		chromedp.Sleep(2*time.Second),
		chromedp.Click(`#practice-rec`),
		chromedp.WaitVisible(`#practice-status.ok`),
		// A typed answer and two recorded ones (the first after its think time).
		chromedp.SendKeys(`#t-q2`, "I explain the trade-off with the customer in mind: I listen, compare the options and agree on the result."),
		chromedp.Click(`section[data-id="q2"] .send`),
		chromedp.WaitVisible(`section[data-id="q2"] .status.ok`),
		chromedp.Click(`section[data-id="q1"] .rec`),
		chromedp.Sleep(8*time.Second), // 2 s to think, then ~6 s of answer
		chromedp.Click(`section[data-id="q1"] .rec`),
		chromedp.WaitVisible(`section[data-id="q1"] .status.ok`),
		chromedp.Click(`section[data-id="q3"] .rec`),
		chromedp.Sleep(6*time.Second),
		chromedp.Click(`section[data-id="q3"] .rec`),
		chromedp.WaitVisible(`section[data-id="q3"] .status.ok`),
		chromedp.WaitVisible(`#done`),
		chromedp.Text(`section[data-id="q1"] .status`, &status),
	))
	require.Contains(t, status, "Answer received")
	var practiced int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM answers WHERE application_id = $1`, r.ApplicationID).Scan(&practiced))
	require.Equal(t, 3, practiced, "three answers; the practice answer was never uploaded")
	// Every recording is ciphertext at rest.
	rows, err := e.Store.Pool().Query(ctx, `SELECT o.bucket, o.object_key FROM stored_objects o WHERE o.application_id = $1 AND o.kind = 'answer'`, r.ApplicationID)
	require.NoError(t, err)
	recordings := 0
	for rows.Next() {
		var bucket, key string
		require.NoError(t, rows.Scan(&bucket, &key))
		obj, err := e.Objects.Client().GetObject(ctx, bucket, key, minio.GetObjectOptions{})
		require.NoError(t, err)
		head := make([]byte, 4)
		_, err = io.ReadFull(obj, head)
		require.NoError(t, err)
		require.NotEqual(t, []byte{0x1a, 0x45, 0xdf, 0xa3}, head, "a raw read must not be WebM")
		recordings++
	}
	rows.Close()
	require.Equal(t, 2, recordings)

	// The recording is stored, encrypted, and scored by the real speech pipeline.
	var scorer, transcript string
	testenv.Eventually(t, 90*time.Second, "the browser recording's score", func() bool {
		err := e.Store.Pool().QueryRow(ctx, `SELECT s.scorer, s.report->>'transcript' FROM answer_scores s JOIN answers a ON a.id = s.answer_id
			WHERE a.application_id = $1 AND a.kind = 'video' AND a.question_id = 'q1'`, r.ApplicationID).Scan(&scorer, &transcript)
		return err == nil
	})
	require.Equal(t, "speech-v2", scorer)
	require.True(t, strings.Contains(transcript, "customer") || strings.Contains(transcript, "ownership"), "transcript: %q", transcript)
	waitStage(t, e, r.ApplicationID, hireflow.StageReview, 6*time.Minute) // the other answers are scored first; slow when every package runs at once under -race
	// The workflow received every answer ID, and the status page moved on.
	v, err := e.Temporal.QueryWorkflow(ctx, hireflow.WorkflowIDForApplication(r.ApplicationID), "", workflows.QueryState)
	require.NoError(t, err)
	var st workflows.State
	require.NoError(t, v.Get(&st))
	require.Equal(t, 3, st.Answers)
	require.Equal(t, 3, st.Scored)
	// The page sent pieces while recording (five seconds each), deleted once the answers were scored.
	var pieces, kept int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE deleted_at IS NULL) FROM stored_objects
		WHERE application_id = $1 AND kind = 'piece'`, r.ApplicationID).Scan(&pieces, &kept))
	require.Positive(t, pieces, "the interview page sends pieces as it records")
	require.Zero(t, kept, "scored answers keep no pieces")
	var stage string
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(link), chromedp.WaitVisible(`span.stage`),
		chromedp.AttributeValue(`span.stage`, "data-stage", &stage, nil)))
	require.Equal(t, "review", stage)

	// The staff report: scores, timed highlights, transcript with times; managers watch the
	// recording (decrypted, audited), recruiters see scores but not videos.
	mgr := e.Client(t, hireflow.RoleHiringManager)
	resp, err := mgr.Get(e.BaseURL + "/console/applications/" + r.ApplicationID + "/report")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Contains(t, string(page), `class="t" data-s=`)
	require.Contains(t, string(page), "mentions")
	require.Contains(t, string(page), `<ul class="evidence"><li><span class="t" data-s=`, "evidence carries the time it was said")
	require.Regexp(t, `base -?\d+ · competency phrases (&#43;|-)\d+ · STAR and own actions (&#43;|-)\d+`, string(page), "how each score adds up (+ escaped by the template)")
	require.Contains(t, string(page), "<video")
	page = getPage(t, mgr, e.BaseURL+"/console/applications/"+r.ApplicationID+"/report?lang=zh")
	require.Contains(t, string(page), "能力表述")
	require.Contains(t, string(page), "content-v5：在标注集的开发部分上拟合", "the method is explained in Chinese too")
	require.Len(t, regexp.MustCompile(`能力表述 (&#43;|-)\d+`).FindAllString(string(page), -1), 4, "every dimension of the three answers shows its parts, the typed answer's too")
	require.Contains(t, string(page), "提及 · ")
	page = getPage(t, rec, e.BaseURL+"/console/applications/"+r.ApplicationID+"/report")
	require.NotContains(t, string(page), "<video", "recruiters see scores, not videos")
	var answerID string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM answers WHERE application_id = $1 AND question_id = 'q1'`, r.ApplicationID).Scan(&answerID))
	resp, err = mgr.Get(e.BaseURL + "/console/answers/" + answerID + "/recording")
	require.NoError(t, err)
	video, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, []byte{0x1a, 0x45, 0xdf, 0xa3}, video[:4], "the manager gets the decrypted WebM")
	resp, err = rec.Get(e.BaseURL + "/console/answers/" + answerID + "/recording")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
}

// TestOfferAndDeletionInTheBrowser: a candidate accepts an approved offer from the status page,
// and another asks for their data to be deleted, both in a phone-sized Chromium.
func TestOfferAndDeletionInTheBrowser(t *testing.T) {
	l := newHiringEnv(t)
	appID, token, p := l.applyAndOpen("Olive Offerton", "browser-offer")
	l.interview(appID, token)
	offerID := l.reviewAndOffer(appID)
	require.Equal(t, 200, l.approve(offerID, "approve", nil))
	offerLink := l.WaitEmail(t, p.Email, "Your offer", 30*time.Second).Link(t)

	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "offer")
	var notice string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(offerLink),
		chromedp.WaitVisible(`#offer`),
		chromedp.Click(`#offer button[value="true"]`),
		chromedp.WaitVisible(`.ok[role="status"]`),
		chromedp.Text(`.ok[role="status"]`, &notice),
	))
	require.Contains(t, notice, "Welcome aboard")
	// Onboarding is immediate: PostgreSQL, like the workflow, goes straight to probation.
	waitStage(t, l.Env, appID, hireflow.StageProbation, 30*time.Second)
	require.Equal(t, 1, l.employees(appID))

	// The onboarding form: prefilled, the resident ID's check digit checked, sealed at rest.
	offerToken := offerLink[strings.LastIndex(offerLink, "/")+1:]
	var errText, okText string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+offerToken+"/onboarding"),
		chromedp.WaitVisible(`#onboarding`),
		chromedp.SetValue(`#id_type`, "cn_resident"),
		chromedp.SendKeys(`#id_number`, "110105194912310021"),
		chromedp.Submit(`#onboarding`),
		chromedp.WaitVisible(`.error[data-field="id_number"]`),
		chromedp.Text(`.error`, &errText),
		chromedp.SetValue(`#id_type`, "cn_resident"),
		chromedp.SendKeys(`#id_number`, "11010519491231002X"),
		chromedp.SendKeys(`#bank_account`, "6222020200000000006"),
		chromedp.SendKeys(`#address`, "1 Example Road, Beijing"),
		chromedp.Submit(`#onboarding`),
		chromedp.WaitVisible(`.ok[role="status"]`),
		chromedp.Text(`.ok[role="status"]`, &okText),
	))
	require.Contains(t, errText, "not valid")
	require.Contains(t, okText, "Saved")
	_, form, err := l.Store.EmployeeForm(ctx, l.Org.ID, appID)
	require.NoError(t, err)
	require.Equal(t, "11010519491231002X", form["id_number"])
	require.Equal(t, p.Name, form["name"], "prefilled from the application")
	var sealed []byte
	require.NoError(t, l.Store.Pool().QueryRow(ctx, `SELECT form_enc FROM employees WHERE application_id = $1`, appID).Scan(&sealed))
	require.NotContains(t, string(sealed), "11010519491231002X", "the form is encrypted at rest")

	appID2, token2, p2 := l.applyAndOpen("Dora Deleteme", "browser-delete")
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+token2+"?lang=zh"),
		chromedp.WaitVisible(`#delete`),
		chromedp.Click(`#delete input[name="confirm"]`),
		chromedp.Click(`#delete button[type="submit"]`),
		chromedp.WaitVisible(`.ok[role="status"]`),
		chromedp.Text(`.ok[role="status"]`, &notice),
	))
	require.Contains(t, notice, "删除")
	l.WaitEmail(t, p2.Email, "delete your data", 30*time.Second)
	waitStage(t, l.Env, appID2, hireflow.StageDeletion, 30*time.Second)

}

// getPage fetches a page that must answer 200 and returns its body.
func getPage(t *testing.T, hc *http.Client, url string) []byte {
	t.Helper()
	resp, err := hc.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, "%s: %s", url, page)
	return page
}
