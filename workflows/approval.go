package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

// ApprovalWorkflow runs an offer's approval chain (a child of ApplicationWorkflow, ID
// approval/<offer id>): the steps come from the pinned approval rule; a step's approvers act
// one by one or in parallel; approvers approve, reject with a reason code, or delegate; late
// approvers are reminded, then the recruiters are told; after the reminders run out the chain
// ends with the explicit outcome "timed_out".
func ApprovalWorkflow(ctx workflow.Context, in ApprovalInput) (ApprovalResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	ref := activities.AppRef{OrgID: in.OrgID, ApplicationID: in.ApplicationID}
	// From this shape on the chain asks its first approvers itself (PlanApproval only decides).
	// The parent's input names the shape, so the chain needs no version marker of its own.
	ref.Shape = in.Shape
	// Handlers first: a decision that arrives while the chain is being planned is refused with
	// a clear reason rather than as an unknown update.
	st := &approvalRun{ctx: ctx, in: in, ref: ref}
	if err := workflow.SetQueryHandler(ctx, QueryApprovalState, func() (ApprovalState, error) { return st.state, nil }); err != nil {
		return ApprovalResult{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprovalDecision,
		func(ctx workflow.Context, d ApprovalDecision) (ApprovalState, error) {
			st.apply(d)
			return st.state, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, d ApprovalDecision) error { return st.validate(d) }}); err != nil {
		return ApprovalResult{}, err
	}
	var plan activities.PlanApprovalResult
	if err := workflow.ExecuteActivity(ctx, a.PlanApproval, activities.PlanApprovalInput{AppRef: ref, OfferID: in.OfferID}).Get(ctx, &plan); err != nil {
		return ApprovalResult{}, err
	}
	st.steps, st.state.Steps = plan.Steps, len(plan.Steps)
	outcome, err := st.run()
	if err != nil {
		return ApprovalResult{}, err
	}
	st.state.Outcome = outcome
	if err := workflow.ExecuteActivity(ctx, a.FinishApproval, activities.FinishApprovalInput{AppRef: ref, OfferID: in.OfferID,
		Outcome: outcome, Decisions: st.records}).Get(ctx, nil); err != nil {
		return ApprovalResult{}, err
	}
	return ApprovalResult{Outcome: outcome, Steps: len(plan.Steps)}, nil
}

type approvalRun struct {
	ctx      workflow.Context
	in       ApprovalInput
	ref      activities.AppRef
	steps    []rules.ApprovalStep
	state    ApprovalState
	waiting  []string // approvers of the current step still to act: roles or user:<id>
	rejected bool
	records  []activities.ApprovalRecord
}

func (s *approvalRun) run() (string, error) {
	for i, step := range s.steps {
		s.state.Step = i + 1
		if step.Parallel {
			s.waiting = append([]string(nil), step.Approvers...)
		} else {
			s.waiting = []string{step.Approvers[0]}
		}
		for k := 0; ; k++ {
			// The first shape's PlanApproval already told the first approvers.
			if i > 0 || k > 0 || s.ref.Shape >= activities.ShapeWorkflowRecords {
				if err := s.notify(s.ctx, hireflow.NoticeApprovalRequest, fmt.Sprintf("%d.%d", i+1, k)); err != nil {
					return "", err
				}
			} else {
				s.state.Waiting = append([]string(nil), s.waiting...)
			}
			outcome, err := s.waitStep()
			if err != nil || outcome != "" {
				return outcome, err
			}
			// Sequential approvers of one step act one after the other.
			if step.Parallel || k+1 >= len(step.Approvers) {
				break
			}
			s.waiting = []string{step.Approvers[k+1]}
		}
	}
	return "approved", nil
}

