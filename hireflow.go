package hireflow

import (
	"strconv"
	"time"
)

// Role is a staff role; every endpoint declares which roles may call it (see api/policy.go).
type Role string

const (
	RoleAdmin         Role = "admin"
	RoleRecruiter     Role = "recruiter"
	RoleHiringManager Role = "hiring_manager"
	RoleInterviewer   Role = "interviewer"
	RoleAnalyst       Role = "analyst"
	RoleIntegration   Role = "integration"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleRecruiter, RoleHiringManager, RoleInterviewer, RoleAnalyst, RoleIntegration}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Stage is where an application is in its pipeline.
type Stage string

const (
	StageApplied    Stage = "applied"
	StageScreening  Stage = "screening"
	StageHold       Stage = "hold"
	StageInvited    Stage = "invited"
	StageInterview  Stage = "interview"
	StageRejected   Stage = "rejected"
	StageExpired    Stage = "expired"
	StageWithdrawn  Stage = "withdrawn"
	StageLiveRound  Stage = "live_round"
	StageScoring    Stage = "scoring"
	StageReview     Stage = "review"
	StageOffer      Stage = "offer"
	StageOnboarding Stage = "onboarding"
	StageProbation  Stage = "probation"
	StageCompleted  Stage = "completed"
	StageDeclined   Stage = "offer_declined"
	StageCancelled  Stage = "cancelled"
	StageDeletion   Stage = "deletion_requested"
)

// Status is the coarse state of an application.
type Status string

const (
	StatusActive    Status = "active"
	StatusRejected  Status = "rejected"
	StatusExpired   Status = "expired"
	StatusWithdrawn Status = "withdrawn"
	StatusHired     Status = "hired"
	StatusDeclined  Status = "declined"
	StatusCancelled Status = "cancelled"
	StatusDeletion  Status = "deletion_requested"
)

// ScreenOutcome is what a screening rule returns.
type ScreenOutcome string

const (
	ScreenPass   ScreenOutcome = "pass"
	ScreenReject ScreenOutcome = "reject"
	ScreenHold   ScreenOutcome = "hold"
)

