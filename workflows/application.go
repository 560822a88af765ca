package workflows

import (
	"errors"
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
	awaiting bool // a recruiter decision is awaited (screening hold or routing/review hold)
	holds    int  // how many times the application was held (keys the SLA reminder emails)
	life     *pipelineRun
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
	return ApplicationResult{Stage: r.state.Stage, Status: r.state.Status}, err
}

// hasStage reports whether the pinned pipeline includes a stage kind (an empty pipeline is the
// default one, which has every stage).
func (r *applicationRun) hasStage(kind string) bool {
	if len(r.in.Stages) == 0 {
		return true
	}
	for _, s := range r.in.Stages {
		if s == kind {
			return true
		}
	}
	return false
}

func (r *applicationRun) run() error {
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
	r.state.ScreenOutcome = scr.Outcome
	if scr.Outcome == hireflow.ScreenHold {
		r.setStage(hireflow.StageHold, hireflow.StatusActive)
		if err := r.awaitRecruiter(); err != nil {
			return err
		}
		r.state.ScreenOutcome = r.decision.Outcome
	}
	if r.state.ScreenOutcome == hireflow.ScreenReject {
		return r.reject()
	}
	return r.invite()
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
	if d > 0 {
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
	err := workflow.ExecuteActivity(r.ctx, a.CloseApplication, in).Get(r.ctx, nil)
	if err != nil {
		return err
	}
	r.setStage(stage, status)
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
