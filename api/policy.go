package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
)

// action names what an endpoint does; policy says which roles may do it. Every staff endpoint
// is registered with exactly one action, so this table is the whole access policy.
type action string

const (
	actTokensCreate        action = "api_tokens:create"
	actJobsWrite           action = "jobs:write"
	actJobsRead            action = "jobs:read"
	actApplicationsRead    action = "applications:read"
	actApplicationsDecide  action = "applications:decide"
	actDecisionsRead       action = "decisions:read"
	actRulesRead           action = "rules:read"
	actRulesWrite          action = "rules:write"
	actRulesPublish        action = "rules:publish"
	actApplicationsMigrate action = "applications:migrate_rules"
	actFeedback            action = "applications:feedback"
	actReview              action = "applications:review"
	actOfferDraft          action = "offers:draft"
	actOfferRead           action = "offers:read"
	actOfferApprove        action = "offers:approve"
	actProbation           action = "applications:probation"
	actCancel              action = "applications:cancel"
	actWebhook             action = "webhooks:write"
	actBranding            action = "organisation:branding"
	actReportRead          action = "reports:read"
	actRecordingRead       action = "recordings:read"
	actAnalyticsRead       action = "analytics:read"
	actBiasAuditRun        action = "bias_audits:run"
	actAlertsWrite         action = "organisation:alerts"
	actAuditPublish        action = "bias_audits:publish"
	actCalibrationPropose  action = "calibration:propose"
	actBoardRead           action = "applications:board"
	actAuditLogRead        action = "audit_log:read"
	actSchedulingConfig    action = "scheduling:configure"
	actRosterConnector     action = "rosters:connector"
	actRosterWrite         action = "rosters:write"
	actScheduleRead        action = "schedule:read"
	actInterviewRead       action = "interviews:read"
	actInterviewBook       action = "interviews:book"
	actInterviewReschedule action = "interviews:reschedule"
	actRetentionConfig     action = "retention:configure"
	actLegalHold           action = "retention:legal_hold"
	actFieldVisibility     action = "organisation:field_visibility"
	actTemporalDecode      action = "temporal:decode"
	actResumeRead          action = "resumes:read"
	actAccountSelf         action = "account:self"
	actOIDCConfig          action = "organisation:oidc"
	actUsersAdmin          action = "users:admin"
	actTokensRead          action = "api_tokens:read"
	actOrgSettings         action = "organisation:settings"
	actDirectoryRead       action = "staff_directory:read"
	actPracticeRun         action = "practice:run"
	actWebhookRead         action = "webhooks:read"
)

var (
	admin, recruiter, manager   = hireflow.RoleAdmin, hireflow.RoleRecruiter, hireflow.RoleHiringManager
	interviewer, analyst, integ = hireflow.RoleInterviewer, hireflow.RoleAnalyst, hireflow.RoleIntegration
)

var policy = map[action][]hireflow.Role{
	actTokensCreate:        {admin, integ, analyst}, // an analyst's token reads decoded histories (the codec server) and aggregates
	actJobsWrite:           {admin, recruiter},
	actJobsRead:            {admin, recruiter, manager, interviewer, analyst, integ},
	actApplicationsRead:    {recruiter, manager, interviewer, analyst, integ}, // admins configure flows, they do not see candidates
	actApplicationsDecide:  {recruiter},
	actDecisionsRead:       {recruiter, manager, analyst, integ},
	actRulesRead:           {admin, recruiter, analyst},
	actRulesWrite:          {admin, recruiter},
	actRulesPublish:        {admin, recruiter},
	actApplicationsMigrate: {admin, recruiter},
	actFeedback:            {interviewer, manager},
	actReview:              {manager, interviewer, recruiter},
	actOfferDraft:          {recruiter},
	actOfferRead:           {recruiter, manager},
	actOfferApprove:        {manager, recruiter, admin, interviewer, analyst}, // the chain names who; the workflow checks it
	actProbation:           {manager, recruiter},
	actCancel:              {recruiter},
	actWebhook:             {admin, integ},
	actBranding:            {admin},
	actReportRead:          {recruiter, manager, interviewer},
	actRecordingRead:       {manager, interviewer},               // recruiters see scores, not videos
	actAnalyticsRead:       {analyst, recruiter, manager, admin}, // aggregates of the analytics views, no candidate
	actBiasAuditRun:        {analyst, admin},
	actAlertsWrite:         {admin},
	actAuditPublish:        {admin},
	actCalibrationPropose:  {admin, recruiter},   // writes a draft rule set version (never publishes)
	actBoardRead:           {recruiter, manager}, // a job's applications with names: interviewers see their own rounds' only
	actAuditLogRead:        {admin, recruiter},   // IDs and actions, no candidate data
	actSchedulingConfig:    {admin, recruiter},
	actRosterConnector:     {admin, integ},
	actRosterWrite:         {admin, recruiter, integ},                       // uploads, pushes, calendar feeds, settings
	actScheduleRead:        {admin, recruiter, manager, interviewer, integ}, // an interviewer reads only their own week
	actInterviewRead:       {recruiter, manager, interviewer},
	actInterviewBook:       {recruiter},
	actInterviewReschedule: {recruiter, manager, interviewer}, // an interviewer only on their own panel
	actRetentionConfig:     {admin},                           // the policy, running a sweep now
	actLegalHold:           {admin, recruiter},                // by application ID; proofs hold no candidate data
	actFieldVisibility:     {admin},
	actTemporalDecode:      {analyst},                                                // the codec server: decoded histories hold IDs and facts, never names
	actResumeRead:          {recruiter, manager, interviewer},                        // the matrix decides the rest
	actAccountSelf:         {admin, recruiter, manager, interviewer, analyst, integ}, // one's own second factor and sessions
	actOIDCConfig:          {admin},
	actUsersAdmin:          {admin},
	actTokensRead:          {admin, integ, analyst}, // admins see all; others their own
	actOrgSettings:         {admin},
	actDirectoryRead:       {admin, recruiter}, // names and roles of colleagues, for approval chains and departments
	actPracticeRun:         {admin, recruiter}, // HR's sandbox run on themselves
	actWebhookRead:         {admin, integ},
}

func (s *Server) allow(act action) fiber.Handler {
	roles, ok := policy[act]
	if !ok {
		panic("api: no policy for " + string(act))
	}
	return func(c *fiber.Ctx) error {
		p := principal(c)
		for _, r := range roles {
			if p.Role == r {
				return c.Next()
			}
		}
		return hireflow.Errorf(hireflow.KindForbidden, "forbidden", "", "your role (%s) may not do this (%s)", p.Role, act).
			ZH("您的角色（%s）无权执行此操作", p.Role)
	}
}
