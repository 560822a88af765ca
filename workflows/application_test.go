package workflows

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

var testTimings = Timings{
	InviteReminderAfter: 48 * time.Hour,
	InviteExpiresAfter:  7 * 24 * time.Hour,
	RejectionDelay:      24 * time.Hour,
	HoldSLA:             8 * time.Hour,
}

var testSteps = StepTimings{
	FeedbackSLA: 24 * time.Hour, ReviewSLA: 24 * time.Hour, ApprovalSLA: 12 * time.Hour,
	OfferExpiresAfter: 5 * 24 * time.Hour, ProbationLength: 90 * 24 * time.Hour, ProbationSLA: 48 * time.Hour,
}

// fakeOutcomes lets a test choose what the mocked activities decide.
type fakeOutcomes struct {
	screen    hireflow.ScreenOutcome
	route     string
	review    string
	steps     []rules.ApprovalStep
	scoreFail bool
	noScreen  bool // the job's pipeline has no screen stage
	schedule  bool // the interviewers have rosters: live rounds are booked
}

type wfHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	mu    sync.Mutex
	calls map[string][]time.Duration // activity (or notice kind) → offsets from start
	// notices is the last candidate notice of each kind.
	notices map[string]activities.CandidateNoticeInput
	route   activities.RouteInput
	close   []activities.CloseInput
	out     *fakeOutcomes
}

func (h *wfHarness) rec(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls[name] = append(h.calls[name], h.env.Now().Sub(h.start))
}

