package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/mail"
	"github.com/hireflow/hireflow/internal/resume"
	"github.com/hireflow/hireflow/internal/scoring"
	"github.com/hireflow/hireflow/internal/speech"
	"github.com/hireflow/hireflow/internal/store"
	"github.com/hireflow/hireflow/rules"
)

// ---------------------------------------------------------------- scoring (scoring task queue)

// ScoreInput asks the scoring worker to score one answer.
type ScoreInput struct {
	AppRef
	AnswerID   string
	QuestionID string
	Dimensions []string
	Weights    map[string]float64 `json:",omitempty"` // the rule set's weights of these dimensions: the answer's overall
}

// ScoreResult is one answer's per-dimension scores and flags.
type ScoreResult struct {
	AnswerID string
	Scores   map[string]float64
	Overall  float64
	Flags    rules.RoutingFlags
}

// ScoreAnswerName is the activity type the scoring worker registers on its own task queue.
const ScoreAnswerName = "ScoreAnswer"

// ScoreAnswer scores a typed answer with the offline content scorer and stores the result. A
// recorded answer needs the speech pipeline of the scoring worker; without it the answer is
// flagged for a person, never scored silently.
func (a *Activities) ScoreAnswer(ctx context.Context, in ScoreInput) (ScoreResult, error) {
	ans, err := a.Store.AnswerGet(ctx, in.OrgID, in.AnswerID)
	if err != nil {
		return ScoreResult{}, permanent(err)
	}
	res := ScoreResult{AnswerID: in.AnswerID, Scores: map[string]float64{}}
	q := a.question(ctx, in.AppRef, ans)
	q.Dims, q.Weights = in.Dimensions, in.Weights
	if ans.Kind == "video" && a.SpeechScorer != nil {
		out, err := a.SpeechScorer(ctx, ans, q)
		if errors.Is(err, speech.ErrCorrupt) {
			return res, temporal.NewNonRetryableApplicationError(err.Error(), "corrupt_media", nil)
		}
		if err != nil {
			return res, err
		}
		res.Scores, res.Overall, res.Flags = out.Scores, out.Overall, out.Flags
	} else if ans.Kind == "video" {
		res.Flags.ScoringFailed = true
		if err := a.Store.AnswerScoreSave(ctx, in.OrgID, in.ApplicationID, in.AnswerID, res.Scores, 0, res.Flags,
			map[string]any{"note": "no speech scorer configured: a person reviews this answer"}, "none"); err != nil {
			return res, err
		}
	} else {
		content := a.Content
		if content == nil {
			content = scoring.Offline{}
		}
		q.Text = ans.Text
		out, err := content.Score(ctx, q)
		if err != nil {
			return res, err
		}
		res.Scores, res.Overall, res.Flags.TooShort = out.Scores, out.Overall, out.TooShort
		if err := a.Store.AnswerScoreSave(ctx, in.OrgID, in.ApplicationID, in.AnswerID, out.Scores, out.Overall, res.Flags, out, scorerName(out)); err != nil {
			return res, err
		}
	}
	if err := a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, hireflow.StageInterview, hireflow.StatusActive, "interview"); err != nil {
		return res, permanent(err)
	}
	return res, nil
}

