package speech

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/rules"
)

// Thresholds for the flags that send an answer to a person instead of an automatic decision.
const (
	MinConfidence   = 0.6 // mean word confidence: good transcripts ≈ 0.84, bad ≈ 0.41
	MinWords        = 15
	MaxSilenceRatio = 0.7
)

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
	// Live is how many seconds of the recording were transcribed while it was being recorded.
	Live float64 `json:"live_seconds,omitempty"`
}

// Method names the speech pipeline in stored scores.
const Method = "speech-v2"

// ScoreRecording runs the pipeline on one recording's bytes: extract the audio, transcribe it,
// measure the speech, score the transcript's content against q and place every piece of
// evidence at the second it was said. It reads and writes nothing but a temporary directory;
// the caller loads the recording and stores the report. content nil is the offline scorer;
// progress (may be nil) hears each step, for heartbeats.
func ScoreRecording(ctx context.Context, tools Tools, recording []byte, q scoring.Answer, content scoring.Scorer, progress func(string)) (Report, error) {
	return ScoreRecordingAfter(ctx, tools, recording, Prior{}, q, content, progress)
}

// ScoreRecordingAfter is ScoreRecording with what was transcribed while the candidate spoke:
// only the audio after prior.Until is decoded. The whole recording is still extracted and
// measured (the features, the silences and the duration are its own).
func ScoreRecordingAfter(ctx context.Context, tools Tools, recording []byte, prior Prior, q scoring.Answer, content scoring.Scorer, progress func(string)) (Report, error) {
	step := func(x string) {
		if progress != nil {
			progress(x)
		}
	}
	if len(recording) == 0 {
		return Report{}, fmt.Errorf("%w: the answer has no recording", ErrCorrupt)
	}
	dir, err := os.MkdirTemp("", "hireflow-answer-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "recording")
	if err := os.WriteFile(in, recording, 0o600); err != nil {
		return Report{}, err
	}
	step("extracting audio")
	audio, err := tools.Extract(ctx, in, dir)
	if err != nil {
		return Report{}, err
	}
	step("transcribing")
	tr, err := tools.TranscribeAfter(ctx, audio, prior)
	if err != nil {
		return Report{}, err
	}
	words := tr.Words
	step("scoring")
	feat := Analyse(words, audio)
	transcript := Transcript(words)
	if content == nil {
		content = scoring.Offline{}
	}
	q.Text, q.Lang = transcript, "en"
	c, err := content.Score(ctx, q)
	if err != nil {
		return Report{}, err
	}
	Place(&c, words)
	decoder := "ffmpeg + pocketsphinx en-us"
	if tools.LM != "" {
		decoder += " with the job's language model"
	}
	if tr.Adapted {
		decoder += ", adapted to the speaker"
	}
	if prior.Until > 0 && prior.Until < audio.Duration {
		decoder += fmt.Sprintf("; %.0f s of %.0f s transcribed while recording", prior.Until, audio.Duration)
	}
	method := Method + " (" + decoder + ") + "
	r := Report{Method: method + c.Method, Live: round(min(prior.Until, audio.Duration), 2), Transcript: transcript, Words: words,
		Features: feat, Content: c, Highlights: timedHighlights(c),
		Limits: "Scores judge what was said. They cannot judge culture fit, honesty, or anything visual: faces and expressions are never scored."}
	r.Flags.LowConfidence = len(words) > 0 && feat.MeanConfidence < MinConfidence
	r.Flags.TooShort = len(words) < MinWords
	r.Flags.MostlySilence = len(words) == 0 || feat.SilenceRatio > MaxSilenceRatio
	return r, nil
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