func newHarness(t *testing.T, outcome hireflow.ScreenOutcome) *wfHarness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	env.RegisterActivityWithOptions((&activities.Activities{}).ScoreAnswer, activity.RegisterOptions{Name: activities.ScoreAnswerName})
	env.RegisterWorkflow(ApprovalWorkflow)
	env.RegisterWorkflow(SchedulingWorkflow)
	h := &wfHarness{t: t, env: env, start: env.Now(), calls: map[string][]time.Duration{}, notices: map[string]activities.CandidateNoticeInput{},
		out: &fakeOutcomes{screen: outcome, route: "advance", review: "advance", steps: []rules.ApprovalStep{{Approvers: []string{"hiring_manager"}}}}}
	env.OnActivity(a.ScreenApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ScreenInput) (activities.ScreenResult, error) {
			h.rec("screen")
			res := activities.ScreenResult{Outcome: h.out.screen, DecisionID: "d1"}
			if in.InviteOnPass && res.Outcome == hireflow.ScreenPass {
				require.Equal(t, testTimings.InviteExpiresAfter, in.ExpiresAt.Sub(env.Now()))
				h.rec("invite")
				res.Invited = true
			}
			return res, nil
		})
	env.OnActivity(a.InviteCandidate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InviteInput) (activities.InviteResult, error) {
			h.rec("invite")
			require.Equal(t, testTimings.InviteExpiresAfter, in.ExpiresAt.Sub(env.Now()), "the invitation is valid for the configured period")
			return activities.InviteResult{Sent: true}, nil
		})
	env.OnActivity(a.RejectApplication, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.AppRef) (bool, error) { h.rec("reject"); return true, nil })
	env.OnActivity(a.CloseApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CloseInput) error {
			h.rec("close:" + string(in.Stage))
			h.mu.Lock()
			h.close = append(h.close, in)
			h.mu.Unlock()
			return nil
		})
	env.OnActivity(a.RecordRecruiterDecision, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.RecruiterDecisionInput) (string, error) {
			h.rec("decide")
			return "d2", nil
		})
	env.OnActivity(activities.ScoreAnswerName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ScoreInput) (activities.ScoreResult, error) {
			h.rec("score")
			if h.out.scoreFail {
				return activities.ScoreResult{}, context.DeadlineExceeded
			}
			return activities.ScoreResult{AnswerID: in.AnswerID, Scores: map[string]float64{"problem_solving": 80, "communication": 60}, Overall: 70}, nil
		})
	env.OnActivity(a.RouteApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RouteInput) (activities.RouteResult, error) {
			h.rec("route")
			h.route = in
			return activities.RouteResult{Outcome: h.out.route, DecisionID: "r1"}, nil
		})
	env.OnActivity(a.RecordReviews, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReviewsInput) (activities.RouteResult, error) {
			h.rec("reviews")
			return activities.RouteResult{Outcome: h.out.review}, nil
		})
	env.OnActivity(a.NotifyStaff, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StaffNoticeInput) (int, error) {
			h.rec("staff:" + in.Kind)
			return 1, nil
		})
	env.OnActivity(a.NotifyCandidate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CandidateNoticeInput) (bool, error) {
			h.rec("candidate:" + in.Kind)
			h.notices[in.Kind] = in
			return true, nil
		})
	env.OnActivity(a.PlanApproval, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.PlanApprovalInput) (activities.PlanApprovalResult, error) {
			h.rec("plan")
			return activities.PlanApprovalResult{Steps: h.out.steps}, nil
		})
	env.OnActivity(a.FinishApproval, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FinishApprovalInput) (bool, error) {
			h.rec("finish:" + in.Outcome)
			return in.Outcome == "approved", nil
		})
	env.OnActivity(a.OnboardEmployee, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.OnboardInput) (activities.OnboardResult, error) {
			h.rec("onboard")
			return activities.OnboardResult{EmployeeID: "e1"}, nil
		})
	env.OnActivity(a.BeginApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.AppRef) (activities.BeginResult, error) {
			require.Equal(t, activities.ShapeWorkflowRecords, in.Shape)
			if h.out.noScreen {
				return activities.BeginResult{}, nil
			}
			h.rec("screen")
			return activities.BeginResult{Screened: true, Screen: activities.ScreenResult{Outcome: h.out.screen, DecisionID: "d1"}}, nil
		})
	// RecordStage is recorded under the names of the first shape's activities that did the same
	// (invite, reject, close:<stage>, candidate:<kind>, staff:<kind>), so that every test below
	// checks both shapes alike.
	env.OnActivity(a.RecordStage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StageInput) error {
			if d := in.Decision; d != nil {
				switch d.Kind {
				case "routing":
					h.rec("route")
					var ri struct {
						Scores    map[string]float64 `json:"scores"`
						Overall   float64            `json:"overall"`
						Flags     rules.RoutingFlags `json:"flags"`
						HumanOnly bool               `json:"human_only"`
					}
					b, _ := json.Marshal(d.Inputs)
					require.NoError(t, json.Unmarshal(b, &ri))
					h.mu.Lock()
					h.route = activities.RouteInput{Scores: ri.Scores, Overall: ri.Overall, Flags: ri.Flags, HumanOnly: ri.HumanOnly}
					h.mu.Unlock()
				case "review":
					h.rec("reviews")
				}
			}
			h.rec("stage:" + string(in.Stage))
			for _, n := range in.Candidate {
				switch n.Kind {
				case hireflow.NoticeInvitation:
					h.rec("invite")
					require.Equal(t, testTimings.InviteExpiresAfter, n.ExpiresAt.Sub(env.Now()), "the invitation is valid for the configured period")
				case hireflow.NoticeRejection:
					h.rec("reject")
				default:
					if !in.RevokeLinks {
						h.rec("candidate:" + n.Kind)
						h.mu.Lock()
						h.notices[n.Kind] = n
						h.mu.Unlock()
					}
				}
			}
			for _, n := range in.Staff {
				h.rec("staff:" + n.Kind)
			}
			if in.RevokeLinks && in.Stage != hireflow.StageRejected {
				h.rec("close:" + string(in.Stage))
				c := activities.CloseInput{AppRef: in.AppRef, Stage: in.Stage, Status: in.Status, OfferID: in.OfferID, OfferStatus: in.OfferStatus, ReasonCode: in.ReasonCode}
				if len(in.Candidate) > 0 {
					c.Notice = in.Candidate[0].Kind
				}
				h.mu.Lock()
				h.close = append(h.close, c)
				h.mu.Unlock()
			}
			return nil
		})
	// Live rounds: no rosters unless a test says otherwise (scheduling_test.go).
	env.OnActivity(a.PlanInterview, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInterviewInput) (activities.InterviewPlan, error) {
			h.rec("plan-interview")
			if h.out.schedule {
				return activities.InterviewPlan{InterviewID: "iv1", Enabled: true, Pool: []string{"u1"}, Need: 1, DurationMin: 45, Offered: 3, HoldFor: 2 * hr, MaxReschedules: 1}, nil
			}
			return activities.InterviewPlan{InterviewID: "iv1"}, nil
		})
	env.OnActivity(a.RecordProbation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ProbationInput) error {
			h.rec("probation:" + in.Outcome)
			return nil
		})
	return h
}

