package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

var testTimings = Timings{
	InviteReminderAfter: 48 * time.Hour,
	InviteExpiresAfter:  7 * 24 * time.Hour,
	RejectionDelay:      24 * time.Hour,
	HoldSLA:             8 * time.Hour,
}

type wfHarness struct {
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	calls map[string][]time.Duration // activity name → offsets from start when it ran
}

func newHarness(t *testing.T, outcome hireflow.ScreenOutcome) *wfHarness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	h := &wfHarness{env: env, start: env.Now(), calls: map[string][]time.Duration{}}
	rec := func(name string) { h.calls[name] = append(h.calls[name], env.Now().Sub(h.start)) }
	env.OnActivity(a.ScreenApplication, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.AppRef) (activities.ScreenResult, error) {
			rec("screen")
			return activities.ScreenResult{Outcome: outcome, DecisionID: "d1"}, nil
		})
	env.OnActivity(a.InviteCandidate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InviteInput) (activities.InviteResult, error) {
			rec("invite")
			require.Equal(t, testTimings.InviteExpiresAfter, in.ExpiresAt.Sub(env.Now()), "the invitation is valid for the configured period from when it is sent")
			return activities.InviteResult{Sent: true}, nil
		})
	env.OnActivity(a.RemindCandidate, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.RemindInput) (bool, error) { rec("remind"); return true, nil })
	env.OnActivity(a.RejectApplication, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.AppRef) (bool, error) { rec("reject"); return true, nil })
	env.OnActivity(a.SetStage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StageInput) error { rec("stage:" + string(in.Stage)); return nil })
	env.OnActivity(a.CloseApplication, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CloseInput) error { rec("close:" + string(in.Stage)); return nil })
	env.OnActivity(a.NotifyHoldSLA, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.HoldSLAInput) (int, error) { rec("hold_sla"); return 1, nil })
	env.OnActivity(a.RecordRecruiterDecision, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.RecruiterDecisionInput) (string, error) {
			rec("decide")
			return "d2", nil
		})
	return h
}

func (h *wfHarness) run(t *testing.T) ApplicationResult {
	h.env.ExecuteWorkflow(ApplicationWorkflow, ApplicationInput{OrgID: "o", ApplicationID: "app", JobID: "j", RuleVersion: 1, Timings: testTimings})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var res ApplicationResult
	require.NoError(t, h.env.GetWorkflowResult(&res))
	return res
}

func TestApplicationPassOpenedBeforeReminder(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalInvitationOpened, OpenedSignal{})
	}, 5*time.Hour)
	res := h.run(t)
	require.Empty(t, h.calls["remind"], "no reminder once the link was opened")
	require.Equal(t, []time.Duration{5 * time.Hour}, h.calls["stage:interview"])
	require.Equal(t, []time.Duration{testTimings.InviteExpiresAfter}, h.calls["close:expired"])
	require.Equal(t, hireflow.StageExpired, res.Stage)
}

func TestApplicationReminderThenExpiry(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	res := h.run(t)
	require.Equal(t, []time.Duration{0}, h.calls["invite"])
	require.Equal(t, []time.Duration{testTimings.InviteReminderAfter}, h.calls["remind"], "reminder fires at the configured moment")
	require.Equal(t, []time.Duration{testTimings.InviteExpiresAfter}, h.calls["close:expired"], "expiry at the configured moment")
	require.Empty(t, h.calls["stage:interview"])
	require.Equal(t, hireflow.StatusExpired, res.Status)
}

func TestApplicationOpenedAfterReminder(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalInvitationOpened, OpenedSignal{})
	}, 50*time.Hour)
	h.run(t)
	require.Len(t, h.calls["remind"], 1)
	require.Equal(t, []time.Duration{50 * time.Hour}, h.calls["stage:interview"])
}

func TestApplicationRejectAfterDelay(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	res := h.run(t)
	require.Equal(t, []time.Duration{testTimings.RejectionDelay}, h.calls["reject"])
	require.Empty(t, h.calls["invite"])
	require.Equal(t, hireflow.StageRejected, res.Stage)
	require.Equal(t, hireflow.StatusRejected, res.Status)
}

func TestApplicationHoldSLAThenRecruiterPasses(t *testing.T) {
	h := newHarness(t, hireflow.ScreenHold)
	var refused, accepted error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRecruiterDecision, "u1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { refused = err },
			OnAccept:   func() { t.Fatal("a rejection without a reason must be refused") },
			OnComplete: func(any, error) {},
		}, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenReject})
	}, 9*time.Hour)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRecruiterDecision, "u2", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { t.Fatalf("valid decision refused: %v", err) },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { accepted = err },
		}, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenPass})
	}, 20*time.Hour)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalWithdraw, WithdrawSignal{Reason: "other_offer"})
	}, 30*time.Hour)
	res := h.run(t)
	require.Error(t, refused)
	require.Contains(t, refused.Error(), "reason")
	require.NoError(t, accepted)
	require.Equal(t, []time.Duration{8 * time.Hour, 16 * time.Hour}, h.calls["hold_sla"], "SLA reminders every period until decided")
	require.Equal(t, []time.Duration{20 * time.Hour}, h.calls["decide"])
	require.Equal(t, []time.Duration{20 * time.Hour}, h.calls["invite"])
	require.Equal(t, []time.Duration{30 * time.Hour}, h.calls["close:withdrawn"])
	require.Equal(t, hireflow.StatusWithdrawn, res.Status)
}

func TestApplicationHoldRecruiterRejects(t *testing.T) {
	h := newHarness(t, hireflow.ScreenHold)
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateRecruiterDecision, "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Fatalf("refused: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, RecruiterDecision{UserID: "user-1", Outcome: hireflow.ScreenReject, ReasonCode: "experience"})
	}, time.Hour)
	res := h.run(t)
	require.Equal(t, []time.Duration{time.Hour + testTimings.RejectionDelay}, h.calls["reject"])
	require.Equal(t, hireflow.StatusRejected, res.Status)
}

func TestApplicationWithdrawDuringRejectionDelay(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalWithdraw, WithdrawSignal{})
	}, time.Hour)
	res := h.run(t)
	require.Empty(t, h.calls["reject"], "no rejection email after a withdrawal")
	require.Equal(t, []time.Duration{time.Hour}, h.calls["close:withdrawn"])
	require.Equal(t, hireflow.StageWithdrawn, res.Stage)
}

func TestApplicationQueryState(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		var st State
		require.NoError(t, v.Get(&st))
		require.Equal(t, hireflow.StageInvited, st.Stage)
		require.False(t, st.Opened)
		h.env.SignalWorkflow(SignalInvitationOpened, OpenedSignal{})
	}, time.Hour)
	h.run(t)
}

func TestApplicationPipelineWithoutScreen(t *testing.T) {
	h := newHarness(t, hireflow.ScreenReject)
	h.env.ExecuteWorkflow(ApplicationWorkflow, ApplicationInput{OrgID: "o", ApplicationID: "app", Timings: testTimings,
		Stages: []string{"video_interview", "review"}})
	require.NoError(t, h.env.GetWorkflowError())
	require.Empty(t, h.calls["screen"], "no screening stage in the pipeline")
	require.Equal(t, []time.Duration{0}, h.calls["invite"])
}
