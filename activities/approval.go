package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

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
	env := rules.ApprovalEnv{Offer: rules.Offer{Salary: o.Salary, Currency: o.Currency, BandMin: o.BandMin, BandMax: o.BandMax, Level: o.Level, Department: o.Department}}
	// A failing rule must not approve by default: the recruiter approves alone and the decision
	// says why.
	steps := []rules.ApprovalStep{{Approvers: []string{string(hireflow.RoleRecruiter)}}}
	if _, _, err := a.decide(ctx, ruleCall{ref: in.AppRef, kind: "approval_chain", step: "approval_chain:" + in.OfferID, rule: rules.RuleApproval,
		source: rs.Rules[rules.RuleApproval], setID: rs.id, version: rs.version, fallback: fmt.Sprint(steps),
		inputs: map[string]any{"offer": env.Offer},
		eval: func(p *rules.Program) (string, string, error) {
			chain, err := p.ApprovalChain(ctx, env)
			if err != nil {
				return "", "", err
			}
			steps = chain
			return fmt.Sprint(chain), "", nil
		}}); err != nil {
		return PlanApprovalResult{}, err
	}
	if steps, err = a.resolveDepartmentManager(ctx, in.OrgID, o.Department, steps); err != nil {
		return PlanApprovalResult{}, err
	}
	if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, "approving", ""); err != nil {
		return PlanApprovalResult{}, err
	}
	if !in.legacy() {
		return PlanApprovalResult{Steps: steps}, nil // the workflow asks the first approvers
	}
	// A chain of the first shape expects the stage recorded and the first approvers asked here.
	if err := a.enter(ctx, in.AppRef, StageChange{Stage: hireflow.StageOffer, Status: hireflow.StatusActive, EventKey: "offer"}); err != nil {
		return PlanApprovalResult{}, err
	}
	first := steps[0].Approvers
	if !steps[0].Parallel {
		first = first[:1]
	}
	if _, err := a.NotifyStaff(ctx, ApprovalRequest(in.AppRef, in.OfferID+":1.0", first)); err != nil {
		return PlanApprovalResult{}, err
	}
	return PlanApprovalResult{Steps: steps}, nil
}

// resolveDepartmentManager names the manager of the offer's department where a step says
// "department_manager"; a department without an active manager falls back to the hiring
// managers (a step is never left without anyone who may act). Repeats of one person within a
// parallel group collapse.
func (a *Activities) resolveDepartmentManager(ctx context.Context, orgID, department string, steps []rules.ApprovalStep) ([]rules.ApprovalStep, error) {
	var who string
	for i, st := range steps {
		for j, ap := range st.Approvers {
			if ap != rules.DepartmentManager {
				continue
			}
			if who == "" {
				id, err := a.Store.DepartmentManager(ctx, orgID, department)
				if err != nil {
					return nil, err
				}
				who = string(hireflow.RoleHiringManager)
				if id != "" {
					who = "user:" + id
				}
			}
			steps[i].Approvers[j] = who
		}
		steps[i].Approvers = slices.Compact(steps[i].Approvers)
	}
	return steps, nil
}

// ApprovalRequest addresses an approval request to approvers named as roles or "user:<id>".
func ApprovalRequest(ref AppRef, key string, approvers []string) StaffNoticeInput {
	notice := StaffNoticeInput{AppRef: ref, Kind: hireflow.NoticeApprovalRequest, Key: key}
	for _, w := range approvers {
		if id, ok := strings.CutPrefix(w, "user:"); ok {
			notice.UserIDs = append(notice.UserIDs, id)
		} else {
			notice.Roles = append(notice.Roles, hireflow.Role(w))
		}
	}
	return notice
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
	if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeApprovalOutcome, Key: in.OfferID,
		Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: in.Outcome}); err != nil {
		return false, err
	}
	if in.Outcome != "approved" {
		return false, nil
	}
	return a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeOffer, Key: in.OfferID, WithLink: true,
		LinkTTL: time.Until(o.ExpiresAt) + 7*24*time.Hour, Detail: o.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")})
}