func (h *wfHarness) input(pipeline ...string) ApplicationInput {
	in := ApplicationInput{OrgID: "o", ApplicationID: "app", JobID: "j", RuleVersion: 1, Timings: testTimings, Steps: testSteps, Shape: activities.ShapeWorkflowRecords,
		ScoringQueue: "scoring", Weights: map[string]float64{"problem_solving": 0.5, "communication": 0.5},
		Questions: []QuestionRef{{ID: "q1", Kind: "video", Dimensions: []string{"problem_solving"}}, {ID: "q2", Kind: "text", Dimensions: []string{"communication"}}}}
	if len(pipeline) == 0 {
		pipeline = []string{"screen", "video_interview", "review", "offer", "onboard", "probation"}
	}
	for _, p := range pipeline {
		in.Pipeline = append(in.Pipeline, StageRef{Kind: p})
	}
	return in
}

func (h *wfHarness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

func (h *wfHarness) signal(d time.Duration, name string, arg any) {
	h.at(d, func() { h.env.SignalWorkflow(name, arg) })
}

func (h *wfHarness) update(d time.Duration, name string, arg any, wantErr string) {
	h.at(d, func() {
		h.env.UpdateWorkflow(name, name+d.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				if wantErr == "" {
					h.t.Errorf("%s refused at %s: %v", name, d, err)
				} else {
					require.ErrorContains(h.t, err, wantErr)
				}
			},
			OnAccept:   func() {},
			OnComplete: func(any, error) {},
		}, arg)
	})
}

func (h *wfHarness) approve(d time.Duration, offer string, dec ApprovalDecision, wantErr string) {
	h.at(d, func() {
		err := h.env.UpdateWorkflowByID("approval/"+offer, UpdateApprovalDecision, "a"+d.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				if wantErr == "" {
					h.t.Errorf("approval refused at %s: %v", d, err)
				} else {
					require.ErrorContains(h.t, err, wantErr)
				}
			},
			OnAccept: func() {}, OnComplete: func(any, error) {},
		}, dec)
		require.NoError(h.t, err)
	})
}

func (h *wfHarness) answers(at ...time.Duration) {
	for i, d := range at {
		q := []string{"q1", "q2"}[i]
		h.signal(d, SignalAnswerSubmitted, AnswerSignal{AnswerID: "ans-" + q, QuestionID: q})
	}
}

