package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// schedHarness runs SchedulingWorkflow in the test environment's virtual time with its
// activities mocked; calls records what happened when (offsets from the start).
type schedHarness struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	start  time.Time
	mu     sync.Mutex
	calls  map[string][]time.Duration
	offers []activities.OfferInput
	books  []activities.BookInput
	taken  bool // the next BookSlot loses the race
	none   bool // OfferSlots finds nothing
	slotAt time.Time
}

func (h *schedHarness) rec(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls[name] = append(h.calls[name], h.env.Now().Sub(h.start))
}

func newSchedHarness(t *testing.T) *schedHarness {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	h := &schedHarness{t: t, env: env, start: env.Now(), calls: map[string][]time.Duration{}}
	h.slotAt = h.start.Add(3 * day).Truncate(time.Hour)
	env.OnActivity(a.PlanInterview, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInterviewInput) (activities.InterviewPlan, error) {
			return activities.InterviewPlan{InterviewID: "iv1", Enabled: true, Pool: []string{"u1", "u2"}, Need: 1, DurationMin: 45, Offered: 3,
				HoldFor: 2 * hr, MinNotice: 12 * hr, Window: 14 * day, RescheduleNotice: 4 * hr, MaxReschedules: 1}, nil
		})
	env.OnActivity(a.OfferSlots, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OfferInput) (activities.OfferResult, error) {
			h.rec("offer")
			h.mu.Lock()
			h.offers = append(h.offers, in)
			n := len(h.offers)
			h.mu.Unlock()
			if h.none {
				return activities.OfferResult{}, nil
			}
			res := activities.OfferResult{HoldUntil: env.Now().Add(2 * hr)}
			for i := 1; i <= 3; i++ {
				st := h.slotAt.Add(time.Duration(n*10+i) * day / 10)
				res.Choices = append(res.Choices, activities.SlotChoice{Choice: i, Start: st, End: st.Add(45 * time.Minute), Interviewers: []string{"u1"}})
			}
			return res, nil
		})
	env.OnActivity(a.BookSlot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BookInput) (activities.BookResult, error) {
			h.rec("book")
			h.mu.Lock()
			defer h.mu.Unlock()
			h.books = append(h.books, in)
			if h.taken {
				h.taken = false
				return activities.BookResult{}, temporal.NewNonRetryableApplicationError("taken", activities.ErrTypeSlotTaken, nil)
			}
			st := in.Start
			if st.IsZero() {
				// the choice's time as the last offer made it
				n := len(h.offers)
				st = h.slotAt.Add(time.Duration(n*10+in.Choice) * day / 10)
			}
			return activities.BookResult{Start: st, End: st.Add(45 * time.Minute), Interviewers: []string{"u1"}}, nil
		})
	env.OnActivity(a.ReleaseSlots, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReleaseInput) error {
			h.rec("release:" + in.Kind + ":" + in.Reason)
			return nil
		})
	env.OnActivity(a.NotifyInterview, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InterviewNoticeInput) (int, error) {
			h.rec("interview:" + in.Kind)
			return 2, nil
		})
	env.OnActivity(a.NotifyCandidate, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CandidateNoticeInput) (bool, error) {
			h.rec("candidate:" + in.Kind)
			return true, nil
		})
	env.OnActivity(a.NotifyStaff, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.StaffNoticeInput) (int, error) {
			h.rec("staff:" + in.Kind)
			if in.Kind == hireflow.NoticeFeedbackRequest {
				require.Equal(t, []string{"u1"}, in.UserIDs, "the booked panel is asked for feedback")
			}
			return 1, nil
		})
	return h
}

func (h *schedHarness) update(d time.Duration, name string, arg any, wantErr string) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(name, name+d.String(), &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				if wantErr == "" {
					h.t.Errorf("%s refused at %s: %v", name, d, err)
				} else {
					require.ErrorContains(h.t, err, wantErr)
				}
			},
			OnAccept: func() {},
			OnComplete: func(_ any, err error) {
				if wantErr == "" && err != nil {
					h.t.Errorf("%s failed at %s: %v", name, d, err)
				}
				if wantErr != "" && err != nil {
					require.ErrorContains(h.t, err, wantErr)
				}
			},
		}, arg)
	}, d)
}

