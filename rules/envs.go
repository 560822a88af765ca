package rules

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"time"
)

// Rule names: one per decision point.
const (
	RuleScreening = "screening"
	RuleRouting   = "routing"
	RuleReview    = "review"
	RuleApproval  = "approval"
	RuleWeights   = "weights"
	RuleDurations = "durations"
	// RuleIntensity decides whether the job's high-intensity questions are asked, from the
	// team's recent overtime in the attendance rosters.
	RuleIntensity = "intensity"
)

// RoutingFlags are the scorer's warnings.
type RoutingFlags struct {
	LowConfidence bool `expr:"low_confidence" json:"low_confidence"`
	TooShort      bool `expr:"too_short" json:"too_short"`
	MostlySilence bool `expr:"mostly_silence" json:"mostly_silence"`
	ScoringFailed bool `expr:"scoring_failed" json:"scoring_failed"`
	// NeedsReview: a scorer asked for a person (the language model's evidence was not in the
	// answer, it refused or timed out, and the offline scorer stood in).
	NeedsReview bool `expr:"needs_review" json:"needs_review,omitempty"`
}

// Any reports whether any flag is set.
func (f RoutingFlags) Any() bool {
	return f.LowConfidence || f.TooShort || f.MostlySilence || f.ScoringFailed || f.NeedsReview
}

// RoutingEnv: after scoring, advance, hold or reject. Scores are 0-100 per dimension.
type RoutingEnv struct {
	Scores    map[string]float64 `expr:"scores" json:"scores"`
	Overall   float64            `expr:"overall" json:"overall"`
	Flags     RoutingFlags       `expr:"flags" json:"flags"`
	HumanOnly bool               `expr:"human_only" json:"human_only"`
	Job       JobFacts           `expr:"job" json:"job"`
}

// Review is one reviewer's verdict.
type Review struct {
	Rating   float64 `expr:"rating" json:"rating"` // 1-5
	Decision string  `expr:"decision" json:"decision"`
	Role     string  `expr:"role" json:"role"`
}

// ReviewEnv: combine the reviews into advance, hold or reject.
type ReviewEnv struct {
	Reviews  []Review `expr:"reviews" json:"reviews"`
	Required int      `expr:"required" json:"required"`
	Job      JobFacts `expr:"job" json:"job"`
}

// Offer is what an approval-chain rule sees of the offer.
type Offer struct {
	Salary     float64 `expr:"salary" json:"salary"`
	Currency   string  `expr:"currency" json:"currency"`
	BandMin    float64 `expr:"band_min" json:"band_min"`
	BandMax    float64 `expr:"band_max" json:"band_max"`
	Level      int     `expr:"level" json:"level"`
	Department string  `expr:"department" json:"department"`
}

// ApprovalEnv: return the ordered approvers; a nested list is a parallel group.
type ApprovalEnv struct {
	Offer Offer    `expr:"offer" json:"offer"`
	Job   JobFacts `expr:"job" json:"job"`
}

// WeightsEnv: return dimension → weight, adding up to 1.
type WeightsEnv struct {
	Dimensions []string `expr:"dimensions" json:"dimensions"`
	Job        JobFacts `expr:"job" json:"job"`
}

// DurationsEnv: return name → duration ("48h") for the waits of the workflow.
type DurationsEnv struct {
	Job JobFacts `expr:"job" json:"job"`
}

// TeamLoad is the hiring team's recent overtime, from the attendance rosters: the interviewers
// and hiring managers of the organisation, over the last 28 days.
type TeamLoad struct {
	Size                   int     `expr:"size" json:"size"`
	OvertimeHours          float64 `expr:"overtime_hours" json:"overtime_hours"`
	OvertimeHoursPerPerson float64 `expr:"overtime_hours_per_person" json:"overtime_hours_per_person"`
	OvertimeDays           int     `expr:"overtime_days" json:"overtime_days"` // person-days with overtime
}

// IntensityEnv: true asks the job's high-intensity questions too.
type IntensityEnv struct {
	Team TeamLoad `expr:"team" json:"team"`
	Job  JobFacts `expr:"job" json:"job"`
}

