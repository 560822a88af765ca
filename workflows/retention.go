package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// Registered names of the retention workflows.
const (
	RetentionSweepWorkflowName = "RetentionSweepWorkflow"
	RetentionWorkflowName      = "RetentionWorkflow"
)

// RetentionInput names one application's erasure (IDs and the rule only).
type RetentionInput struct {
	OrgID         string
	ApplicationID string
	Reason        string // retention | request
	Rule          string
}

// RetentionResult is how one erasure ended.
type RetentionResult struct {
	Erased bool
	Held   bool
	Digest string
}

// SweepResult counts one sweep.
type SweepResult struct {
	Due, Erased, Held, Failed int
}

// RetentionSweepWorkflow erases what is due in the organisation (its Schedule runs it every
// hour): applications due by policy in batches of EraseBatchSize, one activity each, and one
// RetentionWorkflow per deletion request or held application; it waits for all of them.
func RetentionSweepWorkflow(ctx workflow.Context, orgID string) (SweepResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	var due []store.DueApplication
	if err := workflow.ExecuteActivity(ctx, a.RetentionDue, orgID).Get(ctx, &due); err != nil {
		return SweepResult{}, err
	}
	res := SweepResult{Due: len(due)}
	var batches []workflow.Future
	var sizes []int
	if workflow.GetVersion(ctx, VersionBatchedSweep, workflow.DefaultVersion, 1) == 1 {
		// Erasures by policy (no candidate waits for an email) run in batches inside the sweep;
		// deletion requests and held applications keep a RetentionWorkflow each (the candidate
		// is told, with the proof or the reason).
		var children []store.DueApplication
		var batch []store.DueApplication
		bctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: time.Minute,
			RetryPolicy: activityOptions.RetryPolicy})
		flush := func() {
			if len(batch) > 0 {
				batches = append(batches, workflow.ExecuteActivity(bctx, a.EraseBatch, activities.EraseBatchInput{OrgID: orgID, Items: batch}))
				sizes, batch = append(sizes, len(batch)), nil
			}
		}
		for _, d := range due {
			if d.Reason == "request" || d.Held {
				children = append(children, d)
				continue
			}
			if batch = append(batch, d); len(batch) == EraseBatchSize {
				flush()
			}
		}
		flush()
		due = children
	}
	var futures []workflow.ChildWorkflowFuture
	for _, d := range due {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: "retention/" + d.ApplicationID,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
			TypedSearchAttributes: temporal.NewSearchAttributes(SAOrg.ValueSet(orgID))})
		futures = append(futures, workflow.ExecuteChildWorkflow(cctx, RetentionWorkflowName,
			RetentionInput{OrgID: orgID, ApplicationID: d.ApplicationID, Reason: d.Reason, Rule: d.Rule}))
	}
	for i, f := range batches {
		var r activities.EraseBatchResult
		if err := f.Get(ctx, &r); err != nil {
			res.Failed += sizes[i] // the next sweep finds them due again
			continue
		}
		res.Erased, res.Held, res.Failed = res.Erased+r.Erased, res.Held+r.Held, res.Failed+r.Failed
	}
	for _, f := range futures {
		var r RetentionResult
		switch err := f.Get(ctx, &r); {
		case err != nil:
			res.Failed++
		case r.Held:
			res.Held++
		case r.Erased:
			res.Erased++
		}
	}
	return res, nil
}