func (h *schedHarness) run() SchedulingResult {
	h.env.ExecuteWorkflow(SchedulingWorkflow, SchedulingInput{OrgID: "o", ApplicationID: "app", Round: 1, DurationMin: 45, Need: 1})
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res SchedulingResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

func TestSchedulingBooksRemindsAndAsksForFeedback(t *testing.T) {
	h := newSchedHarness(t)
	h.update(30*time.Minute, UpdatePickSlot, PickSlot{Choice: 9}, "not among")
	h.update(time.Hour, UpdatePickSlot, PickSlot{Choice: 2}, "")
	h.update(2*hr, UpdatePickSlot, PickSlot{Choice: 1}, "no times are on offer")
	res := h.run()
	start := h.slotAt.Add(12 * day / 10)
	require.Equal(t, InterviewHeld, res.Status)
	require.True(t, res.Start.Equal(start))
	require.Equal(t, []time.Duration{0}, h.calls["candidate:"+hireflow.NoticeScheduleChoose], "the candidate is emailed the held times")
	require.Equal(t, []time.Duration{time.Hour}, h.calls["interview:"+hireflow.NoticeInterviewBooked], "the invitation goes out at booking")
	at := start.Sub(h.start)
	require.Equal(t, []time.Duration{at - 24*hr, at - hr}, h.calls["interview:"+hireflow.NoticeInterviewSoon], "reminders 24 h and 1 h before")
	require.Equal(t, []time.Duration{at + 45*time.Minute}, h.calls["staff:"+hireflow.NoticeFeedbackRequest], "feedback requested after the interview")
	require.Empty(t, h.calls["release:hold:expired"], "a hold that was booked never expires")
}

func TestSchedulingHoldsExpireOnTheTimerThenRecruitersHear(t *testing.T) {
	h := newSchedHarness(t)
	h.update(7*hr, UpdateCancelInterview, CancelInterview{By: "recruiter"}, "")
	res := h.run()
	require.Equal(t, InterviewCancelled, res.Status)
	require.Equal(t, []time.Duration{2 * hr, 4 * hr, 6 * hr}, h.calls["release:hold:expired"], "each hold is freed by the workflow's timer")
	require.Equal(t, []time.Duration{0, 2 * hr, 4 * hr}, h.calls["offer"], "new times after each expiry")
	require.Len(t, h.offers[2].Exclude, 6, "times already offered are not offered again")
	require.Equal(t, []time.Duration{6 * hr}, h.calls["staff:"+hireflow.NoticeNoSlots], "after three lapsed offers the recruiters hear")
	require.Empty(t, h.calls["interview:"+hireflow.NoticeInterviewCanceled], "nothing was booked, so no CANCEL")
}

func TestSchedulingRescheduleAndRosterChange(t *testing.T) {
	h := newSchedHarness(t)
	h.update(time.Hour, UpdatePickSlot, PickSlot{Choice: 1}, "")
	h.update(2*hr, UpdateReschedule, RescheduleRequest{By: "candidate"}, "")
	h.update(3*hr, UpdatePickSlot, PickSlot{Choice: 3}, "")
	h.update(4*hr, UpdateReschedule, RescheduleRequest{By: "candidate"}, "as often as allowed")
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SignalRosterChanged, struct{}{}) }, 5*hr)
	h.update(6*hr, UpdatePickSlot, PickSlot{Choice: 1}, "")
	res := h.run()
	require.Equal(t, InterviewHeld, res.Status)
	require.Equal(t, []time.Duration{hr, 3 * hr, 6 * hr}, h.calls["interview:"+hireflow.NoticeInterviewBooked], "every attendee gets each updated invite")
	require.Equal(t, []time.Duration{0, 2 * hr, 5 * hr}, h.calls["offer"], "3 alternatives on reschedule and on re-plan")
	require.Equal(t, []time.Duration{5 * hr}, h.calls["release:booking:roster_changed"])
	require.Equal(t, []time.Duration{5 * hr}, h.calls["interview:"+hireflow.NoticeScheduleReplan], "everyone hears of the roster change")
	require.Len(t, h.calls["candidate:"+hireflow.NoticeScheduleChoose], 3)
}

