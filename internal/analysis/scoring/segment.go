package scoring

import (
	"strings"
	"sync"

	"github.com/go-ego/gse"
)

var (
	segOnce sync.Once
	seg     gse.Segmenter
	segErr  error
)

// Warm loads the Chinese dictionary ahead of the first Chinese answer.
func Warm() { segOnce.Do(load) }

func load() { segErr = seg.LoadDictEmbed("zh_s") }

// segment cuts the Chinese runs of a text into words with gse (its embedded simplified-Chinese
// dictionary, loaded once per process on first use: about 1 s and 130 MB) and returns every
// word with its byte offset. Non-Chinese text is left to the English tokeniser.
func segment(text string) []span {
	segOnce.Do(load)
	if segErr != nil {
		return runeSpans(text)
	}
	var out []span
	off := 0
	for _, w := range seg.Cut(text, true) {
		i := strings.Index(text[off:], w)
		if i < 0 {
			continue
		}
		if hasHan(w) {
			out = append(out, span{w: w, off: off + i})
		}
		off += i + len(w)
	}
	return out
}

// runeSpans is the fallback when the dictionary cannot load: one span per Chinese character.
func runeSpans(text string) []span {
	var out []span
	for i, r := range text {
		if hasHan(string(r)) {
			out = append(out, span{w: string(r), off: i})
		}
	}
	return out
}
