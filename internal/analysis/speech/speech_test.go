package speech

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
)

// record makes a WebM/Opus recording of spoken text with flite and ffmpeg, like a browser's.
func record(t *testing.T, dir, text string) string {
	t.Helper()
	for _, tool := range []string{"flite", "ffmpeg", "pocketsphinx_continuous"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is required (bash deploy/local/stack.sh install)", tool)
	}
	wav := filepath.Join(dir, "speech.wav")
	out, err := exec.Command("flite", "-voice", "rms", "-t", text, "-o", wav).CombinedOutput()
	require.NoError(t, err, "%s", out)
	webm := filepath.Join(dir, "answer.webm")
	out, err = exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libopus", webm).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return webm
}

const spoken = "When I was on call a customer reported that checkout failed. I took ownership, found the root cause " +
	"and we reduced errors by sixty percent. I explained the trade off to the team."

func TestExtractTranscribeAnalyse(t *testing.T) {
	dir := t.TempDir()
	tools := DefaultTools()
	require.NoError(t, tools.Check())
	a, err := tools.Extract(context.Background(), record(t, dir, spoken), dir)
	require.NoError(t, err)
	require.InDelta(t, 11, a.Duration, 5)
	require.Greater(t, a.LUFS, -40.0)
	wav, err := os.ReadFile(a.Path)
	require.NoError(t, err)
	require.Equal(t, "data", string(wav[36:40]), "samples start at byte 44, where the pieces are cut from")
	words, err := tools.Transcribe(context.Background(), a)
	require.NoError(t, err)
	text := make([]string, len(words))
	for i, w := range words {
		text[i] = w.Text
		require.GreaterOrEqual(t, w.End, w.Start)
		require.NotContains(t, w.Text, "(")
	}
	joined := strings.Join(text, " ")
	for _, want := range []string{"customer", "ownership", "root", "percent"} {
		require.Contains(t, joined, want)
	}
	f := Analyse(words, a)
	require.Greater(t, f.MeanConfidence, MinConfidence)
	require.Greater(t, f.WordsPerMinute, 80.0)
	require.Less(t, f.SilenceRatio, 0.5)
}

func TestSilentAndCorruptRecordings(t *testing.T) {
	dir := t.TempDir()
	tools := DefaultTools()
	silent := filepath.Join(dir, "silent.webm")
	out, err := exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono",
		"-t", "6", "-c:a", "libopus", silent).CombinedOutput()
	require.NoError(t, err, "%s", out)
	a, err := tools.Extract(context.Background(), silent, dir)
	require.NoError(t, err)
	words, err := tools.Transcribe(context.Background(), a)
	require.NoError(t, err)
	f := Analyse(words, a)
	require.Greater(t, f.SilenceRatio, MaxSilenceRatio, "a silent recording is mostly silence")

	corrupt := filepath.Join(dir, "corrupt.webm")
	require.NoError(t, os.WriteFile(corrupt, []byte("\x1a\x45\xdf\xa3 this is not really webm at all"), 0o600))
	_, err = tools.Extract(context.Background(), corrupt, t.TempDir())
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestParseWordsDropsMarkersAndVariants(t *testing.T) {
	w := parseWords([]byte("hello world\n<s> 0.1 0.2 1.0\nwas(2) 0.5 0.8 0.99\n[NOISE] 0.8 0.9 0.3\n<sil> 0.9 1.0 0.5\nok 1.0 1.2 0.7\nbad line\n"))
	require.Equal(t, []Word{{Text: "was", Start: 0.5, End: 0.8, Conf: 0.99}, {Text: "ok", Start: 1.0, End: 1.2, Conf: 0.7}}, w)
	s, l, p := parseLevels("[silencedetect] silence_end: 3.5 | silence_duration: 1.5\n[silencedetect] silence_end: 10 | silence_duration: 2\n  I:         -23.4 LUFS\n")
	require.Equal(t, 3.5, s)
	require.Equal(t, -23.4, l)
	require.Equal(t, [][2]float64{{2, 3.5}, {8, 10}}, p)
}

func TestDurationRefusesTruncatedRecordings(t *testing.T) {
	dir := t.TempDir()
	full := record(t, dir, spoken)
	d, err := DefaultTools().Duration(context.Background(), full)
	require.NoError(t, err)
	require.InDelta(t, 11, d, 5)
	data, err := os.ReadFile(full)
	require.NoError(t, err)
	cut := filepath.Join(dir, "cut.webm")
	require.NoError(t, os.WriteFile(cut, data[:len(data)/3], 0o600))
	_, err = DefaultTools().Duration(context.Background(), cut)
	require.ErrorIs(t, err, ErrCorrupt, "a truncated upload is refused, not stored as a shorter answer")
}

func TestCutsFallInPauses(t *testing.T) {
	tools := Tools{Parallel: 2, MinPiece: 15 * time.Second}
	a := Audio{Duration: 60, Pauses: [][2]float64{{10, 11}, {27, 28}, {40, 41}}}
	require.Equal(t, []float64{27.5}, tools.Cuts(a), "the pause nearest to the middle")
	a.Pauses = [][2]float64{{2, 3}}
	require.Equal(t, []float64{30.0}, tools.Cuts(a), "no pause near the middle: cut at the middle")
	require.Empty(t, tools.Cuts(Audio{Duration: 20}), "short recordings are decoded whole")
	require.Empty(t, Tools{Parallel: 1, MinPiece: time.Second}.Cuts(a))
	require.Len(t, Tools{Parallel: 4, MinPiece: 15 * time.Second}.Cuts(Audio{Duration: 60}), 3)
}