func (h *wfHarness) run(in ApplicationInput) ApplicationResult {
	if in.Rules == nil {
		// The workflow evaluates routing and review aggregation itself: pinned rules that
		// answer what the test chose (the guardrails still apply).
		in.Rules = map[string]string{rules.RuleRouting: strconv.Quote(h.out.route), rules.RuleReview: strconv.Quote(h.out.review)}
	}
	h.env.ExecuteWorkflow(ApplicationWorkflow, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res ApplicationResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// toOfferDraft answers both questions (1 h, 2 h), has the manager review with a rating (3 h)
// and a recruiter draft offer off1 (4 h).
func (h *wfHarness) toOfferDraft(rating float64) {
	h.answers(1*hr, 2*hr)
	h.update(3*hr, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: rating, Decision: "advance"}, "")
	h.update(4*hr, UpdateDraftOffer, DraftOfferUpdate{OfferID: "off1", UserID: "r1"}, "")
}

const hr = time.Hour
const day = 24 * time.Hour

func TestPipelineFullHire(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.toOfferDraft(4) // answers at 1 h and 2 h, review at 3 h, offer off1 drafted at 4 h
	h.approve(5*hr, "off1", ApprovalDecision{ApproverID: "u9", Role: hireflow.RoleAnalyst, Decision: "approve"}, "not an approver")
	h.approve(6*hr, "off1", ApprovalDecision{ApproverID: "m1", Role: hireflow.RoleHiringManager, Decision: "approve"}, "")
	h.signal(7*hr, SignalOfferResponse, OfferResponse{Accept: true})
	probationDue := 7*hr + testSteps.ProbationLength
	h.update(probationDue+hr, UpdateProbationEvaluation, ProbationUpdate{ManagerID: "m1", Role: hireflow.RoleHiringManager, Outcome: "pass", Rating: 4}, "")
	res := h.run(h.input())

	require.Equal(t, hireflow.StageCompleted, res.Stage)
	require.Equal(t, hireflow.StatusHired, res.Status)
	require.Equal(t, []time.Duration{1 * hr, 2 * hr}, h.calls["score"], "each answer is scored as soon as it arrives")
	require.Equal(t, []time.Duration{2 * hr}, h.calls["route"])
	require.InDelta(t, 70, h.route.Overall, 0.01, "weights combine the per-dimension scores")
	require.Equal(t, 80.0, h.route.Scores["problem_solving"])
	require.Equal(t, []time.Duration{3 * hr}, h.calls["reviews"])
	require.Equal(t, []time.Duration{4 * hr}, h.calls["plan"])
	require.Equal(t, []time.Duration{6 * hr}, h.calls["finish:approved"])
	require.Equal(t, []time.Duration{7 * hr}, h.calls["onboard"])
	require.Equal(t, []time.Duration{probationDue}, h.calls["staff:"+hireflow.NoticeProbationRequest], "the 90-day probation timer fires")
	require.Equal(t, []time.Duration{probationDue + hr}, h.calls["probation:pass"])
	require.Empty(t, h.calls["candidate:"+hireflow.NoticeInterviewReminder], "no reminder: the interview was done early")
	require.Empty(t, h.calls["reject"])
}

func TestPipelineInterviewReminderAndExpiry(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.answers(1 * hr) // only one of two answers
	res := h.run(h.input())
	require.Equal(t, []time.Duration{testTimings.InviteReminderAfter}, h.calls["candidate:"+hireflow.NoticeInterviewReminder])
	require.Equal(t, []time.Duration{testTimings.InviteExpiresAfter}, h.calls["close:expired"])
	require.Empty(t, h.calls["route"])
	require.Equal(t, hireflow.StatusExpired, res.Status)
}

func TestPipelineScoringFailureGoesToPerson(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.out.scoreFail, h.out.route = true, "hold"
	h.answers(1*hr, 2*hr)
	h.update(3*hr, UpdateRecruiterDecision, RecruiterDecision{UserID: "r1", Outcome: hireflow.ScreenReject, ReasonCode: "skills"}, "")
	res := h.run(h.input("screen", "video_interview", "review"))
	require.True(t, h.route.Flags.ScoringFailed, "a failed scoring is a flag for a person, not a reject")
	require.Equal(t, []time.Duration{3*hr + testTimings.RejectionDelay}, h.calls["reject"], "the person rejected; the email waits for the delay")
	require.Equal(t, hireflow.StatusRejected, res.Status)
}

func TestPipelineReviewSLAAndReject(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.out.review = "reject"
	h.answers(1*hr, 2*hr)
	h.update(2*hr+30*time.Minute, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 2, Decision: "reject"}, "reason code")
	h.update(2*hr+40*time.Minute, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleAnalyst, Rating: 2, Decision: "advance"}, "role")
	h.update(2*hr+50*time.Minute, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 9, Decision: "advance"}, "rating")
	h.update(2*hr+2*day+hr, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 2, Decision: "reject", ReasonCode: "skills"}, "")
	res := h.run(h.input())
	require.Equal(t, []time.Duration{2*hr + day}, h.calls["staff:"+hireflow.NoticeReviewReminder], "review reminder after one SLA")
	require.Equal(t, []time.Duration{2*hr + 2*day}, h.calls["staff:"+hireflow.NoticeEscalation], "escalation after the second")
	require.Equal(t, []time.Duration{2*hr + 2*day + hr + testTimings.RejectionDelay}, h.calls["reject"])
	require.Equal(t, hireflow.StatusRejected, res.Status)
}