// RetentionWorkflow erases one application: content first (object keys destroyed, objects
// deleted, personal columns emptied, proof written), then — for a candidate's request — the
// confirmation email while the address still exists, then the contact. Under a legal hold it
// erases nothing and tells a requesting candidate why.
func RetentionWorkflow(ctx workflow.Context, in RetentionInput) (RetentionResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	ref := activities.AppRef{OrgID: in.OrgID, ApplicationID: in.ApplicationID, Shape: activities.ShapeWorkflowRecords}
	step := activities.EraseInput{AppRef: ref, Reason: in.Reason, Rule: in.Rule}
	// The erasure steps run as local activities since VersionLocalErase: two short,
	// idempotent database-and-storage steps need no activity task of their own on the server,
	// which makes a sweep of thousands several times faster. Earlier runs keep activities.
	erase := workflow.ExecuteActivity
	if workflow.GetVersion(ctx, VersionLocalErase, workflow.DefaultVersion, 1) == 1 {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 2 * time.Minute,
			RetryPolicy: activityOptions.RetryPolicy})
		erase = func(_ workflow.Context, fn any, args ...any) workflow.Future {
			return workflow.ExecuteLocalActivity(lctx, fn, args...)
		}
	}
	var c activities.EraseResult
	if err := erase(ctx, a.EraseContent, step).Get(ctx, &c); err != nil {
		return RetentionResult{}, err
	}
	if c.Held {
		if in.Reason == "request" {
			if err := workflow.ExecuteActivity(ctx, a.NotifyCandidate, activities.DeletionNotice(ref, true, "")).Get(ctx, nil); err != nil {
				return RetentionResult{}, err
			}
		}
		return RetentionResult{Held: true}, nil
	}
	if in.Reason == "request" {
		// A confirmation that cannot be sent (the address bounced, SMTP down for long) must not
		// keep the data: after the activity's retries the contact is erased anyway.
		nctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 35 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 12}})
		if err := workflow.ExecuteActivity(nctx, a.NotifyCandidate, activities.DeletionNotice(ref, false, c.Digest)).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("deletion confirmation not sent", "err", err.Error())
		}
	}
	if err := erase(ctx, a.EraseContact, step).Get(ctx, nil); err != nil {
		return RetentionResult{}, err
	}
	return RetentionResult{Erased: true, Digest: c.Digest}, nil
}

// VersionBatchedSweep is the change ID of the sweep erasing applications due by policy in
// batches of EraseBatchSize (one activity each) instead of one child workflow apiece.
const VersionBatchedSweep = "retention-batched-sweep"

// EraseBatchSize is how many applications one erasure activity of the sweep takes.
const EraseBatchSize = 25

// VersionLocalErase is the change ID of the retention workflow running its erasure steps as
// local activities.
const VersionLocalErase = "retention-local-erase"

// RetentionEvery is how often the retention schedule sweeps.
const RetentionEvery = time.Hour

// EnsureRetentionSchedule creates the Temporal Schedule retention/<org> (hourly) unless it exists.
func EnsureRetentionSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	id := "retention/" + orgID
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: RetentionEvery}}},
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action:  &client.ScheduleWorkflowAction{ID: id, Workflow: RetentionSweepWorkflowName, TaskQueue: taskQueue, Args: []any{orgID}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		var exists *serviceerror.WorkflowExecutionAlreadyStarted
		if !errors.As(err, &exists) {
			return id, err
		}
	}
	return id, nil
}

// RunRetentionNow runs one sweep of the organisation to its end.
func RunRetentionNow(ctx context.Context, c client.Client, taskQueue, orgID string) (SweepResult, error) {
	return runToEnd[SweepResult](ctx, c, taskQueue, "retention-sweep", orgID, RetentionSweepWorkflowName, orgID)
}

// AccessWorkflowName is the registered name of the right-of-access link's workflow.
const AccessWorkflowName = "AccessRequestWorkflow"

// AccessInput asks for one data-access link (IDs and the ten-minute bucket only).
type AccessInput struct {
	OrgID         string
	ApplicationID string
	Bucket        string
}

// AccessLinkTTL is how long the emailed download link works.
const AccessLinkTTL = 24 * time.Hour

// AccessRequestWorkflow emails the candidate a fresh link to download their data (the right of
// access). Its ID, access/<application>/<bucket>, lets one request through per ten minutes.
func AccessRequestWorkflow(ctx workflow.Context, in AccessInput) error {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	ref := activities.AppRef{OrgID: in.OrgID, ApplicationID: in.ApplicationID, Shape: activities.ShapeWorkflowRecords}
	return workflow.ExecuteActivity(ctx, a.NotifyCandidate, activities.CandidateNoticeInput{AppRef: ref, Kind: hireflow.NoticeDataAccess,
		Key: in.Bucket, WithLink: true, LinkPurpose: activities.TokenPurposeAccess, LinkTTL: AccessLinkTTL}).Get(ctx, nil)
}
