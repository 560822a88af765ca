package workflows

import (
	"errors"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// a is used only to name activity methods; the worker registers the real struct.
var a *activities.Activities

// activityOptions: the longest of these activities is an SMTP send that may dial twice (15 s
// each) or a webhook (15 s). An attempt lost with a killed worker is retried after
// StartToCloseTimeout, so it stays close to that bound (replay ignores timeouts and retries).
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 35 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
		MaximumInterval: 20 * time.Second, NonRetryableErrorTypes: []string{activities.ErrTypePermanent}},
}

type applicationRun struct {
	ctx      workflow.Context
	in       ApplicationInput
	ref      activities.AppRef
	state    State
	stop     hireflow.Stage // withdrawn | cancelled | deletion_requested, set by signals
	decision *RecruiterDecision
	awaiting bool   // a recruiter decision is awaited (screening hold or routing/review hold)
	holds    int    // how many times the application was held (keys the SLA reminder emails)
	confirm  bool   // the candidate's "interview received" email goes with the next stage recorded
	passed   string // a step passed (screened, reviewed), recorded with the next stage
	// decided is a decision the workflow made (routing, review), recorded with the next stage.
	decided     *hireflow.Decision
	decidedStep string
	life        *pipelineRun
}

// ApplicationWorkflow takes one application through the pinned pipeline: screen by the pinned
// rule (pass → invite; reject → polite rejection after a delay; hold → a recruiter decides with
// SLA reminders), then the pipeline stages after the invitation (pipeline.go and one file per step). Withdrawal,
// cancellation and a deletion request end any wait.
//
// This is the first released shape of the workflow: from here on, every change to it goes
// behind workflow.GetVersion and the replay test replays the histories under testdata/.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (ApplicationResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	r := &applicationRun{ctx: ctx, in: in, ref: activities.AppRef{OrgID: in.OrgID, ApplicationID: in.ApplicationID},
		state: State{Stage: hireflow.StageScreening, Status: hireflow.StatusActive}}
	// The shape comes with the input: workflows started before it existed replay as shape 0 and
	// keep their activities' old duties, so no running workflow changes what it does (and no
	// version marker, which costs a search-attribute upsert per application, is needed).
	r.ref.Shape = in.Shape
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return r.state, nil }); err != nil {
		return ApplicationResult{}, err
	}
	if err := r.registerDecisionUpdate(); err != nil {
		return ApplicationResult{}, err
	}
	// Pipeline handlers are registered up front (registering is not a history event), so a
	// human step that comes too early is refused by its validator with a clear reason.
	r.life = newPipeline(r)
	if err := r.life.registerHandlers(); err != nil {
		return ApplicationResult{}, err
	}
	stopOn := func(name string, stage hireflow.Stage) {
		workflow.Go(ctx, func(gctx workflow.Context) {
			workflow.GetSignalChannel(gctx, name).Receive(gctx, nil)
			if r.stop == "" {
				r.stop = stage
				r.state.StopReason = string(stage)
			}
		})
	}
	stopOn(SignalWithdraw, hireflow.StageWithdrawn)
	stopOn(SignalCancel, hireflow.StageCancelled)
	stopOn(SignalDeletionRequest, hireflow.StageDeletion)
	workflow.Go(ctx, func(gctx workflow.Context) {
		workflow.GetSignalChannel(gctx, SignalHumanOnly).Receive(gctx, nil)
		r.state.HumanOnly = true
	})

	err := r.run()
	if errors.Is(err, errWithdrawn) {
		err = r.stopped()
	}
	if err == nil && r.decided != nil {
		// A decision whose next stage never came (a pipeline that ends without one) is still
		// recorded, at the stage the application has.
		err = r.enter(activities.StageInput{Stage: r.state.Stage, Status: r.state.Status, EventKey: r.decidedStep})
	}
	return ApplicationResult{Stage: r.state.Stage, Status: r.state.Status}, err
}

// hasStage reports whether the pinned pipeline includes a stage kind (an empty pipeline is the
// default one, which has every stage).
func (r *applicationRun) hasStage(kind string) bool {
	return len(r.in.Stages) == 0 || slices.Contains(r.in.Stages, kind)
}

// recordsStage reports whether this run is of the shape in which the workflow records every stage.
func (r *applicationRun) recordsStage() bool { return r.ref.Shape >= activities.ShapeWorkflowRecords }

// begin resolves the plan and screens in one activity, then invites, rejects or holds.
func (r *applicationRun) begin() error {
	var b activities.BeginResult
	if err := r.exec(a.BeginApplication, r.ref, &b); err != nil {
		return err
	}
	if r.in.Timings == (Timings{}) {
		p := b.Plan
		r.in.Timings, r.in.Steps, r.in.Stages, r.in.Pipeline, r.in.Questions, r.in.Weights = p.Timings, p.Steps, p.Stages, p.Pipeline, p.Questions, p.Weights
		r.in.Rules = p.Rules
		r.life.setQuestions(p.Questions)
	}
	if !b.Screened {
		return r.invite()
	}
	return r.screened(b.Screen.Outcome)
}

