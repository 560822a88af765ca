package activities

import (
	"context"
	"strings"

	"github.com/hireflow/hireflow"
)

// StageChange is a stage the workflow decided.
type StageChange struct {
	Stage    hireflow.Stage
	Status   hireflow.Status
	EventKey string // idempotency: the transition is recorded once
}

// StageInput records a stage the workflow decided and does what entering it means: settle an
// open offer, send the notices of the new stage (each once per key, so a retried attempt sends
// nothing twice) and revoke the candidate's links.
type StageInput struct {
	AppRef
	Stage    hireflow.Stage
	Status   hireflow.Status
	EventKey string
	// Before is a step passed at the stage the application had (screened, reviewed), recorded
	// first so that the application's events read as they happened.
	Before *StageChange `json:",omitempty"`
	// Decision is a decision the workflow made (routing, review aggregation) to record once,
	// under DecisionStep, before anything else.
	Decision     *hireflow.Decision `json:",omitempty"`
	DecisionStep string             `json:",omitempty"`
	// Optional, in this order, before the stage is recorded:
	OfferID     string // an open offer to settle with OfferStatus
	OfferStatus string
	ReasonCode  string
	Candidate   []CandidateNoticeInput
	Staff       []StaffNoticeInput
	RevokeLinks bool
}

// RecordStage is the workflow's one stage activity: the stage is never chosen here, only
// recorded. It is recorded last, as the first shape's activities did: PostgreSQL shows the new
// stage once everything entering it means has happened, and a retry redoes only what is missing.
func (a *Activities) RecordStage(ctx context.Context, in StageInput) error {
	if in.Decision != nil {
		in.Decision.ApplicationID = in.ApplicationID
		if _, err := a.Store.DecisionRecord(ctx, in.OrgID, *in.Decision, in.DecisionStep); err != nil {
			return err
		}
		a.Metrics.decision(in.OrgID, a.jobOf(ctx, in.AppRef), in.Decision.Kind, in.Decision.Outcome, strings.HasPrefix(in.Decision.Reason, "rule_error:"), in.Decision.RuleName)
	}
	if in.Before != nil {
		if err := a.enter(ctx, in.AppRef, *in.Before); err != nil {
			return err
		}
	}
	if in.OfferID != "" && in.OfferStatus != "" {
		if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, in.OfferStatus, in.ReasonCode); err != nil {
			return err
		}
	}
	for _, n := range in.Candidate {
		n.AppRef = in.AppRef
		if _, err := a.notifyCandidate(ctx, n); err != nil {
			return err
		}
	}
	for _, n := range in.Staff {
		n.AppRef = in.AppRef
		if _, err := a.NotifyStaff(ctx, n); err != nil {
			return err
		}
	}
	if in.RevokeLinks {
		if err := a.Store.TokenRevokeAll(ctx, in.OrgID, in.ApplicationID); err != nil {
			return err
		}
	}
	return a.enter(ctx, in.AppRef, StageChange{Stage: in.Stage, Status: in.Status, EventKey: in.EventKey})
}

// enter is the only writer of an application's stage. Besides RecordStage, an activity that
// performs a step at the moment the workflow moves the stage (scoring the first answer,
// onboarding, recording the probation outcome) is handed the stage by the workflow and
// records it here, which saves a billable action; workflows of the first shape (Shape 0)
// still have their decision activities record the stages they were written for.
func (a *Activities) enter(ctx context.Context, ref AppRef, c StageChange) error {
	if c.EventKey == "" {
		c.EventKey = string(c.Stage)
	}
	if err := a.Store.ApplicationSetStage(ctx, ref.OrgID, ref.ApplicationID, c.Stage, c.Status, c.EventKey); err != nil {
		return permanent(err)
	}
	a.Metrics.stage(ref.OrgID, a.jobOf(ctx, ref), string(c.Stage))
	return nil
}
