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

// RetentionSweepWorkflow starts one RetentionWorkflow per application due in the organisation
// (its Schedule runs it every hour) and waits for them.
func RetentionSweepWorkflow(ctx workflow.Context, orgID string) (SweepResult, error) {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	var due []store.DueApplication
	if err := workflow.ExecuteActivity(ctx, a.RetentionDue, orgID).Get(ctx, &due); err != nil {
		return SweepResult{}, err
	}
	res := SweepResult{Due: len(due)}
	var futures []workflow.ChildWorkflowFuture
	for _, d := range due {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: "retention/" + d.ApplicationID,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE, ParentClosePolicy: enums.PARENT_CLOSE_POLICY_ABANDON,
			TypedSearchAttributes: temporal.NewSearchAttributes(SAOrg.ValueSet(orgID))})
		futures = append(futures, workflow.ExecuteChildWorkflow(cctx, RetentionWorkflowName,
			RetentionInput{OrgID: orgID, ApplicationID: d.ApplicationID, Reason: d.Reason, Rule: d.Rule}))
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
	var c activities.EraseResult
	if err := workflow.ExecuteActivity(ctx, a.EraseContent, step).Get(ctx, &c); err != nil {
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
	if err := workflow.ExecuteActivity(ctx, a.EraseContact, step).Get(ctx, nil); err != nil {
		return RetentionResult{}, err
	}
	return RetentionResult{Erased: true, Digest: c.Digest}, nil
}

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
