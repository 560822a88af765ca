package rules

import (
	"context"
	"fmt"
	"reflect"
)

// ResumeFacts is what a screening rule sees of the résumé as `resume`.
type ResumeFacts struct {
	Skills        []string `expr:"skills" json:"skills"`
	Years         float64  `expr:"years" json:"years"`
	Education     string   `expr:"education" json:"education"`
	EducationRank int      `expr:"education_rank" json:"education_rank"`
	Languages     []string `expr:"languages" json:"languages"`
}

// JobFacts is what every rule sees of the job as `job`.
type JobFacts struct {
	Must          []string `expr:"must" json:"must"`
	Nice          []string `expr:"nice" json:"nice"`
	MinYears      float64  `expr:"min_years" json:"min_years"`
	Education     string   `expr:"education" json:"education"`
	EducationRank int      `expr:"education_rank" json:"education_rank"`
	Languages     []string `expr:"languages" json:"languages"`
	Level         int      `expr:"level" json:"level"`
}

// ScreeningEnv is the typed environment of a screening rule. The rule returns "pass",
// "reject" or "hold". Today is the evaluation date (YYYY-MM-DD) for yearsSince.
type ScreeningEnv struct {
	Resume ResumeFacts `expr:"resume" json:"resume"`
	Job    JobFacts    `expr:"job" json:"job"`
	Today  string      `expr:"today" json:"today"`
}

// Screening outcomes.
var ScreeningOutcomes = []string{"pass", "reject", "hold"}

// DefaultScreeningRule passes candidates with every must-have skill and enough experience,
// holds candidates with some of them for a recruiter, and rejects the rest.
const DefaultScreeningRule = `hasAll(resume.skills, job.must) && resume.years >= job.min_years && resume.education_rank >= job.education_rank ? "pass"
  : countAny(resume.skills, job.must) > 0 ? "hold"
  : "reject"`

// CompileScreening type-checks a screening rule; the error is a *CompileError.
func CompileScreening(source string) (*Program, error) {
	return compile(RuleScreening, source, ScreeningEnv{}, reflect.String)
}

// Screen evaluates a compiled screening rule.
func (p *Program) Screen(ctx context.Context, env ScreeningEnv) (string, error) {
	v, err := p.Eval(ctx, &env)
	if err != nil {
		return "", err
	}
	return oneOf(p.Name, v, ScreeningOutcomes)
}

func oneOf(name string, v any, allowed []string) (string, error) {
	s, _ := v.(string)
	for _, o := range allowed {
		if s == o {
			return s, nil
		}
	}
	return "", fmt.Errorf("rules: %s returned %q, expected one of %v", name, s, allowed)
}
