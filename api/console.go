package api

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// consoleAuth sends signed-out staff to the sign-in page and back (the links in staff emails).
func (s *Server) consoleAuth(c *fiber.Ctx) error {
	if c.Cookies(sessionCookie) == "" {
		return c.Redirect("/console/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	if err := s.authenticate(c); err != nil {
		if hireflow.ErrorKind(err) == hireflow.KindUnauthorized {
			return c.Redirect("/console/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return err
	}
	return nil
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	l := lang(c)
	return s.render(c, fiber.StatusOK, "login.html", pageData{Lang: l, Title: translate(l, "console.signin"), Code: c.Query("org")})
}

// applicationPage is where staff emails lead: the application's stage and the forms of the
// human steps the caller's role may take (the API and the workflow validate each one).
func (s *Server) applicationPage(c *fiber.Ctx) error {
	p := principal(c)
	v, err := s.staffPage(c, true)
	if err != nil {
		return err
	}
	app, d := v.app, v.d
	d.Title, d.Name = d.JobTitle, app.CandidateName
	d.Code = string(app.Status)
	offerStatus := ""
	if o, err := s.Store.OfferLatest(c.UserContext(), p.OrgID, app.ID); err == nil {
		offerStatus = o.Status
		if o.Status == "approving" {
			d.OfferID = o.ID
		}
	} else if hireflow.ErrorKind(err) != hireflow.KindNotFound {
		return err
	}
	d.Can = actionsFor(p.Role, app.Stage, app.Status, offerStatus)
	if s.fieldPolicy(c.UserContext(), p).sees(fResumeText) && slices.Contains(policy[actResumeRead], p.Role) {
		d.ResumeURL = "/api/v1/applications/" + app.ID + "/resume"
	}
	if d.Can.Interview {
		d.StaffInterview, err = s.staffInterviewView(c.UserContext(), d.Lang, p, app.ID)
		if err != nil {
			return err
		}
		iv := d.StaffInterview
		// Only what the interview's state allows: booking and cancelling once it is planned,
		// rescheduling a booked one (an interviewer only on their own panel).
		d.Can.Book = d.Can.Book && iv != nil && iv.Status != "cancelled" && iv.Status != "done"
		d.Can.CancelInterview = d.Can.CancelInterview && iv != nil && (iv.Status == "offered" || iv.Status == "booked" || iv.Status == "waiting")
		d.Can.Reschedule = d.Can.Reschedule && iv != nil && iv.Status == "booked" && (p.Role != hireflow.RoleInterviewer || iv.OnPanel)
	}
	if d.Can.Offer {
		if d.OfferForm, err = s.offerForm(c, v.job); err != nil {
			return err
		}
	}
	if d.Can.Approve {
		if d.Approval, err = s.approvalFor(c, d.OfferID); err != nil {
			return err
		}
		d.Can.Approve = d.Approval.Mine
		if d.Can.Approve {
			o, err := s.Store.OfferGet(c.UserContext(), p.OrgID, d.OfferID)
			if err != nil {
				return err
			}
			d.OfferTerms = offerTerms(d.Lang, o, d.JobTitle)
		}
	}
	// Who looked at this candidate's data (the latest 20 reads, this one included).
	if d.Reads, err = s.Store.AuditLog(c.UserContext(), p.OrgID, store.AuditFilter{Action: "candidate.read", SubjectID: app.ID}, 20); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "application.html", d)
}

// staffView is what every staff page about one application starts from.
type staffView struct {
	app hireflow.Application
	job hireflow.Job
	d   pageData // language, branding, the job's title in that language, the application's stage
}

// staffPage loads the application named in the path (in the caller's organisation; with the
// candidate's name and email, audited, when withContact and the role sees them), its job and the
// organisation's branding.
func (s *Server) staffPage(c *fiber.Ctx, withContact bool) (staffView, error) {
	var v staffView
	p := principal(c)
	id, err := appIDParam(c)
	if err != nil {
		return v, err
	}
	if withContact {
		v.app, err = s.readApplication(c, id)
	} else if err = s.assignedOnly(c.UserContext(), p, id); err == nil {
		v.app, err = s.Store.ApplicationGet(c.UserContext(), p.OrgID, id, false)
	}
	if err != nil {
		return v, err
	}
	if v.job, err = s.Store.JobGet(c.UserContext(), p.OrgID, v.app.JobID); err != nil {
		return v, err
	}
	org, err := s.Store.OrgGet(c.UserContext(), p.OrgID)
	if err != nil {
		return v, err
	}
	l := lang(c)
	title := v.job.Title
	if l == "zh" && v.job.TitleZH != "" {
		title = v.job.TitleZH
	}
	v.d = pageData{Lang: l, OrgName: org.Name, BrandLine: org.BrandLine, Color: org.Color, JobTitle: title,
		AppID: v.app.ID, Stage: v.app.Stage, Role: string(p.Role)}
	v.d.Console, err = s.consoleChrome(c, "")
	return v, err
}

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// setBrandingBody is the JSON body of setBranding.
type setBrandingBody struct {
	BrandLine string `json:"brand_line"`
	Color     string `json:"color"`
	LogoURL   string `json:"logo_url"`
}

// setBranding sets what candidates see of the organisation on every page and email.
func (s *Server) setBranding(c *fiber.Ctx) error {
	var req setBrandingBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.BrandLine) > 120 || strings.ContainsAny(req.BrandLine, "<>\x00\r\n") {
		return invalid("brand_line", "brand_line is at most 120 characters, without < > or line breaks")
	}
	if err := displayText("brand_line", req.BrandLine); err != nil {
		return err
	}
	if !colorRe.MatchString(req.Color) {
		return invalid("color", "color must be like #1f5fbf")
	}
	if req.LogoURL != "" {
		u, err := url.Parse(req.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(req.LogoURL) > 500 {
			return invalid("logo_url", "logo_url must be an https:// address of at most 500 characters")
		}
	}
	p := principal(c)
	if err := s.Store.OrgSetBranding(c.UserContext(), p.OrgID, req.BrandLine, req.Color); err != nil {
		return err
	}
	if err := s.Store.OrgSetLogo(c.UserContext(), p.OrgID, req.LogoURL); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "organisation.branding", "organisation", p.OrgID, nil)
	return c.JSON(req)
}
