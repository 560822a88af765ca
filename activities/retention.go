package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// RetentionDue lists an organisation's applications due for erasure (IDs and reasons only).
func (a *Activities) RetentionDue(ctx context.Context, orgID string) ([]store.DueApplication, error) {
	return a.Store.RetentionDue(ctx, orgID, 2000)
}

// EraseInput names one application's erasure step.
type EraseInput struct {
	AppRef
	Reason string // retention | request
	Rule   string
}

// EraseResult says whether a legal hold stopped the erasure, and what was destroyed.
type EraseResult struct {
	Held    bool
	Objects int
	Counts  map[string]int
	Digest  string // the proof's SHA-256
}

// EraseContent checks the legal hold and destroys the application's content: each object's
// data key first (crypto-shredding), then every version of the objects in storage, then the
// personal columns (store.ApplicationEraseContent); it writes the proof (what was destroyed,
// under which rule, by which workflow run, its digest, in the audit log too). Idempotent: a
// retry finds less to destroy, purges the objects again (a missing object is no error) and
// keeps the first proof.
func (a *Activities) EraseContent(ctx context.Context, in EraseInput) (EraseResult, error) {
	return a.eraseContent(ctx, in)
}

func (a *Activities) eraseContent(ctx context.Context, in EraseInput) (EraseResult, error) {
	held, err := a.Store.LegalHeld(ctx, in.OrgID, in.ApplicationID)
	if err != nil || held {
		return EraseResult{Held: held}, err
	}
	er, err := a.Store.ApplicationEraseContent(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return EraseResult{}, err
	}
	keys, err := a.Store.ErasedObjectKeys(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return EraseResult{}, err
	}
	versions := 0
	for _, key := range keys {
		n, err := a.Objects.Purge(ctx, key)
		if err != nil {
			return EraseResult{}, err // the key is already destroyed; the retry purges the object
		}
		versions += n
	}
	erased := map[string]any{"objects_deleted": len(keys), "object_versions_removed": versions, "contact": "erased after the candidate is told"}
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		erased["workflow_id"], erased["run_id"] = info.WorkflowExecution.ID, info.WorkflowExecution.RunID
	}
	for k, v := range er.Counts {
		erased[k] = v
	}
	p, err := a.Store.DeletionProofWrite(ctx, in.OrgID, store.DeletionProof{ApplicationID: in.ApplicationID, Reason: in.Reason, Rule: in.Rule, Erased: erased})
	if err != nil {
		return EraseResult{}, err
	}
	return EraseResult{Objects: len(keys), Counts: er.Counts, Digest: p.Digest}, nil
}

// EraseBatchInput is a batch of applications due by the retention policy (no candidate waits
// for an email), erased by the sweep itself.
type EraseBatchInput struct {
	OrgID string
	Items []store.DueApplication
}

// EraseBatchResult counts one batch.
type EraseBatchResult struct {
	Erased, Held, Failed int
}

// EraseBatch erases each application of the batch in turn (content, proof, then contact),
// heartbeating after each; one that fails is counted and left for the next sweep (its erasure
// is idempotent), so a bad row never holds up the others.
func (a *Activities) EraseBatch(ctx context.Context, in EraseBatchInput) (EraseBatchResult, error) {
	var res EraseBatchResult
	for _, d := range in.Items {
		step := EraseInput{AppRef: AppRef{OrgID: in.OrgID, ApplicationID: d.ApplicationID, Shape: ShapeWorkflowRecords}, Reason: d.Reason, Rule: d.Rule}
		c, err := a.eraseContent(ctx, step)
		switch {
		case err != nil:
			res.Failed++
		case c.Held:
			res.Held++
		default:
			if err := a.EraseContact(ctx, step); err != nil {
				res.Failed++
			} else {
				res.Erased++
			}
		}
		if activity.IsActivity(ctx) {
			activity.RecordHeartbeat(ctx, res)
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	return res, nil
}

// EraseContact erases the candidate's contact (when no other application of theirs keeps it)
// and marks the application erased; the audit log records it.
func (a *Activities) EraseContact(ctx context.Context, in EraseInput) error {
	er, err := a.Store.ApplicationEraseContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return err
	}
	return a.Store.Audit(ctx, in.OrgID, "system", "retention", "application.contact_erased", "application", in.ApplicationID,
		map[string]any{"contact": er.Counts["contact"]})
}

// DeletionNotice is the candidate's email about their deletion request.
func DeletionNotice(ref AppRef, refused bool, digest string) CandidateNoticeInput {
	if refused {
		return CandidateNoticeInput{AppRef: ref, Kind: hireflow.NoticeDeletionRefused, Key: "held"}
	}
	return CandidateNoticeInput{AppRef: ref, Kind: hireflow.NoticeDeletionDone, Key: "done", Detail: digest}
}
