package rules

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// GroupCategories are the self-identified categories a bias audit reports on. They are never
// part of any rule's environment.
var GroupCategories = []string{"sex", "age_band", "region", "race_ethnicity"}

// ImpactThreshold is the four-fifths rule: an impact ratio below it needs a recorded reason.
const ImpactThreshold = 0.8

// Recorded is one past screening evaluation: its inputs, its outcome, and the candidate's
// self-identified groups (empty when not given).
type Recorded struct {
	ApplicationID string
	JobID         string
	Env           ScreeningEnv
	Outcome       string
	Groups        map[string]string
}

// GroupStat is one group's selection under the recorded and the simulated rule.
type GroupStat struct {
	Category       string  `json:"category"`
	Group          string  `json:"group"`
	N              int     `json:"n"`
	SelectedBefore int     `json:"selected_before"`
	SelectedAfter  int     `json:"selected_after"`
	RateBefore     float64 `json:"selection_rate_before"`
	RateAfter      float64 `json:"selection_rate_after"`
	ImpactBefore   float64 `json:"impact_ratio_before"`
	ImpactAfter    float64 `json:"impact_ratio_after"`
	SmallSample    bool    `json:"small_sample"` // under 2% of the category: reported, not used as the reference
}

// JobCounts are outcome counts of one job.
type JobCounts struct {
	Before map[string]int `json:"before"`
	After  map[string]int `json:"after"`
}

// SimReport is what a simulation found.
type SimReport struct {
	Total       int                   `json:"total"`
	Before      map[string]int        `json:"before"`
	After       map[string]int        `json:"after"`
	Changed     int                   `json:"changed"`
	Transitions map[string]int        `json:"transitions"`
	Errors      int                   `json:"errors"`
	PerJob      map[string]*JobCounts `json:"per_job"`
	Groups      []GroupStat           `json:"groups"`
	BelowGate   []string              `json:"below_impact_threshold"`
	Summary     string                `json:"summary"`
	SummaryZH   string                `json:"summary_zh"`
}

