package rules

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var bg = context.Background()

func TestFunctionLibrary(t *testing.T) {
	e := env([]string{"go", "postgresql"}, 4, 3)
	e.Today = "2026-11-21"
	for src, want := range map[string]string{
		`keywordScore(resume.skills, ["go", "rust", "sql", "postgresql"]) == 0.5 ? "pass" : "reject"`: "pass",
		`keywordScore(resume.skills, []) == 1 ? "pass" : "reject"`:                                    "pass",
		`yearsSince("2019-11-21", today) > 6.9 && yearsSince("2019", today) < 8 ? "pass" : "reject"`:  "pass",
		`inBand(resume.years, 3, 5) ? "pass" : "reject"`:                                              "pass",
		`inBand(resume.years, 5.5, 9) ? "pass" : "reject"`:                                            "reject",
	} {
		p, err := CompileScreening(src)
		require.NoError(t, err, src)
		got, err := p.Screen(bg, e)
		require.NoError(t, err, src)
		require.Equal(t, want, got, src)
	}
	p, err := CompileScreening(`yearsSince("last spring", today) > 1 ? "pass" : "hold"`)
	require.NoError(t, err)
	_, err = p.Screen(bg, e)
	require.ErrorContains(t, err, "not a date")
}

func TestRoutingGuardrails(t *testing.T) {
	p, err := Compile(RuleRouting, `overall >= 60 ? "advance" : "reject"`)
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		env     RoutingEnv
		want    string
		guarded bool
	}{
		{"HighScore", RoutingEnv{Overall: 80}, "advance", false},
		{"LowScore", RoutingEnv{Overall: 20}, "reject", false},
		{"HumanOnlyNeverAutomatic", RoutingEnv{Overall: 20, HumanOnly: true}, "hold", true},
		{"LowConfidenceToPerson", RoutingEnv{Overall: 95, Flags: RoutingFlags{LowConfidence: true}}, "hold", true},
		{"ScoringFailedToPerson", RoutingEnv{Overall: 0, Flags: RoutingFlags{ScoringFailed: true}}, "hold", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, guarded, err := p.Route(bg, tc.env)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.guarded, guarded)
		})
	}
	d, err := Compile(RuleRouting, Defaults[RuleRouting])
	require.NoError(t, err)
	got, _, err := d.Route(bg, RoutingEnv{Overall: 55, Scores: map[string]float64{"communication": 55}})
	require.NoError(t, err)
	require.Equal(t, "hold", got)
}

func TestReviewAggregation(t *testing.T) {
	p, err := Compile(RuleReview, Defaults[RuleReview])
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		reviews  []Review
		required int
		want     string
	}{
		"Waiting":   {[]Review{{Rating: 5, Decision: "advance"}}, 2, "hold"},
		"Advance":   {[]Review{{Rating: 4, Decision: "advance"}, {Rating: 4, Decision: "advance"}}, 2, "advance"},
		"AnyReject": {[]Review{{Rating: 5, Decision: "advance"}, {Rating: 2, Decision: "reject"}}, 2, "reject"},
		"Lukewarm":  {[]Review{{Rating: 3, Decision: "hold"}, {Rating: 3, Decision: "advance"}}, 2, "hold"},
	} {
		got, err := p.Aggregate(bg, ReviewEnv{Reviews: tc.reviews, Required: tc.required})
		require.NoError(t, err, name)
		require.Equal(t, tc.want, got, name)
	}
}

