package rules

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr"
)

// ResumeFacts is what a screening rule sees of the résumé as `resume`.
type ResumeFacts struct {
	Skills        []string `expr:"skills" json:"skills"`
	Years         float64  `expr:"years" json:"years"`
	Education     string   `expr:"education" json:"education"`
	EducationRank int      `expr:"education_rank" json:"education_rank"`
	Languages     []string `expr:"languages" json:"languages"`
}

// JobFacts is what a screening rule sees of the job as `job`.
type JobFacts struct {
	Must          []string `expr:"must" json:"must"`
	Nice          []string `expr:"nice" json:"nice"`
	MinYears      float64  `expr:"min_years" json:"min_years"`
	Education     string   `expr:"education" json:"education"`
	EducationRank int      `expr:"education_rank" json:"education_rank"`
	Languages     []string `expr:"languages" json:"languages"`
}

// ScreeningEnv is the typed environment of a screening rule. The rule returns "pass",
// "reject" or "hold".
type ScreeningEnv struct {
	Resume ResumeFacts `expr:"resume" json:"resume"`
	Job    JobFacts    `expr:"job" json:"job"`
}

// Screening outcomes.
var ScreeningOutcomes = []string{"pass", "reject", "hold"}

// DefaultScreeningRule passes candidates with every must-have skill and enough experience,
// holds candidates with some of them for a recruiter, and rejects the rest.
const DefaultScreeningRule = `hasAll(resume.skills, job.must) && resume.years >= job.min_years && resume.education_rank >= job.education_rank ? "pass"
  : countAny(resume.skills, job.must) > 0 ? "hold"
  : "reject"`

func listFuncs() []expr.Option {
	norm := func(v any) []string {
		var out []string
		switch xs := v.(type) {
		case []string:
			for _, x := range xs {
				out = append(out, strings.ToLower(strings.TrimSpace(x)))
			}
		case []any:
			for _, x := range xs {
				if s, ok := x.(string); ok {
					out = append(out, strings.ToLower(strings.TrimSpace(s)))
				}
			}
		}
		return out
	}
	count := func(have, want []string) int {
		set := make(map[string]struct{}, len(have))
		for _, h := range have {
			set[h] = struct{}{}
		}
		n := 0
		for _, w := range want {
			if _, ok := set[w]; ok {
				n++
			}
		}
		return n
	}
	// Each takes job/résumé lists ([]string) or literals such as ["go", "sql"] ([]any).
	boolSigs := []any{new(func([]string, []string) bool), new(func([]string, []any) bool),
		new(func([]any, []string) bool), new(func([]any, []any) bool)}
	intSigs := []any{new(func([]string, []string) int), new(func([]string, []any) int),
		new(func([]any, []string) int), new(func([]any, []any) int)}
	return []expr.Option{
		expr.Function("hasAll", func(p ...any) (any, error) {
			want := norm(p[1])
			return count(norm(p[0]), want) == len(want), nil
		}, boolSigs...),
		expr.Function("hasAny", func(p ...any) (any, error) {
			return count(norm(p[0]), norm(p[1])) > 0, nil
		}, boolSigs...),
		expr.Function("countAny", func(p ...any) (any, error) {
			return count(norm(p[0]), norm(p[1])), nil
		}, intSigs...),
	}
}

// screeningCache keeps compiled programs by source: published rules are immutable and shared
// by every application on a version, so each compiles once per process.
var (
	screeningCache  sync.Map
	screeningCached atomic.Int64
)

const maxCachedPrograms = 1000

// CompileScreening type-checks a screening rule; the error is a *CompileError.
func CompileScreening(source string) (*Program, error) {
	if p, ok := screeningCache.Load(source); ok {
		return p.(*Program), nil
	}
	p, err := compileScreening(source)
	if err == nil && screeningCached.Load() < maxCachedPrograms {
		if _, loaded := screeningCache.LoadOrStore(source, p); !loaded {
			screeningCached.Add(1)
		}
	}
	return p, err
}

func compileScreening(source string) (*Program, error) {
	p, err := compile("screening", source, ScreeningEnv{}, reflect.String, listFuncs())
	if err != nil {
		return nil, err
	}
	if ce := checkGuard("screening", source, p.prog); ce != nil {
		return nil, ce
	}
	return p, nil
}

// Screen evaluates a compiled screening rule.
func (p *Program) Screen(ctx context.Context, env ScreeningEnv) (string, error) {
	v, err := p.run(ctx, env)
	if err != nil {
		return "", fmt.Errorf("rules: %s: %w", p.Name, err)
	}
	s, _ := v.(string)
	for _, o := range ScreeningOutcomes {
		if s == o {
			return s, nil
		}
	}
	return "", fmt.Errorf("rules: %s returned %q, expected pass, reject or hold", p.Name, s)
}
