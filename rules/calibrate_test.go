package rules

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCalibrateShiftsWeightToThePredictiveDimension: synthetic hires whose probation rating
// depends on problem solving only; the proposal puts the weight there, communication (noise)
// gets little or none, and under the minimum n nothing is proposed.
func TestCalibrateShiftsWeightToThePredictiveDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []CalibrationSample
	for i := 0; i < 200; i++ {
		ps := rng.Float64() * 100
		comm := rng.Float64() * 100
		rating := 1 + 4*ps/100 + rng.NormFloat64()*0.3
		samples = append(samples, CalibrationSample{Scores: map[string]float64{"problem_solving": ps, "communication": comm}, Rating: rating})
	}
	c := Calibrate(samples, 30)
	require.Equal(t, 200, c.N)
	var ps, comm Correlation
	for _, d := range c.Dimensions {
		switch d.Dimension {
		case "problem_solving":
			ps = d
		case "communication":
			comm = d
		}
	}
	require.Greater(t, ps.Rho, 0.9)
	require.True(t, ps.Low > 0.8 && ps.High <= 1, "a tight interval: %v..%v", ps.Low, ps.High)
	require.Less(t, comm.Rho, 0.2)
	require.True(t, comm.Low < 0 || comm.Rho < 0.2, "communication's interval reaches zero")
	require.Greater(t, c.Proposed["problem_solving"], 0.8)
	require.Less(t, c.Proposed["communication"], 0.2)
	sum := 0.0
	for _, w := range c.Proposed {
		require.GreaterOrEqual(t, w, 0.0)
		sum += w
	}
	require.InDelta(t, 1, sum, 0.002)
	again := Calibrate(samples, 30)
	require.Equal(t, c, again, "the same samples give the same answer")

	few := Calibrate(samples[:10], 30)
	require.Nil(t, few.Proposed, "not enough data: no proposal")
	require.False(t, few.Dimensions[0].Enough)
}

func TestSpearmanTies(t *testing.T) {
	require.InDelta(t, 1.0, Spearman([]float64{1, 2, 2, 3}, []float64{10, 20, 20, 30}), 1e-12)
	require.InDelta(t, -1.0, Spearman([]float64{1, 2, 3}, []float64{3, 2, 1}), 1e-12)
	require.Equal(t, 0.0, Spearman([]float64{1, 1, 1}, []float64{1, 2, 3}))
}

func TestWeightsRuleAddsUpAndCompiles(t *testing.T) {
	w := map[string]float64{"communication": 1.0 / 3, "technical": 1.0 / 3, "problem_solving": 1.0 / 3}
	src := WeightsRule(w)
	require.Equal(t, `{"communication": 0.333, "problem_solving": 0.333, "technical": 0.334}`, src)
	p, err := Compile(RuleWeights, src)
	require.NoError(t, err)
	got, err := p.Weights(context.Background(), WeightsEnv{Dimensions: []string{"communication", "technical", "problem_solving"}})
	require.NoError(t, err)
	require.InDelta(t, 0.334, got["technical"], 1e-9)
}

// A population where women score higher on one dimension and men on another: weighting the
// first gives men a lower scoring rate, weighting the second the reverse; the simulation's
// ratios are the known ones.
func TestSimulateWeightsGatesAProposal(t *testing.T) {
	var samples []WeightsSample
	for i := 0; i < 100; i++ {
		sex := "female"
		a, b := 4.0, 2.0
		if i%2 == 1 {
			sex, a, b = "male", 2.0, 4.0
		}
		if i%10 < 2 { // a fifth of each group swaps, so rates are 0.8 and 0.2
			a, b = b, a
		}
		samples = append(samples, WeightsSample{Scores: map[string]float64{"a": a, "b": b}, Groups: map[string]string{"sex": sex}})
	}
	rep := SimulateWeights(samples, map[string]float64{"a": 1})
	rate := func(r AuditReport, g string) AuditRate {
		for _, x := range r.Rates {
			if x.Category == "sex" && x.Group == g {
				return x
			}
		}
		t.Fatalf("no rate for %s", g)
		return AuditRate{}
	}
	require.InDelta(t, 0.8, rate(rep, "female").Rate, 1e-9)
	require.InDelta(t, 0.2, rate(rep, "male").Rate, 1e-9)
	require.InDelta(t, 0.25, rate(rep, "male").ImpactRatio, 1e-9)
	require.NotEmpty(t, rep.Below)
	even := SimulateWeights(samples, map[string]float64{"a": 0.5, "b": 0.5})
	require.Empty(t, even.Below, "equal weights give everyone the same score: nobody is above the median")
}
