package workflows

import (
	"time"

	"github.com/hireflow/hireflow"
)

// ApprovalDecision is one approver's decision on an offer.
type ApprovalDecision struct {
	ApproverID string
	Role       hireflow.Role
	Decision   string // approve | reject | delegate
	DelegateTo string // user id, for delegate
	ReasonCode string
}

// ApprovalInput starts ApprovalWorkflow.
type ApprovalInput struct {
	OrgID         string
	ApplicationID string
	OfferID       string
	SLA           time.Duration
	MaxReminders  int
	// Shape is the parent's shape (activities.ShapeWorkflowRecords: the chain asks its first
	// approvers itself). Chains started before the field existed replay as 0.
	Shape int `json:",omitempty"`
}

// ApprovalResult is the chain's outcome: approved, rejected or timed_out.
type ApprovalResult struct {
	Outcome string
	Steps   int
}

// ApprovalState is what QueryApprovalState returns.
type ApprovalState struct {
	Step      int
	Steps     int
	Waiting   []string
	Outcome   string
	Reminders int
}
