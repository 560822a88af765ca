package api

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/chat"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/infra/objects"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/scheduling"
	"github.com/hireflow/hireflow/rules"
)

// Store is what the handlers read and write in PostgreSQL (implemented by *store.Store).
type Store interface {
	Assigned(ctx context.Context, orgID, appID, userID string) (bool, error)
	AssignedApplications(ctx context.Context, orgID, userID string) (map[string]bool, error)
	FieldVisibility(ctx context.Context, orgID string) ([]store.FieldOverride, error)
	FieldVisibilitySet(ctx context.Context, orgID, userID string, overrides []store.FieldOverride) error
	// Retention and deletion.
	RetentionPolicyGet(ctx context.Context, orgID string) (store.RetentionPolicy, error)
	RetentionPolicySet(ctx context.Context, orgID string, p store.RetentionPolicy) error
	LegalHoldPlace(ctx context.Context, orgID, appID, userID, reason string) error
	LegalHoldRelease(ctx context.Context, orgID, appID, userID string) error
	DeletionProofGet(ctx context.Context, orgID, appID string) (store.DeletionProof, error)
	SubjectAccess(ctx context.Context, orgID, appID string) (store.SubjectData, error)
	// Scheduling (live interviews).
	SchedulingSettingsGet(ctx context.Context, orgID string) (store.SchedulingSettings, error)
	SchedulingSettingsSet(ctx context.Context, orgID string, v store.SchedulingSettings) error
	InterviewerSettingsSet(ctx context.Context, orgID string, v store.InterviewerSettings) error
	Interviewers(ctx context.Context, orgID string, ids []string) ([]store.InterviewerSettings, error)
	RosterConnectorSet(ctx context.Context, orgID string, c store.RosterConnector) error
	RosterConnectorGet(ctx context.Context, orgID string) (store.RosterConnector, bool, error)
	RosterReplace(ctx context.Context, orgID, source string, users []string, from, to time.Time, entries []store.RosterEntry) error
	RosterEntries(ctx context.Context, orgID string, users []string, from, to time.Time) ([]store.RosterEntry, error)
	SlotsBusy(ctx context.Context, orgID string, users []string, from, to time.Time) ([]store.Busy, error)
	BookedInterviews(ctx context.Context, orgID string, users []string, after time.Time) ([]store.Busy, error)
	InterviewGet(ctx context.Context, orgID, id string) (store.Interview, error)
	InterviewForApplication(ctx context.Context, orgID, appID string) (store.Interview, bool, error)
	InterviewSetStatus(ctx context.Context, orgID, id, status, note string, bump bool) error
	InterviewSetPreferences(ctx context.Context, orgID, id string, prefs []scheduling.Interval) error
	APITokenCreate(ctx context.Context, orgID, userID, name string, hash []byte, scopes []string) (string, error)
	APITokenPrincipal(ctx context.Context, hash []byte) (hireflow.Principal, error)
	AnswerByKey(ctx context.Context, orgID, key string) (string, bool, error)
	AnswerCount(ctx context.Context, orgID, appID, questionID string) (int, error)
	AnswerCreate(ctx context.Context, orgID, appID, questionID, kind, lang, text, objectID, key string) (string, bool, error)
	AnswerGet(ctx context.Context, orgID, answerID string) (store.Answer, error)
	AnswerReports(ctx context.Context, orgID, appID string) ([]store.AnswerReport, error)
	AnsweredQuestions(ctx context.Context, orgID, appID string) (map[string]int, error)
	ApplicationContact(ctx context.Context, orgID, appID string) (store.Contact, error)
	ApplicationCreate(ctx context.Context, in store.NewApplication, upload func(context.Context) error) (hireflow.Application, error)
	ApplicationDiscard(ctx context.Context, orgID, appID string) error
	ApplicationGet(ctx context.Context, orgID, id string, withPII bool) (hireflow.Application, error)
	ApplicationList(ctx context.Context, orgID, jobID string, limit int, withPII bool) ([]hireflow.Application, error)
	ApplicationMigrate(ctx context.Context, p hireflow.Principal, appID string, version int) (int, error)
	ApplicationSetHumanOnly(ctx context.Context, orgID, appID string) error
	Audit(ctx context.Context, orgID, actorType, actorID, action, subjectType, subjectID string, detail map[string]any) error
	ConsentGiven(ctx context.Context, orgID, appID, purpose string) (bool, error)
	ConsentRecord(ctx context.Context, orgID, appID, purpose, version string, humanOnly bool) error
	DecisionList(ctx context.Context, orgID, appID string) ([]hireflow.Decision, error)
	ApplicationEvents(ctx context.Context, orgID, appID string) ([]store.ApplicationEvent, error)
	ApplicationOrg(ctx context.Context, appID string) (string, error)
	ApplicationJob(ctx context.Context, orgID, appID string) (string, error)
	PracticeOrg(ctx context.Context, orgID string) (hireflow.Organisation, error)
	HRProgress(ctx context.Context, orgID string) (hasJob, published bool, err error)
	JobTitles(ctx context.Context, orgID string, limit int) ([][2]string, error)
	OrgPracticeOf(ctx context.Context, orgID string) (string, error)
	PracticeUser(ctx context.Context, practiceOrgID, ownerID, ownerEmail string, role hireflow.Role, name string) (hireflow.User, error)
	PracticeOwner(ctx context.Context, orgID, userID string) (string, error)
	PracticeOwnerUser(ctx context.Context, ownerID string) (name, email string, err error)
	Funnel(ctx context.Context, orgID string, f store.AnalyticsFilter) ([]store.FunnelStep, error)
	MetricGet(ctx context.Context, orgID, name string, f store.AnalyticsFilter) (store.Metric, error)
	BiasAuditList(ctx context.Context, orgID string, limit int) ([]store.BiasAudit, error)
	AlertChatSet(ctx context.Context, orgID string, r chat.Robot) error
	AlertChatGet(ctx context.Context, orgID string) (chat.Robot, bool, error)
	AuditAlerts(ctx context.Context, orgID, auditID string) ([]store.AuditAlert, error)
	AuditPublish(ctx context.Context, orgID string, published bool) error
	PublicAuditBySlug(ctx context.Context, slug string) (store.PublicAudit, error)
	Board(ctx context.Context, orgID, jobID string, f store.BoardFilter, limit, offset int, withName bool) ([]store.BoardCard, map[string]int, error)
	AuditLog(ctx context.Context, orgID string, f store.AuditFilter, limit int) ([]store.AuditEntry, error)
	Inbox(ctx context.Context, orgID string, stages []string, limit int, withName bool) ([]store.InboxItem, map[string]int, error)
	CalibrationProposals(ctx context.Context, orgID, jobID string, limit int) ([]store.CalibrationProposal, error)
	WeightsSamples(ctx context.Context, orgID, jobID string, limit int) ([]rules.WeightsSample, error)
	CalibrationSamples(ctx context.Context, orgID, jobID, family string) ([]rules.CalibrationSample, error)
	StageDurations(ctx context.Context, orgID string, f store.AnalyticsFilter) ([]store.StageDuration, error)
	EmployeeForm(ctx context.Context, orgID, appID string) (string, map[string]string, error)
	EmployeeFormSave(ctx context.Context, orgID, appID string, form map[string]string) error
	FeedbackSave(ctx context.Context, orgID, appID string, round int, interviewerID string, ratings map[string]int, rec, comment string, attended bool) error
	JobCreate(ctx context.Context, p hireflow.Principal, j *hireflow.Job, c *rules.Compiled) error
	JobGet(ctx context.Context, orgID, id string) (hireflow.Job, error)
	JobGetOpen(ctx context.Context, id string) (hireflow.Job, error)
	JobList(ctx context.Context, orgID string, limit int) ([]hireflow.Job, error)
	ObjectRecord(ctx context.Context, o store.StoredObject) (string, error)
	OfferCreate(ctx context.Context, p hireflow.Principal, o store.Offer) (string, error)
	OfferDiscard(ctx context.Context, orgID, id string) error
	OfferGet(ctx context.Context, orgID, id string) (store.Offer, error)
	OfferLatest(ctx context.Context, orgID, appID string) (store.Offer, error)
	OrgDefaultRules(ctx context.Context, orgID string) (rules.RuleSet, bool, error)
	OrgGet(ctx context.Context, id string) (hireflow.Organisation, error)
	OrgTimings(ctx context.Context, orgID string) (hireflow.Timings, error)
	OrgSetTimings(ctx context.Context, orgID string, t hireflow.Timings) error
	OrgLLMScoring(ctx context.Context, orgID string) (bool, error)
	OrgSetLLMScoring(ctx context.Context, orgID string, on bool) error
	PieceRecord(ctx context.Context, orgID, appID, questionID, take string, p store.Piece) (store.Piece, bool, error)
	PieceTotals(ctx context.Context, orgID, appID, questionID, take string) (int, int64, error)
	ObjectDiscard(ctx context.Context, orgID, id string) error
	Departments(ctx context.Context, orgID string) ([]store.Department, error)
	DepartmentsSet(ctx context.Context, orgID string, ds []store.Department) (int, error)
	DepartmentManager(ctx context.Context, orgID, name string) (string, error)
	OrgGetBySlug(ctx context.Context, slug string) (hireflow.Organisation, error)
	OrgSetBranding(ctx context.Context, orgID, line, color string) error
	OrgSetLogo(ctx context.Context, orgID, logoURL string) error
	Ping(ctx context.Context) error
	ReviewSave(ctx context.Context, orgID, appID string, r store.ReviewRow) error
	RuleSetCreate(ctx context.Context, p hireflow.Principal, jobID, name string, c *rules.Compiled) (string, error)
	RuleSetGet(ctx context.Context, orgID, id string) (store.RuleSetSummary, []store.RuleSetVersionInfo, error)
	RuleSetList(ctx context.Context, orgID string) ([]store.RuleSetSummary, error)
	RuleSetPublish(ctx context.Context, p hireflow.Principal, id string, version int, overrideReason string, report any) error
	RuleSetSaveDraft(ctx context.Context, p hireflow.Principal, id string, c *rules.Compiled) (int, error)
	RuleSetVersion(ctx context.Context, orgID, id string, version int) (store.RuleSetVersionInfo, error)
	SessionCreate(ctx context.Context, idHash []byte, orgID, userID string, expires time.Time) error
	SessionStart(ctx context.Context, n store.NewSession) error
	Sessions(ctx context.Context, userID string, current []byte) ([]store.SessionInfo, error)
	SessionEnd(ctx context.Context, userID, id string) (bool, error)
	SessionEndAll(ctx context.Context, userID string) (int, error)
	AccountByEmail(ctx context.Context, orgID, email string) (store.Account, error)
	AccountByID(ctx context.Context, orgID, userID string) (store.Account, error)
	LoginFailed(ctx context.Context, userID string, max int, lockFor time.Duration) (bool, error)
	LoginSucceeded(ctx context.Context, userID string) error
	TOTPSetPending(ctx context.Context, orgID, userID, secret string) error
	TOTPEnable(ctx context.Context, orgID, userID string, codeHashes [][]byte) error
	TOTPDisable(ctx context.Context, orgID, userID string) error
	RecoveryCodeUse(ctx context.Context, userID string, hash []byte) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	OIDCProviderSet(ctx context.Context, orgID string, p store.OIDCProvider) error
	UserList(ctx context.Context, orgID string) ([]store.StaffMember, error)
	ApprovingOffers(ctx context.Context, orgID string, limit int) ([]store.ApprovingOffer, error)
	UserInvite(ctx context.Context, orgID, email, name string, role hireflow.Role) (hireflow.User, error)
	UserUpdate(ctx context.Context, orgID, userID string, role *hireflow.Role, disabled *bool) (hireflow.User, error)
	StaffTokenPeek(ctx context.Context, hash []byte) (hireflow.User, error)
	StaffSetPassword(ctx context.Context, hash []byte, passwordHash string) (hireflow.User, error)
	APITokenList(ctx context.Context, orgID, userID string) ([]store.APITokenInfo, error)
	APITokenRevoke(ctx context.Context, orgID, userID, id string) error
	OIDCProviderGet(ctx context.Context, orgID string) (store.OIDCProvider, bool, error)
	OIDCUser(ctx context.Context, orgID, subject, email, name string, role hireflow.Role) (hireflow.User, error)
	SessionDelete(ctx context.Context, idHash []byte) error
	SessionPrincipal(ctx context.Context, idHash []byte) (hireflow.Principal, error)
	SimulationInputs(ctx context.Context, orgID, ruleSetID string, from, to time.Time, limit int) ([]rules.Recorded, error)
	StoredObjectGet(ctx context.Context, orgID, id string) (store.StoredObject, error)
	ObjectForApplication(ctx context.Context, orgID, appID, kind string) (store.StoredObject, error)
	TokenFind(ctx context.Context, hash []byte) (store.CandidateToken, bool, error)
	TokenUse(ctx context.Context, hash []byte) (store.CandidateToken, bool, error)
	UserByEmail(ctx context.Context, orgID, email string) (hireflow.User, string, error)
	UserGet(ctx context.Context, orgID, id string) (hireflow.User, error)
	WebhookSet(ctx context.Context, orgID, url, secret string) error
	WebhookGet(ctx context.Context, orgID string) (url, secret string, ok bool, err error)
}

