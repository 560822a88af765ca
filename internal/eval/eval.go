// Package eval measures the answer scorer on a labelled set kept in the repository: the
// Spearman correlation between scores and labels, and the speech-to-text word error rate.
package eval

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"

	"github.com/hireflow/hireflow/internal/scoring"
	"github.com/hireflow/hireflow/internal/speech"
)

//go:embed set.yaml
var setYAML []byte

// Set is the labelled evaluation set.
type Set struct {
	Questions []struct {
		ID         string   `yaml:"id"`
		Lang       string   `yaml:"lang"`
		Text       string   `yaml:"text"`
		Dimensions []string `yaml:"dimensions"`
		Answers    []struct {
			Label  int    `yaml:"label"`
			Script string `yaml:"script"`
		} `yaml:"answers"`
	} `yaml:"questions"`
}

// Result is what `hireflow eval scoring` prints as its last line.
type Result struct {
	Answers   int     `json:"answers"`
	Spearman  float64 `json:"spearman"`
	WER       float64 `json:"wer"` // spoken answers: flite voice → WebM/Opus → ffmpeg → pocketsphinx
	Spoken    int     `json:"spoken_answers"`
	PerAnswer []Row   `json:"-"`
}

// Row is one answer's outcome.
type Row struct {
	Question string
	Label    int
	Score    float64
	WER      float64
}

// Run scores every answer of the set: English ones spoken and transcribed, Chinese ones typed.
func Run(ctx context.Context, progress func(string)) (Result, error) {
	var set Set
	if err := yaml.Unmarshal(setYAML, &set); err != nil {
		return Result{}, err
	}
	tools := speech.DefaultTools()
	if err := tools.Check(); err != nil {
		return Result{}, err
	}
	dir, err := os.MkdirTemp("", "hireflow-eval-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	var res Result
	var errWords, refWords int
	for _, q := range set.Questions {
		for i, a := range q.Answers {
			text := a.Script
			row := Row{Question: q.ID, Label: a.Label}
			if q.Lang == "en" {
				base := filepath.Join(dir, fmt.Sprintf("%s-%d", q.ID, i))
				if out, err := exec.CommandContext(ctx, "flite", "-voice", "rms", "-t", a.Script, "-o", base+".wav").CombinedOutput(); err != nil {
					return res, fmt.Errorf("eval: flite: %v %s", err, out)
				}
				if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", base+".wav", "-c:a", "libopus", base+".webm").CombinedOutput(); err != nil {
					return res, fmt.Errorf("eval: ffmpeg: %v %s", err, out)
				}
				audio, err := tools.Extract(ctx, base+".webm", dir)
				if err != nil {
					return res, err
				}
				words, err := tools.Transcribe(ctx, audio.Path)
				if err != nil {
					return res, err
				}
				hyp := make([]string, len(words))
				for k, w := range words {
					hyp[k] = w.Text
				}
				ref := normalise(a.Script)
				e := editDistance(ref, hyp)
				errWords += e
				refWords += len(ref)
				row.WER = float64(e) / float64(len(ref))
				text = strings.Join(hyp, " ")
				res.Spoken++
			}
			row.Score = scoring.ScoreAnswer(text, q.Text, q.Dimensions).Overall
			res.PerAnswer = append(res.PerAnswer, row)
			progress(fmt.Sprintf("%s #%d label %d → %.1f", q.ID, i+1, a.Label, row.Score))
		}
	}
	res.Answers = len(res.PerAnswer)
	labels, scores := make([]float64, res.Answers), make([]float64, res.Answers)
	for i, r := range res.PerAnswer {
		labels[i], scores[i] = float64(r.Label), r.Score
	}
	res.Spearman = math.Round(spearman(labels, scores)*1000) / 1000
	if refWords > 0 {
		res.WER = math.Round(float64(errWords)/float64(refWords)*1000) / 1000
	}
	return res, nil
}

func normalise(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
}

// editDistance counts word substitutions, insertions and deletions.
func editDistance(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur := make([]int, len(hyp)+1)
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			cost := 1
			if ref[i-1] == hyp[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(hyp)]
}

// spearman is the rank correlation with average ranks for ties.
func spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	n := float64(len(x))
	mx, my := 0.0, 0.0
	for i := range rx {
		mx += rx[i] / n
		my += ry[i] / n
	}
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