// TestPiecesKeepTheirTimes decodes a long recording whole and in pieces: the same words come
// back, in order, with times in the whole recording.
func TestPiecesKeepTheirTimes(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat(spoken+" ", 4)
	tools := DefaultTools()
	a, err := tools.Extract(context.Background(), record(t, dir, long), dir)
	require.NoError(t, err)
	require.Greater(t, a.Duration, 40.0)
	tools.Parallel, tools.MinPiece = 1, 0
	whole, err := tools.Transcribe(context.Background(), a)
	require.NoError(t, err)
	tools.Parallel, tools.MinPiece = 3, 10*time.Second
	require.Len(t, tools.Cuts(a), 2)
	pieces, err := tools.Transcribe(context.Background(), a)
	require.NoError(t, err)
	for i := 1; i < len(pieces); i++ {
		require.GreaterOrEqual(t, pieces[i].Start, pieces[i-1].Start, "times only move forward")
	}
	require.Greater(t, pieces[len(pieces)-1].Start, a.Duration*0.8, "the last piece's words carry their time in the whole recording")
	require.InDelta(t, len(whole), len(pieces), float64(len(whole))/10, "the pieces find about the same words as the whole")
}

// TestTranscribedWhileRecording feeds a recording to LiveStretch as its pieces arrive (byte
// prefixes of the file, as MediaRecorder's timeslices join), then transcribes only the rest:
// the words are about those of the whole, with their times in the whole recording.
func TestTranscribedWhileRecording(t *testing.T) {
	dir := t.TempDir()
	file := record(t, dir, strings.Repeat(spoken+" ", 3))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	tools := DefaultTools()
	a, err := tools.Extract(context.Background(), file, dir)
	require.NoError(t, err)
	whole, err := tools.Transcribe(context.Background(), a)
	require.NoError(t, err)

	var prior Prior
	for k := 1; k <= 6; k++ {
		part := filepath.Join(dir, fmt.Sprintf("part%d.webm", k))
		require.NoError(t, os.WriteFile(part, b[:len(b)*k/6], 0o600))
		sub := filepath.Join(dir, fmt.Sprint(k))
		require.NoError(t, os.MkdirAll(sub, 0o700))
		next, err := tools.LiveStretch(context.Background(), part, sub, prior)
		require.NoError(t, err, "a prefix of the recording decodes")
		require.GreaterOrEqual(t, next.Until, prior.Until)
		require.GreaterOrEqual(t, len(next.Words), len(prior.Words))
		for i, w := range prior.Words {
			require.Equal(t, w, next.Words[i], "a stretch only adds words")
		}
		for _, w := range next.Words[len(prior.Words):] {
			require.GreaterOrEqual(t, w.Start, prior.Until, "a stretch's words carry their time in the whole recording")
		}
		if len(next.Speaker) > 0 && len(prior.Speaker) == 0 {
			require.True(t, adaptable(next.Words), "the transform is fitted once the words are enough")
			require.Equal(t, next.Until, next.SpeakerUntil)
		}
		prior = next
	}
	require.NotEmpty(t, prior.Speaker, "a speaker transform was fitted while recording")
	require.Greater(t, prior.Until, a.Duration/2, "most of the recording was transcribed before it ended")
	require.Less(t, prior.Until, a.Duration)
	tr, err := tools.TranscribeAfter(context.Background(), a, prior)
	require.NoError(t, err)
	require.True(t, tr.Adapted, "the rest is decoded with the transform fitted while recording")
	after := tr.Words
	require.InDelta(t, len(whole), len(after), float64(len(whole))/10, "about the same words as the whole: %q", Transcript(after))
	for i := 1; i < len(after); i++ {
		require.GreaterOrEqual(t, after[i].Start, after[i-1].Start)
	}
	r, err := ScoreRecordingAfter(context.Background(), tools, b, prior, scoring.Answer{Dims: []string{"ownership"}}, nil, nil)
	require.NoError(t, err)
	require.Equal(t, prior.Until, r.Live)
	require.Contains(t, r.Method, "transcribed while recording")
	require.Contains(t, r.Method, "adapted to the speaker")

	// A transform pocketsphinx cannot read leaves the rest decoded unadapted, never lost.
	broken := prior
	broken.Speaker = []byte("not a transform")
	tr, err = tools.TranscribeAfter(context.Background(), a, broken)
	require.NoError(t, err)
	require.False(t, tr.Adapted)
	require.InDelta(t, len(whole), len(tr.Words), float64(len(whole))/10)
}

// TestDecoderSettingsAreData: the kept settings parse, are what DefaultTools passes, and are
// among those measured.
func TestDecoderSettingsAreData(t *testing.T) {
	var d struct {
		Settings []string `json:"settings"`
		Command  string   `json:"command"`
		Measured []struct {
			Settings string             `json:"settings"`
			WER      float64            `json:"wer"`
			ByVoice  map[string]float64 `json:"by_voice"`
		} `json:"measured"`
	}
	require.NoError(t, json.Unmarshal(decoderJSON, &d))
	require.Equal(t, d.Settings, DefaultTools().Decoder)
	require.Contains(t, d.Command, "hireflow eval scoring")
	found := false
	for _, m := range d.Measured {
		require.Len(t, m.ByVoice, 4, "measured per voice: %s", m.Settings)
		found = found || m.Settings == strings.Join(d.Settings, " ")
	}
	require.True(t, found, "the kept settings were measured")
}