func TestPipelineOfferDeclined(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.toOfferDraft(5) // answers at 1 h and 2 h, review at 3 h, offer off1 drafted at 4 h
	h.approve(5*hr, "off1", ApprovalDecision{ApproverID: "m1", Role: hireflow.RoleHiringManager, Decision: "approve"}, "")
	h.signal(6*hr, SignalOfferResponse, OfferResponse{Accept: false, ReasonCode: "other_offer"})
	res := h.run(h.input())
	require.Equal(t, hireflow.StageDeclined, res.Stage)
	require.Equal(t, hireflow.NoticeOfferDeclined, h.close[0].Notice)
	require.Equal(t, "declined", h.close[0].OfferStatus)
	require.Empty(t, h.calls["onboard"], "no employee without a hire")
}

func TestPipelineOfferExpires(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.toOfferDraft(5) // answers at 1 h and 2 h, review at 3 h, offer off1 drafted at 4 h
	h.approve(5*hr, "off1", ApprovalDecision{ApproverID: "m1", Role: hireflow.RoleHiringManager, Decision: "approve"}, "")
	res := h.run(h.input())
	require.Equal(t, []time.Duration{5*hr + testSteps.OfferExpiresAfter}, h.calls["close:expired"])
	require.Equal(t, hireflow.StatusExpired, res.Status)
}

func TestApprovalChainParallelDelegateRejectThenTimeout(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.out.steps = []rules.ApprovalStep{{Approvers: []string{"hiring_manager"}}, {Approvers: []string{"admin", "recruiter"}, Parallel: true}}
	h.answers(1*hr, 2*hr)
	h.update(3*hr, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 5, Decision: "advance"}, "")
	// First offer: step 1 approved, step 2 one approver delegates, the delegate rejects.
	h.update(4*hr, UpdateDraftOffer, DraftOfferUpdate{OfferID: "off1", UserID: "r1"}, "")
	h.approve(5*hr, "off1", ApprovalDecision{ApproverID: "m1", Role: hireflow.RoleHiringManager, Decision: "approve"}, "")
	h.approve(6*hr, "off1", ApprovalDecision{ApproverID: "d1", Role: hireflow.RoleAdmin, Decision: "delegate", DelegateTo: "u-deleg"}, "")
	h.approve(7*hr, "off1", ApprovalDecision{ApproverID: "u-deleg", Role: hireflow.RoleAnalyst, Decision: "reject"}, "reason")
	h.approve(8*hr, "off1", ApprovalDecision{ApproverID: "u-deleg", Role: hireflow.RoleAnalyst, Decision: "reject", ReasonCode: "over_budget"}, "")
	// Second offer: nobody acts; reminders, escalation, then the explicit timeout outcome.
	h.update(9*hr, UpdateDraftOffer, DraftOfferUpdate{OfferID: "off2", UserID: "r1"}, "")
	h.signal(9*hr+5*day, SignalCancel, CancelSignal{UserID: "r1", ReasonCode: "position_filled"})
	res := h.run(h.input())
	require.Equal(t, []time.Duration{8 * hr}, h.calls["finish:rejected"])
	require.Equal(t, []time.Duration{9*hr + 3*testSteps.ApprovalSLA}, h.calls["finish:timed_out"], "timeout after the reminder and the escalation")
	require.Equal(t, []time.Duration{9*hr + testSteps.ApprovalSLA}, h.calls["staff:"+hireflow.NoticeApprovalReminder])
	require.Equal(t, hireflow.StageCancelled, res.Stage, "the recruiter cancelled while waiting for a third draft")
	require.Equal(t, hireflow.NoticeCancellation, h.close[len(h.close)-1].Notice)
}

