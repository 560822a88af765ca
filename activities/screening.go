package activities

import (
	"context"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/rules"
)

// ScreenInput screens an application; when InviteOnPass is set, a passing candidate is invited
// in the same activity (one billable action instead of two on the most common path).
type ScreenInput struct {
	AppRef
	InviteOnPass bool
	ExpiresAt    time.Time
}

// ScreenResult is the screening outcome and the decision that records it.
type ScreenResult struct {
	Outcome    hireflow.ScreenOutcome
	DecisionID string
	RuleError  bool // the rule failed to evaluate; the application waits for a recruiter
	Invited    bool // the invitation went out (or had gone out in an earlier attempt)
}

// ScreenApplication extracts the résumé facts, evaluates the pinned screening rule and records
// the decision with its non-personal inputs. A rule that fails at run time holds the
// application for a recruiter instead of deciding.
func (a *Activities) ScreenApplication(ctx context.Context, sin ScreenInput) (ScreenResult, error) {
	in := sin.AppRef
	si, err := a.Store.ApplicationScreeningInput(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return ScreenResult{}, permanent(err)
	}
	req := si.Requirements
	facts := resume.ExtractFacts(si.ResumeText, append(append([]string{}, req.MustSkills...), req.NiceSkills...), time.Now())
	env := rules.ScreeningEnv{
		Resume: rules.ResumeFacts{Skills: facts.Skills, Years: facts.Years, Education: facts.Education,
			EducationRank: facts.EducationRank, Languages: facts.Languages},
		Job: rules.JobFacts{Must: lower(req.MustSkills), Nice: lower(req.NiceSkills), MinYears: req.MinYears,
			Education: req.Education, EducationRank: resume.EducationRank(req.Education), Languages: lower(req.Languages)},
		Today: time.Now().UTC().Format("2006-01-02"),
	}
	res := ScreenResult{}
	rec, failed, err := a.decide(ctx, ruleCall{ref: in, kind: "screening", step: "screening", rule: rules.RuleScreening,
		source: si.RuleSource, setID: si.RuleSetID, version: si.RuleVersion, fallback: string(hireflow.ScreenHold),
		inputs: map[string]any{"resume": env.Resume, "job": env.Job, "today": env.Today},
		eval: func(p *rules.Program) (string, string, error) {
			out, err := p.Screen(ctx, env)
			return out, "", err
		}})
	if err != nil {
		return res, err
	}
	res.RuleError = failed
	res.Outcome, res.DecisionID = hireflow.ScreenOutcome(rec.Outcome), rec.ID
	if !in.legacy() {
		return res, nil // the workflow records the stage and invites
	}
	// A workflow of the first shape expects the stage recorded and a passing candidate invited here.
	stage, status := hireflow.StageScreening, hireflow.StatusActive
	switch res.Outcome {
	case hireflow.ScreenHold:
		stage = hireflow.StageHold
	case hireflow.ScreenReject:
		stage = hireflow.StageScreening // the rejection email moves it to rejected after the delay
	}
	if err := a.enter(ctx, in, StageChange{Stage: stage, Status: status, EventKey: "screened"}); err != nil {
		return res, err
	}
	if sin.InviteOnPass && res.Outcome == hireflow.ScreenPass {
		if _, err := a.InviteCandidate(ctx, InviteInput{AppRef: in, ExpiresAt: sin.ExpiresAt}); err != nil {
			return res, err
		}
		res.Invited = true
	}
	return res, nil
}

func lower(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, toLower(x))
	}
	return out
}

// RejectApplication emails the rejection, revokes links and closes the application (workflows
// of the first shape; later ones use RecordStage).
func (a *Activities) RejectApplication(ctx context.Context, in AppRef) (bool, error) {
	sent, err := a.notifyCandidate(ctx, Rejection(in))
	if err != nil {
		return false, err
	}
	if err := a.Store.TokenRevokeAll(ctx, in.OrgID, in.ApplicationID); err != nil {
		return false, err
	}
	return sent, a.enter(ctx, in, StageChange{Stage: hireflow.StageRejected, Status: hireflow.StatusRejected, EventKey: "rejected"})
}

// RecruiterDecisionInput records a recruiter's decision on a held application.
type RecruiterDecisionInput struct {
	AppRef
	UserID     string
	Outcome    hireflow.ScreenOutcome
	ReasonCode string
}

// RecordRecruiterDecision stores the decision (once) in the decision log.
func (a *Activities) RecordRecruiterDecision(ctx context.Context, in RecruiterDecisionInput) (string, error) {
	d, err := a.Store.DecisionRecord(ctx, in.OrgID, hireflow.Decision{ApplicationID: in.ApplicationID, Kind: "recruiter",
		Outcome: string(in.Outcome), Reason: in.ReasonCode, DecidedBy: in.UserID,
		Inputs: map[string]any{"previous": "hold"}}, "screening.recruiter")
	if err != nil {
		return "", permanent(err)
	}
	if err := a.Store.Audit(ctx, in.OrgID, "user", in.UserID, "application.decide", "application", in.ApplicationID,
		map[string]any{"outcome": in.Outcome, "reason": in.ReasonCode}); err != nil {
		return "", err
	}
	return d.ID, nil
}
