package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/store"
	"github.com/hireflow/hireflow/workflows"
)

// update sends a validated update and waits for its result; refusals become 409/422.
func (s *Server) update(ctx context.Context, workflowID, name string, arg, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflowID, UpdateName: name,
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err == nil {
		err = h.Get(ctx, out)
	}
	if err != nil {
		return workflowError(err)
	}
	return nil
}

func (s *Server) signal(ctx context.Context, appID, name string, arg any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Temporal.SignalWorkflow(ctx, hireflow.WorkflowIDForApplication(appID), "", name, arg); err != nil {
		return workflowError(err)
	}
	return nil
}

// staffApp loads the application of the caller's organisation named in the path.
func (s *Server) staffApp(c *fiber.Ctx) (hireflow.Application, error) {
	id, err := appIDParam(c)
	if err != nil {
		return hireflow.Application{}, err
	}
	return s.Store.ApplicationGet(c.UserContext(), principal(c).OrgID, id, false)
}

type feedbackRequest struct {
	Round          int            `json:"round"`
	Ratings        map[string]int `json:"ratings"`
	Recommendation string         `json:"recommendation"`
	Comment        string         `json:"comment"`
}

func (s *Server) submitFeedback(c *fiber.Ctx) error {
	var req feedbackRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Comment) > 5000 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "comment", "the comment is longer than 5000 characters")
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateInterviewFeedback, workflows.FeedbackUpdate{Round: req.Round,
		InterviewerID: p.UserID, Role: p.Role, Ratings: req.Ratings, Recommendation: req.Recommendation}, &ack); err != nil {
		return err
	}
	// The comment is personal opinion about a candidate: it stays in PostgreSQL, out of the workflow.
	if err := s.Store.FeedbackSave(c.UserContext(), p.OrgID, app.ID, req.Round, p.UserID, req.Ratings, req.Recommendation, req.Comment); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": true, "stage": ack.Stage})
}

type reviewRequest struct {
	Rating     float64 `json:"rating"`
	Decision   string  `json:"decision"`
	ReasonCode string  `json:"reason_code"`
	Note       string  `json:"note"`
}

func (s *Server) submitReview(c *fiber.Ctx) error {
	var req reviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Note) > 5000 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "note", "the note is longer than 5000 characters")
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateReview, workflows.ReviewUpdate{ReviewerID: p.UserID, Role: p.Role,
		Rating: req.Rating, Decision: req.Decision, ReasonCode: req.ReasonCode}, &ack); err != nil {
		return err
	}
	if err := s.Store.ReviewSave(c.UserContext(), p.OrgID, app.ID, store.ReviewRow{ReviewerID: p.UserID, Rating: req.Rating,
		Decision: req.Decision, ReasonCode: req.ReasonCode, Note: req.Note}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": true})
}

type offerRequest struct {
	Position   string  `json:"position"`
	Salary     float64 `json:"salary"`
	Currency   string  `json:"currency"`
	BandMin    float64 `json:"band_min"`
	BandMax    float64 `json:"band_max"`
	Level      int     `json:"level"`
	Department string  `json:"department"`
	StartDate  string  `json:"start_date"` // YYYY-MM-DD
	ExpiresAt  string  `json:"expires_at"` // RFC 3339; default: the job's offer expiry from now
}

func (r *offerRequest) validate() (time.Time, time.Time, error) {
	if err := textField("position", r.Position, 1, 200); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if err := textField("department", r.Department, 0, 200); err != nil {
		return time.Time{}, time.Time{}, err
	}
	for f, v := range map[string]string{"position": r.Position, "department": r.Department} {
		if err := displayText(f, v); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if r.Salary <= 0 || r.Salary > 1e9 || math.IsNaN(r.Salary) {
		return time.Time{}, time.Time{}, invalid("salary", "salary must be a positive amount")
	}
	if len(r.Currency) != 3 || strings.ToUpper(r.Currency) != r.Currency {
		return time.Time{}, time.Time{}, invalid("currency", "currency must be an ISO 4217 code such as CNY or EUR")
	}
	if r.BandMin < 0 || r.BandMax < r.BandMin {
		return time.Time{}, time.Time{}, invalid("band_max", "the salary band must have band_min ≤ band_max")
	}
	start, err := time.Parse("2006-01-02", r.StartDate)
	if err != nil || start.Before(time.Now().AddDate(0, 0, -1)) {
		return time.Time{}, time.Time{}, invalid("start_date", "start_date must be a date (YYYY-MM-DD) from today on")
	}
	var exp time.Time
	if r.ExpiresAt != "" {
		if exp, err = time.Parse(time.RFC3339, r.ExpiresAt); err != nil || !exp.After(time.Now()) {
			return time.Time{}, time.Time{}, invalid("expires_at", "expires_at must be a future RFC 3339 time")
		}
	}
	return start, exp, nil
}

func (s *Server) draftOffer(c *fiber.Ctx) error {
	var req offerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	start, exp, err := req.validate()
	if err != nil {
		return err
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if exp.IsZero() {
		exp = time.Now().Add(s.Cfg.OfferExpiresAfter)
	}
	id, err := s.Store.OfferCreate(c.UserContext(), p, store.Offer{ApplicationID: app.ID, Position: req.Position, Salary: req.Salary,
		Currency: req.Currency, BandMin: req.BandMin, BandMax: req.BandMax, Level: req.Level, Department: req.Department, StartDate: start, ExpiresAt: exp})
	if err != nil {
		return err
	}
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateDraftOffer, workflows.DraftOfferUpdate{OfferID: id, UserID: p.UserID}, &ack); err != nil {
		_ = s.Store.OfferDiscard(context.WithoutCancel(c.UserContext()), p.OrgID, id)
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "offer.draft", "offer", id, nil)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"offer_id": id, "status": "approving"})
}