func TestApprovalChain(t *testing.T) {
	p, err := Compile(RuleApproval, Defaults[RuleApproval])
	require.NoError(t, err)
	steps, err := p.ApprovalChain(bg, ApprovalEnv{Offer: Offer{Salary: 50000, BandMin: 40000, BandMax: 60000}})
	require.NoError(t, err)
	require.Equal(t, []ApprovalStep{{Approvers: []string{"hiring_manager"}}}, steps)
	steps, err = p.ApprovalChain(bg, ApprovalEnv{Offer: Offer{Salary: 70000, BandMax: 60000}})
	require.NoError(t, err)
	require.Len(t, steps, 2)
	require.True(t, steps[1].Parallel)
	require.Equal(t, []string{"recruiter", "admin"}, steps[1].Approvers)

	for src, msg := range map[string]string{
		`["janitor"]`:     "not one of",
		`[]`:              "1 to 10 steps",
		`[1, 2]`:          "not a role",
		`[[]]`:            "empty parallel group",
		`["user:" + "x"]`: "not one of",
	} {
		p, err := Compile(RuleApproval, src)
		if err != nil {
			continue // refused at compile time is fine too
		}
		_, err = p.ApprovalChain(bg, ApprovalEnv{})
		require.ErrorContains(t, err, msg, src)
	}
}

func TestWeightsAndDurations(t *testing.T) {
	w, err := Compile(RuleWeights, `{"a": 0.25, "b": 0.75}`)
	require.NoError(t, err)
	got, err := w.Weights(bg, WeightsEnv{Dimensions: []string{"a", "b"}})
	require.NoError(t, err)
	require.Equal(t, map[string]float64{"a": 0.25, "b": 0.75}, got)
	_, err = w.Weights(bg, WeightsEnv{Dimensions: []string{"a"}})
	require.ErrorContains(t, err, "not a dimension")
	bad, err := Compile(RuleWeights, `{"a": 0.5}`)
	require.NoError(t, err)
	_, err = bad.Weights(bg, WeightsEnv{Dimensions: []string{"a"}})
	require.ErrorContains(t, err, "add up to 1")

	d, err := Compile(RuleDurations, Defaults[RuleDurations])
	require.NoError(t, err)
	ds, err := d.Durations(bg, DurationsEnv{})
	require.NoError(t, err)
	require.Equal(t, 90*24*time.Hour, ds["probation_length"])
	// Constant names and values are checked when the rule is compiled…
	for src, msg := range map[string]string{
		`{"coffee_break": "1h"}`: "unknown duration",
		`{"hold_sla": "soon"}`:   "must be like",
		`{"hold_sla": "-1h"}`:    "must be like",
		`{"hold_sla": "99999h"}`: "must be like",
	} {
		_, err := Compile(RuleDurations, src)
		require.ErrorContains(t, err, msg, src)
	}
	// …computed ones when it is evaluated.
	for src, msg := range map[string]string{
		`{(job.education == "" ? "coffee_break" : "x"): "1h"}`: "unknown duration",
		`{"hold_sla": job.education == "" ? "soon" : "1h"}`:    "must be like",
	} {
		p, err := Compile(RuleDurations, src)
		require.NoError(t, err, src)
		_, err = p.Durations(bg, DurationsEnv{})
		require.ErrorContains(t, err, msg, src)
	}
}

func TestCompileSetReportsEveryError(t *testing.T) {
	_, errs := CompileSet(RuleSet{Rules: map[string]string{
		"routing":   `overall >= "x" ? "advance" : "hold"`,
		"weights":   `{"a": 1} + 1`,
		"nonsense":  `true`,
		"screening": `"pass"`,
	}, Pipeline: []StageSpec{{Stage: "offer"}, {Stage: "review"}, {Stage: "teleport"}, {Stage: "probation", When: "overall >"}}})
	var got []string
	for _, e := range errs {
		got = append(got, e.Rule+": "+e.Message)
		require.NotEmpty(t, e.MessageZH)
		require.GreaterOrEqual(t, e.Line, 1)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"nonsense: unknown rule name", "routing:", "weights:", "unknown stage \"teleport\"",
		"offer requires a review before it", "probation requires onboarding", "pipeline[3].when"} {
		require.Contains(t, all, want)
	}
	_, errs = CompileSet(RuleSet{Rules: map[string]string{}})
	require.Equal(t, "a rule set needs a screening rule", errs[0].Message)

	c, errs := CompileSet(RuleSet{Rules: map[string]string{"screening": DefaultScreeningRule}})
	require.Empty(t, errs)
	require.Equal(t, DefaultPipeline, c.Set.Pipeline)
	for _, n := range []string{RuleRouting, RuleReview, RuleApproval, RuleDurations} {
		require.NotNil(t, c.Programs[n], "defaults fill the rules a set leaves out: %s", n)
	}
}