// Organisation is a tenant; every row belongs to one.
type Organisation struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	BrandLine string    `json:"brand_line,omitempty"`
	Color     string    `json:"color,omitempty"`
	LogoURL   string    `json:"logo_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// AuditPublished: the latest bias audit's summary is public on /audits/{slug}.
	AuditPublished bool `json:"audit_published"`
}

// User is a staff member.
type User struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
}

// Principal is the authenticated caller of a staff endpoint.
type Principal struct {
	OrgID  string
	UserID string
	Role   Role
	// Scopes are an API token's fields (nil for a signed-in person): the token sees at most those.
	Scopes []string `json:",omitempty"`
}

// Requirements are what a job asks of a candidate; the screening rule sees them as `job`.
type Requirements struct {
	MustSkills []string `json:"must_skills"`
	NiceSkills []string `json:"nice_skills"`
	MinYears   float64  `json:"min_years"`
	Education  string   `json:"education"` // minimum level: none|highschool|associate|bachelor|master|phd
	Languages  []string `json:"languages"`
}

// Dimension is one competency the interview is scored on.
type Dimension struct {
	Key    string  `json:"key"`
	NameEN string  `json:"name_en"`
	NameZH string  `json:"name_zh"`
	Weight float64 `json:"weight"`
}

// Question is one interview question of the job's bank.
type Question struct {
	ID         string   `json:"id"`
	TextEN     string   `json:"text_en"`
	TextZH     string   `json:"text_zh"`
	Kind       string   `json:"kind"` // video | text
	ThinkSecs  int      `json:"think_seconds"`
	MaxSecs    int      `json:"max_seconds"`
	Retakes    int      `json:"retakes"`
	Dimensions []string `json:"dimensions,omitempty"`
	// PointsEN/PointsZH are what a good answer covers; the scorer measures relevance against
	// them as well as against the question.
	PointsEN []string `json:"points_en,omitempty"`
	PointsZH []string `json:"points_zh,omitempty"`
	// HighIntensity questions are asked only when the rule set's intensity rule says the team's
	// recent overtime calls for them.
	HighIntensity bool `json:"high_intensity,omitempty"`
}

// Timings are the durations a job's workflow waits; zero values take the deployment defaults.
type Timings struct {
	InviteReminderAfter Duration `json:"invite_reminder_after,omitempty"`
	InviteExpiresAfter  Duration `json:"invite_expires_after,omitempty"`
	RejectionDelay      Duration `json:"rejection_delay,omitempty"`
	HoldSLA             Duration `json:"hold_sla,omitempty"`
	FeedbackSLA         Duration `json:"feedback_sla,omitempty"`
	ReviewSLA           Duration `json:"review_sla,omitempty"`
	ApprovalSLA         Duration `json:"approval_sla,omitempty"`
	OfferExpiresAfter   Duration `json:"offer_expires_after,omitempty"`
	ProbationLength     Duration `json:"probation_length,omitempty"`
	ProbationSLA        Duration `json:"probation_sla,omitempty"`
}

// PipelineStage is one stage of a job's pinned pipeline template.
type PipelineStage struct {
	Kind   string            `json:"stage"`
	When   string            `json:"when,omitempty"`
	Params map[string]string `json:"params,omitempty"`
}

// Job is an opening.
type Job struct {
	ID            string          `json:"id"`
	OrgID         string          `json:"org_id"`
	Title         string          `json:"title"`
	TitleZH       string          `json:"title_zh,omitempty"`
	Family        string          `json:"family,omitempty"` // groups jobs for audits and calibration; "" = the title
	Description   string          `json:"description,omitempty"`
	Location      string          `json:"location,omitempty"`
	Status        string          `json:"status"` // open | closed
	Requirements  Requirements    `json:"requirements"`
	Dimensions    []Dimension     `json:"dimensions"`
	Questions     []Question      `json:"questions"`
	ScreeningRule string          `json:"screening_rule"`
	RuleSetID     string          `json:"rule_set_id"`
	RuleVersion   int             `json:"rule_version"`
	Stages        []string        `json:"stages"` // the pinned pipeline template's stage kinds
	Pipeline      []PipelineStage `json:"pipeline"`
	Timings       Timings         `json:"timings"`
	Offer         JobOffer        `json:"offer"`
	CreatedAt     time.Time       `json:"created_at"`
}

// JobOffer is what an offer for a job starts from and is checked against: the salary band (an
// offer outside it is refused unless the band is empty), currency, level and department.
type JobOffer struct {
	Currency   string  `json:"currency,omitempty"`
	BandMin    float64 `json:"band_min,omitempty"`
	BandMax    float64 `json:"band_max,omitempty"`
	Level      int     `json:"level,omitempty"`
	Department string  `json:"department,omitempty"`
}

// Application is one candidate's path through one job. Candidate fields are decrypted only for
// roles allowed to see them.
type Application struct {
	ID             string    `json:"id"`
	OrgID          string    `json:"org_id"`
	JobID          string    `json:"job_id"`
	CandidateID    string    `json:"candidate_id"`
	Stage          Stage     `json:"stage"`
	Status         Status    `json:"status"`
	RuleSetID      string    `json:"rule_set_id"`
	RuleVersion    int       `json:"rule_version"`
	WorkflowID     string    `json:"workflow_id"`
	Language       string    `json:"language"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	CandidateName  string    `json:"candidate_name,omitempty"`
	CandidateEmail string    `json:"candidate_email,omitempty"`
}

// Decision is one recorded evaluation: which rule, its inputs (non-personal facts), the outcome.
type Decision struct {
	ID            string         `json:"id"`
	ApplicationID string         `json:"application_id"`
	Kind          string         `json:"kind"` // screening | recruiter
	RuleSetID     string         `json:"rule_set_id,omitempty"`
	RuleVersion   int            `json:"rule_version,omitempty"`
	RuleName      string         `json:"rule_name,omitempty"`
	RuleSource    string         `json:"rule_source,omitempty"`
	ProgramHash   string         `json:"program_hash,omitempty"`
	Inputs        map[string]any `json:"inputs"`
	Outcome       string         `json:"outcome"`
	Reason        string         `json:"reason,omitempty"`
	DecidedBy     string         `json:"decided_by,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	Explanation   string         `json:"explanation,omitempty"`
	ExplanationZH string         `json:"explanation_zh,omitempty"`
	// For the staff page: the rule on one line and each input it read ("resume.years = 4").
	RuleLine   string   `json:"-"`
	InputLines []string `json:"-"`
}

// WorkflowIDForApplication is the only way application workflow IDs are made: the UUID, nothing personal.
func WorkflowIDForApplication(applicationID string) string { return "application/" + applicationID }

// WorkflowIDForApproval is the only way approval workflow IDs are made: the offer's UUID.
func WorkflowIDForApproval(offerID string) string { return "approval/" + offerID }

// WorkflowIDForInterview is the only way scheduling workflow IDs are made: the application's
// UUID and the round.
func WorkflowIDForInterview(applicationID string, round int) string {
	return "interview/" + applicationID + "/" + strconv.Itoa(round)
}
