package workflows

// Starting bias audits: on demand, and the monthly schedule (client side, not workflow code).

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow/activities"
)

// runToEnd starts a workflow (its ID: prefix/<org>/<random>) and waits for its result.
func runToEnd[T any](ctx context.Context, c client.Client, taskQueue, prefix, orgID, workflow string, in any) (T, error) {
	var out T
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: prefix + "/" + orgID + "/" + uuid.NewString(),
		TaskQueue: taskQueue}, workflow, in)
	if err != nil {
		return out, err
	}
	return out, run.Get(ctx, &out)
}

// RunBiasAudit runs one audit workflow to its end.
func RunBiasAudit(ctx context.Context, c client.Client, taskQueue string, in BiasAuditInput) (activities.BiasAuditResult, error) {
	return runToEnd[activities.BiasAuditResult](ctx, c, taskQueue, "bias-audit", in.OrgID, BiasAuditWorkflowName, in)
}

// RunCalibration runs one calibration workflow to its end.
func RunCalibration(ctx context.Context, c client.Client, taskQueue string, in CalibrationInput) ([]activities.CalibrationOutcome, error) {
	return runToEnd[[]activities.CalibrationOutcome](ctx, c, taskQueue, "calibration", in.OrgID, CalibrationWorkflowName, in)
}

// ensureSchedule creates the Temporal Schedule prefix/<org>, firing at minute:hour UTC on the
// given days of the month (0: every day), unless it exists.
func ensureSchedule(ctx context.Context, c client.Client, taskQueue, prefix, orgID string, day, hour, minute int, workflow string, arg any) (string, error) {
	id := prefix + "/" + orgID
	days := []client.ScheduleRange{{Start: day}}
	if day == 0 {
		days = []client.ScheduleRange{{Start: 1, End: 31}}
	}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: minute}}, Hour: []client.ScheduleRange{{Start: hour}},
			DayOfMonth: days, Month: []client.ScheduleRange{{Start: 1, End: 12}}, DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}}}}},
		Action: &client.ScheduleWorkflowAction{ID: id, Workflow: workflow, TaskQueue: taskQueue, Args: []any{arg}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, err
	}
	return id, nil
}

// EnsureBiasAuditSchedule creates the monthly Temporal Schedule bias-audit/<org> (the 1st at
// 03:00 UTC, for the month before) unless it exists.
func EnsureBiasAuditSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	return ensureSchedule(ctx, c, taskQueue, "bias-audit", orgID, 1, 3, 0, BiasAuditWorkflowName, BiasAuditInput{OrgID: orgID})
}

// EnsureCalibrationSchedule creates the monthly Temporal Schedule calibration/<org> (the 2nd
// of each month at 04:00 UTC, after the bias audit) unless it exists.
func EnsureCalibrationSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	return ensureSchedule(ctx, c, taskQueue, "calibration", orgID, 2, 4, 0, CalibrationWorkflowName, CalibrationInput{OrgID: orgID})
}

// EnsureAuditCheckpointSchedule creates the daily Temporal Schedule audit-checkpoint/<org>
// (00:30 UTC) that signs the head of the organisation's audit chain, unless it exists.
func EnsureAuditCheckpointSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	return ensureSchedule(ctx, c, taskQueue, "audit-checkpoint", orgID, 0, 0, 30, AuditCheckpointWorkflowName, orgID)
}