func (s *Server) getOffer(c *fiber.Ctx) error {
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	o, err := s.Store.OfferLatest(c.UserContext(), principal(c).OrgID, app.ID)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

type approvalRequest struct {
	Decision   string `json:"decision"`
	DelegateTo string `json:"delegate_to"`
	ReasonCode string `json:"reason_code"`
}

func (s *Server) decideOffer(c *fiber.Ctx) error {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return hireflow.NotFound("offer_not_found", "offer")
	}
	var req approvalRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if _, err := s.Store.OfferGet(c.UserContext(), p.OrgID, id); err != nil {
		return err
	}
	if req.DelegateTo != "" {
		if _, err := uuid.Parse(req.DelegateTo); err != nil {
			return invalid("delegate_to", "delegate_to must be a user id")
		}
		if _, err := s.Store.UserGet(c.UserContext(), p.OrgID, req.DelegateTo); err != nil {
			return invalid("delegate_to", "no such user in your organisation")
		}
	}
	var st workflows.ApprovalState
	if err := s.update(c.UserContext(), "approval/"+id, workflows.UpdateApprovalDecision, workflows.ApprovalDecision{ApproverID: p.UserID,
		Role: p.Role, Decision: req.Decision, DelegateTo: req.DelegateTo, ReasonCode: req.ReasonCode}, &st); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "offer.approval."+req.Decision, "offer", id, map[string]any{"reason": req.ReasonCode})
	return c.JSON(st)
}

type probationRequest struct {
	Outcome string `json:"outcome"`
	Rating  int    `json:"rating"`
}

func (s *Server) submitProbation(c *fiber.Ctx) error {
	var req probationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateProbationEvaluation, workflows.ProbationUpdate{ManagerID: p.UserID,
		Role: p.Role, Outcome: req.Outcome, Rating: req.Rating}, &ack); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": true})
}

