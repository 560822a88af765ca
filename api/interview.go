package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// interviewQuestion is one question as the interview page shows it.
type interviewQuestion struct {
	ID, Kind, Text             string
	N, MaxSecs, Retakes, Think int
	Answered                   bool
}

// interviewPage is the candidate's interview: consent first (recording and, separately, the
// refusal of solely automated decisions), then every question, typed or recorded in the browser.
func (s *Server) interviewPage(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	d := s.candidateView(c, tok, ct)
	if ct.Status != hireflow.StatusActive || (d.Stage != hireflow.StageInvited && d.Stage != hireflow.StageInterview) {
		return s.render(c, fiber.StatusOK, "status.html", d)
	}
	app, err := s.Store.ApplicationGet(c.UserContext(), tok.OrgID, tok.ApplicationID, false)
	if err != nil {
		return err
	}
	job, err := s.jobFor(c.UserContext(), tok.OrgID, app.ID, app.JobID)
	if err != nil {
		return err
	}
	answered, err := s.Store.AnsweredQuestions(c.UserContext(), tok.OrgID, app.ID)
	if err != nil {
		return err
	}
	if d.Consented, err = s.Store.ConsentGiven(c.UserContext(), tok.OrgID, app.ID, "recording"); err != nil {
		return err
	}
	d.AllAnswered = len(job.Questions) > 0
	for i, q := range job.Questions {
		text := q.TextEN
		if d.Lang == "zh" && q.TextZH != "" {
			text = q.TextZH
		}
		iq := interviewQuestion{ID: q.ID, Kind: q.Kind, Text: text, N: i + 1, MaxSecs: q.MaxSecs, Retakes: q.Retakes, Think: q.ThinkSecs, Answered: answered[q.ID] > 0}
		d.AllAnswered = d.AllAnswered && iq.Answered
		d.Questions = append(d.Questions, iq)
	}
	d.Title = translate(d.Lang, "iv.title")
	d.Minutes = interviewMinutes(job.Questions)
	return s.render(c, fiber.StatusOK, "interview.html", d)
}

var noticeVersionRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$`)

// candidateConsentBody is the JSON body of candidateConsent.
type candidateConsentBody struct {
	Recording     bool   `json:"recording"`
	HumanOnly     bool   `json:"human_only"`
	NoticeVersion string `json:"notice_version"`
}

// candidateConsent records the consent to recording (with the notice version) and, when asked,
// the refusal of decisions made solely by automated means.
func (s *Server) candidateConsent(c *fiber.Ctx) error {
	req, tok, _, err := candidateRequest[candidateConsentBody](s, c)
	if err != nil {
		return err
	}
	if !req.Recording {
		return hireflow.Errorf(hireflow.KindInvalid, "consent_required", "recording", "recorded answers need your consent").ZH("录制回答需要您的同意")
	}
	if !noticeVersionRe.MatchString(req.NoticeVersion) {
		return invalid("notice_version", "notice_version is required: 1 to 20 letters, digits, dots or dashes (e.g. 2026-10)")
	}
	if err := s.Store.ConsentRecord(c.UserContext(), tok.OrgID, tok.ApplicationID, "recording", req.NoticeVersion, req.HumanOnly); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.consent", "application", tok.ApplicationID,
		map[string]any{"purpose": "recording", "notice_version": req.NoticeVersion, "human_only": req.HumanOnly})
	// The confirmation email (once per notice version) is the workflow's to send.
	if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalConsentGiven, workflows.ConsentSignal{NoticeVersion: req.NoticeVersion}); err != nil {
		s.Log.Warn("consent confirmation not signalled", "application", tok.ApplicationID, "err", err.Error())
	}
	if req.HumanOnly {
		if err := s.Store.ApplicationSetHumanOnly(c.UserContext(), tok.OrgID, tok.ApplicationID); err != nil {
			return err
		}
		if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalHumanOnly, workflows.HumanOnlySignal{}); err != nil {
			return err
		}
	}
	return c.JSON(fiber.Map{"consented": true, "human_only": req.HumanOnly})
}

// interviewMinutes estimates how long the interview takes: think and answer time of recorded
// questions, three minutes per typed one, plus five for consent, the check and the practice.
func interviewMinutes(qs []hireflow.Question) int {
	secs := 300
	for _, q := range qs {
		if q.Kind == "text" {
			secs += 180
			continue
		}
		m := q.MaxSecs
		if m == 0 {
			m = 120
		}
		secs += q.ThinkSecs + m + 30
	}
	return (secs + 59) / 60
}

type feedbackRequest struct {
	Round          int            `json:"round"`
	Ratings        map[string]int `json:"ratings"`
	Recommendation string         `json:"recommendation"`
	Comment        string         `json:"comment"`
	// Attended is false when the candidate did not come (then no ratings); default true.
	Attended *bool `json:"attended"`
}

// submitFeedback takes a live round's feedback; the comment is personal opinion about a
// candidate, so it stays in PostgreSQL, out of the workflow.
func (s *Server) submitFeedback(c *fiber.Ctx) error {
	return staffStep(s, c, workflows.UpdateInterviewFeedback, func(req feedbackRequest, p hireflow.Principal) (any, error) {
		return workflows.FeedbackUpdate{Round: req.Round, InterviewerID: p.UserID, Role: p.Role, Ratings: req.Ratings,
			Recommendation: req.Recommendation, NoShow: req.Attended != nil && !*req.Attended}, maxText("comment", req.Comment, 5000)
	}, func(ctx context.Context, req feedbackRequest, app hireflow.Application, ack workflows.UpdateAck) (fiber.Map, error) {
		p := principal(c)
		return fiber.Map{"accepted": true, "stage": ack.Stage}, s.Store.FeedbackSave(ctx, p.OrgID, app.ID, req.Round, p.UserID, req.Ratings, req.Recommendation, req.Comment,
			req.Attended == nil || *req.Attended)
	})
}

// openQuestion loads the candidate's application and the job's question id (of the given kind,
// any kind when empty), and checks the interview is open for answers.
func (s *Server) openQuestion(c *fiber.Ctx, tok store.CandidateToken, ct store.Contact, id, kind string) (hireflow.Application, *hireflow.Question, error) {
	app, err := s.Store.ApplicationGet(c.UserContext(), tok.OrgID, tok.ApplicationID, false)
	if err != nil {
		return app, nil, err
	}
	job, err := s.jobFor(c.UserContext(), tok.OrgID, app.ID, app.JobID)
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

// candidateAnswerBody is the JSON body of candidateAnswer.
type candidateAnswerBody struct {
	QuestionID string `json:"question_id"`
	Text       string `json:"text"`
}

func (s *Server) candidateAnswer(c *fiber.Ctx) error {
	req, tok, ct, err := candidateRequest[candidateAnswerBody](s, c)
	if err != nil {
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