// waitStep waits until the current approvers acted; "" means the step passed. After the
// reminders (the last one an escalation to the recruiters) the chain times out.
func (s *approvalRun) waitStep() (string, error) {
	done := func() bool { return s.rejected || len(s.waiting) == 0 }
	for n := 0; !done(); n++ {
		ok, err := workflow.AwaitWithTimeout(s.ctx, s.in.SLA, done)
		if err != nil {
			return "", err
		}
		if ok {
			break
		}
		if n >= s.in.MaxReminders {
			return "timed_out", nil
		}
		s.state.Reminders++
		kind := hireflow.NoticeApprovalReminder
		if n == s.in.MaxReminders-1 {
			kind = hireflow.NoticeEscalation
		}
		if err := s.notify(s.ctx, kind, fmt.Sprintf("%d.r%d", s.state.Step, n)); err != nil {
			return "", err
		}
	}
	if s.rejected {
		return "rejected", nil
	}
	return "", nil
}

// notify emails the approvers now waited for (roles and named users); escalations go to the
// recruiters.
func (s *approvalRun) notify(ctx workflow.Context, kind, key string) error {
	in := activities.ApprovalRequest(s.ref, s.in.OfferID+":"+key, s.waiting)
	in.Kind = kind
	if kind == hireflow.NoticeEscalation {
		in.Roles, in.UserIDs, in.Detail = []hireflow.Role{hireflow.RoleRecruiter}, nil, "offer approval"
	}
	s.state.Waiting = append([]string(nil), s.waiting...)
	var sent int
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, activityOptions), a.NotifyStaff, in).Get(ctx, &sent)
}

// slot finds which awaited approver d acts as: their named user entry first, then their role.
func (s *approvalRun) slot(d ApprovalDecision) int {
	for i, w := range s.waiting {
		if w == "user:"+d.ApproverID {
			return i
		}
	}
	for i, w := range s.waiting {
		if w == string(d.Role) {
			return i
		}
	}
	return -1
}

func (s *approvalRun) validate(d ApprovalDecision) error {
	if s.rejected || len(s.waiting) == 0 || s.state.Outcome != "" {
		return temporal.NewApplicationError("the approval chain is not waiting for decisions", "not_awaiting_approval")
	}
	if d.ApproverID == "" || s.slot(d) < 0 {
		return temporal.NewApplicationError(fmt.Sprintf("you are not an approver of step %d (waiting for %v)", s.state.Step, s.waiting), "not_an_approver")
	}
	switch d.Decision {
	case "approve":
	case "reject":
		if !slices.Contains(ReasonCodes, d.ReasonCode) && !slices.Contains(offerReasonCodes, d.ReasonCode) {
			return temporal.NewApplicationError(fmt.Sprintf("a rejection needs a reason code: one of %v", offerReasonCodes), "reason_required")
		}
	case "delegate":
		if d.DelegateTo == "" || d.DelegateTo == d.ApproverID {
			return temporal.NewApplicationError("delegate to another user", "delegate_required")
		}
	default:
		return temporal.NewApplicationError("decision must be approve, reject or delegate", "invalid_decision")
	}
	return nil
}

// Offer rejection reasons an approver may give.
var offerReasonCodes = []string{"over_budget", "band_mismatch", "level_mismatch", "headcount", "other"}

func (s *approvalRun) apply(d ApprovalDecision) {
	i := s.slot(d)
	if i < 0 {
		return
	}
	approver := s.waiting[i]
	s.records = append(s.records, activities.ApprovalRecord{Step: s.state.Step, Approver: approver, UserID: d.ApproverID,
		Decision: d.Decision, DelegateTo: d.DelegateTo, ReasonCode: d.ReasonCode})
	switch d.Decision {
	case "reject":
		s.rejected = true
	case "approve":
		s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
	case "delegate":
		s.waiting[i] = "user:" + d.DelegateTo
		workflow.Go(s.ctx, func(ctx workflow.Context) {
			_ = s.notify(ctx, hireflow.NoticeApprovalRequest, fmt.Sprintf("%d.d%d", s.state.Step, len(s.records)))
		})
	}
	s.state.Waiting = append([]string(nil), s.waiting...)
}