// question is the question the answer replies to and its reference points, in the answer's
// language (empty if unknown).
func (a *Activities) question(ctx context.Context, ref AppRef, ans store.Answer) scoring.Answer {
	out := scoring.Answer{Lang: ans.Language}
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return out
	}
	job, err := a.Store.JobGet(ctx, ref.OrgID, app.JobID)
	if err != nil {
		return out
	}
	for _, q := range job.Questions {
		if q.ID == ans.QuestionID {
			out.Question, out.Points = q.TextEN, q.PointsEN
			if ans.Language == "zh" && q.TextZH != "" {
				out.Question, out.Points = q.TextZH, q.PointsZH
			}
			if len(out.Points) == 0 {
				out.Points = append(q.PointsEN, q.PointsZH...)
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- routing

// RouteInput carries the combined interview scores.
type RouteInput struct {
	AppRef
	Scores    map[string]float64
	Overall   float64
	Flags     rules.RoutingFlags
	HumanOnly bool
	// NotifyReviewers asks for the review request email when the outcome is advance and the
	// next stage is a review (one activity instead of two).
	NotifyReviewers bool
	// ConfirmInterview sends the candidate the "we received your interview" email.
	ConfirmInterview bool
}

// RouteResult is the routing decision.
type RouteResult struct {
	Outcome    string
	DecisionID string
	Guarded    bool
}

// RouteApplication evaluates the pinned routing rule and records the decision.
func (a *Activities) RouteApplication(ctx context.Context, in RouteInput) (RouteResult, error) {
	rs, err := a.pinnedRules(ctx, in.AppRef)
	if err != nil {
		return RouteResult{}, err
	}
	humanOnly := in.HumanOnly
	if !humanOnly {
		if humanOnly, err = a.Store.ApplicationHumanOnly(ctx, in.OrgID, in.ApplicationID); err != nil {
			return RouteResult{}, err
		}
	}
	src := rs.Rules[rules.RuleRouting]
	if src == "" {
		src = rules.Defaults[rules.RuleRouting]
	}
	env := rules.RoutingEnv{Scores: in.Scores, Overall: in.Overall, Flags: in.Flags, HumanOnly: humanOnly}
	d := hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "routing", RuleSetID: rs.id, RuleVersion: rs.version, RuleName: rules.RuleRouting,
		RuleSource: src, Inputs: map[string]any{"scores": in.Scores, "overall": in.Overall, "flags": in.Flags, "human_only": humanOnly}}
	res := RouteResult{}
	prog, err := rules.Compile(rules.RuleRouting, src)
	if err == nil {
		d.ProgramHash = prog.Hash
		d.Outcome, res.Guarded, err = prog.Route(ctx, env)
	}
	if err != nil {
		d.Outcome, d.Reason = "hold", "rule_error: "+err.Error()
	} else if res.Guarded {
		d.Reason = "guardrail: a person decides (candidate's choice or scorer flag)"
	}
	rec, err := a.Store.DecisionRecord(ctx, in.OrgID, d, "routing")
	if err != nil {
		return res, err
	}
	res.Outcome, res.DecisionID = rec.Outcome, rec.ID
	stage := hireflow.StageReview
	if res.Outcome == "hold" {
		stage = hireflow.StageHold
	}
	if err := a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, stage, hireflow.StatusActive, "routed"); err != nil {
		return res, permanent(err)
	}
	if in.ConfirmInterview {
		if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: mail.KindInterviewReceived, Key: "interview"}); err != nil {
			return res, err
		}
	}
	if res.Outcome == "advance" && in.NotifyReviewers {
		if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: mail.KindReviewRequest, Key: "review",
			Roles: []hireflow.Role{hireflow.RoleHiringManager}}); err != nil {
			return res, err
		}
	}
	return res, nil
}

type pinned struct {
	rules.RuleSet
	id      string
	version int
}

func (a *Activities) pinnedRules(ctx context.Context, ref AppRef) (pinned, error) {
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return pinned{}, permanent(err)
	}
	v, err := a.Store.RuleSetVersion(ctx, ref.OrgID, app.RuleSetID, app.RuleVersion)
	if err != nil {
		return pinned{}, permanent(err)
	}
	return pinned{RuleSet: v.Content, id: app.RuleSetID, version: app.RuleVersion}, nil
}

// ---------------------------------------------------------------- review

// ReviewRecord is one reviewer's decision as the workflow received it.
type ReviewRecord struct {
	ReviewerID string
	Role       string
	Rating     float64
	Decision   string
	ReasonCode string
}

// ReviewsInput are the reviews to aggregate.
type ReviewsInput struct {
	AppRef
	Reviews  []ReviewRecord
	Required int
}

