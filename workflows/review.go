package workflows

import (
	"context"
	"fmt"
	"math"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

// combine turns the samples into per-dimension scores and the weighted overall.
func (l *pipelineRun) combine() (map[string]float64, float64) {
	scores := map[string]float64{}
	num, den := 0.0, 0.0
	for _, d := range sortedKeys(l.samples) {
		xs := l.samples[d]
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		s := math.Round(sum/float64(len(xs))*10) / 10
		scores[d] = s
		w, ok := l.in.Weights[d]
		if !ok {
			if len(l.in.Weights) > 0 {
				continue
			}
			w = 1
		}
		num += w * s
		den += w
	}
	overall := 0.0
	if den > 0 {
		overall = math.Round(num/den*10) / 10
	}
	return scores, overall
}

// route runs once, when the interviews are over and before the next stage (next).
func (l *pipelineRun) route(next StageRef) error {
	if l.routed || !l.interviews {
		return nil
	}
	l.routed = true
	scores, overall := l.combine()
	l.state.Overall = overall
	l.state.Flags = flagNames(l.flags)
	if l.recordsStage() {
		// The candidate's confirmation goes out with the next stage the workflow records.
		l.confirm = len(l.answerOf) > 0
		return l.decideRouting(next, scores, overall)
	}
	var res activities.RouteResult
	// The first shape: the review request goes out from the routing activity, before this
	// workflow hears the outcome: accept reviews from that moment.
	if next.Kind == rules.StageReview {
		l.early, l.reviewNeed = rules.StageReview, param(next.Params, "required", 1)
	}
	if err := l.exec(a.RouteApplication, activities.RouteInput{AppRef: l.ref, Scores: scores, Overall: overall,
		Flags: l.flags, HumanOnly: l.state.HumanOnly, NotifyReviewers: next.Kind == rules.StageReview,
		ConfirmInterview: len(l.answerOf) > 0}, &res); err != nil {
		return err
	}
	if res.Outcome != "advance" {
		l.early, l.reviews = "", nil
	}
	return l.follow(res.Outcome, "routed")
}

// decideRouting evaluates the pinned routing rule here: its inputs (scores, flags, the
// candidate's refusal of automated decisions) are facts the workflow holds, none personal.
// The decision is recorded with the stage it leads to.
func (l *pipelineRun) decideRouting(next StageRef, scores map[string]float64, overall float64) error {
	env := rules.RoutingEnv{Scores: scores, Overall: overall, Flags: l.flags, HumanOnly: l.state.HumanOnly}
	base := hireflow.Decision{Kind: "routing", RuleSetID: l.in.RuleSetID, RuleVersion: l.in.RuleVersion,
		RuleName: rules.RuleRouting, RuleSource: l.in.Rules[rules.RuleRouting],
		Inputs: map[string]any{"scores": scores, "overall": overall, "flags": l.flags, "human_only": env.HumanOnly}}
	route := func(p *rules.Program) (string, string, error) {
		out, guarded, err := p.Route(context.Background(), env) //workflowcheck:ignore
		if guarded {
			return out, "guardrail: a person decides (candidate's choice or scorer flag)", err
		}
		return out, "", err
	}
	// expr's compiler ranges over maps and its VM uses a channel internally, which workflowcheck
	// reports; the outcome depends only on the rule's source and env (rules/funcs.go, fuzzed).
	d, _ := activities.Decide(base, "hold", route) //workflowcheck:ignore
	l.decided = &d
	l.decidedStep = "routing"
	if d.Outcome == "reject" || (d.Outcome == "advance" && next.Kind != rules.StageReview && next.Kind != rules.StageOffer) {
		// As in the first shape, the application shows "in review" once routed (also while a
		// rejection waits for its delay).
		if err := l.enter(activities.StageInput{Stage: hireflow.StageReview, Status: hireflow.StatusActive, EventKey: "routed"}); err != nil {
			return err
		}
	}
	return l.follow(d.Outcome, "routed")
}

// decideReviews aggregates the reviews here by the pinned rule (ratings, decisions and roles
// are in the workflow already; notes stay in PostgreSQL), recorded with the next stage.
func (l *pipelineRun) decideReviews(need int) error {
	env := rules.ReviewEnv{Required: need}
	for _, r := range l.reviews {
		env.Reviews = append(env.Reviews, rules.Review{Rating: r.Rating, Decision: r.Decision, Role: string(r.Role)})
	}
	base := hireflow.Decision{Kind: "review", RuleSetID: l.in.RuleSetID, RuleVersion: l.in.RuleVersion,
		RuleName: rules.RuleReview, RuleSource: l.in.Rules[rules.RuleReview], Inputs: map[string]any{"reviews": env.Reviews, "required": need}}
	aggregate := func(p *rules.Program) (string, string, error) {
		out, err := p.Aggregate(context.Background(), env) //workflowcheck:ignore
		return out, "", err
	}
	// As in decideRouting, the outcome depends only on the rule's source and env.
	d, _ := activities.Decide(base, "hold", aggregate) //workflowcheck:ignore
	l.decided = &d
	l.decidedStep = "review"
	switch d.Outcome {
	case "advance":
		l.passed = "reviewed"
		if l.next.Kind != rules.StageOffer {
			return l.enter(activities.StageInput{Stage: hireflow.StageOffer, Status: hireflow.StatusActive, EventKey: "offer"})
		}
		return nil
	case "reject":
		if err := l.enter(activities.StageInput{Stage: hireflow.StageReview, Status: hireflow.StatusActive, EventKey: "reviewed"}); err != nil {
			return err
		}
	}
	return l.follow(d.Outcome, "reviewed")
}

// follow acts on advance / hold / reject: a hold waits for a recruiter's decision. event names
// the step that led here in the application's events.
func (l *pipelineRun) follow(outcome, event string) error {
	switch outcome {
	case "advance":
		return nil
	case "hold":
		if err := l.hold(l.holdEvent(event)); err != nil {
			return err
		}
		if l.decision.Outcome == hireflow.ScreenPass {
			return nil
		}
	}
	return l.reject()
}

func flagNames(f rules.RoutingFlags) []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.LowConfidence, "low_confidence"}, {f.TooShort, "too_short"}, {f.MostlySilence, "mostly_silence"}, {f.ScoringFailed, "scoring_failed"}, {f.NeedsReview, "needs_review"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

func (l *pipelineRun) validateReview(u ReviewUpdate) error {
	if (l.state.Stage != hireflow.StageReview && l.early != rules.StageReview) || len(l.reviews) >= l.reviewNeed {
		return temporal.NewApplicationError("the application is not in review", "not_in_review")
	}
	switch u.Role {
	case hireflow.RoleHiringManager, hireflow.RoleInterviewer, hireflow.RoleRecruiter:
	default:
		return temporal.NewApplicationError("your role does not review applications", "role_not_allowed")
	}
	for _, r := range l.reviews {
		if r.ReviewerID == u.ReviewerID {
			return temporal.NewApplicationError("you already reviewed this application", "duplicate_review")
		}
	}
	if u.Rating < 1 || u.Rating > 5 || math.IsNaN(u.Rating) {
		return temporal.NewApplicationError("rating must be 1 to 5", "rating_out_of_range")
	}
	switch u.Decision {
	case "advance", "hold":
	case "reject":
		if !slices.Contains(ReasonCodes, u.ReasonCode) {
			return temporal.NewApplicationError(fmt.Sprintf("a rejection needs a reason code: one of %v", ReasonCodes), "reason_required")
		}
	default:
		return temporal.NewApplicationError("decision must be advance, hold or reject", "invalid_decision")
	}
	return nil
}

func (l *pipelineRun) review(params map[string]string) error {
	need := param(params, "required", 1)
	if l.early != rules.StageReview {
		l.reviews = nil
	}
	l.reviewNeed, l.early = need, ""
	if l.recordsStage() {
		if err := l.enter(activities.StageInput{Stage: hireflow.StageReview, Status: hireflow.StatusActive, EventKey: "routed",
			Staff: []activities.StaffNoticeInput{{Kind: hireflow.NoticeReviewRequest, Key: "review", Roles: []hireflow.Role{hireflow.RoleHiringManager}}}}); err != nil {
			return err
		}
	} else {
		l.setStage(hireflow.StageReview, hireflow.StatusActive)
	}
	if !l.interviews && !l.recordsStage() {
		// Without interviews there was no routing to send the review request.
		if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeReviewRequest, Key: "review",
			Roles: []hireflow.Role{hireflow.RoleHiringManager}}, nil); err != nil {
			return err
		}
	}
	done := func() bool { return len(l.reviews) >= need }
	if err := l.slaWait(done, l.in.Steps.ReviewSLA, hireflow.NoticeReviewReminder, "review", []hireflow.Role{hireflow.RoleHiringManager}, "review"); err != nil {
		return err
	}
	if l.recordsStage() {
		return l.decideReviews(need)
	}
	in := activities.ReviewsInput{AppRef: l.ref, Required: need}
	for _, r := range l.reviews {
		in.Reviews = append(in.Reviews, activities.ReviewRecord{ReviewerID: r.ReviewerID, Role: string(r.Role), Rating: r.Rating,
			Decision: r.Decision, ReasonCode: r.ReasonCode})
	}
	var res activities.RouteResult
	// In the first shape RecordReviews moves the application to the offer stage in PostgreSQL:
	// a recruiter may draft from that moment.
	if l.next.Kind == rules.StageOffer {
		l.early = rules.StageOffer
	}
	if err := l.exec(a.RecordReviews, in, &res); err != nil {
		return err
	}
	if res.Outcome != "advance" {
		l.early, l.draft = "", nil
	}
	return l.follow(res.Outcome, "reviewed")
}
