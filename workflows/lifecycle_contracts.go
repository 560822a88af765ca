package workflows

import (
	"time"

	"github.com/hireflow/hireflow"
)

// Message names of the lifecycle stages.
const (
	SignalAnswerSubmitted     = "answer-submitted"
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

// LifecycleTimings are the waits after the invitation.
type LifecycleTimings struct {
	FeedbackSLA       time.Duration // live-round feedback reminder, then escalation
	ReviewSLA         time.Duration
	ApprovalSLA       time.Duration
	OfferExpiresAfter time.Duration
	ProbationLength   time.Duration
	ProbationSLA      time.Duration // manager reminder for the evaluation
}

// QuestionRef is a question of the job's bank: IDs and kinds only.
type QuestionRef struct {
	ID         string
	Kind       string // video | text
	Dimensions []string
}

// StageRef is one pinned pipeline stage: kind, parameters and `when` condition.
type StageRef struct {
	Kind   string
	When   string
	Params map[string]string
}

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

// ApprovalDecision is one approver's decision on an offer.
type ApprovalDecision struct {
	ApproverID string
	Role       hireflow.Role
	Decision   string // approve | reject | delegate
	DelegateTo string // user id, for delegate
	ReasonCode string
}

// UpdateAck is what a human step's caller gets back.
type UpdateAck struct {
	Stage  hireflow.Stage
	Status hireflow.Status
}

// ApprovalInput starts ApprovalWorkflow.
type ApprovalInput struct {
	OrgID         string
	ApplicationID string
	OfferID       string
	SLA           time.Duration
	MaxReminders  int
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
