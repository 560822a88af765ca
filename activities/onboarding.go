package activities

import (
	"context"
	"strconv"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
)

// OnboardInput onboards the hire of an accepted offer.
type OnboardInput struct {
	AppRef
	OfferID string
	Stage   hireflow.Stage `json:",omitempty"` // the stage the workflow moves to: onboarding or probation ("" from older runs: onboarding)
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
	if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeOnboarding, Key: empID, WithLink: true, LinkTTL: 60 * 24 * time.Hour}); err != nil {
		return res, err
	}
	stage := in.Stage
	if stage == "" {
		stage = hireflow.StageOnboarding
	}
	return res, a.enter(ctx, in.AppRef, StageChange{Stage: stage, Status: hireflow.StatusHired, EventKey: "onboarded"})
}
