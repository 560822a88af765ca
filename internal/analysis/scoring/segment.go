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

// zhSkip are words between 我 and the verb of an action: times, manner, "myself".
var zhSkip = map[string]bool{"自己": true, "亲自": true, "先": true, "就": true, "又": true, "还": true, "也": true, "马上": true, "立刻": true,
	"当天": true, "当晚": true, "当场": true, "每天": true, "每周": true, "然后": true, "随后": true, "于是": true, "第一": true, "首先": true,
	"便": true, "再": true, "都": true, "一": true, "一早": true}

// zhStockVerbs are verbs of self-description, not of action ("我具有", "我善于", "我始终").
var zhStockVerbs = map[string]bool{"具有": true, "善于": true, "是": true, "有": true, "能够": true, "能": true, "会": true, "始终": true,
	"坚持": true, "秉承": true, "乐于": true, "勇于": true, "敢于": true, "拥抱": true, "追求": true, "认为": true, "觉得": true, "喜欢": true,
	"希望": true, "相信": true, "想": true, "要": true, "可以": true, "应该": true, "不": true, "没": true, "没有": true, "一般": true, "知道": true}

// zhActionsIn finds 我 followed by an action verb, within the same clause: "我联系了", "我当晚联系",
// "我把 … 做成了". It uses gse's part-of-speech tags (a verb is tagged v…) and the action lexicon.
func zhActionsIn(text string) []Evidence {
	segOnce.Do(load)
	if segErr != nil || !hasHan(text) {
		return nil
	}
	type tok struct {
		w, pos string
		off    int
	}
	var toks []tok
	off := 0
	for _, p := range seg.Pos(text, false) {
		i := strings.Index(text[off:], p.Text)
		if i < 0 {
			continue
		}
		toks = append(toks, tok{p.Text, p.Pos, off + i})
		off += i + len(p.Text)
	}
	var out []Evidence
	for i, t := range toks {
		if t.w != "我" {
			continue
		}
		ba := false
		for j := i + 1; j < len(toks) && j <= i+6; j++ {
			n := toks[j]
			if n.pos == "x" || n.w == "我" {
				break // the clause ended
			}
			if zhStockVerbs[n.w] {
				break
			}
			if zhActions[n.w] || (strings.HasPrefix(n.pos, "v") && (j <= i+3 || ba)) {
				out = append(out, Evidence{Kind: "action", Phrase: text[t.off : n.off+len(n.w)], Offset: t.off})
				break
			}
			switch {
			case n.w == "把" || n.w == "给" || n.w == "跟" || n.w == "和" || n.w == "向" || n.w == "帮":
				ba = true
			case zhSkip[n.w] || n.pos == "t" || n.pos == "d" || n.pos == "ad" || n.pos == "m" || n.pos == "q" || n.pos == "f" || ba:
			default:
				j = len(toks) // neither a verb nor a word that may stand before one
			}
		}
	}
	return out
}
