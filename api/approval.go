package api

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

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
		if req.DelegateTo == p.UserID {
			return invalid("delegate_to", "delegate to a colleague, not to yourself").ZH("请委托给同事，而不是自己")
		}
		if _, err := s.Store.UserGet(c.UserContext(), p.OrgID, req.DelegateTo); err != nil {
			return invalid("delegate_to", "no such user in your organisation")
		}
	}
	var st workflows.ApprovalState
	if err := s.update(c.UserContext(), hireflow.WorkflowIDForApproval(id), workflows.UpdateApprovalDecision, workflows.ApprovalDecision{ApproverID: p.UserID,
		Role: p.Role, Decision: req.Decision, DelegateTo: req.DelegateTo, ReasonCode: req.ReasonCode}, &st); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "offer.approval."+req.Decision, "offer", id, map[string]any{"reason": req.ReasonCode})
	return c.JSON(st)
}

// offerFormView is what the offer form starts from: the job's terms and the departments.
type offerFormView struct {
	Currency, BandMin, BandMax, Level, Department string
	HasBand                                       bool
	Departments                                   []string
}

func (s *Server) offerForm(c *fiber.Ctx, job hireflow.Job) (*offerFormView, error) {
	o := job.Offer
	v := &offerFormView{Currency: o.Currency, Department: o.Department, HasBand: o.BandMax > 0}
	if v.Currency == "" {
		v.Currency = "CNY"
	}
	if v.HasBand {
		v.BandMin, v.BandMax = strconv.FormatFloat(o.BandMin, 'f', -1, 64), strconv.FormatFloat(o.BandMax, 'f', -1, 64)
	}
	if o.Level > 0 {
		v.Level = strconv.Itoa(o.Level)
	}
	ds, err := s.Store.Departments(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		v.Departments = append(v.Departments, d.Name)
	}
	return v, nil
}

// approvalView is an approving offer's chain as the viewer sees it.
type approvalView struct {
	Mine      bool // the chain waits for the viewer (by role or by name)
	Step      int
	Steps     int
	Waiting   []string // who the current step waits for, named
	Delegates []directoryEntry
	Answered  bool // the chain answered the query
}

// approvalFor asks the offer's chain where it is; the approve form is shown only to someone it
// waits for, and delegation offers the organisation's other managers, recruiters and admins.
func (s *Server) approvalFor(c *fiber.Ctx, offerID string) (*approvalView, error) {
	p, l := principal(c), lang(c)
	v := &approvalView{}
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	res, err := s.Workflows.QueryWorkflow(ctx, hireflow.WorkflowIDForApproval(offerID), "", workflows.QueryApprovalState)
	if err != nil {
		return v, nil // a chain that does not answer now: the form shows next time
	}
	var st workflows.ApprovalState
	if res.Get(&st) != nil {
		return v, nil
	}
	v.Answered, v.Step, v.Steps = true, st.Step, st.Steps
	v.Mine = slices.Contains(st.Waiting, string(p.Role)) || slices.Contains(st.Waiting, "user:"+p.UserID)
	users, err := s.Store.UserList(c.UserContext(), p.OrgID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
		if u.ID != p.UserID && !u.Disabled && (u.Role == hireflow.RoleHiringManager || u.Role == hireflow.RoleRecruiter || u.Role == hireflow.RoleAdmin) {
			v.Delegates = append(v.Delegates, directoryEntry{ID: u.ID, DisplayName: u.DisplayName, Role: u.Role})
		}
	}
	for _, w := range st.Waiting {
		if id, ok := strings.CutPrefix(w, "user:"); ok {
			v.Waiting = append(v.Waiting, names[id])
		} else {
			v.Waiting = append(v.Waiting, translateValue(l, "role.", w))
		}
	}
	return v, nil
}

// offerTermsView is the offer page's terms: what an approver decides on, without the candidate.
type offerTermsView struct {
	Job, Position, Salary, Band, Level, Department, Start, BandNote string
}

// offerPage is an offer as an approver sees it — the terms, where the chain is and the approve
// form — for approvers who may not open applications (admins named in a chain). Shown only to
// someone the chain now waits for, and to recruiters; to anyone else it does not exist.
func (s *Server) offerPage(c *fiber.Ctx) error {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return hireflow.NotFound("offer_not_found", "offer")
	}
	p := principal(c)
	o, err := s.Store.OfferGet(c.UserContext(), p.OrgID, id)
	if err != nil {
		return err
	}
	d, err := s.consoleData(c, "console.approve", "/console")
	if err != nil {
		return err
	}
	d.OfferID = o.ID
	if o.Status == "approving" {
		if d.Approval, err = s.approvalFor(c, o.ID); err != nil {
			return err
		}
		d.Can.Approve = d.Approval.Mine
	}
	if !d.Can.Approve && p.Role != hireflow.RoleRecruiter {
		return hireflow.NotFound("offer_not_found", "offer")
	}
	jobID, err := s.Store.ApplicationJob(c.UserContext(), p.OrgID, o.ApplicationID)
	if err != nil {
		return err
	}
	job, err := s.Store.JobGet(c.UserContext(), p.OrgID, jobID)
	if err != nil {
		return err
	}
	t := offerTerms(d.Lang, o, job.Title)
	d.Title, d.Code, d.OfferTerms = translate(d.Lang, "console.approve"), o.Status, t
	return s.render(c, fiber.StatusOK, "offer.html", d)
}

// offerTerms is what an approver decides on: the terms, the salary against the band.
func offerTerms(l string, o store.Offer, jobTitle string) *offerTermsView {
	money := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	t := &offerTermsView{Job: jobTitle, Position: o.Position, Salary: money(o.Salary) + " " + o.Currency, Department: o.Department,
		Start: o.StartDate.Format("2006-01-02")}
	if o.Level > 0 {
		t.Level = strconv.Itoa(o.Level)
	}
	if o.BandMax > 0 {
		t.Band = money(o.BandMin) + "–" + money(o.BandMax) + " " + o.Currency
		switch {
		case o.Salary > o.BandMax:
			t.BandNote = translate(l, "offer.band_above")
		case o.Salary < o.BandMin:
			t.BandNote = translate(l, "offer.band_below")
		default:
			t.BandNote = translate(l, "offer.band_inside")
		}
	}
	return t
}
