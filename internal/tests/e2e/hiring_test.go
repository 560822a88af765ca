package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/rules"
)

const strongAnswer = `When I was on call at my previous company, checkout latency doubled. My task was to find the root cause fast.
I took ownership: I analysed the traces, formed a hypothesis about lock contention, and I decided to run an experiment on one node.
As a result we reduced p99 latency by 60% and saved about 20 hours of engineering time per week; I followed up with a postmortem
and explained the trade-off to stakeholders and the customer support team.`

// hookSink is the HR system's webhook endpoint, checking signatures like a receiver would.
type hookSink struct {
	mu     sync.Mutex
	secret string
	events []string
	bad    int
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write([]byte(r.Header.Get("Hireflow-Timestamp") + "." + string(body)))
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get("Hireflow-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) || r.Header.Get("Hireflow-Idempotency-Key") == "" {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.events = append(h.events, r.Header.Get("Hireflow-Event")+" "+string(body))
	w.WriteHeader(http.StatusNoContent)
}

type hiringEnv struct {
	*testenv.Env
	t      *testing.T
	job    hireflow.Job
	rec    *http.Client
	mgr    *http.Client
	hook   *hookSink
	people []string // names, emails and phones to look for in histories
}

func newHiringEnv(t *testing.T) *hiringEnv { return newHiringEnvWith(t, nil) }

// newHiringEnvWith is newHiringEnv with HIREFLOW_* settings of the test's own.
func newHiringEnvWith(t *testing.T, settings map[string]string) *hiringEnv {
	e := testenv.StartWith(t, settings)
	l := &hiringEnv{Env: e, t: t, rec: e.Client(t, hireflow.RoleRecruiter), mgr: e.Client(t, hireflow.RoleHiringManager),
		hook: &hookSink{secret: "hr-system-shared-secret-0123"}}
	srv := httptest.NewServer(l.hook)
	t.Cleanup(srv.Close)
	var out map[string]any
	require.Equal(t, 200, doJSON(t, e.Client(t, hireflow.RoleIntegration), http.MethodPut, e.BaseURL+"/api/v1/webhook",
		map[string]string{"url": srv.URL + "/hooks/hireflow", "secret": l.hook.secret}, &out))
	j := demo.BackendJob()
	body := map[string]any{"title": j.Title, "requirements": j.Requirements, "dimensions": j.Dimensions,
		"questions": []map[string]any{
			{"id": "q1", "text_en": "Tell us about an incident you resolved.", "kind": "text", "dimensions": []string{"problem_solving", "ownership"},
				"points_en": []string{"found the root cause with traces", "measured the impact", "followed up with a postmortem"}},
			{"id": "q2", "text_en": "How do you explain a trade-off?", "kind": "text", "dimensions": []string{"communication"}},
		},
		"timings": map[string]string{"invite_reminder_after": "1m", "invite_expires_after": "2m", "rejection_delay": "1s", "hold_sla": "1m",
			"review_sla": "1m", "approval_sla": "1m", "offer_expires_after": "1m", "probation_length": "3s", "probation_sla": "1m"}}
	require.Equal(t, http.StatusCreated, doJSON(t, l.rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", body, &l.job))
	return l
}

// applyAndOpen applies, reads the invitation from the mail capture and returns the link's token.
func (l *hiringEnv) applyAndOpen(name, tag string) (string, string, demo.Profile) {
	p := demo.StrongBackend(name, uniqueEmail(tag))
	p.Phone = "+86 139 1234 5678"
	l.people = append(l.people, p.Name, p.Email, p.Phone)
	r, err := demo.Apply(ctx, l.HTTP, l.BaseURL, l.job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(l.t, err)
	require.Equal(l.t, 201, r.Status, "%+v", r.Error)
	link := l.WaitEmail(l.t, p.Email, "Your next step", 30*time.Second).Link(l.t)
	return r.ApplicationID, link[strings.LastIndex(link, "/")+1:], p
}

func (l *hiringEnv) answer(token, q, text string) {
	var out map[string]any
	require.Equal(l.t, 201, doJSON(l.t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+token+"/answers",
		map[string]string{"question_id": q, "text": text}, &out))
}

func (l *hiringEnv) interview(appID, token string) {
	l.answer(token, "q1", strongAnswer)
	l.answer(token, "q2", strongAnswer)
	waitStage(l.t, l.Env, appID, hireflow.StageReview, 30*time.Second)
}

func (l *hiringEnv) reviewAndOffer(appID string) string {
	var out map[string]any
	require.Equal(l.t, 200, doJSON(l.t, l.mgr, http.MethodPost, l.BaseURL+"/api/v1/applications/"+appID+"/reviews",
		map[string]any{"rating": 4.5, "decision": "advance", "note": "Clear incident story; strong ownership."}, &out), "%v", out)
	waitStage(l.t, l.Env, appID, hireflow.StageOffer, 30*time.Second)
	var offer struct {
		OfferID string `json:"offer_id"`
	}
	require.Equal(l.t, 201, doJSON(l.t, l.rec, http.MethodPost, l.BaseURL+"/api/v1/applications/"+appID+"/offers", map[string]any{
		"position": "Backend Engineer", "salary": 42000, "currency": "CNY", "band_min": 35000, "band_max": 50000, "level": 3,
		"department": "Platform", "start_date": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}, &offer))
	require.NotEmpty(l.t, offer.OfferID)
	return offer.OfferID
}

func (l *hiringEnv) approve(offerID, decision string, extra map[string]any) int {
	body := map[string]any{"decision": decision}
	for k, v := range extra {
		body[k] = v
	}
	var out map[string]any
	var status int
	testenv.Eventually(l.t, 20*time.Second, "the approval chain to wait for the hiring manager", func() bool {
		status = doJSON(l.t, l.mgr, http.MethodPost, l.BaseURL+"/api/v1/offers/"+offerID+"/decision", body, &out)
		return status != http.StatusConflict && status != http.StatusNotFound
	})
	if status != 200 {
		l.t.Logf("approval answered %d: %v", status, out)
	}
	return status
}

func (l *hiringEnv) employees(appID string) int {
	var n int
	require.NoError(l.t, l.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM employees WHERE org_id = $1 AND application_id = $2`, l.Org.ID, appID).Scan(&n))
	return n
}

func TestHiringOnTheRealStack(t *testing.T) {
	l := newHiringEnv(t)

	t.Run("FullHireThroughProbation", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Hana Hireworth", "hire")
		l.interview(appID, token)
		// The typed answer was scored against the question's reference points, and its overall
		// uses the job's weights (problem_solving 0.4, ownership 0.3).
		var raw []byte
		var scorer string
		require.NoError(t, l.Store.Pool().QueryRow(ctx, `SELECT s.report, s.scorer FROM answer_scores s JOIN answers a ON a.id = s.answer_id
			WHERE a.application_id = $1 AND a.question_id = 'q1'`, appID).Scan(&raw, &scorer))
		require.Equal(t, "content-v5", scorer)
		var rep struct {
			Method    string
			Relevance float64
			Overall   float64
			Scores    map[string]float64
		}
		require.NoError(t, json.Unmarshal(raw, &rep))
		require.Contains(t, rep.Method, "content-v5")
		require.Greater(t, rep.Relevance, 0.3, "the answer covers the reference points (it shares no word with the question)")
		require.InDelta(t, (0.4*rep.Scores["problem_solving"]+0.3*rep.Scores["ownership"])/0.7, rep.Overall, 0.1)
		e := l.WaitEmail(t, l.Users[hireflow.RoleHiringManager].Email, "Review needed", 20*time.Second)
		require.Contains(t, e.Text, "/console/applications/"+appID)
		// The email's link opens the staff page (after sign-in) with the review form.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(l.BaseURL + "/console/applications/" + appID)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		resp, err = l.mgr.Get(l.BaseURL + "/console/applications/" + appID)
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		require.Contains(t, string(page), `data-path="reviews"`)
		require.NotContains(t, string(page), `data-path="offers"`, "only recruiters draft offers")
		offerID := l.reviewAndOffer(appID)
		l.WaitEmail(t, l.Users[hireflow.RoleHiringManager].Email, "Offer approval needed", 20*time.Second)
		require.Equal(t, 200, l.approve(offerID, "approve", nil))
		offerMail := l.WaitEmail(t, p.Email, "Your offer", 30*time.Second)
		offerToken := offerMail.Link(t)[strings.LastIndex(offerMail.Link(t), "/")+1:]
		var out map[string]any
		require.Equal(t, 200, doJSON(t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+offerToken+"/offer", map[string]any{"accept": true}, &out))
		l.WaitEmail(t, p.Email, "onboarding form", 30*time.Second)
		require.Equal(t, 1, l.employees(appID), "the hire is in the employee archive")
		_, form, err := l.Store.EmployeeForm(ctx, l.Org.ID, appID)
		require.NoError(t, err)
		require.Equal(t, p.Name, form["name"], "the onboarding form is prefilled from the résumé and offer")
		require.Equal(t, "Backend Engineer", form["position"])
		testenv.Eventually(t, 20*time.Second, "the signed webhook", func() bool {
			l.hook.mu.Lock()
			defer l.hook.mu.Unlock()
			return len(l.hook.events) == 1
		})
		require.Zero(t, l.hook.bad)
		require.Contains(t, l.hook.events[0], "employee.created")
		require.NotContains(t, l.hook.events[0], p.Email, "the webhook carries IDs and the profile, not contacts")

		l.WaitEmail(t, l.Users[hireflow.RoleHiringManager].Email, "Probation evaluation due", 30*time.Second)
		require.Equal(t, 200, doJSON(t, l.mgr, http.MethodPost, l.BaseURL+"/api/v1/applications/"+appID+"/probation", map[string]any{"outcome": "pass", "rating": 4}, &out))
		waitStage(t, l.Env, appID, hireflow.StageCompleted, 20*time.Second)
		var outcome string
		var overall float64
		require.NoError(t, l.Store.Pool().QueryRow(ctx, `SELECT outcome, interview_overall FROM probation_evaluations WHERE application_id = $1`, appID).Scan(&outcome, &overall))
		require.Equal(t, "pass", outcome)
		require.Greater(t, overall, 70.0, "the outcome is stored next to the interview score")
		var events []string
		rows, err := l.Store.Pool().Query(ctx, `SELECT event_key FROM application_events WHERE application_id = $1 ORDER BY at, id`, appID)
		require.NoError(t, err)
		for rows.Next() {
			var k string
			require.NoError(t, rows.Scan(&k))
			events = append(events, k)
		}
		rows.Close()
		require.Equal(t, []string{"applied", "screened", "invited", "interview", "routed", "reviewed", "offer", "onboarded", "completed"}, events)
		// The analysts' numbers for this hire.
		hires, err := l.Store.MetricGet(ctx, l.Org.ID, "time-to-hire", store.AnalyticsFilter{})
		require.NoError(t, err)
		require.EqualValues(t, 1, hires.Rows[0][0])
		require.Greater(t, hires.Rows[0][1].(float64), 0.0)
		offers, err := l.Store.MetricGet(ctx, l.Org.ID, "offers", store.AnalyticsFilter{})
		require.NoError(t, err)
		require.Equal(t, []any{"accepted", "", int64(1), 1.0}, offers.Rows[0])
		var cal rules.Calibration
		require.Equal(t, 200, doJSON(t, l.Client(t, hireflow.RoleAnalyst), http.MethodGet, l.BaseURL+"/api/v1/analytics/calibration", nil, &cal))
		require.Equal(t, 1, cal.N, "one hire with a probation outcome")
		require.NotEmpty(t, cal.Dimensions)
		require.False(t, cal.Dimensions[0].Enough)
		require.Nil(t, cal.Proposed, "not enough data: no proposal")
	})

	t.Run("ReviewReject", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Rhys Reviewed", "review-reject")
		l.interview(appID, token)
		var eb errBody
		url := l.BaseURL + "/api/v1/applications/" + appID + "/reviews"
		require.Equal(t, 422, doJSON(t, l.mgr, http.MethodPost, url, map[string]any{"rating": 2, "decision": "reject"}, &eb))
		require.Equal(t, "reason_required", eb.Error.Code)
		require.Equal(t, 403, doJSON(t, l.Client(t, hireflow.RoleAnalyst), http.MethodPost, url, map[string]any{"rating": 2, "decision": "advance"}, &eb))
		require.Equal(t, 200, doJSON(t, l.mgr, http.MethodPost, url, map[string]any{"rating": 2, "decision": "reject", "reason_code": "experience"}, &eb))
		require.Equal(t, 409, doJSON(t, l.rec, http.MethodPost, url, map[string]any{"rating": 2, "decision": "advance"}, &eb), "review is over")
		l.WaitEmail(t, p.Email, "Your application for Backend Engineer", 30*time.Second)
		waitStage(t, l.Env, appID, hireflow.StageRejected, 10*time.Second)
		require.Zero(t, l.employees(appID))
	})

	t.Run("OfferDeclined", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Dana Declines", "decline")
		l.interview(appID, token)
		offerID := l.reviewAndOffer(appID)
		require.Equal(t, 200, l.approve(offerID, "approve", nil))
		offerMail := l.WaitEmail(t, p.Email, "Your offer", 30*time.Second)
		offerToken := offerMail.Link(t)[strings.LastIndex(offerMail.Link(t), "/")+1:]
		var out map[string]any
		require.Equal(t, 200, doJSON(t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+offerToken+"/offer", map[string]any{"accept": false, "reason_code": "other_offer"}, &out))
		l.WaitEmail(t, p.Email, "You declined the offer", 30*time.Second)
		l.WaitEmail(t, l.Recruiter.Email, "The candidate answered the offer", 30*time.Second)
		waitStage(t, l.Env, appID, hireflow.StageDeclined, 10*time.Second)
		require.Zero(t, l.employees(appID))
	})

	t.Run("ApprovalRejectedThenCancelled", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Avery Approvalless", "approval-reject")
		l.interview(appID, token)
		offerID := l.reviewAndOffer(appID)
		require.Equal(t, 422, l.approve(offerID, "reject", nil), "a rejection needs a reason")
		// The chain waits for the hiring manager: their inbox lists it, the interviewer's does not.
		home := func(hc *http.Client) string {
			resp, err := hc.Get(l.BaseURL + "/console?lang=en")
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}
		mgrHome := home(l.mgr)
		require.Contains(t, mgrHome, `id="inbox-approvals"`)
		require.Contains(t, mgrHome, `href="/console/applications/`+appID+`"`)
		require.NotContains(t, home(l.Client(t, hireflow.RoleInterviewer)), `id="inbox-approvals"`)
		var eb errBody
		require.Equal(t, 403, doJSON(t, l.Client(t, hireflow.RoleInterviewer), http.MethodPost, l.BaseURL+"/api/v1/offers/"+offerID+"/decision", map[string]any{"decision": "approve"}, &eb),
			"an interviewer is not on this chain")
		require.Equal(t, 200, l.approve(offerID, "reject", map[string]any{"reason_code": "over_budget"}))
		l.WaitEmail(t, l.Recruiter.Email, "Offer approval for Backend Engineer: rejected", 30*time.Second)
		var out map[string]any
		require.Equal(t, 202, doJSON(t, l.rec, http.MethodPost, l.BaseURL+"/api/v1/applications/"+appID+"/cancel", map[string]any{"reason_code": "position_filled"}, &out))
		l.WaitEmail(t, p.Email, "About your application", 30*time.Second)
		waitStage(t, l.Env, appID, hireflow.StageCancelled, 10*time.Second)
		require.Zero(t, l.employees(appID))
		require.Empty(t, l.Emails(t, p.Email+"x"))
	})

	t.Run("WithdrawalMidInterview", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Wren Withdraws", "withdraw-mid")
		l.answer(token, "q1", strongAnswer)
		l.answer(token, "q1", strongAnswer) // the same answer again is idempotent
		var eb errBody
		require.Equal(t, 409, doJSON(t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+token+"/answers",
			map[string]string{"question_id": "q1", "text": "a different answer, but no retakes are allowed"}, &eb))
		require.Equal(t, "no_retakes_left", eb.Error.Code)
		require.Equal(t, 422, doJSON(t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+token+"/answers",
			map[string]string{"question_id": "q9", "text": "x"}, &eb))
		require.Equal(t, "unknown_question", eb.Error.Code)
		resp, err := http.PostForm(l.BaseURL+"/c/"+token+"/withdraw", map[string][]string{"confirm": {"yes"}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		l.WaitEmail(t, p.Email, "was withdrawn", 30*time.Second)
		waitStage(t, l.Env, appID, hireflow.StageWithdrawn, 10*time.Second)
		require.Zero(t, l.employees(appID))
	})

	t.Run("DeletionRequest", func(t *testing.T) {
		appID, token, p := l.applyAndOpen("Del Eter", "deletion")
		var out map[string]any
		require.Equal(t, 202, doJSON(t, l.HTTP, http.MethodPost, l.BaseURL+"/api/v1/candidate/"+token+"/deletion", nil, &out))
		l.WaitEmail(t, p.Email, "delete your data", 30*time.Second)
		waitStage(t, l.Env, appID, hireflow.StageDeletion, 10*time.Second)
	})

	// Last, because it publishes a new version of the job's rule set: its weights rule weighs
	// the answers and the interview instead of the job's dimension weights.
	t.Run("RuleSetWeightsWeighTheScores", func(t *testing.T) {
		var list struct {
			Rulesets []struct {
				ID    string `json:"id"`
				JobID string `json:"job_id"`
			}
		}
		require.Equal(t, 200, doJSON(t, l.rec, http.MethodGet, l.BaseURL+"/api/v1/rulesets", nil, &list))
		var base string
		for _, rs := range list.Rulesets {
			if rs.JobID == l.job.ID {
				base = l.BaseURL + "/api/v1/rulesets/" + rs.ID
			}
		}
		require.NotEmpty(t, base)
		var v1 struct{ Content rules.RuleSet }
		require.Equal(t, 200, doJSON(t, l.rec, http.MethodGet, base+"/versions/1", nil, &v1))
		v1.Content.Rules[rules.RuleWeights] = `{"problem_solving": 0.9, "communication": 0.05, "ownership": 0.05}`
		var draft struct{ Version int }
		require.Equal(t, 201, doJSON(t, l.rec, http.MethodPut, base+"/draft", v1.Content, &draft))
		var pub map[string]any
		require.Equal(t, 200, doJSON(t, l.rec, http.MethodPost, base+"/publish", map[string]any{"version": draft.Version}, &pub), "%v", pub)

		appID, token, _ := l.applyAndOpen("Wanda Weights", "weights")
		l.interview(appID, token)
		var raw []byte
		require.NoError(t, l.Store.Pool().QueryRow(ctx, `SELECT s.report FROM answer_scores s JOIN answers a ON a.id = s.answer_id
			WHERE a.application_id = $1 AND a.question_id = 'q1'`, appID).Scan(&raw))
		var rep struct {
			Overall float64
			Scores  map[string]float64
		}
		require.NoError(t, json.Unmarshal(raw, &rep))
		require.InDelta(t, (0.9*rep.Scores["problem_solving"]+0.05*rep.Scores["ownership"])/0.95, rep.Overall, 0.1)
	})

	t.Run("NoPersonalDataInAnyHistory", func(t *testing.T) {
		hits, read := l.HistoryScan(t, l.people)
		require.GreaterOrEqual(t, read, 6)
		require.Empty(t, hits, "personal data found in workflow histories")
	})
}
