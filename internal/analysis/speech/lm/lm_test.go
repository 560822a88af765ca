package lm

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBuildWritesAValidARPA: the header counts what follows, the unigrams are a distribution
// mixing the domain's and the generic model's by λ, and seen trigrams are likelier than their
// backed-off estimate.
func TestBuildWritesAValidARPA(t *testing.T) {
	generic := Unigrams{"</s>": -1, "the": -1.2, "customer": -3, "called": -3.5, "i": -1.5, "zebra": -4, "<s>": -99}
	arpa := Build([]string{"I called the customer. The customer called.", "I called the customer again!"}, generic,
		Options{Lambda: 0.5, Known: func(w string) bool { return w != "again" }})
	sections := map[string][][]string{}
	counts := map[string]int{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(arpa))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "ngram "):
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "ngram "), "=")
			counts[k], _ = strconv.Atoi(v)
		case strings.HasSuffix(l, "-grams:"):
			cur = strings.TrimSuffix(strings.TrimPrefix(l, "\\"), "-grams:")
		case l == "" || strings.HasPrefix(l, "\\"):
		case cur != "":
			sections[cur] = append(sections[cur], strings.Split(l, "\t"))
		}
	}
	for k, n := range counts {
		require.Len(t, sections[k], n, "the header counts the %s-grams", k)
	}
	sum := 0.0
	for _, f := range sections["1"] {
		require.NotEqual(t, "again", f[1], "words the dictionary lacks are left out")
		if f[1] != "<s>" {
			lp, err := strconv.ParseFloat(f[0], 64)
			require.NoError(t, err)
			sum += math.Pow(10, lp)
		}
	}
	require.InDelta(t, 1, sum, 0.01, "the unigrams are a distribution")
	require.Contains(t, string(arpa), "\tzebra\n", "generic words stay in the vocabulary")
	require.Contains(t, string(arpa), "\ti called the\n")
	require.True(t, strings.HasSuffix(string(arpa), "\\end\\\n"))
	require.NotEmpty(t, Corpus())
	for _, s := range Corpus() {
		require.False(t, strings.HasPrefix(s, "#"))
	}
}

func TestReadUnigrams(t *testing.T) {
	u := ReadUnigrams([]byte("\\data\\\nngram 1=2\n\n\\1-grams:\n-1.5\thello\t-0.3\n-2\tworld\nbad line\n-x\tnan\n\n\\2-grams:\n-1\thello world\n"))
	require.Equal(t, Unigrams{"hello": -1.5, "world": -2}, u)
}

// TestDomainModelOfAQuestionBank builds a question bank's model from the generic en-us model's
// word frequencies (read with sphinx_lm_convert), keeps it by its input, and pocketsphinx
// decodes with it.
func TestDomainModelOfAQuestionBank(t *testing.T) {
	for _, tool := range []string{"sphinx_lm_convert", "pocketsphinx_continuous", "flite"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s is required (bash deploy/local/stack.sh install)", tool)
	}
	const model = "/usr/share/pocketsphinx/model/en-us"
	b := &Builder{Dir: t.TempDir(), Model: model + "/en-us.lm.bin", Dict: model + "/cmudict-en-us.dict", Lambda: 0.5}
	path, err := b.For(context.Background(), []string{"Tell us about a customer you helped.", "listened to the customer's need"})
	require.NoError(t, err)
	again, err := b.For(context.Background(), []string{"Tell us about a customer you helped.", "listened to the customer's need"})
	require.NoError(t, err)
	require.Equal(t, path, again, "one model per question bank")
	g, err := GenericUnigrams(context.Background(), b.Model, b.Dir)
	require.NoError(t, err)
	require.Greater(t, len(g), 70000, "the generic model's vocabulary")
	require.Contains(t, g, "customer")

	dir := t.TempDir()
	wav := filepath.Join(dir, "a.wav")
	out, err := exec.Command("flite", "-voice", "rms", "-t", "I called the customer and listened to her need.", "-o", wav).CombinedOutput()
	require.NoError(t, err, "%s", out)
	pcm := filepath.Join(dir, "a16.wav")
	out, err = exec.Command("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-ac", "1", "-ar", "16000", pcm).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command("pocketsphinx_continuous", "-hmm", model+"/en-us", "-lm", path, "-dict", model+"/cmudict-en-us.dict",
		"-infile", pcm, "-logfn", os.DevNull).Output()
	require.NoError(t, err)
	require.Contains(t, string(out), "customer", "decoded with the domain model")
}
