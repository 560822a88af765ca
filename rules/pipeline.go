package rules

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Stage kinds of the built-in catalog.
const (
	StageScreen         = "screen"
	StageVideoInterview = "video_interview"
	StageLiveRound      = "live_round"
	StageReview         = "review"
	StageOffer          = "offer"
	StageOnboard        = "onboard"
	StageProbation      = "probation"
)

// StageCatalog lists the stages a pipeline may use, in their natural order.
var StageCatalog = []string{StageScreen, StageVideoInterview, StageLiveRound, StageReview, StageOffer, StageOnboard, StageProbation}

// StageSpec is one stage of a pipeline template. When, if set, is an expr condition over
// PipelineEnv deciding at run time whether the stage happens.
type StageSpec struct {
	Stage  string            `json:"stage" yaml:"stage"`
	Name   string            `json:"name,omitempty" yaml:"name,omitempty"`
	When   string            `json:"when,omitempty" yaml:"when,omitempty"`
	Params map[string]string `json:"params,omitempty" yaml:"params,omitempty"`
}

// PipelineEnv is what a stage's `when` condition sees.
type PipelineEnv struct {
	Job       JobFacts     `expr:"job" json:"job"`
	Screening string       `expr:"screening" json:"screening"`
	Overall   float64      `expr:"overall" json:"overall"`
	Flags     RoutingFlags `expr:"flags" json:"flags"`
}

// DefaultPipeline is used when a rule set has none.
var DefaultPipeline = []StageSpec{{Stage: StageScreen}, {Stage: StageVideoInterview}, {Stage: StageReview},
	{Stage: StageOffer}, {Stage: StageOnboard}, {Stage: StageProbation}}

var stageParams = map[string][]string{
	StageVideoInterview: {"questions"},
	StageLiveRound:      {"duration_minutes", "interviewers"},
	StageReview:         {"reviewers", "required"},
	StageOffer:          {},
	StageProbation:      {"days"},
}

// StageParams lists the parameters a stage kind takes.
func StageParams(kind string) []string { return slices.Clone(stageParams[kind]) }

// ValidatePipeline checks order and parameters; errors name the stage index.
func ValidatePipeline(p []StageSpec) []*CompileError {
	var errs []*CompileError
	fail := func(i int, en, zh string) {
		errs = append(errs, &CompileError{Rule: fmt.Sprintf("pipeline[%d]", i), Line: 1, Column: 1, Message: en, MessageZH: zh})
	}
	if len(p) == 0 || len(p) > 12 {
		fail(0, "a pipeline has 1 to 12 stages", "流程需要 1 到 12 个阶段")
		return errs
	}
	seen := map[string]int{}
	for i, s := range p {
		known := false
		for _, c := range StageCatalog {
			known = known || c == s.Stage
		}
		if !known {
			fail(i, fmt.Sprintf("unknown stage %q: use one of %v", s.Stage, StageCatalog), fmt.Sprintf("未知阶段 %q", s.Stage))
			continue
		}
		if _, dup := seen[s.Stage]; dup && s.Stage != StageLiveRound {
			fail(i, fmt.Sprintf("stage %s appears twice; only live_round may repeat", s.Stage), fmt.Sprintf("阶段 %s 重复（只有 live_round 可以重复）", s.Stage))
		}
		seen[s.Stage] = i
		allowed := stageParams[s.Stage]
		for k := range s.Params {
			ok := false
			for _, a := range allowed {
				ok = ok || a == k
			}
			if !ok {
				fail(i, fmt.Sprintf("stage %s has no parameter %q (it has %v)", s.Stage, k, allowed), fmt.Sprintf("阶段 %s 没有参数 %q", s.Stage, k))
			}
		}
		if s.When != "" {
			if _, err := compile(fmt.Sprintf("pipeline[%d].when", i), s.When, PipelineEnv{}, reflect.Bool); err != nil {
				errs = append(errs, err.(*CompileError))
			}
		}
	}
	before := func(a, b, en, zh string) {
		ib, hasB := seen[b]
		ia, hasA := seen[a]
		if hasB && (!hasA || ia > ib) {
			fail(ib, en, zh)
		}
	}
	before(StageReview, StageOffer, "offer requires a review before it", "发放 offer 前必须有评审阶段")
	before(StageOffer, StageOnboard, "onboard requires an offer before it", "入职前必须有 offer 阶段")
	before(StageOnboard, StageProbation, "probation requires onboarding before it", "试用期前必须有入职阶段")
	if i, ok := seen[StageScreen]; ok && i != 0 {
		fail(i, "screen must be the first stage", "筛选必须是第一个阶段")
	}
	return errs
}

// StageKinds returns the stage kinds in order (what the workflow needs; no conditions text).
func StageKinds(p []StageSpec) []string {
	out := make([]string, len(p))
	for i, s := range p {
		out[i] = strings.TrimSpace(s.Stage)
	}
	return out
}

// When evaluates a stage's `when` condition. An empty condition is true.
func When(source string, env PipelineEnv) (bool, error) {
	if source == "" {
		return true, nil
	}
	p, err := compile("when", source, PipelineEnv{}, reflect.Bool)
	if err != nil {
		return false, err
	}
	v, err := p.Eval(context.Background(), &env)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}
