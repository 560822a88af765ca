// Package lm builds a domain language model for the speech-to-text decoder: a trigram model of a
// job's questions and reference points and a general corpus of spoken interview answers kept in
// the repository, interpolated with the word frequencies of the generic en-us model, written in
// the ARPA format pocketsphinx reads.
//
// The model is Witten–Bell smoothed: at each order, a history seen c times with t different
// next words gives t/(c+t) of its mass to the order below, down to the unigrams, which are
// λ × the domain's relative frequency + (1−λ) × the generic model's.
package lm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

//go:embed corpus.txt
var corpusTxt string

// Corpus is the general interview-answer corpus, one sentence per entry.
func Corpus() []string {
	var out []string
	for _, l := range strings.Split(corpusTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// Unigrams are words with their log10 probabilities.
type Unigrams map[string]float64

// Options shape a built model.
type Options struct {
	// Lambda is the domain's share of the unigram distribution (the rest is the generic model's).
	Lambda float64
	// Known reports whether the decoder's dictionary has a word; words it lacks are left out.
	Known func(string) bool
}

var sentenceEnd = regexp.MustCompile(`[.!?;。！？；\n]+`)

// Tokens are a sentence's words as the decoder spells them: lower case, letters and apostrophes.
func Tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
}

// Build writes the ARPA text of the domain model of texts (each cut into sentences).
func Build(texts []string, generic Unigrams, opt Options) []byte {
	if opt.Lambda <= 0 || opt.Lambda > 1 {
		opt.Lambda = 0.5
	}
	known := opt.Known
	if known == nil {
		known = func(string) bool { return true }
	}
	type key = string // words joined by a space
	c1 := map[string]float64{}
	c2 := map[key]float64{}
	c3 := map[key]float64{}
	n1 := 0.0
	for _, t := range texts {
		for _, s := range sentenceEnd.Split(t, -1) {
			var ws []string
			for _, w := range Tokens(s) {
				if known(w) {
					ws = append(ws, w)
				}
			}
			if len(ws) == 0 {
				continue
			}
			ws = append(append([]string{"<s>"}, ws...), "</s>")
			for i, w := range ws {
				if i > 0 {
					c1[w]++
					n1++
					c2[ws[i-1]+" "+w]++
				}
				if i > 1 {
					c3[ws[i-2]+" "+ws[i-1]+" "+w]++
				}
			}
		}
	}
	// Unigrams over the generic vocabulary and the domain's words.
	vocab := map[string]bool{"</s>": true}
	gsum := 0.0
	for w, lp := range generic {
		if w == "<s>" || !known(w) && w != "</s>" {
			continue
		}
		vocab[w] = true
		gsum += math.Pow(10, lp)
	}
	for w := range c1 {
		vocab[w] = true
	}
	p1 := map[string]float64{}
	for w := range vocab {
		g := 0.0
		if lp, ok := generic[w]; ok && gsum > 0 {
			g = math.Pow(10, lp) / gsum
		}
		d := 0.0
		if n1 > 0 {
			d = c1[w] / n1
		}
		p1[w] = opt.Lambda*d + (1-opt.Lambda)*g
		if p1[w] <= 0 {
			p1[w] = 1e-9
		}
	}
	// Histories: counts and distinct followers.
	hist := func(counts map[key]float64) (c, t map[key]float64, follow map[key][]string) {
		c, t, follow = map[key]float64{}, map[key]float64{}, map[key][]string{}
		for k, n := range counts {
			i := strings.LastIndexByte(k, ' ')
			h := k[:i]
			c[h] += n
			t[h]++
			follow[h] = append(follow[h], k[i+1:])
		}
		return
	}
	h2c, h2t, h2f := hist(c2)
	h3c, h3t, h3f := hist(c3)
	p2 := map[key]float64{}
	bo1 := map[string]float64{}
	for h, ws := range h2f {
		seen, lower := 0.0, 0.0
		for _, w := range ws {
			p := (c2[h+" "+w] + h2t[h]*p1[w]) / (h2c[h] + h2t[h])
			p2[h+" "+w] = p
			seen += p
			lower += p1[w]
		}
		bo1[h] = (1 - seen) / math.Max(1e-12, 1-lower)
	}
	bigram := func(h, w string) float64 {
		if p, ok := p2[h+" "+w]; ok {
			return p
		}
		if b, ok := bo1[h]; ok {
			return b * p1[w]
		}
		return p1[w]
	}
	p3 := map[key]float64{}
	bo2 := map[key]float64{}
	for h, ws := range h3f {
		h2 := h[strings.IndexByte(h, ' ')+1:]
		seen, lower := 0.0, 0.0
		for _, w := range ws {
			p := (c3[h+" "+w] + h3t[h]*bigram(h2, w)) / (h3c[h] + h3t[h])
			p3[h+" "+w] = p
			seen += p
			lower += bigram(h2, w)
		}
		bo2[h] = (1 - seen) / math.Max(1e-12, 1-lower)
	}

	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	fmt.Fprintf(w, "\\data\\\nngram 1=%d\nngram 2=%d\nngram 3=%d\n\n\\1-grams:\n", len(vocab)+1, len(p2), len(p3))
	lg := func(p float64) string { return strconv.FormatFloat(math.Log10(p), 'f', 4, 64) }
	// Each n-gram with its probability, and its backoff weight when it is a longer one's history.
	section := func(p map[string]float64, bo map[string]float64) {
		for _, k := range sortedKeys(p) {
			if bw, ok := bo[k]; ok {
				fmt.Fprintf(w, "%s\t%s\t%s\n", lg(p[k]), k, lg(math.Max(1e-12, bw)))
			} else {
				fmt.Fprintf(w, "%s\t%s\n", lg(p[k]), k)
			}
		}
	}
	fmt.Fprintf(w, "-99.0000\t<s>\t%s\n", lg(math.Max(1e-12, bo1["<s>"])))
	uni := map[string]float64{}
	for u := range vocab {
		uni[u] = p1[u]
	}
	section(uni, bo1)
	fmt.Fprint(w, "\n\\2-grams:\n")
	section(p2, bo2)
	fmt.Fprint(w, "\n\\3-grams:\n")
	section(p3, nil)
	fmt.Fprint(w, "\n\\end\\\n")
	_ = w.Flush()
	return b.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ReadUnigrams reads the 1-gram section of an ARPA text.
func ReadUnigrams(arpa []byte) Unigrams {
	u := Unigrams{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(arpa))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case l == "\\1-grams:":
			in = true
		case !in:
		case strings.HasPrefix(l, "\\"):
			return u
		default:
			f := strings.Fields(l)
			if len(f) >= 2 {
				if lp, err := strconv.ParseFloat(f[0], 64); err == nil && !math.IsInf(lp, 0) && !math.IsNaN(lp) {
					u[f[1]] = lp
				}
			}
		}
	}
	return u
}