// SimulateScreening re-evaluates a screening program against recorded inputs, in parallel.
// "Selected" means the outcome "pass" (selection rate as NYC Local Law 144 defines it).
func SimulateScreening(ctx context.Context, p *Program, recs []Recorded) (*SimReport, error) {
	after := make([]string, len(recs))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	errs := 0
	chunk := (len(recs) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(recs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			n := 0
			for i := lo; i < hi; i++ {
				out, err := p.Screen(ctx, recs[i].Env)
				if err != nil {
					if ctx.Err() != nil {
						mu.Lock()
						firstErr = ctx.Err()
						mu.Unlock()
						return
					}
					out = "error"
					n++
				}
				after[i] = out
			}
			mu.Lock()
			errs += n
			mu.Unlock()
		}(lo, hi)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	r := report(recs, after, "pass", ScreeningOutcomes)
	r.Errors = errs
	r.Summary, r.SummaryZH = summarise(r, ScreeningOutcomes)
	return r, nil
}

// report counts outcomes before and after, per job and per group; selected is the outcome
// that counts as selection for the impact ratios.
func report(recs []Recorded, after []string, selected string, outcomes []string) *SimReport {
	r := &SimReport{Total: len(recs), Before: map[string]int{}, After: map[string]int{}, Transitions: map[string]int{},
		PerJob: map[string]*JobCounts{}, Groups: []GroupStat{}, BelowGate: []string{}}
	type key struct{ cat, group string }
	groups := map[key]*GroupStat{}
	for i, rec := range recs {
		b, a := rec.Outcome, after[i]
		r.Before[b]++
		r.After[a]++
		if a != b {
			r.Changed++
			r.Transitions[b+"→"+a]++
		}
		jc := r.PerJob[rec.JobID]
		if jc == nil {
			jc = &JobCounts{Before: map[string]int{}, After: map[string]int{}}
			r.PerJob[rec.JobID] = jc
		}
		jc.Before[b]++
		jc.After[a]++
		for _, cat := range GroupCategories {
			g := rec.Groups[cat]
			if g == "" {
				continue
			}
			s := groups[key{cat, g}]
			if s == nil {
				s = &GroupStat{Category: cat, Group: g}
				groups[key{cat, g}] = s
			}
			s.N++
			if b == selected {
				s.SelectedBefore++
			}
			if a == selected {
				s.SelectedAfter++
			}
		}
	}
	// Impact ratio: a group's selection rate over the highest rate in its category, among
	// groups with at least 2% of the category's sample.
	for _, cat := range GroupCategories {
		var stats []*GroupStat
		total := 0
		for k, s := range groups {
			if k.cat == cat {
				stats = append(stats, s)
				total += s.N
			}
		}
		sort.Slice(stats, func(i, j int) bool { return stats[i].Group < stats[j].Group })
		maxB, maxA := 0.0, 0.0
		for _, s := range stats {
			s.RateBefore, s.RateAfter = float64(s.SelectedBefore)/float64(s.N), float64(s.SelectedAfter)/float64(s.N)
			s.SmallSample = float64(s.N) < 0.02*float64(total)
			if !s.SmallSample {
				maxB, maxA = math.Max(maxB, s.RateBefore), math.Max(maxA, s.RateAfter)
			}
		}
		for _, s := range stats {
			s.ImpactBefore, s.ImpactAfter = ratio(s.RateBefore, maxB), ratio(s.RateAfter, maxA)
			if !s.SmallSample && s.ImpactAfter < ImpactThreshold {
				r.BelowGate = append(r.BelowGate, fmt.Sprintf("%s=%s %.2f", s.Category, s.Group, s.ImpactAfter))
			}
			r.Groups = append(r.Groups, *s)
		}
	}
	r.Summary, r.SummaryZH = summarise(r, outcomes)
	return r
}

func ratio(rate, max float64) float64 {
	if max == 0 {
		return 1
	}
	return math.Round(rate/max*1000) / 1000
}

func summarise(r *SimReport, outcomes []string) (string, string) {
	var en, zh []string
	for _, o := range outcomes {
		d := r.After[o] - r.Before[o]
		switch {
		case d > 0:
			en = append(en, fmt.Sprintf("%d more would %s", d, o))
			zh = append(zh, fmt.Sprintf("%s 增加 %d 人", outcomeZH[o], d))
		case d < 0:
			en = append(en, fmt.Sprintf("%d fewer would %s", -d, o))
			zh = append(zh, fmt.Sprintf("%s 减少 %d 人", outcomeZH[o], -d))
		}
	}
	if len(en) == 0 {
		en, zh = []string{"no outcome changes"}, []string{"结果没有变化"}
	}
	for _, g := range r.Groups {
		if !g.SmallSample && g.ImpactAfter < ImpactThreshold {
			en = append(en, fmt.Sprintf("impact ratio for %s=%s %.2f → %.2f", g.Category, g.Group, g.ImpactBefore, g.ImpactAfter))
			zh = append(zh, fmt.Sprintf("%s=%s 的影响比 %.2f → %.2f", g.Category, g.Group, g.ImpactBefore, g.ImpactAfter))
		}
	}
	if r.Errors > 0 {
		en = append(en, fmt.Sprintf("%d evaluations failed", r.Errors))
		zh = append(zh, fmt.Sprintf("%d 次评估失败", r.Errors))
	}
	return strings.Join(en, "; "), strings.Join(zh, "；")
}

var outcomeZH = map[string]string{"pass": "通过", "reject": "拒绝", "hold": "待定", "advance": "晋级"}

// RecordedRouting is one past routing evaluation (after scoring).
type RecordedRouting struct {
	ApplicationID string
	JobID         string
	Env           RoutingEnv
	Outcome       string
	Groups        map[string]string
}

// SimulateRouting re-evaluates a routing program. Besides outcome changes it reports, per group,
// the scoring rate (the share scoring above the sample's median overall score, as NYC Local
// Law 144 defines it for continuous scores) in Before/After, and the advance rate as selection
// in the impact ratios.
func SimulateRouting(ctx context.Context, p *Program, recs []RecordedRouting) (*SimReport, []GroupStat, error) {
	screen := make([]Recorded, len(recs))
	after := make([]string, len(recs))
	for i, r := range recs {
		out, _, err := p.Route(ctx, r.Env)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			out = "error"
		}
		after[i] = out
		screen[i] = Recorded{ApplicationID: r.ApplicationID, JobID: r.JobID, Outcome: r.Outcome, Groups: r.Groups}
	}
	// Reuse the screening report's arithmetic with "advance" as the selected outcome.
	rep := report(screen, after, "advance", RoutingOutcomes)
	scores := make([]float64, len(recs))
	for i, r := range recs {
		scores[i] = r.Env.Overall
	}
	sorted := append([]float64(nil), scores...)
	sort.Float64s(sorted)
	median := 0.0
	if n := len(sorted); n > 0 {
		median = sorted[n/2]
		if n%2 == 0 {
			median = (sorted[n/2-1] + sorted[n/2]) / 2
		}
	}
	var scoring []GroupStat
	for _, cat := range GroupCategories {
		counts := map[string][2]int{}
		for i, r := range recs {
			g := r.Groups[cat]
			if g == "" {
				continue
			}
			c := counts[g]
			c[0]++
			if scores[i] > median {
				c[1]++
			}
			counts[g] = c
		}
		names := make([]string, 0, len(counts))
		for g := range counts {
			names = append(names, g)
		}
		sort.Strings(names)
		best := 0.0
		for _, g := range names {
			c := counts[g]
			best = math.Max(best, float64(c[1])/float64(c[0]))
		}
		for _, g := range names {
			c := counts[g]
			rate := float64(c[1]) / float64(c[0])
			scoring = append(scoring, GroupStat{Category: cat, Group: g, N: c[0], SelectedAfter: c[1], RateAfter: rate, ImpactAfter: ratio(rate, best)})
		}
	}
	return rep, scoring, nil
}
