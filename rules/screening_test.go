package rules

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func env(skills []string, years float64, edu int) ScreeningEnv {
	return ScreeningEnv{
		Resume: ResumeFacts{Skills: skills, Years: years, EducationRank: edu, Education: "bachelor"},
		Job:    JobFacts{Must: []string{"go", "postgresql"}, Nice: []string{"docker"}, MinYears: 3, EducationRank: 3},
	}
}

func TestDefaultScreeningRule(t *testing.T) {
	p, err := CompileScreening(DefaultScreeningRule)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		env  ScreeningEnv
		want string
	}{
		{"AllMustEnoughYears", env([]string{"go", "postgresql", "docker"}, 5, 3), "pass"},
		{"AllMustTooFewYears", env([]string{"go", "postgresql"}, 2, 3), "hold"},
		{"SomeMust", env([]string{"go"}, 10, 5), "hold"},
		{"NoMust", env([]string{"excel"}, 10, 5), "reject"},
		{"EducationTooLow", env([]string{"go", "postgresql"}, 5, 1), "hold"},
		{"CaseInsensitive", env([]string{"Go", "PostgreSQL"}, 5, 3), "pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Screen(context.Background(), tc.env)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestScreeningFunctions(t *testing.T) {
	for src, want := range map[string]string{
		`hasAny(resume.skills, ["docker", "go"]) ? "pass" : "reject"`:                        "pass",
		`hasAll(resume.skills, ["go", "rust"]) ? "pass" : "reject"`:                          "reject",
		`countAny(resume.skills, job.must) == 2 ? "pass" : "hold"`:                           "pass",
		`resume.years >= job.min_years and resume.education == "bachelor" ? "pass" : "hold"`: "pass",
		`"hold"`: "hold",
	} {
		p, err := CompileScreening(src)
		require.NoError(t, err, src)
		got, err := p.Screen(context.Background(), env([]string{"go", "postgresql"}, 4, 3))
		require.NoError(t, err, src)
		require.Equal(t, want, got, src)
	}
}

func TestScreeningCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"Empty", "  ", 1, 1, "empty"},
		{"Syntax", `resume.years >= ? "pass"`, 1, 17, "unexpected token"},
		{"UnknownField", "resume.salary > 3 ? \"pass\" : \"reject\"", 1, 8, "unknown field salary"},
		{"UnknownFieldLine2", "resume.years > 3\n  && resume.age < 40 ? \"pass\" : \"reject\"", 2, 13, "unknown field age"},
		{"WrongResultKind", `resume.years > 3`, 1, 1, "expected string"},
		{"WrongTypes", `resume.years + "x" == "y" ? "pass" : "reject"`, 1, 14, "invalid operation"},
		{"NowDisabled", `now().Year() > 2000 ? "pass" : "reject"`, 1, 1, "now"},
		{"RepeatDisabled", `repeat("a", 10) == "a" ? "pass" : "reject"`, 1, 1, "repeat"},
		{"StringDoubling", `let a = job.education + job.education; a == "x" ? "pass" : "reject"`, 1, 23, "joining computed strings"},
		{"TooLong", strings.Repeat(" ", MaxSourceBytes) + `"pass"`, 1, 1, "longer than"},
		{"TooManyNodes", strings.Repeat("1 + ", 500) + `1 > 0 ? "pass" : "reject"`, 1, 1, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileScreening(tc.src)
			require.Error(t, err)
			var ce *CompileError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "screening", ce.Rule)
			require.Contains(t, strings.ToLower(ce.Message), strings.ToLower(tc.msg))
			require.NotEmpty(t, ce.MessageZH)
			if tc.line > 0 {
				require.Equal(t, tc.line, ce.Line, "line")
			}
			if tc.col > 1 {
				require.Equal(t, tc.col, ce.Column, "column")
			}
		})
	}
}

func TestScreeningBoundsEvaluation(t *testing.T) {
	// A huge range is caught by the VM's memory budget, not by the machine's memory.
	p, err := CompileScreening(`len(1..(len(resume.skills) + 100000000)) > 0 ? "pass" : "reject"`)
	require.NoError(t, err)
	_, err = p.Screen(context.Background(), env(nil, 0, 0))
	require.Error(t, err)
	require.Contains(t, err.Error(), "memory budget")

	// A computed outcome outside pass/reject/hold is refused at run time…
	p, err = CompileScreening(`resume.years > 100 ? "pass" : lower("MAYBE")`)
	require.NoError(t, err)
	_, err = p.Screen(context.Background(), env(nil, 0, 0))
	require.ErrorContains(t, err, "expected one of")
}

