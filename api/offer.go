package api

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
	"github.com/hireflow/hireflow/workflows"
)

type offerRequest struct {
	store.OfferTerms
	StartDate string `json:"start_date"` // YYYY-MM-DD
	ExpiresAt string `json:"expires_at"` // RFC 3339; default: the job's offer expiry from now
}

func (r *offerRequest) validate() (time.Time, time.Time, error) {
	if err := checkTerms(r.OfferTerms, true); err != nil {
		return time.Time{}, time.Time{}, err
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

// checkTerms checks an offer's terms: for a draft every term that must be there is; for a
// preview (the form being filled) the position, salary and currency may still be empty.
func checkTerms(t store.OfferTerms, draft bool) error {
	minPosition := 0
	if draft {
		minPosition = 1
	}
	if err := textField("position", t.Position, minPosition, 200); err != nil {
		return err
	}
	if err := displayText("position", t.Position); err != nil {
		return err
	}
	if err := textField("department", t.Department, 0, 200); err != nil {
		return err
	}
	if err := plainName("department", t.Department); err != nil {
		return err
	}
	if t.Salary < 0 || (draft && t.Salary == 0) || t.Salary > 1e9 || math.IsNaN(t.Salary) {
		return invalid("salary", "salary must be a positive amount")
	}
	if (draft || t.Currency != "") && (len(t.Currency) != 3 || strings.ToUpper(t.Currency) != t.Currency) {
		return invalid("currency", "currency must be an ISO 4217 code such as CNY or EUR")
	}
	if t.BandMin < 0 || t.BandMax < t.BandMin || t.BandMax > 1e9 || math.IsNaN(t.BandMin) || math.IsNaN(t.BandMax) {
		return invalid("band_max", "the salary band must have 0 ≤ band_min ≤ band_max")
	}
	if t.Level < 0 || t.Level > 100 {
		return invalid("level", "level is a number from 0 to 100")
	}
	return nil
}

// offerFromJob fills what the draft leaves out from the job's offer terms and holds the draft
// to them: the job's band and currency (a draft may not change them). A salary outside the band
// is allowed: the approval chain decides who must approve it.
func (s *Server) offerFromJob(c *fiber.Ctx, jobID string, o *store.OfferTerms) error {
	j, err := s.Store.JobGet(c.UserContext(), principal(c).OrgID, jobID)
	if err != nil {
		return err
	}
	jo := j.Offer
	if o.Department == "" {
		o.Department = jo.Department
	}
	if o.Level == 0 {
		o.Level = jo.Level
	}
	if jo.BandMax <= 0 {
		return nil
	}
	if o.Currency == "" {
		o.Currency = jo.Currency
	}
	if o.BandMin == 0 && o.BandMax == 0 {
		o.BandMin, o.BandMax = jo.BandMin, jo.BandMax
	}
	if o.Currency != jo.Currency {
		return invalid("currency", "this job pays in %s", jo.Currency).ZH("该职位以 %s 计薪", jo.Currency)
	}
	if o.BandMin != jo.BandMin || o.BandMax != jo.BandMax {
		return invalid("band_max", "the job's salary band is %.0f–%.0f %s", jo.BandMin, jo.BandMax, jo.Currency).
			ZH("该职位的薪资范围为 %.0f–%.0f %s", jo.BandMin, jo.BandMax, jo.Currency)
	}
	return nil
}

func (s *Server) draftOffer(c *fiber.Ctx) error {
	req, app, err := staffRequest[offerRequest](s, c)
	if err != nil {
		return err
	}
	if err := s.offerFromJob(c, app.JobID, &req.OfferTerms); err != nil {
		return err
	}
	start, exp, err := req.validate()
	if err != nil {
		return err
	}
	p := principal(c)
	if exp.IsZero() {
		exp = time.Now().Add(s.Cfg.OfferExpiresAfter)
	}
	id, err := s.Store.OfferCreate(c.UserContext(), p, store.Offer{ApplicationID: app.ID, OfferTerms: req.OfferTerms, StartDate: start, ExpiresAt: exp})
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

// candidateOfferResponseBody is the JSON body of candidateOfferResponse.
type candidateOfferResponseBody struct {
	Accept     bool   `json:"accept"`
	ReasonCode string `json:"reason_code"`
}

func (s *Server) candidateOfferResponse(c *fiber.Ctx) error {
	req, tok, ct, err := candidateRequest[candidateOfferResponseBody](s, c)
	if err != nil {
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

// chainApprover is one approver of a previewed chain, named for people.
type chainApprover struct {
	Approver string `json:"approver"` // a role or user:<id>, as the workflow will wait for it
	Label    string `json:"label"`
}

// chainStep is one previewed step.
type chainStep struct {
	Parallel  bool            `json:"parallel"`
	Approvers []chainApprover `json:"approvers"`
}

// labelChain names each approver as a person reads it: a role's name, a colleague's name, the
// department's manager by name (or the hiring managers when the department has none).
func (s *Server) labelChain(c *fiber.Ctx, department string, steps []rules.ApprovalStep) ([]chainStep, error) {
	p, l := principal(c), lang(c)
	users, err := s.Store.UserList(c.UserContext(), p.OrgID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	mgr := ""
	if department != "" {
		if mgr, err = s.Store.DepartmentManager(c.UserContext(), p.OrgID, department); err != nil {
			return nil, err
		}
	}
	out := make([]chainStep, 0, len(steps))
	for _, st := range steps {
		cs := chainStep{Parallel: st.Parallel}
		for _, ap := range st.Approvers {
			a := chainApprover{Approver: ap}
			switch id, isUser := strings.CutPrefix(ap, "user:"); {
			case isUser:
				a.Label = names[id]
				if a.Label == "" {
					a.Label = translate(l, "chain.unknown_user")
				}
			case ap == rules.DepartmentManager && mgr != "":
				a.Approver, a.Label = "user:"+mgr, names[mgr]+" ("+translate(l, "chain.dept_manager")+")"
			case ap == rules.DepartmentManager:
				a.Approver, a.Label = string(hireflow.RoleHiringManager), translateValue(l, "role.", "hiring_manager")+" ("+translate(l, "chain.no_dept_manager")+")"
			default:
				a.Label = translateValue(l, "role.", ap)
			}
			cs.Approvers = append(cs.Approvers, a)
		}
		out = append(out, cs)
	}
	return out, nil
}

// previewOffer shows, before the offer is sent, the terms it will carry (the job's band filled
// in) and the chain it will go through under the application's pinned rule set.
func (s *Server) previewOffer(c *fiber.Ctx) error {
	req, app, err := staffRequest[store.OfferTerms](s, c)
	if err != nil {
		return err
	}
	if err := s.offerFromJob(c, app.JobID, &req); err != nil {
		return err
	}
	if err := checkTerms(req, false); err != nil {
		return err
	}
	v, err := s.Store.RuleSetVersion(c.UserContext(), principal(c).OrgID, app.RuleSetID, app.RuleVersion)
	if err != nil {
		return err
	}
	src := v.Content.Rules[rules.RuleApproval]
	if src == "" {
		src = rules.Defaults[rules.RuleApproval]
	}
	prog, err := rules.Compile(rules.RuleApproval, src)
	if err != nil {
		return err
	}
	env := rules.ApprovalEnv{Offer: rules.Offer{Salary: req.Salary, Currency: req.Currency, BandMin: req.BandMin, BandMax: req.BandMax,
		Level: req.Level, Department: req.Department}}
	steps, ruleErr := prog.ApprovalChain(c.UserContext(), env)
	if ruleErr != nil {
		// The workflow would fall back to the recruiters alone; say so rather than fail.
		steps = []rules.ApprovalStep{{Approvers: []string{string(hireflow.RoleRecruiter)}}}
	}
	labelled, err := s.labelChain(c, req.Department, steps)
	if err != nil {
		return err
	}
	band := "inside"
	switch {
	case req.BandMax <= 0:
		band = "none"
	case req.Salary > req.BandMax:
		band = "above"
	case req.Salary < req.BandMin:
		band = "below"
	}
	return c.JSON(fiber.Map{"terms": req, "band": band, "steps": labelled, "rule_set_version": app.RuleVersion, "rule_failed": ruleErr != nil})
}