func TestSchedulingSlotTakenOffersOthers(t *testing.T) {
	h := newSchedHarness(t)
	h.env.RegisterDelayedCallback(func() { h.mu.Lock(); h.taken = true; h.mu.Unlock() }, 30*time.Minute)
	h.update(time.Hour, UpdatePickSlot, PickSlot{Choice: 1}, "just taken")
	h.update(90*time.Minute, UpdatePickSlot, PickSlot{Choice: 2}, "")
	h.update(100*time.Minute, UpdateCancelInterview, CancelInterview{By: "candidate"}, "")
	res := h.run()
	require.Equal(t, InterviewCancelled, res.Status)
	require.Equal(t, []time.Duration{0, hr}, h.calls["offer"], "fresh times right after the lost race")
	require.Equal(t, []time.Duration{100 * time.Minute}, h.calls["interview:"+hireflow.NoticeInterviewCanceled], "the CANCEL goes to everyone booked")
}

func TestSchedulingRecruiterBooksAndTooLateToReschedule(t *testing.T) {
	h := newSchedHarness(t)
	h.none = true
	at := h.start.Add(26 * hr)
	h.update(time.Hour, UpdateBookFor, BookFor{UserID: "r1", Start: h.start.Add(-time.Hour), Interviewers: []string{"u1"}}, "in the future")
	h.update(2*hr, UpdateBookFor, BookFor{UserID: "r1", Start: at, Interviewers: []string{"u1"}}, "")
	h.update(23*hr, UpdateReschedule, RescheduleRequest{By: "candidate"}, "too close")
	res := h.run()
	require.Equal(t, InterviewHeld, res.Status)
	require.Equal(t, []time.Duration{0}, h.calls["staff:"+hireflow.NoticeNoSlots], "no times found: the recruiters hear")
	require.Equal(t, []time.Duration{2 * hr}, h.calls["book"])
	require.True(t, h.books[0].Start.Equal(at))
	require.Equal(t, []time.Duration{25 * hr}, h.calls["interview:"+hireflow.NoticeInterviewSoon], "booked 24 h ahead: only the 1 h reminder")
}

// TestLiveRoundNoShowReschedulesThenRejects: the panel marks a no-show; the stage's rule books
// the round again once, and a second no-show rejects.
func TestLiveRoundNoShowReschedulesThenRejects(t *testing.T) {
	h := newHarness(t, hireflow.ScreenPass)
	h.out.schedule = true
	var slot time.Time
	h.env.OnActivity(a.OfferSlots, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OfferInput) (activities.OfferResult, error) {
			slot = h.env.Now().Add(2 * day)
			return activities.OfferResult{HoldUntil: h.env.Now().Add(2 * hr), Choices: []activities.SlotChoice{{Choice: 1, Start: slot, End: slot.Add(time.Hour), Interviewers: []string{"u1"}}}}, nil
		})
	h.env.OnActivity(a.BookSlot, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.BookInput) (activities.BookResult, error) {
			return activities.BookResult{Start: slot, End: slot.Add(time.Hour), Interviewers: []string{"u1"}}, nil
		})
	h.env.OnActivity(a.ReleaseSlots, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(a.NotifyInterview, mock.Anything, mock.Anything).Return(1, nil)
	pick := func(d time.Duration) {
		h.at(d, func() {
			require.NoError(t, h.env.UpdateWorkflowByID(hireflow.WorkflowIDForInterview("app", 1), UpdatePickSlot, "p"+d.String(), &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Errorf("pick refused: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {}}, PickSlot{Choice: 1}))
		})
	}
	in := h.input("screen", "live_round", "review")
	noShow := FeedbackUpdate{Round: 1, InterviewerID: "u1", Role: hireflow.RoleInterviewer, NoShow: true, Recommendation: "reject"}
	pick(time.Hour)
	h.update(3*day, UpdateInterviewFeedback, noShow, "")
	pick(3*day + time.Hour)
	h.update(6*day, UpdateInterviewFeedback, noShow, "")
	res := h.run(in)
	require.Len(t, h.calls["plan-interview"], 2, "the no-show booked the round once more")
	require.Equal(t, hireflow.StageRejected, res.Stage, "the second no-show rejects")
	require.Equal(t, []time.Duration{2*day + time.Hour, 5*day + time.Hour}, h.calls["staff:"+hireflow.NoticeFeedbackRequest], "feedback asked after each interview, not before")
	require.Contains(t, h.calls, "stage:"+string(hireflow.StageLiveRound), "the live round is recorded as a stage")
}
