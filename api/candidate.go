package api

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// tokenRe is the shape of a magic-link token: 43 base64url characters.
var tokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

type pageData struct {
	Lang, Title, OrgName, BrandLine, Color string
	Name, JobTitle, Token                  string
	Stage                                  hireflow.Stage
	ExpiresAt                              time.Time
	ExpiresText, UpdatedText               string
	CanWithdraw                            bool
	Notice, WithdrawError                  string
	Code, Message                          string
	JobID, Location, Description           string
	Source                                 string // the apply page's ?source=, carried into the form
	MaxBytes                               int64
	Decisions                              []hireflow.Decision
	Role, AppID, OfferID                   string
	LangURL                                string // this page in the other language
	Questions                              []interviewQuestion
	Consented, AllAnswered                 bool
	Offer                                  *offerView
	Form                                   map[string]string
	Hired                                  bool
	LogoURL                                string
	Minutes                                int
	Report                                 []reportAnswer
	Can                                    stageActions        // staff application page: the forms to show
	Wide                                   bool                // a console page: the desktop width
	Console                                *consoleView        // the console's own pages
	Board                                  *boardView          // a job's candidate board
	Reads                                  []store.AuditEntry  // who read this application's personal data
	Timeline                               []timelineEntry     // everything that happened to one application
	Interview                              *candidateInterview // the candidate's live interview: times on offer or booked
	Week                                   *weekView           // an interviewer's week (console)
	StaffInterview                         *staffInterview     // the application page's live interview
	ResumeURL                              string              // the résumé's download, for roles that see it
	OfferForm                              *offerFormView      // the staff offer form: the job's terms, departments
	Approval                               *approvalView       // the chain an approving offer is in, and whom to delegate to
	OfferTerms                             *offerTermsView     // the offer page's terms
	Staff                                  bool                // an error on a staff page (not a candidate's link)
	Nonce                                  string              // this response's CSP nonce for its scripts
	CSRF                                   string              // the staff session's CSRF token (scripts send it with every fetch)
}

// offerView is what the candidate sees of an approved offer.
type offerView struct {
	Position, Salary, StartDate, ExpiresText string
}

// renewLink emails a fresh link to the address the candidate applied with, when their
// application is still open; the answer is the same whatever the token, so it reveals nothing.
func (s *Server) renewLink(c *fiber.Ctx) error {
	l := lang(c)
	raw := c.Params("token")
	d := pageData{Lang: l, Title: translate(l, "renew.title"), Code: "link_renewal", Message: translate(l, "renew.sent")}
	if tokenRe.MatchString(raw) {
		tok, ok, err := s.Store.TokenFind(c.UserContext(), s.Box.Hash("token", raw))
		if err != nil {
			return err
		}
		if ok {
			if ct, err := s.Store.ApplicationContact(c.UserContext(), tok.OrgID, tok.ApplicationID); err == nil &&
				(ct.Status == hireflow.StatusActive || ct.Status == hireflow.StatusHired) {
				// At most one new link per application every ten minutes; the workflow sends it.
				bucket := strconv.FormatInt(time.Now().Unix()/600, 10)
				if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalLinkRenewal,
					workflows.LinkRenewalSignal{Bucket: bucket, TTL: s.Cfg.TokenTTL}); err != nil {
					// The answer stays the same (it reveals nothing); a closed application gets no link.
					s.Log.Warn("link renewal not signalled", "application", tok.ApplicationID, "err", err.Error())
				}
			}
		}
	}
	return s.render(c, fiber.StatusAccepted, "error.html", d)
}

// useToken resolves the application link's token (hash lookup; forged, expired and revoked
// are distinct). A token of another purpose (the data download) is not an application link.
func (s *Server) useToken(c *fiber.Ctx) (store.CandidateToken, store.Contact, error) {
	return s.useTokenFor(c, activities.TokenPurposeApplication)
}

