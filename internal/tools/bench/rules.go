package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/rules"
)

// RulesResult is what `hireflow bench rules` prints as its last line.
type RulesResult struct {
	RoutingNsPerEval    float64 `json:"routing_ns_per_eval"`
	PlainGoNsPerEval    float64 `json:"plain_go_ns_per_eval"`
	Ratio               float64 `json:"ratio"`
	AllocsPerEval       int64   `json:"allocs_per_eval"`
	Recorded            int     `json:"recorded_applications"`
	SimulateSeconds     float64 `json:"simulate_seconds"`
	SimulateLoadSeconds float64 `json:"simulate_load_seconds"`
	SimulateEvalSeconds float64 `json:"simulate_eval_seconds"`
	Changed             int     `json:"simulate_changed"`
}

// typicalRouting is the default routing rule: flags and the candidate's choice first, then
// thresholds on the overall score.
var typicalRouting = rules.Defaults[rules.RuleRouting]

// plainRouting is the same logic written in Go.
func plainRouting(e *rules.RoutingEnv) string {
	f := e.Flags
	switch {
	case e.HumanOnly || f.LowConfidence || f.TooShort || f.MostlySilence || f.ScoringFailed:
		return "hold"
	case e.Overall >= 70:
		return "advance"
	case e.Overall >= 50:
		return "hold"
	}
	return "reject"
}

// sink keeps the compiler from dropping the benchmarked calls.
var sink string

var _ = sink

// Rules measures rule evaluation beside plain Go and a simulation over n recorded applications
// stored in PostgreSQL.
func Rules(ctx context.Context, a *app.App, n int, progress func(string)) (RulesResult, error) {
	var res RulesResult
	prog, err := rules.Compile(rules.RuleRouting, typicalRouting)
	if err != nil {
		return res, err
	}
	envs := make([]rules.RoutingEnv, 64)
	for i := range envs {
		envs[i] = rules.RoutingEnv{Overall: float64(i * 3 % 100), Scores: map[string]float64{"communication": float64(i)},
			Flags: rules.RoutingFlags{LowConfidence: i%17 == 0}}
	}
	expr := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			out, _, _ := prog.Route(ctx, envs[i&63])
			sink = out
		}
	})
	plain := testing.Benchmark(func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink = plainRouting(&envs[i&63])
		}
	})
	res.RoutingNsPerEval = float64(expr.NsPerOp())
	res.AllocsPerEval = expr.AllocsPerOp()
	res.PlainGoNsPerEval = float64(plain.T.Nanoseconds()) / float64(plain.N)
	res.Ratio = res.RoutingNsPerEval / res.PlainGoNsPerEval
	progress(fmt.Sprintf("routing rule: %.0f ns/eval (plain Go %.1f ns)", res.RoutingNsPerEval, res.PlainGoNsPerEval))

	orgID, rsID, err := seedRecorded(ctx, a, n, progress)
	if err != nil {
		return res, err
	}
	draft, err := rules.CompileScreening(`resume.years >= 5 && hasAny(resume.skills, job.must) ? "pass" : resume.years >= 2 ? "hold" : "reject"`)
	if err != nil {
		return res, err
	}
	start := time.Now()
	recs, err := a.Store.SimulationInputs(ctx, orgID, rsID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), n)
	if err != nil {
		return res, err
	}
	res.SimulateLoadSeconds = time.Since(start).Seconds()
	t1 := time.Now()
	rep, err := rules.SimulateScreening(ctx, draft, recs)
	if err != nil {
		return res, err
	}
	res.SimulateEvalSeconds = time.Since(t1).Seconds()
	res.SimulateSeconds = time.Since(start).Seconds()
	res.Recorded, res.Changed = rep.Total, rep.Changed
	return res, nil
}

// benchOrg is a fresh organisation with the demo backend job (its screening rule published),
// for a bench that loads rows of its own.
func benchOrg(ctx context.Context, a *app.App, name string) (hireflow.Organisation, hireflow.Job, error) {
	suffix := uuid.NewString()[:8]
	job := demo.BackendJob()
	org, err := a.Store.OrgCreate(ctx, "bench-"+name+"-"+suffix, "Bench "+name+" "+suffix)
	if err != nil {
		return org, job, err
	}
	c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: job.ScreeningRule}})
	if len(errs) > 0 {
		return org, job, errs[0]
	}
	u, err := a.Store.UserCreate(ctx, org.ID, "bench@"+name+".local", "Bench", hireflow.RoleRecruiter, "x")
	if err != nil {
		return org, job, err
	}
	return org, job, a.Store.JobCreate(ctx, hireflow.Principal{OrgID: org.ID, UserID: u.ID, Role: hireflow.RoleRecruiter}, &job, c)
}

// seedRecorded writes n applications with recorded screening decisions (and self-identified
// groups) for a fresh bench organisation, with COPY.
func seedRecorded(ctx context.Context, a *app.App, n int, progress func(string)) (string, string, error) {
	org, job, err := benchOrg(ctx, a, "rules")
	if err != nil {
		return "", "", err
	}
	progress(fmt.Sprintf("writing %d recorded applications", n))
	conn, err := a.Store.Pool().Acquire(ctx)
	if err != nil {
		return "", "", err
	}
	defer conn.Release()
	cands, apps, decs, groups := make([][]any, n), make([][]any, n), make([][]any, n), make([][]any, n)
	sexes := []string{"female", "male", "female", "male", "other"}
	skills := [][]string{{"go", "postgresql", "kubernetes"}, {"go", "docker"}, {"excel"}, {"go", "postgresql"}}
	placeholder := a.Box.SealString("bench", "bench")
	for i := 0; i < n; i++ {
		cid, aid := uuid.New(), uuid.New()
		cands[i] = []any{cid, org.ID, a.Box.Hash("email", aid.String()), placeholder, placeholder}
		apps[i] = []any{aid, org.ID, job.ID, cid, "screening", "active", job.RuleSetID, 1, "bench/" + aid.String(), "en"}
		env := rules.ScreeningEnv{Resume: rules.ResumeFacts{Skills: skills[i%4], Years: float64(i % 11), Education: "bachelor", EducationRank: 3},
			Job: rules.JobFacts{Must: job.Requirements.MustSkills, MinYears: 3, Education: "bachelor", EducationRank: 3}, Today: "2026-11-21"}
		inputs, _ := json.Marshal(env)
		outcome := "reject"
		if env.Resume.Years >= 3 && len(skills[i%4]) == 3 {
			outcome = "pass"
		}
		decs[i] = []any{org.ID, aid, "screening", "screening", inputs, outcome}
		groups[i] = []any{aid, org.ID, sexes[i%5], "25_39"}
	}
	if err := a.Store.Copy(ctx,
		store.CopyTable{Table: "candidates", Columns: []string{"id", "org_id", "email_hash", "name_enc", "email_enc"}, Rows: cands},
		store.CopyTable{Table: "applications", Columns: []string{"id", "org_id", "job_id", "candidate_id", "stage", "status", "rule_set_id", "rule_version", "workflow_id", "language"}, Rows: apps},
		store.CopyTable{Table: "decisions", Columns: []string{"org_id", "application_id", "step_key", "kind", "inputs", "outcome"}, Rows: decs},
		store.CopyTable{Table: "application_groups", Columns: []string{"application_id", "org_id", "sex", "age_band"}, Rows: groups},
	); err != nil {
		return "", "", err
	}
	return org.ID, job.RuleSetID, nil
}