// screened follows the screening outcome: a hold waits for a recruiter's decision, then the
// candidate is rejected or invited.
func (r *applicationRun) screened(outcome hireflow.ScreenOutcome) error {
	r.state.ScreenOutcome = outcome
	if outcome == hireflow.ScreenHold {
		if err := r.hold(r.holdEvent("screened")); err != nil {
			return err
		}
		r.state.ScreenOutcome = r.decision.Outcome
	}
	if r.state.ScreenOutcome == hireflow.ScreenReject {
		return r.reject()
	}
	return r.invite()
}

// holdEvent names the event of a hold after a step: the first shape recorded the hold under
// the step's own key; from shape 1 the step's event is recorded by its decision and the hold
// has a key of its own.
func (r *applicationRun) holdEvent(step string) string {
	if r.recordsStage() {
		return step + ":held"
	}
	return step
}

// hold puts the application on hold and waits for a recruiter's decision.
func (r *applicationRun) hold(event string) error {
	if r.recordsStage() {
		if err := r.enter(activities.StageInput{Stage: hireflow.StageHold, Status: hireflow.StatusActive, EventKey: event}); err != nil {
			return err
		}
	} else {
		r.setStage(hireflow.StageHold, hireflow.StatusActive)
	}
	return r.awaitRecruiter()
}

// enter moves the workflow to a stage and records it with what entering it means (RecordStage).
// The workflow's own state moves first, so a person acting on the email the activity sends is
// already answered by the new stage.
func (r *applicationRun) enter(in activities.StageInput) error {
	return r.exec(a.RecordStage, r.stageInput(in), nil)
}

// stageInput moves the workflow's own state to the stage and completes what RecordStage needs:
// the application, and the candidate's interview confirmation when one is due.
func (r *applicationRun) stageInput(in activities.StageInput) activities.StageInput {
	in.AppRef = r.ref
	if r.decided != nil {
		in.Decision, in.DecisionStep = r.decided, r.decidedStep
		r.decided = nil
	}
	if r.passed != "" {
		in.Before = &activities.StageChange{Stage: r.state.Stage, Status: r.state.Status, EventKey: r.passed}
		r.passed = ""
	}
	if r.confirm {
		r.confirm = false
		in.Candidate = append(in.Candidate, activities.CandidateNoticeInput{Kind: hireflow.NoticeInterviewReceived, Key: "interview"})
	}
	r.setStage(in.Stage, in.Status)
	return in
}

func (r *applicationRun) run() error {
	if r.recordsStage() {
		return r.begin()
	}
	var scr activities.ScreenResult
	// Pipelines without a screen stage invite every applicant.
	if !r.hasStage("screen") {
		return r.invite()
	}
	// The invitation's validity is fixed now, so that screening can invite in the same activity.
	expires := workflow.Now(r.ctx).Add(r.in.Timings.InviteExpiresAfter)
	if err := r.exec(a.ScreenApplication, activities.ScreenInput{AppRef: r.ref, InviteOnPass: true, ExpiresAt: expires}, &scr); err != nil {
		return err
	}
	if scr.Invited {
		r.state.InviteExpiresAt = expires
		r.setStage(hireflow.StageInvited, hireflow.StatusActive)
		return r.life.run(expires)
	}
	return r.screened(scr.Outcome)
}

// exec runs an activity, then notices a stop signal that arrived meanwhile.
func (r *applicationRun) exec(fn, arg, result any) error {
	if err := workflow.ExecuteActivity(r.ctx, fn, arg).Get(r.ctx, result); err != nil {
		return err
	}
	if r.stop != "" {
		return errWithdrawn
	}
	return nil
}

func (r *applicationRun) setStage(stage hireflow.Stage, status hireflow.Status) {
	r.state.Stage, r.state.Status = stage, status
	// Visibility is best effort: an unregistered attribute must not fail the application.
	_ = workflow.UpsertTypedSearchAttributes(r.ctx, SAStage.ValueSet(string(stage)), SAStatus.ValueSet(string(status)))
}

// wait blocks until d passes, the candidate withdraws, or done() holds. It reports whether the
// time ran out.
func (r *applicationRun) wait(d time.Duration, done func() bool) (timedOut bool, err error) {
	cond := func() bool { return r.stop != "" || (done != nil && done()) }
	// What is done already needs no timer (each is a billable action); the first shape always
	// started one, and replays keep doing so.
	if d > 0 && !(r.recordsStage() && cond()) {
		ok, err := workflow.AwaitWithTimeout(r.ctx, d, cond)
		if err != nil {
			return false, err
		}
		timedOut = !ok
	} else {
		timedOut = !cond()
	}
	if r.stop != "" {
		return false, errWithdrawn
	}
	return timedOut, nil
}

func (r *applicationRun) close(stage hireflow.Stage, status hireflow.Status) error {
	return r.closeWith(activities.CloseInput{AppRef: r.ref, Stage: stage, Status: status})
}

func (r *applicationRun) closeWith(in activities.CloseInput) error {
	stage, status := in.Stage, in.Status
	if r.recordsStage() {
		return workflow.ExecuteActivity(r.ctx, a.RecordStage, r.stageInput(activities.Closing(in))).Get(r.ctx, nil)
	}
	err := workflow.ExecuteActivity(r.ctx, a.CloseApplication, in).Get(r.ctx, nil)
	if err != nil {
		return err
	}
	r.setStage(stage, status)
	return nil
}