// GenericUnigrams are the generic en-us model's word frequencies, read once with sphinxbase's
// sphinx_lm_convert into an ARPA text and kept in cacheDir. (The Debian tool stops with an
// assertion on the trie model's bigrams after writing the unigrams; those are what is read.)
func GenericUnigrams(ctx context.Context, model, cacheDir string) (Unigrams, error) {
	cached := filepath.Join(cacheDir, "en-us.unigrams.arpa")
	if b, err := os.ReadFile(cached); err == nil {
		if u := ReadUnigrams(b); len(u) > 1000 {
			return u, nil
		}
	}
	if _, err := exec.LookPath("sphinx_lm_convert"); err != nil {
		return nil, errors.New("lm: sphinx_lm_convert is not installed (apt-get install sphinxbase-utils)")
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return nil, err
	}
	tmp := cached + ".part"
	// Its exit status is not looked at: what was written is checked instead.
	_ = exec.CommandContext(ctx, "sphinx_lm_convert", "-i", model, "-o", tmp, "-ofmt", "arpa").Run()
	b, err := os.ReadFile(tmp)
	if err != nil {
		return nil, fmt.Errorf("lm: sphinx_lm_convert wrote nothing: %w", err)
	}
	u := ReadUnigrams(b)
	if len(u) < 1000 {
		return nil, fmt.Errorf("lm: %s gave only %d unigrams", model, len(u))
	}
	var out bytes.Buffer
	out.WriteString("\\data\\\n\n\\1-grams:\n")
	for _, w := range sortedKeys(u) {
		fmt.Fprintf(&out, "%.4f\t%s\n", u[w], w)
	}
	out.WriteString("\n\\end\\\n")
	_ = os.Remove(tmp)
	return u, os.WriteFile(cached, out.Bytes(), 0o600)
}