func (s *Server) useTokenFor(c *fiber.Ctx, purpose string) (store.CandidateToken, store.Contact, error) {
	raw := c.Params("token")
	if !tokenRe.MatchString(raw) {
		return store.CandidateToken{}, store.Contact{}, hireflow.Errorf(hireflow.KindUnauthorized, "link_invalid", "token", "this link is not valid").ZH("此链接无效")
	}
	tok, _, err := s.Store.TokenUse(c.UserContext(), s.Box.Hash("token", raw))
	if err != nil {
		return tok, store.Contact{}, err
	}
	if tok.Purpose != purpose {
		return store.CandidateToken{}, store.Contact{}, hireflow.Errorf(hireflow.KindUnauthorized, "link_invalid", "token", "this link is not valid").ZH("此链接无效")
	}
	contact, err := s.Store.ApplicationContact(c.UserContext(), tok.OrgID, tok.ApplicationID)
	if err != nil {
		return tok, contact, err
	}
	// The language the candidate applied in wins over the browser's header; a switch on the
	// page (?lang=, remembered in hf_lang) wins over both.
	if c.Query("lang") == "" && c.Cookies("hf_lang") == "" && (contact.Language == "zh" || contact.Language == "en") {
		c.Request().URI().QueryArgs().Set("lang", contact.Language)
		return tok, contact, nil
	}
	if q := c.Query("lang"); q == "zh" || q == "en" {
		c.Cookie(&fiber.Cookie{Name: "hf_lang", Value: q, Path: "/", MaxAge: 365 * 86400, SameSite: fiber.CookieSameSiteLaxMode})
	}
	return tok, contact, nil
}

// candidateView fills the status page and tells the workflow the link was opened.
func (s *Server) candidateView(c *fiber.Ctx, tok store.CandidateToken, ct store.Contact) pageData {
	l := lang(c)
	title := ct.JobTitle
	if l == "zh" && ct.JobTitleZH != "" {
		title = ct.JobTitleZH
	}
	d := pageData{Lang: l, Title: translate(l, "status.title"), OrgName: ct.OrgName, BrandLine: ct.BrandLine, Color: ct.Color, LogoURL: ct.LogoURL,
		Name: ct.Name, JobTitle: title, Token: c.Params("token"), Stage: ct.Stage, UpdatedText: fmtTime(l, ct.UpdatedAt),
		CanWithdraw: ct.Status == hireflow.StatusActive}
	if ct.Stage == hireflow.StageInvited || ct.Stage == hireflow.StageInterview {
		d.ExpiresAt, d.ExpiresText = tok.ExpiresAt, fmtTime(l, tok.ExpiresAt)
		if app, err := s.Store.ApplicationGet(c.UserContext(), tok.OrgID, tok.ApplicationID, false); err == nil {
			if job, err := s.jobFor(c.UserContext(), tok.OrgID, app.ID, app.JobID); err == nil {
				d.Minutes = interviewMinutes(job.Questions)
			}
		}
	}
	d.Hired = ct.Status == hireflow.StatusHired
	if ct.Stage == hireflow.StageLiveRound && ct.Status == hireflow.StatusActive {
		d.Interview = s.candidateInterviewView(c.UserContext(), l, tok, c.Params("token"))
	}
	if ct.Stage == hireflow.StageOffer && ct.Status == hireflow.StatusActive {
		if o, err := s.Store.OfferLatest(c.UserContext(), tok.OrgID, tok.ApplicationID); err == nil && o.Status == "approved" {
			d.Offer = &offerView{Position: o.Position, Salary: strconv.FormatFloat(o.Salary, 'f', 2, 64) + " " + o.Currency,
				StartDate: o.StartDate.Format("2006-01-02"), ExpiresText: fmtTime(l, o.ExpiresAt)}
		}
	}
	if ct.Stage == hireflow.StageInvited {
		// Opening the invitation starts the interview stage: the workflow decides and records
		// it; the page already shows the stage the candidate is entering.
		if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalInvitationOpened, workflows.InvitationOpenedSignal{}); err != nil {
			s.Log.Warn("invitation-opened signal failed", "application", tok.ApplicationID, "err", err.Error())
		} else {
			d.Stage = hireflow.StageInterview
		}
	}
	return d
}

