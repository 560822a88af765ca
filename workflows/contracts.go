// Package workflows holds hireflow's deterministic workflow code. Inputs, results, signals,
// updates and search attributes carry IDs, enums and decisions only: personal data stays in
// PostgreSQL and the object store and is read inside activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
)

// Message names.
const (
	SignalWithdraw          = "withdraw"
	UpdateRecruiterDecision = "recruiter-decision"
	QueryState              = "state"
)

// Search attributes (registered on the dev server by deploy/local/stack.sh).
var (
	SAOrg         = temporal.NewSearchAttributeKeyKeyword("HireflowOrg")
	SAJob         = temporal.NewSearchAttributeKeyKeyword("HireflowJob")
	SAStage       = temporal.NewSearchAttributeKeyKeyword("HireflowStage")
	SAStatus      = temporal.NewSearchAttributeKeyKeyword("HireflowStatus")
	SARuleVersion = temporal.NewSearchAttributeKeyInt64("HireflowRuleVersion")
)

// Timings are the workflow's waits, resolved from the job and the deployment defaults.
type Timings struct {
	InviteReminderAfter time.Duration
	InviteExpiresAfter  time.Duration
	RejectionDelay      time.Duration
	HoldSLA             time.Duration
}

// ApplicationInput starts ApplicationWorkflow.
type ApplicationInput struct {
	OrgID         string
	ApplicationID string
	JobID         string
	RuleSetID     string
	RuleVersion   int
	Timings       Timings
	// Stages are the pinned pipeline template's stage kinds in order (empty: the default).
	Stages []string
	// Pipeline is the pinned template with parameters and conditions (lifecycle v1).
	Pipeline     []StageRef
	Questions    []QuestionRef
	Weights      map[string]float64 // dimension → weight, adding up to 1
	Lifecycle    LifecycleTimings
	ScoringQueue string
}

// ApplicationResult is how the workflow ended.
type ApplicationResult struct {
	Stage  hireflow.Stage
	Status hireflow.Status
}

// WithdrawSignal is the candidate's withdrawal; Reason is a code, never free text.
type WithdrawSignal struct {
	Reason string
}

// RecruiterDecision is a recruiter's pass/reject on a held application.
type RecruiterDecision struct {
	UserID     string
	Outcome    hireflow.ScreenOutcome
	ReasonCode string
}

// RecruiterDecisionResult is what the recruiter gets back.
type RecruiterDecisionResult struct {
	DecisionID string
}

// State is what QueryState returns.
type State struct {
	Stage           hireflow.Stage
	Status          hireflow.Status
	ScreenOutcome   hireflow.ScreenOutcome
	InviteExpiresAt time.Time
	Reminders       int
	HumanOnly       bool
	Answers         int
	Scored          int
	Round           int
	Feedback        int
	Reviews         int
	Overall         float64
	Flags           []string
	OfferID         string
	Offers          int
	ApprovalOutcome string
	StopReason      string
}

// Rejection reason codes a recruiter may give.
var ReasonCodes = []string{"skills", "experience", "education", "language", "location", "other"}
