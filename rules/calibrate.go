package rules

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// CalibrationSample is one hire: the interview's per-dimension scores and how the probation
// went (rating 1–5 from the manager).
type CalibrationSample struct {
	Scores map[string]float64
	Rating float64
}

// Correlation is one score's Spearman rank correlation with the probation rating, with a
// bootstrap 95% interval; under the minimum n it is "not enough data".
type Correlation struct {
	Dimension string  `json:"dimension"` // "overall" for the weighted score
	N         int     `json:"n"`
	Rho       float64 `json:"rho"`
	Low       float64 `json:"ci_low"`
	High      float64 `json:"ci_high"`
	Enough    bool    `json:"enough_data"`
}

// OverallDimension names the weighted overall score among a sample's scores: it is correlated
// like a dimension but never given a weight.
const OverallDimension = "overall"

// Calibration is what probation outcomes say about the scores, and the weights they suggest.
type Calibration struct {
	Family     string             `json:"family,omitempty"` // the job family whose hires were pooled
	N          int                `json:"n"`
	MinN       int                `json:"min_n"`
	Dimensions []Correlation      `json:"dimensions"`
	Proposed   map[string]float64 `json:"proposed_weights,omitempty"` // only with enough data
}

// Calibrate correlates each dimension with the probation ratings and proposes weights
// proportional to the dimensions' positive correlations (weights ≥ 0, adding up to 1; a
// dimension that does not predict the outcome gets none). The bootstrap uses a fixed seed, so
// the same samples give the same answer.
func Calibrate(samples []CalibrationSample, minN int) Calibration {
	c := Calibration{N: len(samples), MinN: minN, Dimensions: []Correlation{}}
	dims := map[string]bool{}
	for _, s := range samples {
		for d := range s.Scores {
			dims[d] = true
		}
	}
	names := slices.Sorted(maps.Keys(dims))
	rng := rand.New(rand.NewPCG(20261202, 1))
	positive := map[string]float64{}
	total := 0.0
	for _, d := range names {
		var xs, ys []float64
		for _, s := range samples {
			if v, ok := s.Scores[d]; ok {
				xs, ys = append(xs, v), append(ys, s.Rating)
			}
		}
		cor := Correlation{Dimension: d, N: len(xs), Enough: len(xs) >= minN}
		if len(xs) >= 3 {
			cor.Rho = Spearman(xs, ys)
			cor.Low, cor.High = bootstrap(xs, ys, rng)
		}
		c.Dimensions = append(c.Dimensions, cor)
		if cor.Enough && cor.Rho > 0 && d != OverallDimension {
			positive[d] = cor.Rho
			total += cor.Rho
		}
	}
	if total > 0 {
		c.Proposed = map[string]float64{}
		for d, r := range positive {
			c.Proposed[d] = math.Round(r/total*1000) / 1000
		}
	}
	return c
}

// Spearman is the rank correlation, ties given their mean rank.
func Spearman(xs, ys []float64) float64 {
	rx, ry := ranks(xs), ranks(ys)
	mx, my := mean(rx), mean(ry)
	var num, dx, dy float64
	for i := range rx {
		num += (rx[i] - mx) * (ry[i] - my)
		dx += (rx[i] - mx) * (rx[i] - mx)
		dy += (ry[i] - my) * (ry[i] - my)
	}
	if dx == 0 || dy == 0 {
		return 0
	}
	return num / math.Sqrt(dx*dy)
}

func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	r := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// bootstrap is the 2.5th and 97.5th percentiles of Spearman's ρ over 1,000 resamples.
func bootstrap(xs, ys []float64, rng *rand.Rand) (float64, float64) {
	const runs = 1000
	rhos := make([]float64, runs)
	bx, by := make([]float64, len(xs)), make([]float64, len(ys))
	for r := range rhos {
		for i := range bx {
			k := rng.IntN(len(xs))
			bx[i], by[i] = xs[k], ys[k]
		}
		rhos[r] = Spearman(bx, by)
	}
	slices.Sort(rhos)
	return rhos[runs*25/1000], rhos[runs*975/1000]
}

// WeightsRule writes proposed weights as a weights rule (an expr map literal, dimensions in
// order), rounded to thousandths that add up to exactly 1: the last dimension takes the
// remainder of the rounding.
func WeightsRule(w map[string]float64) string {
	names := slices.Sorted(maps.Keys(w))
	var b []byte
	b = append(b, '{')
	left := 1000
	for i, d := range names {
		m := int(math.Round(w[d] * 1000))
		if i == len(names)-1 {
			m = left
		}
		left -= m
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '"')
		b = append(b, d...)
		b = append(b, `": `...)
		b = append(b, []byte(formatThousandths(m))...)
	}
	return string(append(b, '}'))
}

func formatThousandths(m int) string {
	s := []byte{byte('0' + m/1000), '.'}
	r := m % 1000
	return string(append(s, byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10)))
}

// WeightsSample is one past scored application: its mean score per dimension, and the
// self-identified groups (only inside the simulation; only counts leave it).
type WeightsSample struct {
	Scores map[string]float64
	Groups map[string]string
	Family string
}

// SimulateWeights scores past applications under new weights (Σ weight × dimension score) and
// audits the scoring point under them: the share above the median score by group and the
// impact ratios, as the yearly audit computes them, so a proposal is gated as a rule is.
func SimulateWeights(samples []WeightsSample, w map[string]float64) AuditReport {
	recs := make([]AuditRecord, 0, len(samples))
	for _, s := range samples {
		score := 0.0
		for d, x := range w {
			score += x * s.Scores[d]
		}
		recs = append(recs, AuditRecord{Point: "scoring", Score: score, Family: s.Family, Groups: s.Groups})
	}
	return Audit(recs)
}

// RestrictWeights keeps the weights of the named dimensions, scaled to add up to 1 again
// (nil when none of them has a weight).
func RestrictWeights(w map[string]float64, dims []string) map[string]float64 {
	out := map[string]float64{}
	total := 0.0
	for _, d := range dims {
		if x := w[d]; x > 0 {
			out[d] = x
			total += x
		}
	}
	if total == 0 {
		return nil
	}
	for d := range out {
		out[d] = math.Round(out[d]/total*1000) / 1000
	}
	return out
}