// Outcomes per rule.
var (
	RoutingOutcomes = []string{"advance", "hold", "reject"}
	ReviewOutcomes  = []string{"advance", "hold", "reject"}
	DurationKeys    = []string{"invite_reminder_after", "invite_expires_after", "rejection_delay", "hold_sla",
		"feedback_sla", "review_sla", "approval_sla", "offer_expires_after", "probation_length", "probation_sla"}
	// ApproverRoles are the staff roles an approval step may name; specific people are "user:<id>".
	ApproverRoles = []string{"hiring_manager", "recruiter", "admin"}
	// Approvers are what an approval step may name: a role, "department_manager" (the manager of
	// the offer's department, a specific person once the chain is planned) or "user:<id>".
	Approvers = []string{"hiring_manager", "recruiter", "admin", DepartmentManager}
)

// DepartmentManager names the manager of the offer's department as an approver.
const DepartmentManager = "department_manager"

// spec describes one rule name: its environment and result kind.
type spec struct {
	env  any
	kind reflect.Kind
	doc  string
}

var specs = map[string]spec{
	RuleScreening: {ScreeningEnv{}, reflect.String, `"pass" | "reject" | "hold"`},
	RuleRouting:   {RoutingEnv{}, reflect.String, `"advance" | "hold" | "reject"`},
	RuleReview:    {ReviewEnv{}, reflect.String, `"advance" | "hold" | "reject"`},
	RuleApproval:  {ApprovalEnv{}, reflect.Slice, `list of approvers ("hiring_manager", "recruiter", "admin", "department_manager", "user:<id>"); a nested list is a parallel group`},
	RuleWeights:   {WeightsEnv{}, reflect.Map, `{dimension: weight}, adding up to 1`},
	RuleDurations: {DurationsEnv{}, reflect.Map, `{name: "48h"}`},
	RuleIntensity: {IntensityEnv{}, reflect.Bool, `true (ask the job's high-intensity questions) | false`},
}

