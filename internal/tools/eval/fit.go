package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
)

// FitCommand is how the kept weights are produced; it is written into the file.
const FitCommand = "hireflow eval fit --out internal/analysis/scoring/weights.json"

// Lambdas are the ridge penalties cross-validation chooses from.
var Lambdas = []float64{0.03, 0.1, 0.3, 1, 3, 10}

// FitReport is what `hireflow eval fit` prints: the cross-validated ρ of each penalty tried and
// the model fitted on the whole development part with the best one.
type FitReport struct {
	Rows      int                `json:"rows"`      // (answer, dimension) pairs of the development part
	Answers   int                `json:"answers"`   // development answers
	Questions int                `json:"questions"` // development questions
	Folds     int                `json:"folds"`
	CV        map[string]float64 `json:"cv_spearman_by_lambda"`
	Model     scoring.Model      `json:"model"`
}

type fitRow struct {
	q      string
	answer int // index into the answers, for the overall ρ
	x      []float64
	y      float64
}

// Fit fits the offline scorer's weights on the development part of the set only (typed text),
// choosing the ridge penalty by k-fold cross-validation by question: each fold holds out whole
// questions, and a penalty is judged by Spearman's ρ between the out-of-fold overall scores
// (the mean of an answer's dimensions) and the overall labels.
func Fit(set Set, folds int) (FitReport, error) {
	if folds < 2 {
		folds = 5
	}
	var rows []fitRow
	var labels []float64
	var qids []string
	for _, q := range set.Questions {
		if q.Split != "dev" {
			continue // the held-out part is never looked at
		}
		qids = append(qids, q.ID)
		for _, a := range q.Answers {
			if a.Label == nil {
				continue
			}
			feats := scoring.Features(scoring.Answer{Text: a.Script, Question: q.Text, Points: q.Points, Lang: q.Lang, Dims: q.Dimensions})
			idx := len(labels)
			labels = append(labels, float64(*a.Label))
			for _, d := range q.Dimensions {
				y := float64(*a.Label)
				if l, ok := a.Labels[d]; ok {
					y = float64(l)
				}
				rows = append(rows, fitRow{q: q.ID, answer: idx, x: feats[d], y: y})
			}
		}
	}
	if len(qids) < folds {
		return FitReport{}, fmt.Errorf("eval: fit: %d development questions cannot make %d folds", len(qids), folds)
	}
	slices.Sort(qids)
	fold := map[string]int{}
	for i, q := range qids {
		fold[q] = i % folds
	}
	rep := FitReport{Rows: len(rows), Answers: len(labels), Questions: len(qids), Folds: folds, CV: map[string]float64{}}
	best, bestRho := Lambdas[0], math.Inf(-1)
	for _, lambda := range Lambdas {
		pred := make([]float64, len(labels))
		n := make([]float64, len(labels))
		for k := range folds {
			var train []fitRow
			for _, r := range rows {
				if fold[r.q] != k {
					train = append(train, r)
				}
			}
			w, b := ridge(train, lambda)
			for _, r := range rows {
				if fold[r.q] == k {
					pred[r.answer] += predict(w, b, r.x)
					n[r.answer]++
				}
			}
		}
		for i := range pred {
			pred[i] /= n[i]
		}
		rho := math.Round(spearman(labels, pred)*1000) / 1000
		rep.CV[fmt.Sprint(lambda)] = rho
		if rho >= bestRho-1e-9 { // on a tie, the larger penalty
			best, bestRho = lambda, rho
		}
	}
	w, b := ridge(rows, best)
	for i := range w {
		w[i] = math.Round(w[i]*10000) / 10000
	}
	rep.Model = scoring.Model{Version: scoring.Version, Features: scoring.FeatureNames, Weights: w, Intercept: math.Round(b*10000) / 10000,
		Lambda: best, Folds: folds, CVSpearman: bestRho, TrainedOn: fmt.Sprintf("the development part of the kept set: %d questions, %d answers, typed", len(qids), len(labels)),
		Command: FitCommand}
	return rep, nil
}

func predict(w []float64, b float64, x []float64) float64 {
	g := b
	for i := range w {
		g += w[i] * x[i]
	}
	return g
}

// ridge is least squares with an L2 penalty on the weights (not the intercept), each weight
// kept to its sign (scoring.FeatureSigns), by coordinate descent: the problem is convex, so a
// fixed number of sweeps from zero always reaches the same answer.
func ridge(rows []fitRow, lambda float64) ([]float64, float64) {
	p := len(scoring.FeatureNames)
	w := make([]float64, p)
	mean := 0.0
	for _, r := range rows {
		mean += r.y
	}
	b := mean / float64(max(1, len(rows)))
	resid := make([]float64, len(rows))
	for i, r := range rows {
		resid[i] = r.y - b
	}
	sq := make([]float64, p)
	for _, r := range rows {
		for j := range p {
			sq[j] += r.x[j] * r.x[j]
		}
	}
	for range 2000 {
		for j := range p {
			if sq[j] == 0 {
				continue
			}
			rho := 0.0
			for i, r := range rows {
				rho += r.x[j] * (resid[i] + w[j]*r.x[j])
			}
			nw := rho / (sq[j] + lambda)
			if s := scoring.FeatureSigns[scoring.FeatureNames[j]]; (s < 0 && nw > 0) || (s == 0 && nw < 0) {
				nw = 0
			}
			if d := nw - w[j]; d != 0 {
				for i, r := range rows {
					resid[i] -= d * r.x[j]
				}
				w[j] = nw
			}
		}
		// The intercept: the mean residual.
		m := 0.0
		for i := range resid {
			m += resid[i]
		}
		m /= float64(max(1, len(rows)))
		b += m
		for i := range resid {
			resid[i] -= m
		}
	}
	return w, b
}

// MarshalModel is the weights file's content.
func MarshalModel(m scoring.Model) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}
