package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech/lm"
)

func TestSpearmanAndEditDistance(t *testing.T) {
	require.InDelta(t, 1.0, spearman([]float64{1, 2, 3}, []float64{10, 20, 30}), 1e-9)
	require.InDelta(t, -1.0, spearman([]float64{1, 2, 3}, []float64{3, 2, 1}), 1e-9)
	require.InDelta(t, 0.866, spearman([]float64{1, 1, 2}, []float64{1, 2, 3}), 1e-3, "ties take average ranks")
	require.Equal(t, 2, editDistance([]string{"a", "b", "c"}, []string{"a", "x"}))
	require.Equal(t, 0, editDistance(normalise("Hello, World!"), []string{"hello", "world"}))
}

// TestScorerOnTheLabelledSet runs the whole labelled set through the real pipeline, each English
// answer spoken by a voice of its own and decoded with the domain language model; it guards the scorer's ranking on the development part
// (not its speed) and that the held-out part — at least 30 % of the questions, split by
// question — is measured apart. The held-out figure is reported, not held to a goal here: it
// is what the README quotes.
func TestScorerOnTheLabelledSet(t *testing.T) {
	// As the scoring worker decodes: with the question bank's domain language model.
	res, err := Run(context.Background(), Options{AllVoices: true, DomainLM: true}, func(string) {})
	require.NoError(t, err)
	require.Equal(t, 157, res.Answers)
	require.GreaterOrEqual(t, res.Dev.Spearman, 0.8, "scores must rank the development answers as the labels do (0.85 when measured through speech; its traps included)")
	require.Equal(t, res.HeldOut.Spearman, res.SpearmanHeldOut)
	require.Len(t, res.WERByVoice, len(Voices))
	require.Contains(t, res.KeywordTrapOK, "en", "the trap checks are reported through speech too")
	// Typed (no speech errors), every vocabulary or stock-phrase trap scores below every answer
	// of its question labelled 3 or more, in both languages and both parts.
	typed, err := Run(context.Background(), Options{Typed: true}, func(string) {})
	require.NoError(t, err)
	for _, l := range []string{"en", "zh"} {
		require.True(t, typed.KeywordTrapOK[l], "competency words without an example score below every answer labelled 3 or more (%s): %+v", l, typed.Traps)
	}
	require.GreaterOrEqual(t, float64(res.HeldOut.Questions), 0.3*float64(res.Questions), "a held-out part of at least 30 %% of the questions")
	require.Equal(t, res.Answers, res.Dev.Answers+res.HeldOut.Answers)
	require.NotEmpty(t, res.HeldOut.ByDimension, "held-out answers are graded per dimension")
	require.LessOrEqual(t, res.WER, 0.25)
	require.Len(t, res.ByVoice, len(Voices), "every flite voice speaks some answers")
	mean := 0.0
	for v, s := range res.ByVoice {
		require.Positive(t, s.Spoken, v)
		mean += s.WER / float64(len(Voices))
	}
	require.InDelta(t, mean, res.WERVoiceMean, 0.001, "the goal's measure: the voices' WERs averaged")
	// As the worker decodes: answers long enough are decoded again adapted to their speaker,
	// and the first decoding's WER is reported beside it, from the same run.
	require.Positive(t, res.Adapted)
	require.Less(t, res.Adapted, res.Spoken, "short answers are decoded once")
	require.Positive(t, res.WERFirst)
	require.Positive(t, res.WERVoiceMeanFirst)
}

func TestLoadSetRefusesBrokenSets(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"not yaml":     "questions: [",
		"no questions": "questions: []",
		"bad lang":     "questions: [{id: q, lang: fr, text: x, dimensions: [a], answers: [{label: 1, script: a}, {label: 2, script: b}]}]",
		"one answer":   "questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{label: 1, script: a}]}]",
		"no label":     "questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{script: a}, {label: 2, script: b}]}]",
		"no dims":      "questions: [{id: q, lang: en, text: x, answers: [{label: 1, script: a}, {label: 2, script: b}]}]",
		"bad split":    "questions: [{id: q, lang: en, split: test, text: x, dimensions: [a], answers: [{label: 1, script: a}, {label: 2, script: b}]}]",
		"bad trap":     "questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{label: 1, trap: clever, script: a}, {label: 2, script: b}]}]",
		"strong trap":  "questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{label: 4, trap: keyword, script: a}, {label: 2, script: b}]}]",
		"bad voice":    "questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{label: 1, voice: hal9000, script: a}, {label: 2, script: b}]}]",
	} {
		f := filepath.Join(dir, "set.yaml")
		require.NoError(t, os.WriteFile(f, []byte(body), 0o600))
		_, err := LoadSet(f)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "eval:", name)
	}
	_, err := LoadSet(filepath.Join(dir, "missing.yaml"))
	require.Error(t, err)
	set, err := LoadSet("")
	require.NoError(t, err, "the kept set is valid")
	require.NotEmpty(t, set.Questions)
	zh, held := 0, 0
	for _, q := range set.Questions {
		if q.Lang == "zh" {
			zh++
		}
		if q.Split == "heldout" {
			held++
		}
		require.Contains(t, []string{"dev", "heldout"}, q.Split, "every question is in one part")
	}
	require.GreaterOrEqual(t, float64(held), 0.3*float64(len(set.Questions)), "at least 30 %% of the questions held out")
	require.GreaterOrEqual(t, float64(zh), 0.4*float64(len(set.Questions)), "at least 40 %% Chinese")
}

