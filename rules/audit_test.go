package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// population builds records whose true selection rates are known: for each group, n records
// of which sel are selected.
func population(point string, cat string, groups map[string][2]int) []AuditRecord {
	var out []AuditRecord
	for g, ns := range groups {
		for i := 0; i < ns[0]; i++ {
			outcome := map[string]string{"screening": "reject", "routing": "hold"}[point]
			if i < ns[1] {
				outcome = selectedOutcome[point]
			}
			out = append(out, AuditRecord{Point: point, Outcome: outcome, Groups: map[string]string{cat: g}})
		}
	}
	return out
}

func rateOf(r AuditReport, point, cat, group string) AuditRate {
	for _, x := range r.Rates {
		if x.Point == point && x.Category == cat && x.Group == group {
			return x
		}
	}
	panic(fmt.Sprintf("no rate %s %s %s", point, cat, group))
}

// TestAuditRecoversKnownRatios: a generated population with known rates gives exactly those
// rates and ratios; unknown and under-2% groups are reported and excluded from the ratios.
func TestAuditRecoversKnownRatios(t *testing.T) {
	recs := population("screening", "sex", map[string][2]int{"female": {400, 120}, "male": {500, 200}, "other": {5, 5}, "": {95, 10}})
	recs = append(recs, population("routing", "race_ethnicity", map[string][2]int{"asian": {300, 150}, "black": {200, 70}, "white": {500, 250}})...)
	r := Audit(recs)
	require.Equal(t, 1000, r.ByPoint["screening"])
	require.Equal(t, 1000, r.ByPoint["routing"])
	f, m := rateOf(r, "screening", "sex", "female"), rateOf(r, "screening", "sex", "male")
	require.Equal(t, 0.3, f.Rate)
	require.Equal(t, 0.4, m.Rate)
	require.InDelta(t, 0.75, f.ImpactRatio, 1e-12, "0.3 / 0.4")
	require.Equal(t, 1.0, m.ImpactRatio)
	other := rateOf(r, "screening", "sex", "other")
	require.True(t, other.Excluded, "5 of 905 known is under 2%%: shown, not a reference")
	require.Equal(t, 1.0, other.Rate, "its 100%% does not become the highest rate")
	unknown := rateOf(r, "screening", "sex", "unknown")
	require.Equal(t, 95, unknown.N)
	require.True(t, unknown.Excluded)
	b := rateOf(r, "routing", "race_ethnicity", "black")
	require.InDelta(t, 0.7, b.ImpactRatio, 1e-12, "0.35 / 0.5")
	require.Contains(t, r.Below, "screening sex=female 0.75")
	require.Contains(t, r.Below, "routing race_ethnicity=black 0.70")
	require.NotContains(t, fmt.Sprint(r.Below), "asian", "0.5 / 0.5")
}

func TestAuditIntersections(t *testing.T) {
	var recs []AuditRecord
	add := func(sex, race string, n, sel int) {
		for i := 0; i < n; i++ {
			o := "reject"
			if i < sel {
				o = "pass"
			}
			recs = append(recs, AuditRecord{Point: "screening", Outcome: o, Groups: map[string]string{"sex": sex, "race_ethnicity": race}})
		}
	}
	add("female", "asian", 100, 50)
	add("male", "asian", 100, 60)
	add("female", "white", 100, 30)
	add("male", "", 100, 40)
	r := Audit(recs)
	require.InDelta(t, 0.5, rateOf(r, "screening", "sex×race_ethnicity", "female×white").ImpactRatio, 1e-12, "0.3 / 0.6")
	require.Equal(t, 100, rateOf(r, "screening", "sex×race_ethnicity", "unknown").N, "an unknown part makes the intersection unknown")
	require.Empty(t, Audit(nil).Rates)
}

// The scorer's audit: a group's scoring rate is its share above the sample's median score.
// Backend: women 60 % above, men 40 % (ratio 0.667, under the threshold); Sales: 50 % each.
// Each family is audited on its own records as well as in the whole.
func TestAuditScoringRatesPerFamily(t *testing.T) {
	var recs []AuditRecord
	add := func(family, sex string, high, low int) {
		for i := 0; i < high+low; i++ {
			score := 0.0
			if i < high {
				score = 10
			}
			recs = append(recs, AuditRecord{Point: "scoring", Score: score, Family: family, Groups: map[string]string{"sex": sex}})
		}
	}
	add("Backend", "female", 60, 40)
	add("Backend", "male", 40, 60)
	add("Sales", "female", 25, 25)
	add("Sales", "male", 25, 25)
	rep := AuditFamilies(recs)
	rate := func(r AuditReport, g string) AuditRate {
		for _, x := range r.Rates {
			if x.Point == "scoring" && x.Category == "sex" && x.Group == g {
				return x
			}
		}
		t.Fatalf("no scoring rate for %s", g)
		return AuditRate{}
	}
	be := rep.Families["Backend"]
	require.Equal(t, 5.0, be.MedianScore)
	require.InDelta(t, 0.6, rate(be, "female").Rate, 1e-12)
	require.InDelta(t, 0.4, rate(be, "male").Rate, 1e-12)
	require.InDelta(t, 0.4/0.6, rate(be, "male").ImpactRatio, 1e-12)
	require.NotEmpty(t, be.Below)
	sales := rep.Families["Sales"]
	require.InDelta(t, 1.0, rate(sales, "male").ImpactRatio, 1e-12)
	require.Empty(t, sales.Below)
	require.InDelta(t, 85.0/150, rate(rep, "female").Rate, 1e-12, "the whole: 85 of 150 women above the overall median")
	require.Equal(t, 300, rep.Records)
}