func fmtTime(l string, t time.Time) string {
	if l == "zh" {
		return t.UTC().Format("2006年1月2日 15:04 UTC")
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

func (s *Server) candidatePage(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "status.html", s.candidateView(c, tok, ct))
}

func (s *Server) candidateStatusJSON(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	d := s.candidateView(c, tok, ct)
	return c.JSON(fiber.Map{"application_id": tok.ApplicationID, "stage": ct.Stage, "status": ct.Status,
		"stage_text": translate(d.Lang, "stage."+string(ct.Stage)), "next_step": translate(d.Lang, "next."+string(ct.Stage)),
		"job_title": d.JobTitle, "expires_at": tok.ExpiresAt, "updated_at": ct.UpdatedAt})
}

func (s *Server) candidateWithdraw(c *fiber.Ctx) error {
	return s.confirmedForm(c, true, workflows.SignalWithdraw, workflows.WithdrawSignal{Reason: "candidate"}, "application.withdraw",
		hireflow.StageWithdrawn, "withdraw.done")
}

// confirmedForm takes a status-page form that needs confirm=yes: it signals the workflow,
// audits the candidate's action and shows the page at the stage the signal leads to. With
// activeOnly, a closed application just shows its page.
func (s *Server) confirmedForm(c *fiber.Ctx, activeOnly bool, name string, arg any, action string, then hireflow.Stage, notice string) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	d := s.candidateView(c, tok, ct)
	if c.FormValue("confirm") != "yes" {
		d.WithdrawError = translate(d.Lang, "withdraw.need")
		return s.render(c, fiber.StatusUnprocessableEntity, "status.html", d)
	}
	if activeOnly && ct.Status != hireflow.StatusActive {
		return s.render(c, fiber.StatusOK, "status.html", d)
	}
	if err := s.signal(c.UserContext(), tok.ApplicationID, name, arg); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, action, "application", tok.ApplicationID, nil)
	d.Stage, d.CanWithdraw, d.Notice = then, false, translate(d.Lang, notice)
	return s.render(c, fiber.StatusOK, "status.html", d)
}

// candidateOfferPage takes the offer form of the status page.
func (s *Server) candidateOfferPage(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	accept := c.FormValue("accept") == "true"
	err = s.respondToOffer(c, tok.OrgID, tok.ApplicationID, ct.Status, accept, c.FormValue("reason_code"))
	d := s.candidateView(c, tok, ct)
	if err != nil {
		herr := hireflow.AsError(err)
		if herr == nil {
			return err
		}
		d.WithdrawError = herr.Message
		if d.Lang == "zh" && herr.MessageZH != "" {
			d.WithdrawError = herr.MessageZH
		}
		return s.render(c, statusOf(herr.Kind), "status.html", d)
	}
	d.Offer, d.Notice = nil, translate(d.Lang, map[bool]string{true: "offer.accepted", false: "offer.declined"}[accept])
	return s.render(c, fiber.StatusOK, "status.html", d)
}

// candidateDeletionPage takes the data-deletion form of the status page.
func (s *Server) candidateDeletionPage(c *fiber.Ctx) error {
	return s.confirmedForm(c, false, workflows.SignalDeletionRequest, workflows.DeletionSignal{}, "candidate.deletion_request",
		hireflow.StageDeletion, "delete.done")
}

func (s *Server) applyPage(c *fiber.Ctx) error {
	j, err := s.Store.JobGetOpen(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	org, err := s.Store.OrgGet(c.UserContext(), j.OrgID)
	if err != nil {
		return err
	}
	l := lang(c)
	title := j.Title
	if l == "zh" && j.TitleZH != "" {
		title = j.TitleZH
	}
	return s.render(c, fiber.StatusOK, "apply.html", pageData{Lang: l, Title: title, OrgName: org.Name, BrandLine: org.BrandLine,
		Color: org.Color, LogoURL: org.LogoURL, JobTitle: title, JobID: j.ID, Location: j.Location, Description: j.Description, MaxBytes: s.Cfg.MaxResumeBytes,
		Source: pageSource(c.Query("source"))})
}

// pageSource keeps a well-formed ?source= for the apply form and drops anything else (a link
// with a broken source still opens the page; the form then carries none).
func pageSource(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if !sourceRe.MatchString(v) {
		return ""
	}
	return v
}