// RuleNames lists the rule names in a stable order.
func RuleNames() []string {
	out := make([]string, 0, len(specs))
	for k := range specs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Compile type-checks a rule of the given name against its environment.
func Compile(name, source string) (*Program, error) {
	s, ok := specs[name]
	if !ok {
		return nil, &CompileError{Rule: name, Line: 1, Column: 1,
			Message:   fmt.Sprintf("unknown rule name %q: use one of %v", name, RuleNames()),
			MessageZH: fmt.Sprintf("未知的规则名 %q，可用：%v", name, RuleNames())}
	}
	return compile(name, source, s.env, s.kind)
}

// Default rules used when a rule set does not define one.
var Defaults = map[string]string{
	RuleRouting:   `overall >= 70 ? "advance" : overall >= 50 ? "hold" : "reject"`,
	RuleReview:    `len(reviews) < required ? "hold" : any(reviews, .decision == "reject") ? "reject" : mean(map(reviews, .rating)) >= 3.5 ? "advance" : "hold"`,
	RuleApproval:  `offer.salary > offer.band_max ? ["hiring_manager", ["recruiter", "admin"]] : ["hiring_manager"]`,
	RuleIntensity: `team.overtime_hours_per_person >= 16`,
	RuleDurations: `{"invite_reminder_after": "48h", "invite_expires_after": "168h", "rejection_delay": "24h", "hold_sla": "48h", "review_sla": "72h", "approval_sla": "48h", "offer_expires_after": "168h", "probation_length": "2160h"}`,
}

// Route evaluates a routing rule with two guardrails no rule can override: a candidate who
// refused decisions made solely by automated means, and any scorer flag, go to a person
// (the rule is not even run: its answer could not change that).
func (p *Program) Route(ctx context.Context, env RoutingEnv) (outcome string, guarded bool, err error) {
	if env.HumanOnly || env.Flags.Any() {
		return "hold", true, nil
	}
	v, err := p.Eval(ctx, &env) // a pointer: boxing the struct would copy it on every call
	if err != nil {
		return "", false, err
	}
	out, err := oneOf(p.Name, v, RoutingOutcomes)
	if err != nil {
		return "", false, err
	}
	return out, false, nil
}

// Aggregate evaluates a review-aggregation rule.
func (p *Program) Aggregate(ctx context.Context, env ReviewEnv) (string, error) {
	v, err := p.Eval(ctx, &env)
	if err != nil {
		return "", err
	}
	return oneOf(p.Name, v, ReviewOutcomes)
}

var userRe = regexp.MustCompile(`^user:[0-9a-f-]{36}$`)

// ApprovalStep is one step of a chain: one approver, or several in parallel.
type ApprovalStep struct {
	Approvers []string `json:"approvers"`
	Parallel  bool     `json:"parallel"`
}

// ApprovalChain evaluates an approval-chain rule and checks every approver.
func (p *Program) ApprovalChain(ctx context.Context, env ApprovalEnv) ([]ApprovalStep, error) {
	v, err := p.Eval(ctx, &env)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > 10 {
		return nil, fmt.Errorf("rules: approval must return 1 to 10 steps")
	}
	check := func(x any) (string, error) {
		s, ok := x.(string)
		if !ok {
			return "", fmt.Errorf("rules: approval step %v is not a role or user:<id>", x)
		}
		for _, r := range Approvers {
			if s == r {
				return s, nil
			}
		}
		if userRe.MatchString(s) {
			return s, nil
		}
		return "", fmt.Errorf("rules: approver %q is not one of %v or user:<id>", s, Approvers)
	}
	var steps []ApprovalStep
	for _, x := range list {
		if group, ok := x.([]any); ok {
			st := ApprovalStep{Parallel: true}
			for _, g := range group {
				s, err := check(g)
				if err != nil {
					return nil, err
				}
				st.Approvers = append(st.Approvers, s)
			}
			if len(st.Approvers) == 0 {
				return nil, fmt.Errorf("rules: approval has an empty parallel group")
			}
			steps = append(steps, st)
			continue
		}
		s, err := check(x)
		if err != nil {
			return nil, err
		}
		steps = append(steps, ApprovalStep{Approvers: []string{s}})
	}
	return steps, nil
}

// Intense evaluates an intensity rule.
func (p *Program) Intense(ctx context.Context, env IntensityEnv) (bool, error) {
	v, err := p.Eval(ctx, &env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("rules: the intensity rule returned %T, not true or false", v)
	}
	return b, nil
}

// Weights evaluates a weights rule: keys must be the job's dimensions, values add up to 1.
func (p *Program) Weights(ctx context.Context, env WeightsEnv) (map[string]float64, error) {
	m, err := p.evalMap(ctx, &env, "weights")
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, d := range env.Dimensions {
		known[d] = true
	}
	out := map[string]float64{}
	sum := 0.0
	for k, x := range m {
		if !known[k] {
			return nil, fmt.Errorf("rules: weights name %q, which is not a dimension of the job %v", k, env.Dimensions)
		}
		f := toFloat(x)
		if f < 0 || math.IsNaN(f) {
			return nil, fmt.Errorf("rules: weight of %q must be a non-negative number", k)
		}
		out[k] = f
		sum += f
	}
	if math.Abs(sum-1) > 1e-6 {
		return nil, fmt.Errorf("rules: weights must add up to 1 (they add up to %.4g)", sum)
	}
	return out, nil
}

// Durations evaluates a durations rule: known names, Go duration strings, at most a year.
func (p *Program) Durations(ctx context.Context, env DurationsEnv) (map[string]time.Duration, error) {
	m, err := p.evalMap(ctx, &env, "durations")
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for k, x := range m {
		okKey := false
		for _, d := range DurationKeys {
			okKey = okKey || d == k
		}
		if !okKey {
			return nil, fmt.Errorf("rules: unknown duration %q: use %v", k, DurationKeys)
		}
		s, _ := x.(string)
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 || d > 366*24*time.Hour {
			return nil, fmt.Errorf("rules: duration %s = %v must be like \"48h\", between 1s and 8784h", k, x)
		}
		out[k] = d
	}
	return out, nil
}

// evalMap evaluates a rule whose result must be a map.
func (p *Program) evalMap(ctx context.Context, env any, what string) (map[string]any, error) {
	v, err := p.Eval(ctx, env)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("rules: %s must return a map", what)
	}
	return m, nil
}
