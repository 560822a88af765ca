package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow/activities"
)

// BiasAuditInput starts a bias audit of one organisation: the given period, or (empty, as the
// monthly schedule starts it) the calendar month before the run.
type BiasAuditInput struct {
	OrgID string
	From  time.Time `json:",omitempty"`
	To    time.Time `json:",omitempty"`
}

// BiasAuditWorkflowName is the workflow's registered name (the schedule starts it by name).
const BiasAuditWorkflowName = "BiasAuditWorkflow"

// BiasAuditWorkflow runs one audit (activities.RunBiasAudit); the monthly Temporal Schedule
// bias-audit/<org> starts one each month, and staff can start one on demand.
func BiasAuditWorkflow(ctx workflow.Context, in BiasAuditInput) (activities.BiasAuditResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute, RetryPolicy: activityOptions.RetryPolicy})
	trigger := "on_demand"
	if in.From.IsZero() || in.To.IsZero() {
		now := workflow.Now(ctx).UTC()
		in.To = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		in.From = in.To.AddDate(0, -1, 0)
		trigger = "schedule"
	}
	info := workflow.GetInfo(ctx)
	var res activities.BiasAuditResult
	err := workflow.ExecuteActivity(ctx, a.RunBiasAudit, activities.BiasAuditInput{OrgID: in.OrgID, From: in.From, To: in.To,
		Trigger: trigger, RunKey: info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID}).Get(ctx, &res)
	return res, err
}

// CalibrationInput starts a calibration of one organisation (every job with probation
// outcomes, or one), as the monthly schedule or a person asks.
type CalibrationInput struct {
	OrgID  string
	JobID  string `json:",omitempty"`
	UserID string `json:",omitempty"` // who asked (on demand); empty from the schedule
}

// CalibrationWorkflowName is the workflow's registered name (the schedule starts it by name).
const CalibrationWorkflowName = "CalibrationWorkflow"

// CalibrationWorkflow runs activities.ProposeCalibration: each job's proposal becomes a draft
// rule set version with its simulation and evidence; a person publishes it (or not).
func CalibrationWorkflow(ctx workflow.Context, in CalibrationInput) ([]activities.CalibrationOutcome, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Minute, RetryPolicy: activityOptions.RetryPolicy})
	trigger := "on_demand"
	if in.UserID == "" {
		trigger = "schedule"
	}
	var out []activities.CalibrationOutcome
	err := workflow.ExecuteActivity(ctx, a.ProposeCalibration, activities.CalibrationInput{OrgID: in.OrgID, JobID: in.JobID,
		Trigger: trigger, UserID: in.UserID}).Get(ctx, &out)
	return out, err
}

// AuditCheckpointWorkflowName is the daily checkpoint's registered name.
const AuditCheckpointWorkflowName = "AuditCheckpointWorkflow"

// AuditCheckpointWorkflow signs the organisation's audit chain head (the daily Schedule
// audit-checkpoint/<org> starts it).
func AuditCheckpointWorkflow(ctx workflow.Context, orgID string) (int64, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: activityOptions.RetryPolicy})
	var seq int64
	err := workflow.ExecuteActivity(ctx, a.CheckpointAuditLog, orgID).Get(ctx, &seq)
	return seq, err
}
