package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// AuditRecord is one automated decision with the candidate's self-identified groups (empty
// when not given). Point is the decision point (screening, routing) or "scoring", whose
// records carry the application's interview score instead of an outcome. Family is the
// job family the application belongs to.
type AuditRecord struct {
	Point   string
	Outcome string
	Score   float64
	Family  string
	Groups  map[string]string
}

// AuditRate is one group's selection at one decision point.
type AuditRate struct {
	Point       string  `json:"point"`
	Category    string  `json:"category"` // sex, race_ethnicity, sex×race_ethnicity, age_band, region
	Group       string  `json:"group"`
	N           int     `json:"n"`
	Selected    int     `json:"selected"`
	Rate        float64 `json:"selection_rate"`
	ImpactRatio float64 `json:"impact_ratio"`
	// Excluded groups are reported but take no part in the ratios: unknown (not given) and
	// those under 2% of the category's known sample, as NYC LL144's rules allow.
	Excluded bool   `json:"excluded"`
	Why      string `json:"why,omitempty"`
}

// AuditReport is a bias audit of the automated decision points.
type AuditReport struct {
	Records int            `json:"records"`
	ByPoint map[string]int `json:"by_point"`
	Rates   []AuditRate    `json:"rates"`
	Below   []string       `json:"below_threshold"` // "routing sex=female 0.72"
	// MedianScore is the scoring sample's median: a scoring rate is the share above it.
	MedianScore float64 `json:"median_score,omitempty"`
	// Families is the same audit for each job family's records (AuditFamilies).
	Families map[string]AuditReport `json:"families,omitempty"`
}

// AuditFamilies is Audit over every record, with the audit of each job family's records.
func AuditFamilies(recs []AuditRecord) AuditReport {
	r := Audit(recs)
	by := map[string][]AuditRecord{}
	for _, rec := range recs {
		by[rec.Family] = append(by[rec.Family], rec)
	}
	r.Families = map[string]AuditReport{}
	for f, sub := range by {
		r.Families[f] = Audit(sub)
	}
	return r
}

// median of the values (the mean of the two middle ones for an even count).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// AuditCategories are the categories of an audit, the intersection of sex and race/ethnicity
// among them.
var AuditCategories = []string{"sex", "race_ethnicity", "sex×race_ethnicity", "age_band", "region"}

// selectedOutcome is what counts as selected at each decision point.
// (For "scoring" a record is selected when its score is above the sample's median.)
var selectedOutcome = map[string]string{"screening": "pass", "routing": "advance", "scoring": ""}

// Audit computes selection rates and impact ratios by category and group for every decision
// point, per NYC Local Law 144's rules: a group's rate over the highest rate of its category,
// among the groups that take part (known, and at least 2% of the category's known sample).
func Audit(recs []AuditRecord) AuditReport {
	type key struct{ point, cat, group string }
	stats := map[key]*AuditRate{}
	r := AuditReport{Records: len(recs), ByPoint: map[string]int{}, Rates: []AuditRate{}, Below: []string{}}
	var scores []float64
	for _, rec := range recs {
		if rec.Point == "scoring" {
			scores = append(scores, rec.Score)
		}
	}
	r.MedianScore = median(scores)
	for _, rec := range recs {
		sel, ok := selectedOutcome[rec.Point]
		if !ok {
			continue
		}
		selected := rec.Outcome == sel
		if rec.Point == "scoring" {
			selected = rec.Score > r.MedianScore
		}
		r.ByPoint[rec.Point]++
		for _, cat := range AuditCategories {
			g := groupOf(rec.Groups, cat)
			s := stats[key{rec.Point, cat, g}]
			if s == nil {
				s = &AuditRate{Point: rec.Point, Category: cat, Group: g}
				stats[key{rec.Point, cat, g}] = s
			}
			s.N++
			if selected {
				s.Selected++
			}
		}
	}
	points := make([]string, 0, len(r.ByPoint))
	for p := range r.ByPoint {
		points = append(points, p)
	}
	slices.Sort(points)
	for _, p := range points {
		for _, cat := range AuditCategories {
			var group []*AuditRate
			known := 0
			for k, s := range stats {
				if k.point == p && k.cat == cat {
					group = append(group, s)
					if s.Group != "unknown" {
						known += s.N
					}
				}
			}
			slices.SortFunc(group, func(a, b *AuditRate) int { return strings.Compare(a.Group, b.Group) })
			best := 0.0
			for _, s := range group {
				s.Rate = float64(s.Selected) / float64(s.N)
				switch {
				case s.Group == "unknown":
					s.Excluded, s.Why = true, "not given"
				case float64(s.N) < 0.02*float64(known):
					s.Excluded, s.Why = true, "under 2% of the sample"
				default:
					best = math.Max(best, s.Rate)
				}
			}
			for _, s := range group {
				if !s.Excluded {
					s.ImpactRatio = 1
					if best > 0 {
						s.ImpactRatio = s.Rate / best
					}
					if s.ImpactRatio < ImpactThreshold {
						r.Below = append(r.Below, fmt.Sprintf("%s %s=%s %.2f", p, cat, s.Group, s.ImpactRatio))
					}
				}
				r.Rates = append(r.Rates, *s)
			}
		}
	}
	return r
}

// groupOf is a record's group in a category ("unknown" when not given; the intersection is
// unknown when either part is).
func groupOf(groups map[string]string, cat string) string {
	if cat == "sex×race_ethnicity" {
		a, b := groupOf(groups, "sex"), groupOf(groups, "race_ethnicity")
		if a == "unknown" || b == "unknown" {
			return "unknown"
		}
		return a + "×" + b
	}
	if g := groups[cat]; g != "" && g != "undisclosed" {
		return g
	}
	return "unknown"
}
