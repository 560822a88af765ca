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

// TestTrieAndFullMix reads the generic en-us model from its binary trie (n-grams last word
// first) and mixes a question bank into every order of it.
func TestTrieAndFullMix(t *testing.T) {
	const model = "/usr/share/pocketsphinx/model/en-us"
	tr, err := ReadTrie(model + "/en-us.lm.bin")
	require.NoError(t, err)
	require.Len(t, tr.Words, 72547)
	id := map[string]int{}
	for i, w := range tr.Words {
		id[w] = i
	}
	require.InDelta(t, -1.3895, float64(tr.Uni[id["the"]].P)*logmathToLog10, 1e-3, "the unigram as the ARPA text has it")
	of := -99.0
	for j := tr.Uni[id["the"]].Next; j < tr.Uni[id["the"]+1].Next; j++ {
		if tr.Bi[j].Word == uint32(id["of"]) {
			of = float64(tr.Bi[j].P) * logmathToLog10
		}
	}
	require.Greater(t, of, -1.0, "p(the | of) is high: bigram j under \"the\" is \"x the\"")
	_, err = ReadTrie(filepath.Join(t.TempDir(), "missing"))
	require.Error(t, err)
	bad := filepath.Join(t.TempDir(), "bad.bin")
	require.NoError(t, os.WriteFile(bad, []byte("Trie Language Model\x03short"), 0o600))
	_, err = ReadTrie(bad)
	require.ErrorContains(t, err, "not a trigram trie model")

	known, err := Dictionary(model + "/cmudict-en-us.dict")
	require.NoError(t, err)
	arpa := string(Mix([]string{"The supplier sent the invoice late. I called the supplier about the invoice."}, tr, 0.3, known))
	// (Contains on a 100 MB text would print it all on failure.)
	require.True(t, strings.HasPrefix(arpa, "\\data\\\nngram 1=72547\n"))
	require.True(t, strings.Contains(arpa, "\tsupplier sent\t"), "the bank's bigrams are listed")
	require.True(t, strings.Contains(arpa, "\tof the\t"), "and the generic ones, with their backoff weights")
	require.True(t, strings.Contains(arpa, "\tcalled the supplier\n"), "and the bank's trigrams")
}
