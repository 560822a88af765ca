package workflows

import (
	"errors"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// Names of SchedulingWorkflow's messages.
const (
	UpdatePickSlot        = "pick-slot"
	UpdateBookFor         = "book-for-candidate"
	UpdateReschedule      = "reschedule"
	UpdateCancelInterview = "cancel-interview"
	SignalPreferences     = "preferences"
	SignalRosterChanged   = "roster-changed"
	QueryInterview        = "interview"
)

// Results of a live round's scheduling.
const (
	InterviewUnscheduled = "unscheduled" // no rosters: people arrange the round
	InterviewHeld        = "held"        // the interview's time came and went
	InterviewCancelled   = "cancelled"
)

// SchedulingInput starts SchedulingWorkflow: IDs, counts and the round's length only.
type SchedulingInput struct {
	OrgID         string
	ApplicationID string
	Round         int
	DurationMin   int
	Need          int
	Required      []string `json:",omitempty"`
}

// SchedulingResult is how the round's scheduling ended.
type SchedulingResult struct {
	Status       string
	Start, End   time.Time
	Interviewers []string
}

// SchedulingState is what the query answers (times and staff IDs only).
type SchedulingState struct {
	Phase       string // planning | offering | waiting | booked | done | cancelled | unscheduled
	Choices     []activities.SlotChoice
	HoldUntil   time.Time
	Booking     *activities.BookResult
	Reschedules int
}

// PickSlot is the candidate's choice among the held times.
type PickSlot struct {
	Choice int
}

// BookFor is a recruiter booking a time for the candidate.
type BookFor struct {
	UserID       string
	Start        time.Time
	Interviewers []string
}

// RescheduleRequest asks for new times; the reason stays in the database (interviews.note).
type RescheduleRequest struct {
	By string // candidate | interviewer | hiring_manager | recruiter
}

// CancelInterview cancels the interview.
type CancelInterview struct {
	By string
}

type pickRequest struct {
	choice int
	direct *BookFor
	done   bool
	res    activities.BookResult
	err    error
}

type schedulingRun struct {
	ctx       workflow.Context
	in        SchedulingInput
	ref       activities.InterviewRef
	plan      activities.InterviewPlan
	st        SchedulingState
	exclude   []time.Time
	pick      *pickRequest
	resched   bool
	cancel    string
	roster    bool
	prefs     bool
	offers    int
	noSlotKey int
}

// SchedulingWorkflow books a live round against the interviewers' rosters: it holds the
// panel's best times, emails the candidate a link to choose one, books it (PostgreSQL decides
// races), sends the iCalendar invitations, reminds everyone 24 h and 1 h before, asks the panel
// for feedback after the interview, and reschedules, re-plans after a roster change and
// cancels on request. Holds expire on the workflow's own timer.
func SchedulingWorkflow(ctx workflow.Context, in SchedulingInput) (SchedulingResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	w := &schedulingRun{ctx: ctx, in: in, st: SchedulingState{Phase: "planning"}}
	w.ref = activities.InterviewRef{AppRef: activities.AppRef{OrgID: in.OrgID, ApplicationID: in.ApplicationID, Shape: activities.ShapeWorkflowRecords}}
	if err := workflow.SetQueryHandler(ctx, QueryInterview, func() (SchedulingState, error) { return w.st, nil }); err != nil {
		return SchedulingResult{}, err
	}
	if err := w.handlers(); err != nil {
		return SchedulingResult{}, err
	}
	res, err := w.run()
	if err != nil && temporal.IsCanceledError(err) {
		// The application ended (withdrawal, cancellation): free the time and tell the panel.
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		w.ctx = dctx
		w.cancel = "application"
		if cerr := w.cancelInterview(); cerr != nil {
			return res, cerr
		}
		return SchedulingResult{Status: InterviewCancelled}, err
	}
	return res, err
}

func (w *schedulingRun) exec(fn, arg, result any) error {
	return workflow.ExecuteActivity(w.ctx, fn, arg).Get(w.ctx, result)
}

func (w *schedulingRun) handlers() error {
	reg := func(name string, fn, validator any) error {
		return workflow.SetUpdateHandlerWithOptions(w.ctx, name, fn, workflow.UpdateHandlerOptions{Validator: validator})
	}
	book := func(ctx workflow.Context, r *pickRequest) (activities.BookResult, error) {
		w.pick = r
		if err := workflow.Await(ctx, func() bool { return r.done }); err != nil {
			return activities.BookResult{}, err
		}
		return r.res, r.err
	}
	if err := reg(UpdatePickSlot, func(ctx workflow.Context, p PickSlot) (activities.BookResult, error) {
		return book(ctx, &pickRequest{choice: p.Choice})
	}, func(ctx workflow.Context, p PickSlot) error {
		if w.st.Phase != "offering" || w.pick != nil {
			return temporal.NewApplicationError("no times are on offer for this interview", "not_offering")
		}
		for _, c := range w.st.Choices {
			if c.Choice == p.Choice {
				return nil
			}
		}
		return temporal.NewApplicationError("that time is not among the times on offer", "unknown_choice")
	}); err != nil {
		return err
	}
	if err := reg(UpdateBookFor, func(ctx workflow.Context, b BookFor) (activities.BookResult, error) {
		return book(ctx, &pickRequest{direct: &b})
	}, func(ctx workflow.Context, b BookFor) error {
		if w.st.Phase == "done" || w.st.Phase == "cancelled" || w.st.Phase == "planning" || w.st.Phase == "unscheduled" || w.pick != nil {
			return temporal.NewApplicationError("this interview cannot be booked now", "not_bookable")
		}
		if !b.Start.After(workflow.Now(ctx)) {
			return temporal.NewApplicationError("the time must be in the future", "time_past")
		}
		if len(b.Interviewers) == 0 {
			return temporal.NewApplicationError("name at least one interviewer", "interviewers_required")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := reg(UpdateReschedule, func(ctx workflow.Context, r RescheduleRequest) (SchedulingState, error) {
		w.resched = true
		if err := workflow.Await(ctx, func() bool { return !w.resched }); err != nil {
			return w.st, err
		}
		return w.st, nil
	}, func(ctx workflow.Context, r RescheduleRequest) error {
		if w.st.Phase != "booked" || w.st.Booking == nil || w.resched {
			return temporal.NewApplicationError("only a booked interview can be rescheduled", "not_booked")
		}
		if w.st.Reschedules >= w.plan.MaxReschedules {
			return temporal.NewApplicationError("this interview was rescheduled as often as allowed", "reschedule_limit")
		}
		if workflow.Now(ctx).Add(w.plan.RescheduleNotice).After(w.st.Booking.Start) {
			return temporal.NewApplicationError("too close to the interview to reschedule", "reschedule_too_late")
		}
		return nil
	}); err != nil {
		return err
	}
	if err := reg(UpdateCancelInterview, func(ctx workflow.Context, c CancelInterview) (SchedulingState, error) {
		w.cancel = c.By
		if err := workflow.Await(ctx, func() bool { return w.st.Phase == "cancelled" }); err != nil {
			return w.st, err
		}
		return w.st, nil
	}, func(ctx workflow.Context, c CancelInterview) error {
		if w.st.Phase == "done" || w.st.Phase == "cancelled" || w.st.Phase == "planning" || w.st.Phase == "unscheduled" || w.cancel != "" {
			return temporal.NewApplicationError("this interview cannot be cancelled now", "not_cancellable")
		}
		return nil
	}); err != nil {
		return err
	}
	onSignal(w.ctx, SignalPreferences, func(ctx workflow.Context, _ struct{}) { w.prefs = true })
	onSignal(w.ctx, SignalRosterChanged, func(ctx workflow.Context, _ struct{}) { w.roster = true })
	return nil
}

// pending reports whether something asks the workflow to act.
func (w *schedulingRun) pending() bool {
	return w.pick != nil || w.resched || w.cancel != "" || w.roster || w.prefs
}

func (w *schedulingRun) run() (SchedulingResult, error) {
	if err := w.exec(a.PlanInterview, activities.PlanInterviewInput{AppRef: w.ref.AppRef, Round: w.in.Round, DurationMin: w.in.DurationMin,
		Need: w.in.Need, Required: w.in.Required}, &w.plan); err != nil {
		return SchedulingResult{}, err
	}
	if !w.plan.Enabled {
		w.st.Phase = "unscheduled"
		return SchedulingResult{Status: InterviewUnscheduled}, nil
	}
	w.ref.InterviewID = w.plan.InterviewID
	w.st.Phase = "offering"
	for {
		var err error
		switch w.st.Phase {
		case "offering", "waiting":
			if len(w.st.Choices) == 0 {
				err = w.hold()
			} else {
				err = w.awaitChoice()
			}
		case "booked":
			var held bool
			if held, err = w.booked(); err == nil && held {
				return w.finish()
			}
		case "cancelled":
			return SchedulingResult{Status: InterviewCancelled}, nil
		}
		if err != nil {
			return SchedulingResult{}, err
		}
	}
}

// hold holds the panel's best times and emails the candidate the link to choose one.
func (w *schedulingRun) hold() error {
	var res activities.OfferResult
	if err := w.exec(a.OfferSlots, activities.OfferInput{InterviewRef: w.ref, Plan: w.plan, Exclude: w.exclude}, &res); err != nil {
		return err
	}
	w.roster, w.prefs = false, false
	if len(res.Choices) == 0 && w.st.Booking != nil {
		w.st.Phase = "booked" // no alternative to a booking being rescheduled: it stands
		return nil
	}
	if len(res.Choices) == 0 {
		return w.noSlots()
	}
	w.st.Phase, w.st.Choices, w.st.HoldUntil = "offering", res.Choices, res.HoldUntil
	w.offers++
	return w.exec(a.NotifyCandidate, activities.CandidateNoticeInput{AppRef: w.ref.AppRef, Kind: hireflow.NoticeScheduleChoose,
		Key: "r" + strconv.Itoa(w.in.Round) + "-" + strconv.Itoa(w.offers), WithLink: true, LinkTTL: w.plan.HoldFor + 24*time.Hour,
		Detail: activities.WhenText(res.HoldUntil, "", "en")}, nil)
}

// awaitChoice waits for the candidate's choice, another request, or the holds' expiry.
func (w *schedulingRun) awaitChoice() error {
	ok, err := workflow.AwaitWithTimeout(w.ctx, w.st.HoldUntil.Sub(workflow.Now(w.ctx)), w.pending)
	if err != nil {
		return err
	}
	if ok {
		return w.act()
	}
	// The holds expired: the workflow's durable timer frees them, not the next reader.
	for _, c := range w.st.Choices {
		w.exclude = append(w.exclude, c.Start)
	}
	w.st.Choices = nil
	status := "planning"
	if w.st.Booking != nil {
		status = "booked" // a reschedule nobody completed: the old time stands
	}
	if err := w.exec(a.ReleaseSlots, activities.ReleaseInput{InterviewRef: w.ref, Kind: "hold", Reason: "expired", Status: status}, nil); err != nil {
		return err
	}
	if w.st.Booking != nil {
		w.st.Phase = "booked"
		return nil
	}
	if w.offers >= 3 {
		return w.noSlots()
	}
	return nil
}

// noSlots tells the recruiters (once per interview) and waits for rosters, preferences or a
// booking by a person, or six hours, before trying again.
func (w *schedulingRun) noSlots() error {
	w.st.Phase, w.st.Choices = "waiting", nil
	if w.noSlotKey == 0 {
		w.noSlotKey++
		if err := w.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: w.ref.AppRef, Kind: hireflow.NoticeNoSlots,
			Key: "r" + strconv.Itoa(w.in.Round), Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: "round " + strconv.Itoa(w.in.Round)}, nil); err != nil {
			return err
		}
	}
	if _, err := workflow.AwaitWithTimeout(w.ctx, 6*time.Hour, w.pending); err != nil {
		return err
	}
	w.offers, w.exclude = 0, nil
	if w.pick != nil || w.cancel != "" {
		return w.act()
	}
	w.st.Phase = "offering"
	return nil
}

// act handles the request that woke the workflow while times were on offer.
func (w *schedulingRun) act() error {
	switch {
	case w.cancel != "":
		return w.cancelInterview()
	case w.pick != nil:
		return w.book()
	case w.st.Booking != nil && w.roster:
		return w.replan()
	}
	// Preferences or a roster change: hold new times (the loop calls hold).
	w.st.Phase, w.st.Choices = "offering", nil
	return nil
}

// book books the candidate's choice or the recruiter's time and sends the invitations.
func (w *schedulingRun) book() error {
	p := w.pick
	in := activities.BookInput{InterviewRef: w.ref, Choice: p.choice}
	if p.direct != nil {
		in.Start, in.Interviewers, in.DurationMin = p.direct.Start, p.direct.Interviewers, w.plan.DurationMin
	}
	var res activities.BookResult
	err := w.exec(a.BookSlot, in, &res)
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && (ae.Type() == activities.ErrTypeSlotTaken || ae.Type() == activities.ErrTypeNotHeld) {
		// Someone was faster: offer fresh times, then answer the request with the reason.
		w.pick = nil
		w.st.Choices = nil
		herr := w.hold()
		p.done, p.err = true, temporal.NewApplicationError("that time was just taken; here are other times", activities.ErrTypeSlotTaken)
		return herr
	}
	if err != nil {
		w.pick = nil
		p.done, p.err = true, err
		return err
	}
	if w.st.Booking != nil {
		w.st.Reschedules++
	}
	w.st.Booking, w.st.Choices, w.st.Phase = &res, nil, "booked"
	w.pick = nil
	p.done, p.res = true, res
	return w.exec(a.NotifyInterview, activities.InterviewNoticeInput{InterviewRef: w.ref, Kind: hireflow.NoticeInterviewBooked,
		Key: strconv.FormatInt(res.Start.Unix(), 10)}, nil)
}

// booked waits for the interview with its reminders; it reports whether the interview's time
// came and went (false: something changed and the loop continues).
func (w *schedulingRun) booked() (bool, error) {
	b := w.st.Booking
	for _, r := range []struct {
		name   string
		before time.Duration
	}{{"24h", 24 * time.Hour}, {"1h", time.Hour}} {
		at := b.Start.Add(-r.before)
		if !workflow.Now(w.ctx).Before(at) {
			continue // booked inside that window: no reminder to send
		}
		ok, err := workflow.AwaitWithTimeout(w.ctx, at.Sub(workflow.Now(w.ctx)), w.pending)
		if err != nil {
			return false, err
		}
		if ok {
			return false, w.change()
		}
		if err := w.exec(a.NotifyInterview, activities.InterviewNoticeInput{InterviewRef: w.ref, Kind: hireflow.NoticeInterviewSoon,
			Key: r.name + "-" + strconv.FormatInt(b.Start.Unix(), 10)}, nil); err != nil {
			return false, err
		}
	}
	ok, err := workflow.AwaitWithTimeout(w.ctx, b.End.Sub(workflow.Now(w.ctx)), func() bool { return w.cancel != "" || w.roster || w.resched || w.pick != nil })
	if err != nil {
		return false, err
	}
	if ok {
		return false, w.change()
	}
	return true, nil
}

// change handles a request made while booked.
func (w *schedulingRun) change() error {
	switch {
	case w.cancel != "":
		return w.cancelInterview()
	case w.roster:
		return w.replan()
	case w.pick != nil: // a recruiter books another time directly
		return w.book()
	case w.resched:
		// The booking stands until a new time is chosen: hold alternatives and email them.
		w.st.Phase, w.st.Choices = "offering", nil
		err := w.hold()
		w.resched = false
		return err
	}
	w.prefs = false // preferences matter only while times are on offer
	return nil
}

// replan drops a booking a roster change broke, tells everyone, and offers new times.
func (w *schedulingRun) replan() error {
	old := w.st.Booking
	w.roster = false
	if err := w.exec(a.ReleaseSlots, activities.ReleaseInput{InterviewRef: w.ref, Kind: "booking", Reason: "roster_changed", Status: "planning"}, nil); err != nil {
		return err
	}
	w.st.Booking, w.st.Phase = nil, "offering"
	return w.exec(a.NotifyInterview, activities.InterviewNoticeInput{InterviewRef: w.ref, Kind: hireflow.NoticeScheduleReplan,
		Key: strconv.FormatInt(old.Start.Unix(), 10), Interviewers: old.Interviewers, At: old.Start}, nil)
}

// cancelInterview frees every hold and the booking and sends the CANCEL to everyone booked.
func (w *schedulingRun) cancelInterview() error {
	old := w.st.Booking
	if err := w.exec(a.ReleaseSlots, activities.ReleaseInput{InterviewRef: w.ref, Reason: "cancelled:" + w.cancel, Status: "cancelled", Bump: old != nil}, nil); err != nil {
		return err
	}
	w.st.Phase, w.st.Choices = "cancelled", nil
	if w.pick != nil {
		w.pick.done, w.pick.err = true, temporal.NewApplicationError("the interview was cancelled", "cancelled")
		w.pick = nil
	}
	if old == nil {
		return nil
	}
	return w.exec(a.NotifyInterview, activities.InterviewNoticeInput{InterviewRef: w.ref, Kind: hireflow.NoticeInterviewCanceled,
		Key: "cancel", Interviewers: old.Interviewers, At: old.Start}, nil)
}

// finish records the interview as held and asks its panel for feedback.
func (w *schedulingRun) finish() (SchedulingResult, error) {
	b := w.st.Booking
	if err := w.exec(a.ReleaseSlots, activities.ReleaseInput{InterviewRef: w.ref, Kind: "hold", Reason: "held", Status: "done"}, nil); err != nil {
		return SchedulingResult{}, err
	}
	w.st.Phase = "done"
	if err := w.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: w.ref.AppRef, Kind: hireflow.NoticeFeedbackRequest,
		Key: "round" + strconv.Itoa(w.in.Round), UserIDs: b.Interviewers}, nil); err != nil {
		return SchedulingResult{}, err
	}
	return SchedulingResult{Status: InterviewHeld, Start: b.Start, End: b.End, Interviewers: b.Interviewers}, nil
}