func TestHostileRules(t *testing.T) {
	for name, src := range map[string]string{
		"DeepPredicates": `all(resume.skills, {all(resume.skills, {all(resume.skills, {# != ""})})}) ? "pass" : "hold"`,
		"StringDoubling": `let a = job.education + job.education; let b = a + a; b == "" ? "pass" : "hold"`,
		"Repeat":         `repeat("x", 1000000000) == "" ? "pass" : "hold"`,
		"Now":            `now().Year() > 0 ? "pass" : "hold"`,
		"HugeLiteral":    `"` + strings.Repeat("x", 5000) + `"`,
		"HugeRange":      `len(1..1000000000) > 0 ? "pass" : "hold"`,
		"NestedRange":    `any(1..100000, {any(1..100000, {# < 0})}) ? "pass" : "hold"`,
		"MapRange":       `len(map(1..10000000, # * 2)) > 0 ? "pass" : "hold"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CompileScreening(src)
			require.Error(t, err)
		})
	}
	// Ranges whose size is only known at run time are stopped by the memory budget; literal ones
	// at most MaxRange long keep nested predicates to MaxRange² steps.
	for name, src := range map[string]string{
		"ComputedRange":    `len(1..int(resume.years * 1e9 + 1e9)) > 0 ? "pass" : "hold"`,
		"ComputedMapRange": `len(map(1..(len(resume.skills) + 10000000), # * 2)) > 0 ? "pass" : "hold"`,
	} {
		t.Run(name, func(t *testing.T) {
			p, err := CompileScreening(src)
			require.NoError(t, err)
			start := time.Now()
			_, err = p.Screen(bg, env(nil, 0, 0))
			require.ErrorContains(t, err, "memory budget")
			require.Less(t, time.Since(start), 2*time.Second)
		})
	}
}

func TestYAMLRoundTripAndDiff(t *testing.T) {
	src := `name: Backend
rules:
  screening: |
    hasAll(resume.skills, job.must) ? "pass" : "hold"
  routing: 'overall >= 70 ? "advance" : "hold"'
pipeline:
  - stage: screen
  - stage: video_interview
    params: {questions: "3"}
  - stage: live_round
    when: overall < 80
  - stage: review
  - stage: offer
`
	rs, err := ParseYAML([]byte(src))
	require.NoError(t, err)
	_, errs := CompileSet(rs)
	require.Empty(t, errs)
	out, err := MarshalYAML(rs)
	require.NoError(t, err)
	back, err := ParseYAML(out)
	require.NoError(t, err)
	require.Equal(t, rs, back)

	_, err = ParseYAML([]byte("rules:\n  screening: '\"pass\"'\nsurprise: 1\n"))
	require.ErrorContains(t, err, "surprise")
	_, err = ParseYAML([]byte("rules: [oops"))
	require.Error(t, err)
	_, err = ParseYAML([]byte("name: &s \"" + strings.Repeat("x", 100000) + "\"\nrules:\n  a: *s\n  b: *s\n"))
	require.ErrorContains(t, err, "anchors and aliases", "alias amplification is refused")
	_, err = ParseYAML([]byte("rules:\n  routing: 'overall * 2 > 100 ? \"advance\" : \"hold\"'\n  screening: '\"pass\"'\n"))
	require.NoError(t, err, "a * inside a rule is not an alias")

	changed := back
	changed.Rules = map[string]string{"screening": rs.Rules["screening"], "routing": `overall >= 60 ? "advance" : "hold"`}
	d := Diff(rs, changed, "v1", "v2")
	require.Contains(t, d, "--- v1 rules.routing")
	require.Contains(t, d, `-overall >= 70 ? "advance" : "hold"`)
	require.Contains(t, d, `+overall >= 60 ? "advance" : "hold"`)
	require.NotContains(t, d, "rules.screening", "unchanged rules are not listed")
	require.Empty(t, Diff(rs, rs, "a", "b"))
}

func TestExplain(t *testing.T) {
	inputs := map[string]any{"resume": map[string]any{"years": 2.0, "skills": []any{"go"}}, "job": map[string]any{"min_years": 3.0, "must": []any{"go", "sql"}}}
	s := Explain("screening", 4, "resume.years >= job.min_years && hasAll(resume.skills, job.must) ? \"pass\"\n : \"reject\"", inputs, "reject")
	require.Contains(t, s, "screening v4: `resume.years >= job.min_years && hasAll(resume.skills, job.must) ? \"pass\" : \"reject\"` → reject")
	require.Contains(t, s, "resume.years = 2")
	require.Contains(t, s, "job.min_years = 3")
	require.Contains(t, s, `job.must = ["go", "sql"]`)
	require.NotContains(t, s, "hasAll =")
}

func TestSimulateScreeningImpactRatios(t *testing.T) {
	var recs []Recorded
	add := func(n int, sex string, years float64, outcome string) {
		for i := 0; i < n; i++ {
			e := env([]string{"go", "postgresql"}, years, 3)
			recs = append(recs, Recorded{ApplicationID: fmt.Sprint(len(recs)), JobID: "j1", Env: e, Outcome: outcome, Groups: map[string]string{"sex": sex}})
		}
	}
	// Under the recorded rule both groups pass at 50%; men in this made-up sample have more years.
	add(50, "male", 8, "pass")
	add(50, "male", 2, "reject")
	add(50, "female", 4, "pass")
	add(50, "female", 2, "reject")
	add(1, "other", 9, "pass") // under 2%: reported, not the reference
	draft, err := CompileScreening(`resume.years >= 6 ? "pass" : "reject"`)
	require.NoError(t, err)
	rep, err := SimulateScreening(bg, draft, recs)
	require.NoError(t, err)
	require.Equal(t, 201, rep.Total)
	require.Equal(t, 50, rep.Changed)
	require.Equal(t, 50, rep.Transitions["pass→reject"])
	require.Contains(t, rep.Summary, "50 fewer would pass")
	byGroup := map[string]GroupStat{}
	for _, g := range rep.Groups {
		byGroup[g.Group] = g
	}
	require.InDelta(t, 1.0, byGroup["female"].ImpactBefore, 1e-9)
	require.InDelta(t, 0.0, byGroup["female"].ImpactAfter, 1e-9)
	require.InDelta(t, 1.0, byGroup["male"].ImpactAfter, 1e-9)
	require.True(t, byGroup["other"].SmallSample)
	require.Equal(t, []string{"sex=female 0.00"}, rep.BelowGate)
	require.Contains(t, rep.Summary, "impact ratio for sex=female 1.00 → 0.00")
	require.Contains(t, rep.SummaryZH, "影响比")
}

func TestPipelineValidation(t *testing.T) {
	ok := []StageSpec{{Stage: "screen"}, {Stage: "live_round", Params: map[string]string{"duration_minutes": "45"}},
		{Stage: "live_round", When: `screening == "hold" || overall < 75`}, {Stage: "review"}, {Stage: "offer"}, {Stage: "onboard"}, {Stage: "probation", Params: map[string]string{"days": "90"}}}
	require.Empty(t, ValidatePipeline(ok))
	for name, p := range map[string][]StageSpec{
		"Empty":          {},
		"ScreenNotFirst": {{Stage: "review"}, {Stage: "screen"}},
		"DuplicateOffer": {{Stage: "review"}, {Stage: "offer"}, {Stage: "offer"}},
		"UnknownParam":   {{Stage: "probation", Params: map[string]string{"weeks": "3"}}, {Stage: "onboard"}},
		"BadWhen":        {{Stage: "review", When: `resume.years > 3`}},
		"WhenNotBool":    {{Stage: "review", When: `overall`}},
	} {
		require.NotEmpty(t, ValidatePipeline(p), name)
	}
}

func TestSimulateRoutingScoringRate(t *testing.T) {
	var recs []RecordedRouting
	for i := 0; i < 40; i++ {
		g, score := "a", 80.0
		if i%2 == 1 {
			g, score = "b", 55.0
		}
		if i%10 == 0 {
			score = 40
		}
		recs = append(recs, RecordedRouting{ApplicationID: fmt.Sprint(i), JobID: "j", Env: RoutingEnv{Overall: score},
			Outcome: "hold", Groups: map[string]string{"sex": map[string]string{"a": "female", "b": "male"}[g]}})
	}
	recs[3].Env.HumanOnly = true
	p, err := Compile(RuleRouting, Defaults[RuleRouting])
	require.NoError(t, err)
	rep, scoring, err := SimulateRouting(bg, p, recs)
	require.NoError(t, err)
	require.Equal(t, 40, rep.Total)
	require.Positive(t, rep.After["advance"])
	byGroup := map[string]GroupStat{}
	for _, g := range scoring {
		byGroup[g.Group] = g
	}
	require.InDelta(t, 1.0, byGroup["female"].ImpactAfter, 1e-9, "women score above the median more often here")
	require.Less(t, byGroup["male"].ImpactAfter, 0.8)
}

// FuzzEvaluationIsBounded: whatever compiles also finishes quickly, without panicking.
func FuzzEvaluationIsBounded(f *testing.F) {
	for _, s := range []string{DefaultScreeningRule, `all(resume.skills, {any(job.must, {# == "go"})}) ? "pass" : "hold"`,
		`let x = 1..50; len(x) > 3 ? "pass" : "hold"`, `map(resume.skills, upper(#))[0] == "GO" ? "pass" : "hold"`} {
		f.Add(s)
	}
	e := env([]string{"go", "postgresql", "docker", "kubernetes", "sql", "linux"}, 5, 3)
	e.Today = "2026-01-01"
	f.Fuzz(func(t *testing.T, src string) {
		p, err := CompileScreening(src)
		if err != nil {
			return
		}
		start := time.Now()
		_, _ = p.Screen(bg, e)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("evaluation took %s: %q", d, src)
		}
	})
}

func TestIntensityRule(t *testing.T) {
	def, err := Compile(RuleIntensity, Defaults[RuleIntensity])
	require.NoError(t, err)
	for _, c := range []struct {
		team TeamLoad
		want bool
	}{
		{TeamLoad{Size: 4, OvertimeHours: 80, OvertimeHoursPerPerson: 20, OvertimeDays: 12}, true},
		{TeamLoad{Size: 4, OvertimeHours: 8, OvertimeHoursPerPerson: 2, OvertimeDays: 2}, false},
		{TeamLoad{}, false},
	} {
		got, err := def.Intense(context.Background(), IntensityEnv{Team: c.team})
		require.NoError(t, err)
		require.Equal(t, c.want, got, "%+v", c.team)
	}
	custom, err := Compile(RuleIntensity, `team.overtime_days >= 3 && "go" in job.must`)
	require.NoError(t, err)
	got, err := custom.Intense(context.Background(), IntensityEnv{Team: TeamLoad{OvertimeDays: 3}, Job: JobFacts{Must: []string{"go"}}})
	require.NoError(t, err)
	require.True(t, got)
	_, err = Compile(RuleIntensity, `team.overtime_hours`)
	require.Error(t, err, "a number is not a decision")
	_, err = Compile(RuleIntensity, `team.nights > 2`)
	var ce *CompileError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 1, ce.Line)
}
