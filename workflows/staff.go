package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow/activities"
)

// StaffInviteWorkflowName is the registered name of the staff invitation's workflow.
const StaffInviteWorkflowName = "StaffInviteWorkflow"

// StaffInviteWorkflow emails an invited staff member their set-password link (IDs only; its
// ID, staff-invite/<user>/<key>, lets one invitation through per key).
func StaffInviteWorkflow(ctx workflow.Context, in activities.StaffInviteInput) error {
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	return workflow.ExecuteActivity(ctx, a.InviteStaff, in).Get(ctx, nil)
}
