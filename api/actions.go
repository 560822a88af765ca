package api

import (
	"github.com/hireflow/hireflow"
)

// stageActions are the human steps the staff application page offers: each one only when the
// application's stage (written by the workflow) waits for it and the viewer's role may take it,
// so that no form is shown that the workflow would refuse.
type stageActions struct {
	Decide    bool // a held application waits for a recruiter's pass/reject
	Offer     bool // the offer stage waits for a draft (none yet, or the last one was not approved)
	Review    bool // the review stage collects reviews
	Probation bool // probation waits for the evaluation
	Approve   bool // an offer is going through its approval chain
	// A live round being booked: who sees the interview, books for the candidate, reschedules
	// (an interviewer only on their own panel: the page checks), cancels.
	Interview, Book, Reschedule, CancelInterview bool
}

// Any reports whether the viewer has anything to do here.
func (a stageActions) Any() bool {
	return a.Decide || a.Offer || a.Review || a.Probation || a.Approve || a.Book || a.Reschedule || a.CancelInterview
}

func roleMay(act action, r hireflow.Role) bool {
	for _, x := range policy[act] {
		if x == r {
			return true
		}
	}
	return false
}

// actionsFor decides which forms to show. offerStatus is the latest offer's status, "" if none.
func actionsFor(r hireflow.Role, stage hireflow.Stage, status hireflow.Status, offerStatus string) stageActions {
	var a stageActions
	open := status == hireflow.StatusActive
	switch stage {
	case hireflow.StageHold:
		a.Decide = open && roleMay(actApplicationsDecide, r)
	case hireflow.StageReview:
		a.Review = open && roleMay(actReview, r)
	case hireflow.StageOffer:
		redraft := offerStatus == "" || offerStatus == "rejected" || offerStatus == "timed_out"
		a.Offer = open && redraft && roleMay(actOfferDraft, r)
		// Approvers are named by the chain (roles or people); the workflow checks who exactly.
		a.Approve = open && offerStatus == "approving" && r != hireflow.RoleAnalyst && r != hireflow.RoleInterviewer && roleMay(actOfferApprove, r)
	case hireflow.StageProbation:
		a.Probation = (open || status == hireflow.StatusHired) && roleMay(actProbation, r)
	case hireflow.StageLiveRound:
		a.Interview = open && roleMay(actInterviewRead, r)
		a.Book = open && roleMay(actInterviewBook, r)
		a.Reschedule = open && roleMay(actInterviewReschedule, r)
		a.CancelInterview = a.Book
	}
	return a
}
