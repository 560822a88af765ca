package speech

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hireflow/hireflow/internal/objects"
	"github.com/hireflow/hireflow/internal/scoring"
	"github.com/hireflow/hireflow/internal/store"
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
func (s *Scorer) Score(ctx context.Context, ans store.Answer, question string, dims []string) (Score, error) {
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
	words, err := s.Tools.Transcribe(ctx, audio.Path)
	if err != nil {
		return Score{}, err
	}
	step("scoring")
	feat := Analyse(words, audio)
	texts := make([]string, len(words))
	for i, w := range words {
		texts[i] = w.Text
	}
	transcript := strings.Join(texts, " ")
	scorer := s.Content
	if scorer == nil {
		scorer = scoring.Offline{}
	}
	content, err := scorer.Score(ctx, transcript, question, ans.Language, dims)
	if err != nil {
		return Score{}, err
	}
	r := Report{Method: "speech-v1 (ffmpeg + pocketsphinx en-us) + " + content.Method, Transcript: transcript, Words: words,
		Features: feat, Content: content, Highlights: timedHighlights(content, words),
		Limits: "Scores judge what was said. They cannot judge culture fit, honesty, or anything visual: faces and expressions are never scored."}
	r.Flags.LowConfidence = len(words) > 0 && feat.MeanConfidence < MinConfidence
	r.Flags.TooShort = len(words) < MinWords
	r.Flags.MostlySilence = len(words) == 0 || feat.SilenceRatio > MaxSilenceRatio
	if err := s.Store.AnswerScoreSave(ctx, ans.OrgID, ans.ApplicationID, ans.ID, content.Scores, content.Overall, r.Flags, r, "speech-v1"); err != nil {
		return Score{}, err
	}
	return Score{Scores: content.Scores, Overall: content.Overall, Flags: r.Flags}, nil
}

// timedHighlights places the content scorer's highlights at the time the phrase was said.
func timedHighlights(c scoring.Result, words []Word) []string {
	var out []string
	for _, h := range c.Highlights {
		phrase := h
		if i := strings.IndexByte(h, '"'); i >= 0 {
			if j := strings.IndexByte(h[i+1:], '"'); j >= 0 {
				phrase = h[i+1 : i+1+j]
			}
		}
		first := strings.Fields(phrase)
		at := -1.0
		for _, w := range words {
			if len(first) > 0 && strings.HasPrefix(w.Text, first[0]) {
				at = w.Start
				break
			}
		}
		if at < 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%02d:%02d — %s", int(at)/60, int(at)%60, h))
	}
	return out
}
