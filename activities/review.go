package activities

import (
	"context"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// RouteInput carries the combined interview scores.
type RouteInput struct {
	AppRef
	Scores    map[string]float64
	Overall   float64
	Flags     rules.RoutingFlags
	HumanOnly bool
	// NotifyReviewers asks for the review request email when the outcome is advance and the
	// next stage is a review (one activity instead of two).
	NotifyReviewers bool
	// ConfirmInterview sends the candidate the "we received your interview" email.
	ConfirmInterview bool
}

// RouteResult is the routing decision.
type RouteResult struct {
	Outcome    string
	DecisionID string
	Guarded    bool
}

// RouteApplication evaluates the pinned routing rule and records the decision.
func (a *Activities) RouteApplication(ctx context.Context, in RouteInput) (RouteResult, error) {
	rs, err := a.pinnedRules(ctx, in.AppRef)
	if err != nil {
		return RouteResult{}, err
	}
	humanOnly := in.HumanOnly
	if !humanOnly {
		if humanOnly, err = a.Store.ApplicationHumanOnly(ctx, in.OrgID, in.ApplicationID); err != nil {
			return RouteResult{}, err
		}
	}
	env := rules.RoutingEnv{Scores: in.Scores, Overall: in.Overall, Flags: in.Flags, HumanOnly: humanOnly}
	res := RouteResult{}
	rec, _, err := a.decide(ctx, ruleCall{ref: in.AppRef, kind: "routing", step: "routing", rule: rules.RuleRouting,
		source: rs.Rules[rules.RuleRouting], setID: rs.id, version: rs.version, fallback: "hold",
		inputs: map[string]any{"scores": in.Scores, "overall": in.Overall, "flags": in.Flags, "human_only": humanOnly},
		eval: func(p *rules.Program) (string, string, error) {
			out, guarded, err := p.Route(ctx, env)
			res.Guarded = guarded
			if guarded {
				return out, "guardrail: a person decides (candidate's choice or scorer flag)", err
			}
			return out, "", err
		}})
	if err != nil {
		return res, err
	}
	res.Outcome, res.DecisionID = rec.Outcome, rec.ID
	if !in.legacy() {
		return res, nil // the workflow records the stage and sends the notices
	}
	// A workflow of the first shape expects the stage recorded and the notices sent here.
	stage := hireflow.StageReview
	if res.Outcome == "hold" {
		stage = hireflow.StageHold
	}
	if err := a.enter(ctx, in.AppRef, StageChange{Stage: stage, Status: hireflow.StatusActive, EventKey: "routed"}); err != nil {
		return res, err
	}
	if in.ConfirmInterview {
		if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeInterviewReceived, Key: "interview"}); err != nil {
			return res, err
		}
	}
	if res.Outcome == "advance" && in.NotifyReviewers {
		if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeReviewRequest, Key: "review",
			Roles: []hireflow.Role{hireflow.RoleHiringManager}}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ReviewRecord is one reviewer's decision as the workflow received it.
type ReviewRecord struct {
	ReviewerID string
	Role       string
	Rating     float64
	Decision   string
	ReasonCode string
}

// ReviewsInput are the reviews to aggregate.
type ReviewsInput struct {
	AppRef
	Reviews  []ReviewRecord
	Required int
}

// RecordReviews stores the reviews and evaluates the pinned aggregation rule.
func (a *Activities) RecordReviews(ctx context.Context, in ReviewsInput) (RouteResult, error) {
	rs, err := a.pinnedRules(ctx, in.AppRef)
	if err != nil {
		return RouteResult{}, err
	}
	env := rules.ReviewEnv{Required: in.Required}
	for _, r := range in.Reviews {
		if err := a.Store.ReviewSave(ctx, in.OrgID, in.ApplicationID, store.ReviewRow{ReviewerID: r.ReviewerID, Rating: r.Rating,
			Decision: r.Decision, ReasonCode: r.ReasonCode}); err != nil {
			return RouteResult{}, err
		}
		env.Reviews = append(env.Reviews, rules.Review{Rating: r.Rating, Decision: r.Decision, Role: r.Role})
	}
	rec, _, err := a.decide(ctx, ruleCall{ref: in.AppRef, kind: "review", step: "review", rule: rules.RuleReview,
		source: rs.Rules[rules.RuleReview], setID: rs.id, version: rs.version, fallback: "hold",
		inputs: map[string]any{"reviews": env.Reviews, "required": in.Required},
		eval: func(p *rules.Program) (string, string, error) {
			out, err := p.Aggregate(ctx, env)
			return out, "", err
		}})
	if err != nil {
		return RouteResult{}, err
	}
	res := RouteResult{Outcome: rec.Outcome, DecisionID: rec.ID}
	if !in.legacy() {
		return res, nil
	}
	stage := hireflow.StageOffer
	switch rec.Outcome {
	case "hold":
		stage = hireflow.StageHold
	case "reject":
		stage = hireflow.StageReview
	}
	return res, a.enter(ctx, in.AppRef, StageChange{Stage: stage, Status: hireflow.StatusActive, EventKey: "reviewed"})
}
