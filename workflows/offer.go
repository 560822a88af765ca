package workflows

import (
	"strconv"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// maxOffers bounds how many offers one application may go through (approval rejected → redraft).
const maxOffers = 3

func (l *pipelineRun) offer() error {
	if l.recordsStage() {
		if err := l.enter(activities.StageInput{Stage: hireflow.StageOffer, Status: hireflow.StatusActive, EventKey: "offer"}); err != nil {
			return err
		}
	} else {
		l.setStage(hireflow.StageOffer, hireflow.StatusActive)
	}
	l.early = ""
	for l.state.Offers < maxOffers {
		if l.state.Offers > 0 {
			l.draft = nil
		}
		l.offerOpen, l.response = false, nil
		drafted := func() bool { return l.draft != nil }
		if err := l.slaWait(drafted, l.in.Steps.ReviewSLA, hireflow.NoticeOfferDraftReminder, "offer"+strconv.Itoa(l.state.Offers),
			[]hireflow.Role{hireflow.RoleRecruiter}, "offer draft"); err != nil {
			return err
		}
		l.state.Offers++
		l.state.OfferID, l.offerOpen = l.draft.OfferID, true
		// The approval chain runs as a child workflow; cancelling the parent's context (withdrawal)
		// cancels it too.
		cctx, cancel := workflow.WithCancel(l.ctx)
		child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
			WorkflowID: hireflow.WorkflowIDForApproval(l.draft.OfferID), ParentClosePolicy: enums.PARENT_CLOSE_POLICY_TERMINATE}),
			ApprovalWorkflow, ApprovalInput{OrgID: l.in.OrgID, ApplicationID: l.in.ApplicationID, OfferID: l.draft.OfferID,
				SLA: l.in.Steps.ApprovalSLA, MaxReminders: 2, Shape: l.ref.Shape})
		var ar ApprovalResult
		var childErr error
		childDone := false
		workflow.Go(l.ctx, func(ctx workflow.Context) {
			childErr = child.Get(ctx, &ar)
			childDone = true
		})
		if err := workflow.Await(l.ctx, func() bool { return childDone || l.stop != "" }); err != nil {
			cancel()
			return err
		}
		if l.stop != "" {
			cancel()
			return errWithdrawn
		}
		cancel()
		if childErr != nil {
			return childErr
		}
		l.state.ApprovalOutcome = ar.Outcome
		if ar.Outcome != "approved" {
			l.offerOpen, l.response = false, nil
			continue // the recruiter may draft another offer
		}
		// The candidate accepts or declines before the offer expires.
		timedOut, err := l.wait(l.in.Steps.OfferExpiresAfter, func() bool { return l.response != nil })
		if err != nil {
			return err
		}
		in := activities.CloseInput{AppRef: l.ref, OfferID: l.state.OfferID}
		switch {
		case timedOut:
			in.Stage, in.Status, in.Notice, in.OfferStatus = hireflow.StageExpired, hireflow.StatusExpired, hireflow.NoticeOfferExpired, "expired"
		case !l.response.Accept:
			in.Stage, in.Status, in.Notice, in.OfferStatus, in.ReasonCode = hireflow.StageDeclined, hireflow.StatusDeclined, hireflow.NoticeOfferDeclined, "declined", l.response.ReasonCode
		default:
			l.offerOpen = false
			return nil // accepted: onboarding records it
		}
		l.offerOpen = false
		return l.closeWith(in)
	}
	return l.close(hireflow.StageCancelled, hireflow.StatusCancelled)
}