func (s *Server) cancelApplication(c *fiber.Ctx) error {
	var req struct {
		ReasonCode string `json:"reason_code"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch req.ReasonCode {
	case "position_filled", "position_closed", "duplicate", "other":
	default:
		return invalid("reason_code", "reason_code must be position_filled, position_closed, duplicate or other")
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	if app.Status != hireflow.StatusActive && app.Status != hireflow.StatusHired {
		return hireflow.Errorf(hireflow.KindConflict, "application_closed", "", "the application is already closed (%s)", app.Status)
	}
	p := principal(c)
	if err := s.signal(c.UserContext(), app.ID, workflows.SignalCancel, workflows.CancelSignal{UserID: p.UserID, ReasonCode: req.ReasonCode}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "application.cancel", "application", app.ID, map[string]any{"reason": req.ReasonCode})
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": true})
}

func (s *Server) setWebhook(c *fiber.Ctx) error {
	var req struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && !s.Cfg.Production())) || u.Host == "" {
		return invalid("url", "url must be an https:// address (http:// is allowed outside production)")
	}
	if len(req.Secret) < 16 || len(req.Secret) > 256 {
		return invalid("secret", "secret must be 16 to 256 characters")
	}
	p := principal(c)
	if err := s.Store.WebhookSet(c.UserContext(), p.OrgID, req.URL, req.Secret); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "webhook.set", "organisation", p.OrgID, map[string]any{"url": req.URL})
	return c.JSON(fiber.Map{"url": req.URL})
}

// ---------------------------------------------------------------- candidate actions

// openQuestion loads the candidate's application and the job's question id (of the given kind,
// any kind when empty), and checks the interview is open for answers.
func (s *Server) openQuestion(c *fiber.Ctx, tok store.CandidateToken, ct store.Contact, id, kind string) (hireflow.Application, *hireflow.Question, error) {
	app, err := s.Store.ApplicationGet(c.UserContext(), tok.OrgID, tok.ApplicationID, false)
	if err != nil {
		return app, nil, err
	}
	job, err := s.Store.JobGet(c.UserContext(), tok.OrgID, app.JobID)
	if err != nil {
		return app, nil, err
	}
	var q *hireflow.Question
	for i := range job.Questions {
		if job.Questions[i].ID == id && (kind == "" || job.Questions[i].Kind == kind) {
			q = &job.Questions[i]
		}
	}
	if q == nil {
		return app, nil, hireflow.Errorf(hireflow.KindInvalid, "unknown_question", "question_id", "this job has no question %q", id).ZH("该职位没有此题目")
	}
	if ct.Status != hireflow.StatusActive || (ct.Stage != hireflow.StageInvited && ct.Stage != hireflow.StageInterview) {
		return app, nil, hireflow.Errorf(hireflow.KindConflict, "not_interviewing", "", "the interview is not open").ZH("面试当前未开放")
	}
	return app, q, nil
}

func (s *Server) candidateAnswer(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	var req struct {
		QuestionID string `json:"question_id"`
		Text       string `json:"text"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	text := strings.TrimSpace(req.Text)
	if n := utf8.RuneCountInString(text); n == 0 || n > 5000 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "text", "an answer has 1 to 5000 characters").ZH("回答需为 1 到 5000 个字符")
	}
	app, question, err := s.openQuestion(c, tok, ct, req.QuestionID, "")
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(text))
	key := "text:" + app.ID + ":" + req.QuestionID + ":" + hex.EncodeToString(sum[:8])
	// One answer plus the job's retakes per question; resending the same text is not a retake.
	n, err := s.Store.AnswerCount(c.UserContext(), tok.OrgID, app.ID, req.QuestionID)
	if err != nil {
		return err
	}
	if n > question.Retakes {
		if id, ok, err := s.Store.AnswerByKey(c.UserContext(), tok.OrgID, key); err != nil {
			return err
		} else if ok {
			return c.Status(fiber.StatusCreated).JSON(fiber.Map{"answer_id": id}) // the same answer again
		}
		return hireflow.Errorf(hireflow.KindConflict, "no_retakes_left", "question_id", "no retakes are left for this question").ZH("此题已没有重答次数")
	}
	id, _, err := s.Store.AnswerCreate(c.UserContext(), tok.OrgID, app.ID, req.QuestionID, "text", ct.Language, text, "", key)
	if err != nil {
		return err
	}
	if err := s.signal(c.UserContext(), app.ID, workflows.SignalAnswerSubmitted, workflows.AnswerSignal{AnswerID: id, QuestionID: req.QuestionID}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"answer_id": id})
}

func (s *Server) candidateOfferResponse(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	var req struct {
		Accept     bool   `json:"accept"`
		ReasonCode string `json:"reason_code"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.respondToOffer(c, tok.OrgID, tok.ApplicationID, ct.Status, req.Accept, req.ReasonCode); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": req.Accept})
}

// offerDeclineReasons are the reasons a candidate may give for declining.
var offerDeclineReasons = []string{"", "other_offer", "salary", "location", "role", "personal", "other"}

// respondToOffer hands the candidate's answer to an approved offer to the workflow.
func (s *Server) respondToOffer(c *fiber.Ctx, orgID, appID string, status hireflow.Status, accept bool, reason string) error {
	ok := false
	for _, r := range offerDeclineReasons {
		ok = ok || r == reason
	}
	if !ok {
		return invalid("reason_code", "reason_code must be one of other_offer, salary, location, role, personal, other")
	}
	noOffer := hireflow.Errorf(hireflow.KindConflict, "no_open_offer", "", "there is no offer to answer").ZH("当前没有待答复的录用")
	if status != hireflow.StatusActive {
		return noOffer
	}
	o, err := s.Store.OfferLatest(c.UserContext(), orgID, appID)
	if err != nil || o.Status != "approved" {
		return noOffer
	}
	if time.Now().After(o.ExpiresAt) {
		return hireflow.Errorf(hireflow.KindGone, "offer_expired", "", "this offer has expired").ZH("此录用已过期")
	}
	if err := s.signal(c.UserContext(), appID, workflows.SignalOfferResponse, workflows.OfferResponse{Accept: accept, ReasonCode: reason}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), orgID, "candidate", appID, "offer.response", "offer", o.ID, map[string]any{"accept": accept, "reason": reason})
	return nil
}

func (s *Server) candidateDeletion(c *fiber.Ctx) error {
	tok, _, err := s.useToken(c)
	if err != nil {
		return err
	}
	if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalDeletionRequest, workflows.DeletionSignal{}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.deletion_request", "application", tok.ApplicationID, nil)
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": true})
}

func (s *Server) candidateHumanOnly(c *fiber.Ctx) error {
	tok, _, err := s.useToken(c)
	if err != nil {
		return err
	}
	if err := s.Store.ApplicationSetHumanOnly(c.UserContext(), tok.OrgID, tok.ApplicationID); err != nil {
		return err
	}
	if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalHumanOnly, workflows.HumanOnlySignal{}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.automated_decision_opt_out", "application", tok.ApplicationID, nil)
	return c.JSON(fiber.Map{"human_only": true})
}