func TestPipelineWithdrawMidInterview(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.answers(1 * hr)
	h.signal(3*hr, SignalWithdraw, WithdrawSignal{Reason: "candidate"})
	res := h.run(h.input())
	require.Equal(t, []time.Duration{3 * hr}, h.calls["close:withdrawn"])
	require.Equal(t, hireflow.NoticeWithdrawal, h.close[0].Notice)
	require.Equal(t, hireflow.StatusWithdrawn, res.Status)
	require.Empty(t, h.calls["route"])
}

func TestPipelineDeletionRequestDuringReview(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.answers(1*hr, 2*hr)
	h.signal(5*hr, SignalDeletionRequest, DeletionSignal{})
	res := h.run(h.input())
	require.Equal(t, hireflow.StageDeletion, res.Stage)
	require.Equal(t, hireflow.NoticeDeletionRequest, h.close[0].Notice)
}

func TestPipelineLiveRoundsFeedback(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	in := h.input("screen", "live_round", "review")
	in.Pipeline[1].Params = map[string]string{"interviewers": "2"}
	fb := func(id string, r int) FeedbackUpdate {
		return FeedbackUpdate{Round: 1, InterviewerID: id, Role: hireflow.RoleInterviewer, Ratings: map[string]int{"problem_solving": r, "communication": r}, Recommendation: "advance"}
	}
	h.update(1*hr, UpdateInterviewFeedback, FeedbackUpdate{Round: 2, InterviewerID: "i1", Role: hireflow.RoleInterviewer, Ratings: map[string]int{"problem_solving": 3}, Recommendation: "advance"}, "not waiting")
	h.update(2*hr, UpdateInterviewFeedback, FeedbackUpdate{Round: 1, InterviewerID: "i1", Role: hireflow.RoleInterviewer, Ratings: map[string]int{"charisma": 3}, Recommendation: "advance"}, "unknown dimension")
	h.update(2*hr+30*time.Minute, UpdateInterviewFeedback, FeedbackUpdate{Round: 1, InterviewerID: "i1", Role: hireflow.RoleInterviewer, NoShow: true,
		Ratings: map[string]int{"problem_solving": 3}, Recommendation: "reject"}, "without ratings")
	h.update(2*hr+40*time.Minute, UpdateInterviewFeedback, FeedbackUpdate{Round: 1, InterviewerID: "i1", Role: hireflow.RoleInterviewer,
		Recommendation: "advance"}, "ratings are required")
	h.update(3*hr, UpdateInterviewFeedback, fb("i1", 5), "")
	h.update(4*hr, UpdateInterviewFeedback, fb("i1", 5), "already")
	h.update(day+2*day+hr, UpdateInterviewFeedback, fb("i2", 3), "")
	h.update(3*day+2*hr, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 4, Decision: "advance"}, "")
	res := h.run(in)
	require.Equal(t, []time.Duration{day}, h.calls["staff:"+hireflow.NoticeFeedbackReminder], "feedback SLA reminder")
	require.Equal(t, []time.Duration{2 * day}, h.calls["staff:"+hireflow.NoticeEscalation], "then escalation")
	require.Equal(t, 75.0, h.route.Scores["problem_solving"], "ratings 5 and 3 → 100 and 50")
	require.Equal(t, hireflow.StageCompleted, res.Stage)
}

func TestHumanOnlyReachesRouting(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.signal(30*time.Minute, SignalHumanOnly, HumanOnlySignal{})
	h.answers(1*hr, 2*hr)
	h.signal(3*hr, SignalWithdraw, WithdrawSignal{})
	h.run(h.input())
	require.True(t, h.route.HumanOnly)
}

