package speech

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/infra/objects"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// Thresholds for the flags that send an answer to a person instead of an automatic decision.
const (
	MinConfidence   = 0.6 // mean word confidence: good transcripts ≈ 0.84, bad ≈ 0.41
	MinWords        = 15
	MaxSilenceRatio = 0.7
)

// Score is a recorded answer's result.
type Score struct {
	Scores  map[string]float64
	Overall float64
	Flags   rules.RoutingFlags
}

// Report is stored with the scores and shown to staff.
type Report struct {
	Method     string             `json:"method"`
	Transcript string             `json:"transcript"`
	Words      []Word             `json:"words"`
	Features   Features           `json:"features"`
	Content    scoring.Result     `json:"content"`
	Highlights []string           `json:"highlights"`
	Flags      rules.RoutingFlags `json:"flags"`
	Limits     string             `json:"limits"`
}

// Scorer scores recorded answers: decrypt → extract audio → transcribe → features → content.
type Scorer struct {
	Tools    Tools
	Objects  *objects.Store
	Store    *store.Store
	Progress func(step string) // heartbeats from the activity
	Content  scoring.Scorer    // nil: the built-in offline content scorer
}

// Score runs the pipeline on one recorded answer and stores the result with its report.
func (s *Scorer) Score(ctx context.Context, ans store.Answer, q scoring.Answer) (Score, error) {
	step := func(x string) {
		if s.Progress != nil {
			s.Progress(x)
		}
	}
	if ans.ObjectID == "" {
		return Score{}, fmt.Errorf("%w: the answer has no recording", ErrCorrupt)
	}
	o, err := s.Store.StoredObjectGet(ctx, ans.OrgID, ans.ObjectID)
	if err != nil {
		return Score{}, err
	}
	data, err := s.Objects.Read(ctx, o)
	if err != nil {
		return Score{}, err
	}
	dir, err := os.MkdirTemp("", "hireflow-answer-")
	if err != nil {
		return Score{}, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "recording")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return Score{}, err
	}
	step("extracting audio")
	audio, err := s.Tools.Extract(ctx, in, dir)
	if err != nil {
		return Score{}, err
	}
	step("transcribing")
	words, err := s.Tools.Transcribe(ctx, audio)
	if err != nil {
		return Score{}, err
	}
	step("scoring")
	feat := Analyse(words, audio)
	transcript := Transcript(words)
	scorer := s.Content
	if scorer == nil {
		scorer = scoring.Offline{}
	}
	q.Text, q.Lang = transcript, "en"
	content, err := scorer.Score(ctx, q)
	if err != nil {
		return Score{}, err
	}
	Place(&content, words)
	r := Report{Method: "speech-v2 (ffmpeg + pocketsphinx en-us) + " + content.Method, Transcript: transcript, Words: words,
		Features: feat, Content: content, Highlights: timedHighlights(content),
		Limits: "Scores judge what was said. They cannot judge culture fit, honesty, or anything visual: faces and expressions are never scored."}
	r.Flags.LowConfidence = len(words) > 0 && feat.MeanConfidence < MinConfidence
	r.Flags.TooShort = len(words) < MinWords
	r.Flags.MostlySilence = len(words) == 0 || feat.SilenceRatio > MaxSilenceRatio
	if err := s.Store.AnswerScoreSave(ctx, ans.OrgID, ans.ApplicationID, ans.ID, content.Scores, content.Overall, r.Flags, r, "speech-v2"); err != nil {
		return Score{}, err
	}
	return Score{Scores: content.Scores, Overall: content.Overall, Flags: r.Flags}, nil
}

// Transcript is the recognised words joined by single spaces.
func Transcript(words []Word) string {
	texts := make([]string, len(words))
	for i, w := range words {
		texts[i] = w.Text
	}
	return strings.Join(texts, " ")
}

// Place sets each piece of evidence's time: the start of the word its offset falls in (the
// transcript is the words joined by single spaces).
func Place(c *scoring.Result, words []Word) {
	starts := make([]int, len(words))
	off := 0
	for i, w := range words {
		starts[i] = off
		off += len(w.Text) + 1
	}
	for i := range c.Evidence {
		k := sort.SearchInts(starts, c.Evidence[i].Offset+1) - 1
		if k >= 0 && k < len(words) {
			c.Evidence[i].At = words[k].Start
		}
	}
}

// timedHighlights are the competency phrases with the time they were said ("01:30 — mentions
// "customer" (customer_focus)").
func timedHighlights(c scoring.Result) []string {
	out := []string{}
	for _, e := range c.Evidence {
		if e.Kind != "competency" || e.At < 0 || len(out) >= 8 {
			continue
		}
		out = append(out, fmt.Sprintf("%02d:%02d — mentions %q (%s)", int(e.At)/60, int(e.At)%60, e.Phrase, e.Dim))
	}
	return out
}