// RecordReviews stores the reviews and evaluates the pinned aggregation rule.
func (a *Activities) RecordReviews(ctx context.Context, in ReviewsInput) (RouteResult, error) {
	rs, err := a.pinnedRules(ctx, in.AppRef)
	if err != nil {
		return RouteResult{}, err
	}
	env := rules.ReviewEnv{Required: in.Required}
	for _, r := range in.Reviews {
		if err := a.Store.ReviewSave(ctx, in.OrgID, in.ApplicationID, store.ReviewRow{ReviewerID: r.ReviewerID, Rating: r.Rating,
			Decision: r.Decision, ReasonCode: r.ReasonCode}); err != nil {
			return RouteResult{}, err
		}
		env.Reviews = append(env.Reviews, rules.Review{Rating: r.Rating, Decision: r.Decision, Role: r.Role})
	}
	src := rs.Rules[rules.RuleReview]
	if src == "" {
		src = rules.Defaults[rules.RuleReview]
	}
	d := hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "review", RuleSetID: rs.id, RuleVersion: rs.version, RuleName: rules.RuleReview,
		RuleSource: src, Inputs: map[string]any{"reviews": env.Reviews, "required": in.Required}}
	prog, err := rules.Compile(rules.RuleReview, src)
	if err == nil {
		d.ProgramHash = prog.Hash
		d.Outcome, err = prog.Aggregate(ctx, env)
	}
	if err != nil {
		d.Outcome, d.Reason = "hold", "rule_error: "+err.Error()
	}
	rec, err := a.Store.DecisionRecord(ctx, in.OrgID, d, "review")
	if err != nil {
		return RouteResult{}, err
	}
	stage := hireflow.StageOffer
	switch rec.Outcome {
	case "hold":
		stage = hireflow.StageHold
	case "reject":
		stage = hireflow.StageReview
	}
	return RouteResult{Outcome: rec.Outcome, DecisionID: rec.ID}, permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, stage, hireflow.StatusActive, "reviewed"))
}

// ---------------------------------------------------------------- staff notices

// StaffNoticeInput emails staff about a human step: by role, or named users.
type StaffNoticeInput struct {
	AppRef
	Kind    string
	Key     string // idempotency: one email per recipient per key
	Roles   []hireflow.Role
	UserIDs []string
	Detail  string
}

