package lm

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// logmathToLog10 turns sphinxbase's log base 1.0001 into log10.
var logmathToLog10 = math.Log10(1.0001)

// Mix writes the ARPA text of the domain model of texts interpolated, at every order, with the
// generic trigram model: p(w|h) = λ·p_domain(w|h) + (1−λ)·p_generic(w|h) for every n-gram either
// model lists, with each history's backoff weight computed again so that its probabilities sum
// to one. The domain model is Witten–Bell smoothed down to a uniform distribution over the
// vocabulary; the generic one backs off as its file says.
func Mix(texts []string, generic *Trie, lambda float64, known func(string) bool) []byte {
	if known == nil {
		known = func(string) bool { return true }
	}
	words := append([]string{}, generic.Words...)
	id := make(map[string]uint32, len(words))
	for i, w := range words {
		id[w] = uint32(i)
	}
	bos, eos := id["<s>"], id["</s>"]
	k2 := func(x, w uint32) uint64 { return uint64(x)<<21 | uint64(w) }
	k3 := func(y, x, w uint32) uint64 { return uint64(y)<<42 | uint64(x)<<21 | uint64(w) }

	// The generic model, in log10.
	g1p := make([]float64, len(generic.Words))
	g1b := make([]float64, len(generic.Words))
	g2p, g2b := map[uint64]float64{}, map[uint64]float64{}
	g3p := map[uint64]float64{}
	for w := range generic.Words {
		g1p[w], g1b[w] = float64(generic.Uni[w].P)*logmathToLog10, float64(generic.Uni[w].B)*logmathToLog10
		for j := generic.Uni[w].Next; j < generic.Uni[w+1].Next; j++ {
			// The trie keeps n-grams last word first: bigram j is "x w".
			x := generic.Bi[j].Word
			g2p[k2(x, uint32(w))], g2b[k2(x, uint32(w))] = float64(generic.Bi[j].P)*logmathToLog10, float64(generic.Bi[j].B)*logmathToLog10
			for k := generic.Bi[j].Next; k < generic.Bi[j+1].Next; k++ {
				g3p[k3(generic.Tri[k].Word, x, uint32(w))] = float64(generic.Tri[k].P) * logmathToLog10
			}
		}
	}
	gen1 := func(w uint32) float64 {
		if int(w) < len(g1p) && g1p[w] > -90 {
			return math.Pow(10, g1p[w])
		}
		return 0
	}
	gen2 := func(x, w uint32) float64 {
		if p, ok := g2p[k2(x, w)]; ok {
			return math.Pow(10, p)
		}
		if int(x) < len(g1b) {
			return math.Pow(10, g1b[x]) * gen1(w)
		}
		return gen1(w)
	}
	gen3 := func(y, x, w uint32) float64 {
		if p, ok := g3p[k3(y, x, w)]; ok {
			return math.Pow(10, p)
		}
		return math.Pow(10, g2b[k2(y, x)]) * gen2(x, w)
	}

	// The domain's counts.
	c1 := map[uint32]float64{}
	c2, c3 := map[uint64]float64{}, map[uint64]float64{}
	h1, t1 := map[uint32]float64{}, map[uint32]float64{}
	h2, t2 := map[uint64]float64{}, map[uint64]float64{}
	n := 0.0
	for _, t := range texts {
		for _, s := range sentenceEnd.Split(t, -1) {
			ws := []uint32{bos}
			for _, w := range Tokens(s) {
				if !known(w) {
					continue
				}
				i, ok := id[w]
				if !ok {
					i = uint32(len(words))
					words = append(words, w)
					id[w] = i
				}
				ws = append(ws, i)
			}
			if len(ws) == 1 {
				continue
			}
			ws = append(ws, eos)
			for i := 1; i < len(ws); i++ {
				c1[ws[i]]++
				n++
				if c2[k2(ws[i-1], ws[i])]++; c2[k2(ws[i-1], ws[i])] == 1 {
					t1[ws[i-1]]++
				}
				h1[ws[i-1]]++
				if i > 1 {
					if c3[k3(ws[i-2], ws[i-1], ws[i])]++; c3[k3(ws[i-2], ws[i-1], ws[i])] == 1 {
						t2[k2(ws[i-2], ws[i-1])]++
					}
					h2[k2(ws[i-2], ws[i-1])]++
				}
			}
		}
	}
	v := float64(len(words))
	dom1 := func(w uint32) float64 {
		return (c1[w] + float64(len(c1))/v) / (n + float64(len(c1)))
	}
	dom2 := func(x, w uint32) float64 {
		if h := h1[x]; h > 0 {
			return (c2[k2(x, w)] + t1[x]*dom1(w)) / (h + t1[x])
		}
		return dom1(w)
	}
	dom3 := func(y, x, w uint32) float64 {
		if h := h2[k2(y, x)]; h > 0 {
			return (c3[k3(y, x, w)] + t2[k2(y, x)]*dom2(x, w)) / (h + t2[k2(y, x)])
		}
		return dom2(x, w)
	}

	// The mixture's listed n-grams and their probabilities.
	m1 := make([]float64, len(words))
	for w := range words {
		m1[w] = lambda*dom1(uint32(w)) + (1-lambda)*gen1(uint32(w))
	}
	m2 := map[uint64]float64{}
	for k := range g2p {
		m2[k] = 0
	}
	for k := range c2 {
		m2[k] = 0
	}
	for k := range m2 {
		x, w := uint32(k>>21), uint32(k&(1<<21-1))
		m2[k] = lambda*dom2(x, w) + (1-lambda)*gen2(x, w)
	}
	m3 := map[uint64]float64{}
	for k := range g3p {
		m3[k] = 0
	}
	for k := range c3 {
		m3[k] = 0
	}
	for k := range m3 {
		y, x, w := uint32(k>>42), uint32(k>>21&(1<<21-1)), uint32(k&(1<<21-1))
		m3[k] = lambda*dom3(y, x, w) + (1-lambda)*gen3(y, x, w)
	}
	// Backoff weights: what each history leaves for the words it does not list, over what the
	// lower order gives them.
	backoff := func(seen, lower float64) float64 {
		return math.Max(1e-12, 1-seen) / math.Max(1e-12, 1-lower)
	}
	s1, l1 := map[uint32]float64{}, map[uint32]float64{}
	for k, p := range m2 {
		x, w := uint32(k>>21), uint32(k&(1<<21-1))
		s1[x] += p
		l1[x] += m1[w]
	}
	a1 := map[uint32]float64{}
	for x := range s1 {
		a1[x] = backoff(s1[x], l1[x])
	}
	mixed2 := func(x, w uint32) float64 {
		if p, ok := m2[k2(x, w)]; ok {
			return p
		}
		if a, ok := a1[x]; ok {
			return a * m1[w]
		}
		return m1[w]
	}
	s2, l2 := map[uint64]float64{}, map[uint64]float64{}
	for k, p := range m3 {
		x, w := uint32(k>>21&(1<<21-1)), uint32(k&(1<<21-1))
		h := k >> 21
		s2[h] += p
		l2[h] += mixed2(x, w)
	}
	a2 := map[uint64]float64{}
	for h := range s2 {
		a2[h] = backoff(s2[h], l2[h])
	}

	var b bytes.Buffer
	out := bufio.NewWriterSize(&b, 1<<20)
	lg := func(p float64) string { return strconv.FormatFloat(math.Log10(math.Max(p, 1e-99)), 'f', 4, 64) }
	fmt.Fprintf(out, "\\data\\\nngram 1=%d\nngram 2=%d\nngram 3=%d\n\n\\1-grams:\n", len(words), len(m2), len(m3))
	for w, name := range words {
		p := lg(m1[w])
		if uint32(w) == bos {
			p = "-99.0000"
		}
		if a, ok := a1[uint32(w)]; ok {
			fmt.Fprintf(out, "%s\t%s\t%s\n", p, name, lg(a))
		} else {
			fmt.Fprintf(out, "%s\t%s\n", p, name)
		}
	}
	keys := func(m map[uint64]float64) []uint64 {
		ks := make([]uint64, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
		return ks
	}
	fmt.Fprint(out, "\n\\2-grams:\n")
	for _, k := range keys(m2) {
		x, w := words[k>>21], words[k&(1<<21-1)]
		if a, ok := a2[k]; ok {
			fmt.Fprintf(out, "%s\t%s %s\t%s\n", lg(m2[k]), x, w, lg(a))
		} else {
			fmt.Fprintf(out, "%s\t%s %s\n", lg(m2[k]), x, w)
		}
	}
	fmt.Fprint(out, "\n\\3-grams:\n")
	for _, k := range keys(m3) {
		fmt.Fprintf(out, "%s\t%s %s %s\n", lg(m3[k]), words[k>>42], words[k>>21&(1<<21-1)], words[k&(1<<21-1)])
	}
	fmt.Fprint(out, "\n\\end\\\n")
	_ = out.Flush()
	return b.Bytes()
}