func TestOutcomesCheckedAtCompileTime(t *testing.T) {
	for _, tc := range []struct {
		rule, src string
		line, col int
	}{
		{RuleScreening, `"yes"`, 1, 1},
		{RuleScreening, `resume.years > 2 ? "pass" : "maybe"`, 1, 29},
		{RuleScreening, "resume.years > 2\n  ? \"pass\"\n  : \"Pass\"", 3, 5},
		{RuleScreening, `resume.years > 2 ? "pass" : (resume.years > 1 ? "hold" : "no")`, 1, 58},
		{RuleScreening, `let x = 1; "ok"`, 1, 12},
		{RuleScreening, `true ? "yes" : "pass"`, 1, 8},
		{RuleScreening, `if resume.years > 2 { "pass" } else { "nope" }`, 1, 39},
		{RuleRouting, `overall > 50 ? "advance" : "fail"`, 1, 28},
		{RuleReview, `"approve"`, 1, 1},
		{RuleApproval, `["ceo"]`, 1, 1},
		{RuleApproval, `["hiring_manager", []]`, 1, 20},
		{RuleApproval, `offer.salary > 1 ? ["hiring_manager", offer.department] : ["cfo"]`, 1, 59},
		{RuleApproval, `[]`, 1, 1},
	} {
		_, err := Compile(tc.rule, tc.src)
		var ce *CompileError
		require.ErrorAs(t, err, &ce, tc.src)
		require.Equal(t, [2]int{tc.line, tc.col}, [2]int{ce.Line, ce.Column}, "%s: %s", tc.src, ce.Message)
		require.NotEmpty(t, ce.MessageZH)
	}
	for _, src := range []string{DefaultScreeningRule, `"pass"`, `resume.years > 2 ? "pass" : "hold"`, `lower("PASS")`} {
		_, err := CompileScreening(src)
		require.NoError(t, err, src)
	}
}

// Map order must never decide: keys, values and toPairs come sorted, so any accepted rule gives
// the same answer on the same inputs every time.
func TestMapOrderIsDeterministic(t *testing.T) {
	scores := map[string]float64{}
	for i := 0; i < 40; i++ {
		scores[string(rune('a'+i%26))+strconv.Itoa(i)] = float64(i) / 3
	}
	env := RoutingEnv{Scores: scores, Overall: 60}
	for _, src := range []string{
		`keys(scores)[0] == "a0" ? "advance" : "hold"`,
		`string(values(scores)[3]) == "1" ? "advance" : "hold"`,
		`sum(values(scores)) == 260 ? "advance" : "hold"`,
		`toPairs(scores)[0][0] == "a0" ? "advance" : "hold"`,
		`keys({"b": 1, "a": 2, "c": 3})[0] == "a" ? "advance" : "reject"`,
	} {
		p, err := Compile(RuleRouting, src)
		require.NoError(t, err, src)
		first, _, err := p.Route(context.Background(), env)
		require.NoError(t, err, src)
		for i := 0; i < 50; i++ {
			again, _, err := p.Route(context.Background(), env)
			require.NoError(t, err)
			require.Equal(t, first, again, src)
		}
	}
	p, err := Compile(RuleRouting, `keys(scores)[0] == "a0" ? "advance" : "hold"`)
	require.NoError(t, err)
	out, _, err := p.Route(context.Background(), env)
	require.NoError(t, err)
	require.Equal(t, "advance", out, "keys come in sorted order")
}

func FuzzCompileScreening(f *testing.F) {
	for _, s := range []string{DefaultScreeningRule, `"pass"`, `keys({"b": 1, "a": 2})[0] == "a" ? "pass" : "hold"`, `resume.years > 1 ? "pass" : "hold"`, `let x = 1..3; "pass"`, `map(resume.skills, #)`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := CompileScreening(src)
		if err != nil {
			return
		}
		a, errA := p.Screen(context.Background(), env([]string{"go", "sql", "k8s"}, 2, 3))
		b, errB := p.Screen(context.Background(), env([]string{"go", "sql", "k8s"}, 2, 3))
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("%q is not deterministic: %q/%v then %q/%v", src, a, errA, b, errB)
		}
	})
}