// Dictionary is the decoder's pronunciation dictionary's words.
func Dictionary(path string) (func(string) bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	words := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if i := strings.IndexByte(l, ' '); i > 0 {
			w := l[:i]
			if j := strings.IndexByte(w, '('); j > 0 {
				w = w[:j]
			}
			words[w] = true
		}
	}
	return func(w string) bool { return words[w] }, sc.Err()
}

// Builder builds domain models and keeps them in a directory, one file per distinct input
// (a question bank's texts, the corpus, λ), so a job's model is built once.
type Builder struct {
	Dir    string // where models are kept
	Model  string // the generic model (en-us.lm.bin)
	Dict   string // the pronunciation dictionary
	Lambda float64
	// Full interpolates with every order of the generic model (Mix, read from its binary trie)
	// and converts the result to the binary format with sphinx_lm_convert; otherwise with its
	// unigrams only (Build).
	Full    bool
	mu      sync.Mutex
	generic Unigrams
	known   func(string) bool
}

// DefaultLambda is the domain model's weight in the full interpolation, chosen on the development
// part of the labelled set (see the README).
const DefaultLambda = 0.3

// NewBuilder keeps models in the user's cache directory (…/hireflow/lm), for the model
// directory's generic model and dictionary, with λ 0.5.
func NewBuilder(modelDir string) *Builder {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return &Builder{Dir: filepath.Join(dir, "hireflow", "lm"), Model: filepath.Join(modelDir, "en-us.lm.bin"),
		Dict: filepath.Join(modelDir, "cmudict-en-us.dict"), Lambda: 0.5}
}

// For returns the path of the domain model of the texts (questions, reference points), building
// it on first use.
func (b *Builder) For(ctx context.Context, texts []string) (string, error) {
	all := append(append([]string{}, texts...), Corpus()...)
	h := sha256.New()
	fmt.Fprintf(h, "v1 %g %v\n", b.Lambda, b.Full)
	for _, t := range all {
		fmt.Fprintf(h, "%s\n", t)
	}
	path := filepath.Join(b.Dir, hex.EncodeToString(h.Sum(nil))[:24]+".arpa")
	if b.Full {
		if _, err := os.Stat(strings.TrimSuffix(path, ".arpa") + ".lm.bin"); err == nil {
			return strings.TrimSuffix(path, ".arpa") + ".lm.bin", nil
		}
	} else if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if b.Full {
		return b.buildFull(ctx, all, path)
	}
	if b.generic == nil {
		g, err := GenericUnigrams(ctx, b.Model, b.Dir)
		if err != nil {
			return "", err
		}
		known, err := Dictionary(b.Dict)
		if err != nil {
			return "", err
		}
		b.generic, b.known = g, known
	}
	arpa := Build(all, b.generic, Options{Lambda: b.Lambda, Known: b.known})
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, arpa, 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// buildFull writes the full interpolation as ARPA, converts it to sphinxbase's binary format
// (which pocketsphinx loads in a fraction of the time) and keeps that.
func (b *Builder) buildFull(ctx context.Context, texts []string, path string) (string, error) {
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return "", err
	}
	trie, err := ReadTrie(b.Model)
	if err != nil {
		return "", err
	}
	known, err := Dictionary(b.Dict)
	if err != nil {
		return "", err
	}
	arpa := strings.TrimSuffix(path, ".arpa") + ".mix.arpa"
	if err := os.WriteFile(arpa, Mix(texts, trie, b.Lambda, known), 0o600); err != nil {
		return "", err
	}
	defer os.Remove(arpa)
	bin := strings.TrimSuffix(path, ".arpa") + ".lm.bin"
	if out, err := exec.CommandContext(ctx, "sphinx_lm_convert", "-i", arpa, "-ifmt", "arpa", "-o", bin+".tmp", "-ofmt", "bin").CombinedOutput(); err != nil {
		return "", fmt.Errorf("lm: sphinx_lm_convert: %v: %s", err, clip(out))
	}
	return bin, os.Rename(bin+".tmp", bin)
}

func clip(b []byte) string {
	if len(b) > 300 {
		b = b[len(b)-300:]
	}
	return string(b)
}