// Objects is the encrypted object store the handlers upload to and read from.
type Objects interface {
	Prepare(orgID, appID, kind, key, contentType string, data []byte) (*objects.Prepared, error)
	Upload(ctx context.Context, p *objects.Prepared) error
	Read(ctx context.Context, o store.StoredObject) ([]byte, error)
	Delete(ctx context.Context, key string) error
	Ping(ctx context.Context) error
}

// Pinger is a dependency /readyz checks (the SMTP relay: handlers send no mail).
type Pinger interface {
	Ping(ctx context.Context) error
}

// MediaProbe measures an uploaded recording before it is stored, so that a damaged or
// over-long one is refused at once with a coded error. An unreadable file is ErrUnreadableMedia.
type MediaProbe interface {
	Seconds(ctx context.Context, path string) (float64, error)
}

// ErrUnreadableMedia is what a MediaProbe returns for a file that does not decode.
var ErrUnreadableMedia = errors.New("unreadable media")

// Deps are everything the HTTP layer uses, passed in at construction: it reaches nothing else
// (no activities, no composition root).
type Deps struct {
	Store     Store
	Objects   Objects
	Workflows client.Client
	Mail      Pinger
	Media     MediaProbe
	Cfg       *config.Config
	Box       *seal.Box
	Log       *slog.Logger
	Registry  *prometheus.Registry
}