// TestKeptWeightsAreTheFit refits the offline scorer on the development part and requires the
// weights kept in the repository to be what the fit gives: the data and its command agree.
func TestKeptWeightsAreTheFit(t *testing.T) {
	set, err := LoadSet("")
	require.NoError(t, err)
	rep, err := Fit(set, 5)
	require.NoError(t, err)
	kept := scoring.KeptModel()
	require.Equal(t, kept.Features, rep.Model.Features)
	require.InDeltaSlice(t, kept.Weights, rep.Model.Weights, 1e-3, "run: %s", FitCommand)
	require.InDelta(t, kept.Intercept, rep.Model.Intercept, 1e-3)
	require.Equal(t, kept.Lambda, rep.Model.Lambda)
	require.Greater(t, rep.Model.CVSpearman, 0.75, "cross-validated by question on the development part")
	require.Len(t, rep.CV, len(Lambdas))

	// The held-out part is never read: changing its labels changes nothing.
	for qi := range set.Questions {
		if set.Questions[qi].Split == "heldout" {
			for ai := range set.Questions[qi].Answers {
				l := Label(1)
				set.Questions[qi].Answers[ai].Label = &l
			}
		}
	}
	again, err := Fit(set, 5)
	require.NoError(t, err)
	require.Equal(t, rep.Model, again.Model)

	// A weights file with other features or a sign the model forbids is refused.
	_, err = scoring.ParseModel([]byte(`{"features":["length"],"weights":[1]}`))
	require.ErrorContains(t, err, "features")
	b, err := MarshalModel(rep.Model)
	require.NoError(t, err)
	m, err := scoring.ParseModel(b)
	require.NoError(t, err)
	m.Weights[len(m.Weights)-1] = 1 // vague phrases may only lower a score
	b, _ = MarshalModel(m)
	_, err = scoring.ParseModel(b)
	require.ErrorContains(t, err, "sign")
}

// TestBrowserCapture speaks two short answers into headless Chromium's fake microphone,
// records them with MediaRecorder as the interview page does, and scores the transcripts.
func TestBrowserCapture(t *testing.T) {
	f := writeSet(t, customerQuestion("customer")+`
      - label: 2
        script: A customer called about a late invoice. I listened, fixed the invoice the same day and followed up.
      - label: 1
        script: I do not remember anything special.
`)
	res, err := Run(context.Background(), Options{SetFile: f, Browser: true}, func(string) {})
	require.NoError(t, err)
	require.Equal(t, "browser", res.Capture)
	require.Equal(t, 2, res.Spoken)
	require.LessOrEqual(t, res.WER, 0.35, "the browser recording is transcribed")
	require.Greater(t, res.PerAnswer[0].Score, res.PerAnswer[1].Score)
}

func TestLabelsAsWordsOrNumbersFromZero(t *testing.T) {
	f := writeSet(t, customerQuestion("words")+`
      - {label: strong, text: "Last year a client was about to leave because reports were late. I called her, built a weekly report and followed up each Friday. She renewed for two years and her satisfaction rose from six to nine."}
      - {label: medium, text: "A customer had a problem with an invoice and I fixed it the same day. They were happy."}
      - {label: weak, text: "I do not remember anything special."}
  - id: numbers
    lang: zh
    text: 请讲述一次你帮助客户的经历。
    dimensions: [customer_focus]
    answers:
      - {label: 0, script: "不记得了，无所谓。"}
      - {label: 1.5, script: "有客户的发票出了问题，我当天帮他处理好了，客户比较满意。"}
`)
	res, err := Run(context.Background(), Options{SetFile: f, Typed: true}, func(string) {})
	require.NoError(t, err)
	require.Equal(t, 5, res.Answers)
	require.Equal(t, Label(0), res.PerAnswer[3].Label)
	require.True(t, res.PerAnswer[3].HasLabel, "0 is a label")
	require.Greater(t, res.Spearman, 0.8)
	require.NoError(t, os.WriteFile(f, []byte("questions: [{id: q, lang: en, text: x, dimensions: [a], answers: [{label: brilliant, script: a}, {label: 2, script: b}]}]"), 0o600))
	_, err = LoadSet(f)
	require.ErrorContains(t, err, "unknown label")
}

// writeSet writes a labelled set to a file of the test's own.
func writeSet(t *testing.T, yaml string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "set.yaml")
	require.NoError(t, os.WriteFile(f, []byte(yaml), 0o600))
	return f
}

// customerQuestion is the head of a one-question English set; its answers follow.
func customerQuestion(id string) string {
	return "questions:\n  - id: " + id + "\n    lang: en\n    text: Tell us about a customer you helped.\n    dimensions: [customer_focus]\n    answers:"
}

// TestCorpusHoldsNoAnswerOfTheSet: the language model's interview-answer corpus shares no run
// of five words with any answer of the labelled set, so a WER measured with it is not measured
// on its own training text.
func TestCorpusHoldsNoAnswerOfTheSet(t *testing.T) {
	set, err := LoadSet("")
	require.NoError(t, err)
	grams := map[string]string{}
	for _, q := range set.Questions {
		for _, a := range q.Answers {
			w := lm.Tokens(a.Script)
			for i := 0; i+5 <= len(w); i++ {
				grams[strings.Join(w[i:i+5], " ")] = q.ID
			}
		}
	}
	for _, s := range lm.Corpus() {
		w := lm.Tokens(s)
		for i := 0; i+5 <= len(w); i++ {
			g := strings.Join(w[i:i+5], " ")
			require.Empty(t, grams[g], "the corpus line %q repeats %q of an answer to %s", s, g, grams[g])
		}
	}
}