// NotifyStaff emails every addressed staff member once per key; it returns how many were sent.
func (a *Activities) NotifyStaff(ctx context.Context, in StaffNoticeInput) (int, error) {
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return 0, permanent(err)
	}
	var users []hireflow.User
	for _, r := range in.Roles {
		us, err := a.Store.UsersByRole(ctx, in.OrgID, r)
		if err != nil {
			return 0, err
		}
		users = append(users, us...)
	}
	for _, id := range in.UserIDs {
		u, err := a.Store.UserGet(ctx, in.OrgID, id)
		if err != nil {
			continue // a delegate who left: the escalation covers it
		}
		users = append(users, u)
	}
	n := 0
	for _, u := range users {
		key := fmt.Sprintf("%s:%s:%s:%s", in.Kind, in.Key, in.ApplicationID, u.ID)
		sent, msgID, err := a.Store.EmailClaim(ctx, in.OrgID, in.ApplicationID, key, in.Kind, "en", "<"+hexHash(key)+"@hireflow>")
		if err != nil {
			return n, err
		}
		if sent {
			continue
		}
		r, err := mail.RenderNotice(in.Kind, mail.Data{Lang: "en", ToName: u.DisplayName, OrgName: c.OrgName, Color: c.Color,
			JobTitle: c.JobTitle, Link: a.ConsoleURL + "/applications/" + in.ApplicationID}, in.Detail)
		if err != nil {
			return n, permanent(err)
		}
		if err := a.Mail.Send(ctx, u.DisplayName, u.Email, msgID, r); err != nil {
			return n, err
		}
		if err := a.Store.EmailMarkSent(ctx, key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func hexHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

// CandidateNoticeInput emails the candidate a notice, optionally with a fresh link.
type CandidateNoticeInput struct {
	AppRef
	Kind     string
	Key      string
	WithLink bool
	LinkTTL  time.Duration
	Detail   string
	// RevokeOld makes the new link replace the earlier ones.
	RevokeOld bool
}

// NotifyCandidate sends a candidate notice once per key.
func (a *Activities) NotifyCandidate(ctx context.Context, in CandidateNoticeInput) (bool, error) {
	return a.notifyCandidate(ctx, in)
}

func (a *Activities) notifyCandidate(ctx context.Context, in CandidateNoticeInput) (bool, error) {
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return false, permanent(err)
	}
	key := in.Kind + ":" + in.Key + ":" + in.ApplicationID
	sent, msgID, err := a.Store.EmailClaim(ctx, in.OrgID, in.ApplicationID, key, in.Kind, c.Language, "<"+hexHash(key)+"@hireflow>")
	if err != nil || sent {
		return false, err
	}
	title := c.JobTitle
	if c.Language == "zh" && c.JobTitleZH != "" {
		title = c.JobTitleZH
	}
	d := mail.Data{Lang: c.Language, ToName: c.Name, OrgName: c.OrgName, BrandLine: c.BrandLine, Color: c.Color, LogoURL: c.LogoURL, JobTitle: title}
	if in.WithLink {
		ttl := in.LinkTTL
		if ttl <= 0 {
			ttl = 14 * 24 * time.Hour
		}
		if d.Link, err = a.issueLink(ctx, in.AppRef, time.Now().Add(ttl), in.RevokeOld); err != nil {
			return false, err
		}
	}
	r, err := mail.RenderNotice(in.Kind, d, in.Detail)
	if err != nil {
		return false, permanent(err)
	}
	if err := a.Mail.Send(ctx, c.Name, c.Email, msgID, r); err != nil {
		return false, err
	}
	return true, a.Store.EmailMarkSent(ctx, key)
}

// ---------------------------------------------------------------- offer and approval

// PlanApprovalInput plans the approval chain of an offer.
type PlanApprovalInput struct {
	AppRef
	OfferID string
}

// PlanApprovalResult is the chain: each step's approvers and whether they act in parallel.
type PlanApprovalResult struct {
	Steps []rules.ApprovalStep
}

// PlanApproval evaluates the pinned approval rule for the offer and marks it approving.
func (a *Activities) PlanApproval(ctx context.Context, in PlanApprovalInput) (PlanApprovalResult, error) {
	rs, err := a.pinnedRules(ctx, in.AppRef)
	if err != nil {
		return PlanApprovalResult{}, err
	}
	o, err := a.Store.OfferGet(ctx, in.OrgID, in.OfferID)
	if err != nil {
		return PlanApprovalResult{}, permanent(err)
	}
	src := rs.Rules[rules.RuleApproval]
	if src == "" {
		src = rules.Defaults[rules.RuleApproval]
	}
	env := rules.ApprovalEnv{Offer: rules.Offer{Salary: o.Salary, Currency: o.Currency, BandMin: o.BandMin, BandMax: o.BandMax, Level: o.Level, Department: o.Department}}
	prog, err := rules.Compile(rules.RuleApproval, src)
	var steps []rules.ApprovalStep
	if err == nil {
		steps, err = prog.ApprovalChain(ctx, env)
	}
	reason := ""
	if err != nil {
		// A failing rule must not approve by default: the recruiter approves alone and the
		// decision says why.
		steps, reason = []rules.ApprovalStep{{Approvers: []string{string(hireflow.RoleRecruiter)}}}, "rule_error: "+err.Error()
	}
	d := hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "approval_chain", RuleSetID: rs.id, RuleVersion: rs.version,
		RuleName: rules.RuleApproval, RuleSource: src, Inputs: map[string]any{"offer": env.Offer}, Outcome: fmt.Sprint(steps), Reason: reason}
	if prog != nil {
		d.ProgramHash = prog.Hash
	}
	if _, err := a.Store.DecisionRecord(ctx, in.OrgID, d, "approval_chain:"+in.OfferID); err != nil {
		return PlanApprovalResult{}, err
	}
	if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, "approving", ""); err != nil {
		return PlanApprovalResult{}, err
	}
	if err := a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, hireflow.StageOffer, hireflow.StatusActive, "offer"); err != nil {
		return PlanApprovalResult{}, permanent(err)
	}
	// The first step's approvers hear of it now (one activity instead of two).
	first := steps[0].Approvers
	if !steps[0].Parallel {
		first = first[:1]
	}
	notice := StaffNoticeInput{AppRef: in.AppRef, Kind: mail.KindApprovalRequest, Key: in.OfferID + ":1.0"}
	for _, w := range first {
		if id, ok := strings.CutPrefix(w, "user:"); ok {
			notice.UserIDs = append(notice.UserIDs, id)
		} else {
			notice.Roles = append(notice.Roles, hireflow.Role(w))
		}
	}
	if _, err := a.NotifyStaff(ctx, notice); err != nil {
		return PlanApprovalResult{}, err
	}
	return PlanApprovalResult{Steps: steps}, nil
}

// ApprovalRecord is one approver's recorded decision.
type ApprovalRecord struct {
	Step       int
	Approver   string
	UserID     string
	Decision   string
	DelegateTo string
	ReasonCode string
}

