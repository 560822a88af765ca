package speech

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
)

// TestMixtureWeightsExpandSendump expands the Debian model's sendump and quantises the weights
// back: every byte must come back as it was, and each senone's weights of a feature sum to one.
func TestMixtureWeightsExpandSendump(t *testing.T) {
	tools := DefaultTools()
	sd, err := os.ReadFile(filepath.Join(tools.ModelDir, "en-us", "sendump"))
	require.NoError(t, err, "the en-us model is installed (bash deploy/local/stack.sh install)")
	mw, err := MixtureWeights(sd)
	require.NoError(t, err)
	end := bytes.Index(mw, []byte("endhdr\n")) + len("endhdr\n")
	require.Zero(t, end%4, "the values are 4-byte aligned")
	var head [5]uint32
	require.NoError(t, binary.Read(bytes.NewReader(mw[end:]), binary.LittleEndian, &head))
	require.Equal(t, uint32(0x11223344), head[0])
	senones, features, codewords := int(head[1]), int(head[2]), int(head[3])
	require.Equal(t, 3, features)
	require.Equal(t, 128, codewords)
	require.Equal(t, uint32(senones*features*codewords), head[4])
	w := make([]float32, head[4])
	require.NoError(t, binary.Read(bytes.NewReader(mw[end+20:]), binary.LittleEndian, w))
	data := sd[len(sd)-features*codewords*senones:]
	for _, s := range []int{0, 1, senones / 2, senones - 1} {
		for f := range features {
			row := w[(s*features+f)*codewords:][:codewords]
			sum, top := 0.0, float32(0)
			for _, x := range row {
				sum += float64(x)
				top = max(top, x)
			}
			require.InDelta(t, 1, sum, 1e-4)
			for c, x := range row {
				// back to sendump's units: −log base 1.0001 of the weight relative to the largest, >> 10
				v := math.Round(-math.Log(float64(x/top)) / math.Log(1.0001) / 1024)
				want := float64(data[(f*codewords+c)*senones+s]) - float64(minByte(data, f, codewords, senones, s))
				require.InDelta(t, want, v, 0.5, "senone %d feature %d codeword %d", s, f, c)
			}
		}
	}
	_, err = MixtureWeights(sd[:len(sd)-7])
	require.ErrorContains(t, err, "do not match", "a truncated sendump is refused")
	_, err = MixtureWeights([]byte{0xff, 0xff, 0xff, 0x7f})
	require.Error(t, err, "a file that is no sendump is refused")
}

func minByte(data []byte, f, codewords, senones, s int) byte {
	m := byte(255)
	for c := range codewords {
		m = min(m, data[(f*codewords+c)*senones+s])
	}
	return m
}

// TestAdaptedToTheSpeaker decodes a recording twice, the second time with the model adapted to
// the speaker by the first decoding's words, and the report says so; an answer of a few words
// is decoded once.
func TestAdaptedToTheSpeaker(t *testing.T) {
	dir := t.TempDir()
	tools := DefaultTools()
	require.True(t, tools.Adapt, "decoder.json turns the adaptation on")
	require.NoError(t, tools.Check())
	a, err := tools.Extract(context.Background(), record(t, dir, strings.Repeat(spoken+" ", 2)), dir)
	require.NoError(t, err)
	tr, err := tools.TranscribeDetail(context.Background(), a)
	require.NoError(t, err)
	require.True(t, tr.Adapted, "%d words are enough to adapt to", len(tr.First))
	require.NotEmpty(t, tr.First)
	require.InDelta(t, len(tr.First), len(tr.Words), float64(len(tr.First))/5, "the adapted decoding finds about as many words: %q", Transcript(tr.Words))
	for _, want := range []string{"customer", "ownership", "team"} {
		require.Contains(t, Transcript(tr.Words), want)
	}
	left, err := filepath.Glob(filepath.Join(dir, "adapt-*"))
	require.NoError(t, err)
	require.Empty(t, left, "the transform and its audio are deleted once used")

	off := tools
	off.Adapt = false
	once, err := off.TranscribeDetail(context.Background(), a)
	require.NoError(t, err)
	require.False(t, once.Adapted)
	require.Equal(t, once.Words, tr.First, "the first decoding is the unadapted one")

	b, err := os.ReadFile(filepath.Join(dir, "answer.webm"))
	require.NoError(t, err)
	r, err := ScoreRecording(context.Background(), tools, b, scoring.Answer{Dims: []string{"ownership"}}, nil, nil)
	require.NoError(t, err)
	require.Contains(t, r.Method, "adapted to the speaker")

	short := t.TempDir()
	s, err := tools.Extract(context.Background(), record(t, short, "I fixed the query."), short)
	require.NoError(t, err)
	tr, err = tools.TranscribeDetail(context.Background(), s)
	require.NoError(t, err)
	require.False(t, tr.Adapted, "a few words are too few to adapt to")
}

// TestAdaptationFailsSoft: without sphinxtrain's programs the words are the first decoding's.
func TestAdaptationFailsSoft(t *testing.T) {
	dir := t.TempDir()
	tools := DefaultTools()
	tools.SphinxTrain = filepath.Join(dir, "missing")
	require.ErrorContains(t, tools.Check(), "adapt to the speaker")
	a, err := tools.Extract(context.Background(), record(t, dir, strings.Repeat(spoken+" ", 2)), dir)
	require.NoError(t, err)
	tr, err := tools.TranscribeDetail(context.Background(), a)
	require.NoError(t, err)
	require.False(t, tr.Adapted)
	require.NotEmpty(t, tr.Words)
	require.Equal(t, tr.First, tr.Words)
}
