package workflows

import (
	"fmt"
	"slices"
	"strconv"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// maxHoldReminders bounds the SLA reminders of one held application.
const maxHoldReminders = 3

func (r *applicationRun) reject() error {
	if _, err := r.wait(r.in.Timings.RejectionDelay, nil); err != nil {
		return err
	}
	if r.recordsStage() {
		in := r.stageInput(activities.StageInput{Stage: hireflow.StageRejected, Status: hireflow.StatusRejected, EventKey: "rejected",
			RevokeLinks: true, Candidate: []activities.CandidateNoticeInput{activities.Rejection(r.ref)}})
		return workflow.ExecuteActivity(r.ctx, a.RecordStage, in).Get(r.ctx, nil)
	}
	var sent bool
	if err := workflow.ExecuteActivity(r.ctx, a.RejectApplication, r.ref).Get(r.ctx, &sent); err != nil {
		return err
	}
	r.setStage(hireflow.StageRejected, hireflow.StatusRejected)
	return nil
}

func (r *applicationRun) registerDecisionUpdate() error {
	return workflow.SetUpdateHandlerWithOptions(r.ctx, UpdateRecruiterDecision,
		func(ctx workflow.Context, d RecruiterDecision) (RecruiterDecisionResult, error) {
			var id string
			in := activities.RecruiterDecisionInput{AppRef: r.ref, UserID: d.UserID, Outcome: d.Outcome, ReasonCode: d.ReasonCode}
			actx := workflow.WithActivityOptions(ctx, activityOptions)
			if err := workflow.ExecuteActivity(actx, a.RecordRecruiterDecision, in).Get(ctx, &id); err != nil {
				return RecruiterDecisionResult{}, err
			}
			r.decision = &d
			r.awaiting = false
			return RecruiterDecisionResult{DecisionID: id}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d RecruiterDecision) error {
			return r.validateDecision(d)
		}})
}

// awaitRecruiter waits for the recruiter's decision, reminding recruiters after each SLA period
// (at most maxHoldReminders times; then it waits without reminders).
func (r *applicationRun) awaitRecruiter() error {
	r.decision, r.awaiting = nil, true
	base := r.holds * 10
	r.holds++
	decided := func() bool { return r.decision != nil }
	for n := 1; !decided(); n++ {
		sla := r.in.Timings.HoldSLA
		if n > maxHoldReminders {
			sla = 0
		}
		if sla == 0 {
			if err := workflow.Await(r.ctx, func() bool { return r.stop != "" || decided() }); err != nil {
				return err
			}
			if r.stop != "" {
				return errWithdrawn
			}
			break
		}
		timedOut, err := r.wait(sla, decided)
		if err != nil {
			return err
		}
		if timedOut {
			var sent int
			if err := r.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: r.ref, Kind: hireflow.NoticeHoldSLA,
				Key: strconv.Itoa(base + n), Roles: []hireflow.Role{hireflow.RoleRecruiter}}, &sent); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *applicationRun) validateDecision(d RecruiterDecision) error {
	if !r.awaiting || r.state.Stage != hireflow.StageHold {
		return temporal.NewApplicationError("the application is not waiting for a decision", "not_on_hold")
	}
	if d.UserID == "" {
		return temporal.NewApplicationError("the deciding user is required", "user_required")
	}
	switch d.Outcome {
	case hireflow.ScreenPass:
	case hireflow.ScreenReject:
		if !slices.Contains(ReasonCodes, d.ReasonCode) {
			return temporal.NewApplicationError(fmt.Sprintf("a rejection needs a reason code: one of %v", ReasonCodes), "reason_required")
		}
	default:
		return temporal.NewApplicationError("the decision must be pass or reject", "invalid_outcome")
	}
	return nil
}