// FinishApprovalInput closes an approval chain.
type FinishApprovalInput struct {
	AppRef
	OfferID   string
	Outcome   string // approved | rejected | timed_out
	Decisions []ApprovalRecord
}

// FinishApproval records every decision and the outcome; an approved offer goes to the
// candidate by email, the recruiters learn the outcome.
func (a *Activities) FinishApproval(ctx context.Context, in FinishApprovalInput) (bool, error) {
	for _, d := range in.Decisions {
		if err := a.Store.ApprovalDecisionSave(ctx, in.OrgID, in.OfferID, d.Step, d.Approver, d.UserID, d.Decision, d.DelegateTo, d.ReasonCode); err != nil {
			return false, err
		}
	}
	o, err := a.Store.OfferGet(ctx, in.OrgID, in.OfferID)
	if err != nil {
		return false, permanent(err)
	}
	if _, err := a.Store.DecisionRecord(ctx, in.OrgID, hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "offer_approval",
		Inputs: map[string]any{"steps": len(in.Decisions), "offer_id": in.OfferID}, Outcome: in.Outcome}, "offer_approval:"+in.OfferID); err != nil {
		return false, err
	}
	if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, in.Outcome, ""); err != nil {
		return false, err
	}
	if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: mail.KindApprovalOutcome, Key: in.OfferID,
		Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: in.Outcome}); err != nil {
		return false, err
	}
	if in.Outcome != "approved" {
		return false, nil
	}
	return a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: mail.KindOffer, Key: in.OfferID, WithLink: true,
		LinkTTL: time.Until(o.ExpiresAt) + 7*24*time.Hour, Detail: o.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")})
}

// CloseInput ends an application: links revoked, final stage, and a candidate notice if Notice is set.
type CloseInput struct {
	AppRef
	Stage       hireflow.Stage
	Status      hireflow.Status
	Notice      string // candidate notice kind, optional
	OfferID     string // an open offer to settle, optional
	OfferStatus string
	ReasonCode  string
}

// CloseApplication revokes links, settles an open offer, records the final stage, and tells
// the candidate when asked to.
func (a *Activities) CloseApplication(ctx context.Context, in CloseInput) error {
	if in.OfferID != "" && in.OfferStatus != "" {
		if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, in.OfferStatus, in.ReasonCode); err != nil {
			return err
		}
	}
	if in.Notice != "" {
		if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: in.Notice, Key: string(in.Stage)}); err != nil {
			return err
		}
		if in.OfferID != "" {
			if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: mail.KindOfferResponse, Key: in.OfferID,
				Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: in.OfferStatus}); err != nil {
				return err
			}
		}
	}
	if err := a.Store.TokenRevokeAll(ctx, in.OrgID, in.ApplicationID); err != nil {
		return err
	}
	return permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, in.Stage, in.Status, string(in.Stage)))
}

// ---------------------------------------------------------------- onboarding

// OnboardInput onboards the hire of an accepted offer.
type OnboardInput struct {
	AppRef
	OfferID string
}

// OnboardResult says what was created.
type OnboardResult struct {
	EmployeeID    string
	WebhookStatus int // 0 when no webhook is configured
}

// OnboardEmployee records the acceptance, creates the employee with the interview profile and
// a prefilled onboarding form, notifies the HR system (signed, idempotent webhook) and sends the
// candidate the onboarding email.
func (a *Activities) OnboardEmployee(ctx context.Context, in OnboardInput) (OnboardResult, error) {
	o, err := a.Store.OfferGet(ctx, in.OrgID, in.OfferID)
	if err != nil {
		return OnboardResult{}, permanent(err)
	}
	if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, "accepted", ""); err != nil {
		return OnboardResult{}, err
	}
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return OnboardResult{}, permanent(err)
	}
	phone, err := a.Store.CandidatePhone(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return OnboardResult{}, err
	}
	si, err := a.Store.ApplicationScreeningInput(ctx, in.OrgID, in.ApplicationID)
	if err != nil && hireflow.ErrorKind(err) != hireflow.KindGone {
		return OnboardResult{}, err
	}
	facts := resume.ExtractFacts(si.ResumeText, nil, time.Now())
	profile, err := a.Store.ApplicationProfile(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return OnboardResult{}, err
	}
	form := map[string]string{"name": c.Name, "email": c.Email, "phone": phone, "position": o.Position,
		"department": o.Department, "start_date": o.StartDate.Format("2006-01-02"), "education": facts.Education,
		"salary": strconv.FormatFloat(o.Salary, 'f', 2, 64) + " " + o.Currency}
	empID, err := a.Store.EmployeeCreate(ctx, in.OrgID, in.ApplicationID, in.OfferID, o.Position, o.StartDate, profile, form)
	if err != nil {
		return OnboardResult{}, err
	}
	res := OnboardResult{EmployeeID: empID}
	if res.WebhookStatus, err = a.deliverWebhook(ctx, in.OrgID, "employee.created", "employee.created:"+empID, map[string]any{
		"event": "employee.created", "employee_id": empID, "application_id": in.ApplicationID, "position": o.Position,
		"start_date": o.StartDate.Format("2006-01-02"), "profile": profile}); err != nil {
		return res, err
	}
	if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: mail.KindOnboarding, Key: empID, WithLink: true, LinkTTL: 60 * 24 * time.Hour}); err != nil {
		return res, err
	}
	return res, permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, hireflow.StageOnboarding, hireflow.StatusHired, "onboarded"))
}

