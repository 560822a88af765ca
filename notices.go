package hireflow

// Notice kinds: every email hireflow sends, named where the workflow, the activities and the mail
// templates all see them. Each kind has its zh/en subject and body in internal/infra/mail.
const (
	NoticeInterviewReminder  = "interview_reminder"
	NoticeInterviewReceived  = "interview_received"
	NoticeOffer              = "offer"
	NoticeOnboarding         = "onboarding"
	NoticeWithdrawal         = "withdrawal"
	NoticeCancellation       = "cancellation"
	NoticeDeletionRequest    = "deletion_request"
	NoticeOfferDeclined      = "offer_declined"
	NoticeOfferExpired       = "offer_expired"
	NoticeFeedbackRequest    = "feedback_request"
	NoticeFeedbackReminder   = "feedback_reminder"
	NoticeReviewRequest      = "review_request"
	NoticeReviewReminder     = "review_reminder"
	NoticeEscalation         = "escalation"
	NoticeApprovalRequest    = "approval_request"
	NoticeApprovalReminder   = "approval_reminder"
	NoticeApprovalOutcome    = "approval_outcome"
	NoticeOfferResponse      = "offer_response"
	NoticeProbationRequest   = "probation_request"
	NoticeProbationReminder  = "probation_reminder"
	NoticeOfferDraftReminder = "offer_draft_reminder"
	NoticeHoldSLA            = "hold_sla"
	NoticeBiasAuditAlert     = "bias_audit_alert"
	NoticeConsent            = "consent"
	NoticeNewLink            = "new_link"
	NoticeInvitation         = "invitation"
	NoticeRejection          = "rejection"
	// Live interviews booked against the interviewers' rosters.
	NoticeScheduleChoose    = "schedule_choose"    // candidate: choose one of the held times
	NoticeInterviewBooked   = "interview_booked"   // everyone: the invite (text/calendar REQUEST)
	NoticeInterviewSoon     = "interview_soon"     // everyone: 24 h and 1 h before
	NoticeInterviewCanceled = "interview_canceled" // everyone: the CANCEL
	NoticeScheduleReplan    = "schedule_replan"    // everyone: a roster change broke the booking
	NoticeNoSlots           = "no_slots"           // recruiters: nobody on the panel is free
	// Retention and deletion.
	NoticeDeletionDone    = "deletion_done"    // candidate: the deletion request was carried out
	NoticeDeletionRefused = "deletion_refused" // candidate: a legal hold applies
	NoticeDataAccess      = "data_access"      // candidate: the link to download their data
	NoticeStaffInvite     = "staff_invite"     // staff: set your password and sign in
)
