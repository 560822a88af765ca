package activities

import (
	"context"

	"github.com/hireflow/hireflow"
)

// StageInput records a stage the workflow decided.
type StageInput struct {
	AppRef
	Stage    hireflow.Stage
	Status   hireflow.Status
	EventKey string // idempotency: the transition is recorded once
}

// RecordStage writes a stage change the workflow decided, for a step that has no activity of
// its own (opening the invitation). Recording it twice is harmless.
func (a *Activities) RecordStage(ctx context.Context, in StageInput) error {
	return permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, in.Stage, in.Status, in.EventKey))
}
