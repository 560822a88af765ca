package api

import (
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/mail"
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
	job, err := s.Store.JobGet(c.UserContext(), tok.OrgID, app.JobID)
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

// candidateConsent records the consent to recording (with the notice version) and, when asked,
// the refusal of decisions made solely by automated means.
func (s *Server) candidateConsent(c *fiber.Ctx) error {
	tok, _, err := s.useToken(c)
	if err != nil {
		return err
	}
	var req struct {
		Recording     bool   `json:"recording"`
		HumanOnly     bool   `json:"human_only"`
		NoticeVersion string `json:"notice_version"`
	}
	if err := decodeJSON(c, &req); err != nil {
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
	// The confirmation email (once per notice version).
	if _, err := s.Activities().NotifyCandidate(c.UserContext(), activities.CandidateNoticeInput{
		AppRef: activities.AppRef{OrgID: tok.OrgID, ApplicationID: tok.ApplicationID}, Kind: mail.KindConsent, Key: req.NoticeVersion,
		Detail: time.Now().UTC().Format("2006-01-02 15:04 UTC")}); err != nil {
		s.Log.Warn("consent email failed", "application", tok.ApplicationID, "err", err.Error())
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
