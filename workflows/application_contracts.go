// Package workflows holds hireflow's deterministic workflow code. Inputs, results, signals,
// updates and search attributes carry IDs, enums and decisions only: personal data stays in
// PostgreSQL and the object store and is read inside activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
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

// The plan's types are the activities' (BeginApplication resolves them); the names stay here
// for the workflow's callers and tests.
type (
	Timings     = activities.Timings
	StepTimings = activities.StepTimings
	QuestionRef = activities.QuestionRef
	StageRef    = activities.StageRef
)

// CurrentShape is the shape new applications start in (ApplicationInput.Shape).
const CurrentShape = activities.ShapeWorkflowRecords

// ApplicationInput starts ApplicationWorkflow. The API sends the IDs only; the workflow's first
// activity resolves the plan (a caller that resolved it itself, such as a test, may send it).
type ApplicationInput struct {
	OrgID         string
	ApplicationID string
	JobID         string
	RuleSetID     string
	RuleVersion   int
	Timings       Timings
	// Stages are the pinned pipeline template's stage kinds in order (empty: the default).
	Stages []string
	// Pipeline is the pinned template with parameters and conditions .
	Pipeline     []StageRef
	Questions    []QuestionRef
	Weights      map[string]float64 // dimension → weight, adding up to 1
	Steps        StepTimings        `json:"Lifecycle"` // the JSON name of the first released shape
	ScoringQueue string
	// Shape is activities.ShapeWorkflowRecords for applications started since the workflow is
	// the only writer of the stage: the first activity resolves the plan and screens, decision
	// activities only decide, and the workflow records each stage with the notices of entering it
	// (RecordStage). Histories of the first shape have no such field and replay as 0.
	Shape int `json:",omitempty"`
	// Rules are the pinned routing and review rules the workflow evaluates (from the plan).
	Rules map[string]string `json:",omitempty"`
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

// Message names of the stages after the invitation.
const (
	SignalAnswerSubmitted     = "answer-submitted"
	SignalInvitationOpened    = "invitation-opened"
	SignalConsentGiven        = "consent-given"
	SignalLinkRenewal         = "link-renewal"
	SignalOfferResponse       = "offer-response"
	SignalCancel              = "cancel"
	SignalDeletionRequest     = "deletion-request"
	SignalHumanOnly           = "automated-decision-opt-out"
	UpdateInterviewFeedback   = "interview-feedback"
	UpdateReview              = "review"
	UpdateDraftOffer          = "draft-offer"
	UpdateProbationEvaluation = "probation-evaluation"
	UpdateApprovalDecision    = "approval-decision"
	QueryApprovalState        = "approval-state"
)

// AnswerSignal says an answer was stored; it carries IDs only.
type AnswerSignal struct {
	AnswerID   string
	QuestionID string
}

// OfferResponse is the candidate's answer to an approved offer.
type OfferResponse struct {
	Accept     bool
	ReasonCode string
}

// CancelSignal is a recruiter's cancellation.
type CancelSignal struct {
	UserID     string
	ReasonCode string
}

// InvitationOpenedSignal tells the workflow the candidate opened their link: the interview
// stage begins (the API reports it; the workflow records it).
type InvitationOpenedSignal struct{}

// ConsentSignal tells the workflow the candidate consented under a notice version (the API
// stored the consent); the workflow sends the confirmation email once per version.
type ConsentSignal struct {
	NoticeVersion string
}

// LinkRenewalSignal asks the workflow to email the candidate a fresh link that replaces the old
// ones; Bucket makes it at most one email per bucket (the API uses ten-minute buckets).
type LinkRenewalSignal struct {
	Bucket string
	TTL    time.Duration
}

// DeletionSignal is the candidate's request to delete their data.
type DeletionSignal struct{}

// HumanOnlySignal records that the candidate refused decisions made solely by automated means.
type HumanOnlySignal struct{}

// FeedbackUpdate is an interviewer's structured feedback on a live round. Comments stay in
// PostgreSQL, written by the API; the workflow sees ratings only.
type FeedbackUpdate struct {
	Round          int
	InterviewerID  string
	Role           hireflow.Role
	Ratings        map[string]int // dimension → 1..5
	Recommendation string         // advance | hold | reject
	// NoShow: the candidate did not come to the round; given without ratings. (Histories
	// recorded before the field replay unchanged: the field decodes as false.)
	NoShow bool `json:",omitempty"`
}

// ReviewUpdate is one reviewer's decision.
type ReviewUpdate struct {
	ReviewerID string
	Role       hireflow.Role
	Rating     float64 // 1..5
	Decision   string  // advance | hold | reject
	ReasonCode string
}

// DraftOfferUpdate hands a drafted offer (stored by the API) to the workflow.
type DraftOfferUpdate struct {
	OfferID string
	UserID  string
}

// ProbationUpdate is the manager's probation evaluation.
type ProbationUpdate struct {
	ManagerID string
	Role      hireflow.Role
	Outcome   string // pass | extend | fail
	Rating    int    // 1..5
}

// UpdateAck is what a human step's caller gets back.
type UpdateAck struct {
	Stage  hireflow.Stage
	Status hireflow.Status
}