func TestScreeningHoldThenRecruiterPasses(t *testing.T) {
	h := newHarness(t, hireflow.ScreenHold)
	h.update(9*hr, UpdateRecruiterDecision, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenReject}, "reason")
	h.update(20*hr, UpdateRecruiterDecision, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenPass}, "")
	h.update(21*hr, UpdateRecruiterDecision, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenPass}, "not waiting")
	h.signal(30*hr, SignalWithdraw, WithdrawSignal{Reason: "other_offer"})
	res := h.run(h.input())
	require.Equal(t, []time.Duration{8 * hr, 16 * hr}, h.calls["staff:"+hireflow.NoticeHoldSLA], "SLA reminders every period until decided")
	require.Equal(t, []time.Duration{20 * hr}, h.calls["decide"])
	require.Equal(t, []time.Duration{20 * hr}, h.calls["invite"])
	require.Equal(t, hireflow.StatusWithdrawn, res.Status)
}

func TestScreeningRejectAfterDelay(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	res := h.run(h.input())
	require.Equal(t, []time.Duration{testTimings.RejectionDelay}, h.calls["reject"])
	require.Empty(t, h.calls["invite"])
	require.Equal(t, hireflow.StatusRejected, res.Status)
}

func TestWithdrawDuringRejectionDelay(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	h.signal(hr, SignalWithdraw, WithdrawSignal{})
	res := h.run(h.input())
	require.Empty(t, h.calls["reject"], "no rejection email after a withdrawal")
	require.Equal(t, []time.Duration{hr}, h.calls["close:withdrawn"])
	require.Equal(t, hireflow.StageWithdrawn, res.Stage)
}

// TestDecisionRecordedWhenItsStageNeverComes: the review's decision waits for the offer
// stage to be recorded with it; a pipeline whose offer stage is skipped ends in probation
// without recording a stage, and the decision is still recorded before the workflow ends.
func TestDecisionRecordedWhenItsStageNeverComes(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.answers(1*hr, 2*hr)
	h.update(3*hr, UpdateReview, ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 4, Decision: "advance"}, "")
	h.update(3*hr+testSteps.ProbationLength+hr, UpdateProbationEvaluation, ProbationUpdate{ManagerID: "m1", Role: hireflow.RoleHiringManager, Outcome: "pass", Rating: 4}, "")
	in := h.input("screen", "video_interview", "review", "offer", "probation")
	in.Pipeline[3].When = "false"
	res := h.run(in)
	require.Empty(t, h.calls["plan"], "no offer, no approval chain")
	require.Len(t, h.calls["reviews"], 1, "the review decision is recorded once")
	require.Equal(t, hireflow.StageCompleted, res.Stage)
}

func TestPipelineWithoutScreen(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	h.signal(hr, SignalWithdraw, WithdrawSignal{})
	in := h.input("video_interview", "review")
	in.Stages = []string{"video_interview", "review"}
	h.out.noScreen = true
	h.run(in)
	require.Empty(t, h.calls["screen"], "no screening stage in the pipeline")
	require.Equal(t, []time.Duration{0}, h.calls["invite"])
}

func TestQueryState(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.answers(1 * hr)
	h.at(90*time.Minute, func() {
		v, err := h.env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		var st State
		require.NoError(t, v.Get(&st))
		require.Equal(t, hireflow.StageInterview, st.Stage, "the first answer starts the interview stage")
		require.Equal(t, 1, st.Answers)
		require.Equal(t, 1, st.Scored)
		h.env.SignalWorkflow(SignalWithdraw, WithdrawSignal{})
	})
	h.run(h.input())
}

// Opening the link starts the interview stage in the workflow, which records it; a second
// opening, or one after the first answer, records nothing.
func TestInvitationOpenedStartsTheInterview(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.signal(10*time.Minute, SignalInvitationOpened, InvitationOpenedSignal{})
	h.signal(20*time.Minute, SignalInvitationOpened, InvitationOpenedSignal{})
	h.at(30*time.Minute, func() {
		v, err := h.env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		var st State
		require.NoError(t, v.Get(&st))
		require.Equal(t, hireflow.StageInterview, st.Stage)
		require.Equal(t, 0, st.Answers)
		h.env.SignalWorkflow(SignalWithdraw, WithdrawSignal{})
	})
	h.run(h.input())
	require.Equal(t, []time.Duration{10 * time.Minute}, h.calls["stage:interview"])
	require.Empty(t, h.calls["candidate:"+hireflow.NoticeInterviewReminder], "opening the link is not answering: no change to the reminder")
}

