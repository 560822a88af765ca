package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

// RosterSyncWorkflowName is the registered name of RosterSyncWorkflow.
const RosterSyncWorkflowName = "RosterSyncWorkflow"

// RosterSyncWorkflow reads an organisation's rosters from its attendance platform and tells
// every interview whose booking the change broke (SchedulingWorkflow re-plans it).
func RosterSyncWorkflow(ctx workflow.Context, orgID string) (activities.SyncResult, error) {
	// A sync pages through the platform with back-off on rate limits: give it minutes.
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: 5, NonRetryableErrorTypes: []string{activities.ErrTypePermanent}}})
	var res activities.SyncResult
	if err := workflow.ExecuteActivity(ctx, a.SyncRosters, orgID).Get(ctx, &res); err != nil {
		return res, err
	}
	for _, b := range res.Broken {
		err := workflow.SignalExternalWorkflow(ctx, hireflow.WorkflowIDForInterview(b.ApplicationID, b.Round), "", SignalRosterChanged, struct{}{}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("interview not told of the roster change", "interview", b.InterviewID, "err", err.Error())
		}
	}
	return res, nil
}

// SyncRostersNow runs one sync to its end (the console's "sync now", the CLI).
func SyncRostersNow(ctx context.Context, c client.Client, taskQueue, orgID string) (activities.SyncResult, error) {
	return runToEnd[activities.SyncResult](ctx, c, taskQueue, "roster-sync", orgID, RosterSyncWorkflowName, orgID)
}

// RosterSyncEvery is how often the schedule syncs rosters.
const RosterSyncEvery = 10 * time.Minute

// EnsureRosterSyncSchedule creates the Temporal Schedule roster-sync/<org> (every ten minutes)
// unless it exists.
func EnsureRosterSyncSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	id := "roster-sync/" + orgID
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: RosterSyncEvery}}},
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP, // a slow sync is not run twice at once
		Action:  &client.ScheduleWorkflowAction{ID: id, Workflow: RosterSyncWorkflowName, TaskQueue: taskQueue, Args: []any{orgID}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, err
	}
	return id, nil
}

// NotifyRosterChanged signals the interviews whose bookings a roster change broke (an upload
// or a push through the API).
func NotifyRosterChanged(ctx context.Context, c client.Client, broken []activities.BrokenBooking) {
	for _, b := range broken {
		_ = c.SignalWorkflow(ctx, hireflow.WorkflowIDForInterview(b.ApplicationID, b.Round), "", SignalRosterChanged, struct{}{})
	}
}
