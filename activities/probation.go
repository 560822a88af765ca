package activities

import (
	"context"

	"github.com/hireflow/hireflow"
)

// ProbationInput is the manager's evaluation.
type ProbationInput struct {
	AppRef
	ManagerID string
	Outcome   string
	Rating    int
	// Enter is the stage the workflow moves to (the first shape sent none: completed).
	Enter StageChange
}

// RecordProbation stores the probation outcome next to the interview scores and completes the
// application.
func (a *Activities) RecordProbation(ctx context.Context, in ProbationInput) error {
	if err := a.Store.ProbationSave(ctx, in.OrgID, in.ApplicationID, in.ManagerID, in.Outcome, in.Rating); err != nil {
		return err
	}
	if _, err := a.Store.DecisionRecord(ctx, in.OrgID, hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "probation",
		Inputs: map[string]any{"rating": in.Rating}, Outcome: in.Outcome, DecidedBy: in.ManagerID}, "probation"); err != nil {
		return err
	}
	if in.Enter.Stage == "" {
		in.Enter = StageChange{Stage: hireflow.StageCompleted, Status: hireflow.StatusHired, EventKey: "completed"}
	}
	return a.enter(ctx, in.AppRef, in.Enter)
}