// The consent confirmation and a renewed link are the workflow's emails, sent when the API
// reports the candidate's action.
func TestConsentAndLinkRenewalSendNotices(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.signal(10*time.Minute, SignalConsentGiven, ConsentSignal{NoticeVersion: "2026-11"})
	h.signal(20*time.Minute, SignalLinkRenewal, LinkRenewalSignal{Bucket: "42", TTL: 336 * hr})
	h.signal(30*time.Minute, SignalWithdraw, WithdrawSignal{})
	h.run(h.input())
	require.Equal(t, []time.Duration{10 * time.Minute}, h.calls["candidate:"+hireflow.NoticeConsent])
	require.Equal(t, []time.Duration{20 * time.Minute}, h.calls["candidate:"+hireflow.NoticeNewLink])
	renewal := h.notices[hireflow.NoticeNewLink]
	require.True(t, renewal.WithLink && renewal.RevokeOld)
	require.Equal(t, "42", renewal.Key)
	require.Equal(t, 336*hr, renewal.LinkTTL)
}

func TestWithdrawalAtEachStage(t *testing.T) {
	review := ReviewUpdate{ReviewerID: "m1", Role: hireflow.RoleHiringManager, Rating: 4, Decision: "advance"}
	drafted := func(h *wfHarness) {
		h.answers(1*hr, 90*time.Minute)
		h.update(2*hr, UpdateReview, review, "")
		h.update(3*hr, UpdateDraftOffer, DraftOfferUpdate{OfferID: "off1", UserID: "r1"}, "")
	}
	approved := func(h *wfHarness) {
		drafted(h)
		h.approve(3*hr+30*time.Minute, "off1", ApprovalDecision{ApproverID: "m1", Role: hireflow.RoleHiringManager, Decision: "approve"}, "")
	}
	for _, tc := range []struct {
		name  string
		setup func(h *wfHarness)
		at    time.Duration
		offer bool
	}{
		{"ScreeningHold", func(h *wfHarness) { h.out.screen = hireflow.ScreenHold }, 2 * hr, false},
		{"Invited", func(h *wfHarness) {}, 2 * hr, false},
		{"Interview", func(h *wfHarness) { h.answers(1 * hr) }, 2 * hr, false},
		{"RoutingHold", func(h *wfHarness) { h.out.route = "hold"; h.answers(1*hr, 90*time.Minute) }, 3 * hr, false},
		{"Review", func(h *wfHarness) { h.answers(1*hr, 90*time.Minute) }, 3 * hr, false},
		{"OfferApproval", func(h *wfHarness) { drafted(h) }, 4 * hr, true},
		{"OfferResponse", func(h *wfHarness) { approved(h) }, 5 * hr, true},
		{"Probation", func(h *wfHarness) {
			approved(h)
			h.signal(4*hr, SignalOfferResponse, OfferResponse{Accept: true})
		}, 10 * day, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, hireflow.ScreenPass)
			tc.setup(h)
			h.signal(tc.at, SignalWithdraw, WithdrawSignal{Reason: "candidate"})
			res := h.run(h.input())
			require.Equal(t, hireflow.StatusWithdrawn, res.Status)
			require.Equal(t, []time.Duration{tc.at}, h.calls["close:withdrawn"], "closed when the candidate withdrew")
			last := h.close[len(h.close)-1]
			require.Equal(t, hireflow.NoticeWithdrawal, last.Notice, "the candidate gets a confirmation")
			if tc.offer {
				require.Equal(t, "withdrawn", last.OfferStatus, "an open offer is withdrawn too")
			}
		})
	}
}
