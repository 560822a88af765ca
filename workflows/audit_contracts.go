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

// RunBiasAudit runs one audit workflow to its end.
func RunBiasAudit(ctx context.Context, c client.Client, taskQueue string, in BiasAuditInput) (activities.BiasAuditResult, error) {
	var res activities.BiasAuditResult
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bias-audit/" + in.OrgID + "/" + uuid.NewString(),
		TaskQueue: taskQueue}, BiasAuditWorkflowName, in)
	if err != nil {
		return res, err
	}
	return res, run.Get(ctx, &res)
}

// EnsureBiasAuditSchedule creates the monthly Temporal Schedule bias-audit/<org> unless it exists.
func EnsureBiasAuditSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	id := "bias-audit/" + orgID
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 3}},
			DayOfMonth: []client.ScheduleRange{{Start: 1}}, Month: []client.ScheduleRange{{Start: 1, End: 12}},
			DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}}}}},
		Action: &client.ScheduleWorkflowAction{ID: id, Workflow: BiasAuditWorkflowName, TaskQueue: taskQueue,
			Args: []any{BiasAuditInput{OrgID: orgID}}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, err
	}
	return id, nil
}

// RunCalibration runs one calibration workflow to its end.
func RunCalibration(ctx context.Context, c client.Client, taskQueue string, in CalibrationInput) ([]activities.CalibrationOutcome, error) {
	var out []activities.CalibrationOutcome
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "calibration/" + in.OrgID + "/" + uuid.NewString(),
		TaskQueue: taskQueue}, CalibrationWorkflowName, in)
	if err != nil {
		return out, err
	}
	return out, run.Get(ctx, &out)
}

// EnsureAuditCheckpointSchedule creates the daily Temporal Schedule audit-checkpoint/<org>
// (00:30 UTC) that signs the head of the organisation's audit chain, unless it exists.
func EnsureAuditCheckpointSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	id := "audit-checkpoint/" + orgID
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 30}}, Hour: []client.ScheduleRange{{Start: 0}},
			DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}}, Month: []client.ScheduleRange{{Start: 1, End: 12}},
			DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}}}}},
		Action: &client.ScheduleWorkflowAction{ID: id, Workflow: AuditCheckpointWorkflowName, TaskQueue: taskQueue, Args: []any{orgID}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, err
	}
	return id, nil
}

// EnsureCalibrationSchedule creates the monthly Temporal Schedule calibration/<org> (the 2nd
// of each month at 04:00 UTC, after the bias audit) unless it exists.
func EnsureCalibrationSchedule(ctx context.Context, c client.Client, taskQueue, orgID string) (string, error) {
	id := "calibration/" + orgID
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: id,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{{
			Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 4}},
			DayOfMonth: []client.ScheduleRange{{Start: 2}}, Month: []client.ScheduleRange{{Start: 1, End: 12}},
			DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}}}}},
		Action: &client.ScheduleWorkflowAction{ID: id, Workflow: CalibrationWorkflowName, TaskQueue: taskQueue,
			Args: []any{CalibrationInput{OrgID: orgID}}}})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return id, err
	}
	return id, nil
}
