package workflows

import (
	"errors"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// errWithdrawn unwinds the run when the candidate withdraws.
var errWithdrawn = errors.New("withdrawn")

// stopped closes the application the way the stop signal asked, with the right email.
func (r *applicationRun) stopped() error {
	in := activities.CloseInput{AppRef: r.ref, Stage: r.stop}
	switch r.stop {
	case hireflow.StageCancelled:
		in.Status, in.Notice = hireflow.StatusCancelled, hireflow.NoticeCancellation
	case hireflow.StageDeletion:
		in.Status, in.Notice = hireflow.StatusDeletion, hireflow.NoticeDeletionRequest
	default:
		in.Stage, in.Status = hireflow.StageWithdrawn, hireflow.StatusWithdrawn
		in.Notice = hireflow.NoticeWithdrawal
	}
	if r.state.OfferID != "" && r.life.offerOpen {
		in.OfferID, in.OfferStatus = r.state.OfferID, "withdrawn"
	}
	return r.closeWith(in)
}
