// Package workers wires workflows and activities to task queues. Workers never serve HTTP.
package workers

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/workflows"
)

// NewApplicationWorker runs ApplicationWorkflow and its activities on taskQueue.
func NewApplicationWorker(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	w := worker.New(c, taskQueue, opts)
	w.RegisterWorkflow(workflows.ApplicationWorkflow)
	w.RegisterWorkflow(workflows.ApprovalWorkflow)
	w.RegisterWorkflowWithOptions(workflows.BiasAuditWorkflow, workflow.RegisterOptions{Name: workflows.BiasAuditWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.CalibrationWorkflow, workflow.RegisterOptions{Name: workflows.CalibrationWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.AuditCheckpointWorkflow, workflow.RegisterOptions{Name: workflows.AuditCheckpointWorkflowName})
	w.RegisterWorkflow(workflows.SchedulingWorkflow)
	w.RegisterWorkflowWithOptions(workflows.RetentionSweepWorkflow, workflow.RegisterOptions{Name: workflows.RetentionSweepWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.RetentionWorkflow, workflow.RegisterOptions{Name: workflows.RetentionWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.StaffInviteWorkflow, workflow.RegisterOptions{Name: workflows.StaffInviteWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.AccessRequestWorkflow, workflow.RegisterOptions{Name: workflows.AccessWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.RosterSyncWorkflow, workflow.RegisterOptions{Name: workflows.RosterSyncWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.LiveTranscriptWorkflow, workflow.RegisterOptions{Name: workflows.LiveTranscriptWorkflowName})
	w.RegisterActivity(acts)
	return w
}

// NewScoringWorker runs the answer-scoring activity on its own task queue; scale it out by
// running more of it.
func NewScoringWorker(c client.Client, taskQueue string, acts *activities.Activities, opts worker.Options) worker.Worker {
	w := worker.New(c, taskQueue, opts)
	w.RegisterActivityWithOptions(acts.ScoreAnswer, activity.RegisterOptions{Name: activities.ScoreAnswerName})
	w.RegisterActivityWithOptions(acts.TranscribeLive, activity.RegisterOptions{Name: activities.TranscribeLiveName})
	return w
}