// deliverWebhook posts an event to the organisation's HR system once: signed with HMAC-SHA256
// over timestamp and body, with an idempotency key; failures are retried by the activity.
func (a *Activities) deliverWebhook(ctx context.Context, orgID, event, key string, payload any) (int, error) {
	url, secret, ok, err := a.Store.WebhookGet(ctx, orgID)
	if err != nil || !ok {
		return 0, err
	}
	if done, err := a.Store.WebhookDelivered(ctx, key); err != nil || done {
		return http.StatusOK, err
	}
	body, _ := json.Marshal(payload)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, permanent(hireflow.Errorf(hireflow.KindInvalid, "webhook_url", "", "%v", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Hireflow-Event", event)
	req.Header.Set("Hireflow-Idempotency-Key", key)
	req.Header.Set("Hireflow-Timestamp", ts)
	req.Header.Set("Hireflow-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	hc := &http.Client{Timeout: 15 * time.Second, Transport: webhookTransport(a.AllowPrivateWebhooks),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		_ = a.Store.WebhookRecord(ctx, orgID, key, event, 0, false)
		return 0, fmt.Errorf("activities: webhook %s: %w", event, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	ok2 := resp.StatusCode >= 200 && resp.StatusCode < 300
	if err := a.Store.WebhookRecord(ctx, orgID, key, event, resp.StatusCode, ok2); err != nil {
		return resp.StatusCode, err
	}
	if !ok2 {
		return resp.StatusCode, temporal.NewApplicationError(fmt.Sprintf("webhook answered %d", resp.StatusCode), "webhook_status")
	}
	return resp.StatusCode, nil
}

// ---------------------------------------------------------------- probation

// ProbationInput is the manager's evaluation.
type ProbationInput struct {
	AppRef
	ManagerID string
	Outcome   string
	Rating    int
}

// RecordProbation stores the probation outcome next to the interview scores and completes the
// application.
func (a *Activities) RecordProbation(ctx context.Context, in ProbationInput) error {
	if err := a.Store.ProbationSave(ctx, in.OrgID, in.ApplicationID, in.ManagerID, in.Outcome, in.Rating); err != nil {
		return err
	}
	if _, err := a.Store.DecisionRecord(ctx, in.OrgID, hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "probation",
		Inputs: map[string]any{"rating": in.Rating}, Outcome: in.Outcome, DecidedBy: in.ManagerID}, "probation"); err != nil {
		return err
	}
	return permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, hireflow.StageCompleted, hireflow.StatusHired, "completed"))
}

// webhookTransport refuses to connect to loopback, private and link-local addresses unless
// allowed (development), checked on the resolved address so DNS cannot point it inside.
func webhookTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
			return fmt.Errorf("activities: webhook address %s is not public", host)
		}
		return nil
	}}
	return &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, MaxIdleConns: 4}
}

// scorerName is the short name stored with a score: the offline scorer's version, or the
// external scorer's method.
func scorerName(r scoring.Result) string {
	if strings.HasPrefix(r.Method, scoring.Version) {
		return scoring.Version
	}
	if len(r.Method) > 80 {
		return r.Method[:80]
	}
	return r.Method
}
