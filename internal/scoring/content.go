// Package scoring scores interview answers from their content. This is the offline content
// scorer: competency lexicons (en/zh), STAR structure, quantified results and adequate length.
// It judges what was said, never faces, voices or anything visual.
package scoring

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Result is one answer's content scores (0-100 per dimension).
type Result struct {
	Scores     map[string]float64 `json:"scores"`
	Overall    float64            `json:"overall"`
	TooShort   bool               `json:"too_short"`
	Words      int                `json:"words"`
	Highlights []string           `json:"highlights"`
	Method     string             `json:"method"`
	Relevance  float64            `json:"relevance"` // share of the question's content words the answer uses, 0..1
}

var stopwords = map[string]bool{"the": true, "a": true, "an": true, "and": true, "or": true, "to": true, "of": true, "in": true,
	"on": true, "for": true, "with": true, "you": true, "your": true, "us": true, "about": true, "how": true, "what": true,
	"do": true, "did": true, "tell": true, "describe": true, "is": true, "are": true, "was": true, "it": true, "that": true,
	"this": true, "i": true, "me": true, "my": true, "we": true, "our": true, "time": true, "when": true, "why": true, "which": true}

// terms are an English text's content words, crudely stemmed, or a Chinese text's bigrams.
func terms(s string) map[string]bool {
	out := map[string]bool{}
	var han []rune
	flush := func() {
		for i := 0; i+1 < len(han); i++ {
			out[string(han[i:i+2])] = true
		}
		han = han[:0]
	}
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if rs := []rune(f); len(rs) > 0 && unicode.Is(unicode.Han, rs[0]) {
			han = append(han, rs...)
			flush()
			continue
		}
		if stopwords[f] || len(f) < 3 {
			continue
		}
		for _, suf := range []string{"ing", "ed", "es", "s"} {
			if strings.HasSuffix(f, suf) && len(f)-len(suf) >= 4 {
				f = strings.TrimSuffix(f, suf)
				break
			}
		}
		out[f] = true
	}
	flush()
	return out
}

// Relevance is the share of the question's content words (or Chinese bigrams) the answer uses.
func Relevance(answer, question string) float64 {
	q := terms(question)
	if len(q) == 0 {
		return 1
	}
	a := terms(answer)
	hit := 0
	for t := range q {
		if a[t] {
			hit++
		}
	}
	return math.Round(float64(hit)/float64(len(q))*100) / 100
}

var lexicons = map[string][]string{
	"problem_solving": {"root cause", "diagnos", "debug", "investigat", "analy", "hypothes", "trade-off", "tradeoff", "solution", "solved", "fix", "measured", "experiment", "排查", "根因", "分析", "解决", "定位", "方案"},
	"communication":   {"explain", "listen", "stakeholder", "aligned", "presented", "wrote", "clarif", "feedback", "non-technical", "audience", "沟通", "解释", "倾听", "汇报", "反馈", "表达"},
	"ownership":       {"i owned", "i took", "responsib", "on-call", "follow up", "followed up", "accountab", "i decided", "i led", "initiative", "负责", "主动", "跟进", "担当", "承担"},
	"customer_focus":  {"customer", "client", "user need", "satisf", "retention", "won back", "churn", "客户", "用户", "满意", "需求", "挽回"},
	"leadership":      {"led", "mentor", "coached", "team of", "hired", "vision", "delegat", "带领", "指导", "团队", "培养"},
	"teamwork":        {"together", "collaborat", "team", "helped", "pair", "cross-functional", "合作", "协作", "配合", "团队"},
}

var starCues = [4][]string{
	{"when i was", "at my previous", "situation", "context", "last year", "当时", "背景", "之前在"},
	{"my task", "i needed to", "goal was", "responsible for", "目标", "任务", "需要"},
	{"i built", "i wrote", "i decided", "i organized", "i designed", "i talked", "so i", "我做了", "我决定", "我设计", "我组织", "于是我"},
	{"as a result", "result was", "reduced", "increased", "improved", "saved", "in the end", "结果", "最终", "提升", "降低", "减少"},
}

var numberRe = regexp.MustCompile(`\d+(\.\d+)?\s*(%|percent|per cent|x|times|hours|minutes|days|weeks|users|customers|万|千|百分之|倍|小时|天)?`)

// ScoreText scores a typed or transcribed answer for the given dimensions.
func ScoreText(text string, dims []string) Result { return ScoreAnswer(text, "", dims) }

// ScoreAnswer scores an answer to a question: relevance to the question counts when it is known.
func ScoreAnswer(text, question string, dims []string) Result {
	lower := strings.ToLower(text)
	words := countWords(text)
	r := Result{Scores: map[string]float64{}, Words: words, Highlights: []string{}, Method: "content-v2: lexicon 35 + STAR 25 + quantified 15 + length 15 + relevance to the question 10"}
	star := 0
	for _, cues := range starCues {
		for _, c := range cues {
			if strings.Contains(lower, c) {
				star++
				break
			}
		}
	}
	nums := len(numberRe.FindAllString(text, -1))
	length := 15.0
	switch {
	case words < 15:
		length, r.TooShort = 0, true
	case words < 50:
		length = 15 * float64(words-15) / 35
	case words > 400:
		length = 9
	}
	relevance := 10.0 // an unknown question does not penalise the answer
	if question != "" {
		r.Relevance = Relevance(text, question)
		relevance = 10 * r.Relevance
	}
	sort.Strings(dims)
	total := 0.0
	for _, d := range dims {
		lex := lexicons[d]
		if lex == nil {
			lex = lexicons["problem_solving"]
		}
		hits := 0
		for _, w := range lex {
			if strings.Contains(lower, w) {
				hits++
				if len(r.Highlights) < 6 {
					r.Highlights = append(r.Highlights, fmt.Sprintf("mentions %q (%s)", w, d))
				}
			}
		}
		s := math.Min(35, float64(hits)*12) + float64(star)*6.25 + math.Min(15, float64(nums)*5) + length + relevance
		s = math.Round(math.Min(100, s)*10) / 10
		r.Scores[d] = s
		total += s
	}
	if len(dims) > 0 {
		r.Overall = math.Round(total/float64(len(dims))*10) / 10
	}
	return r
}

// countWords counts words; each CJK character counts as half a word (a rough Chinese word length).
func countWords(s string) int {
	n, cjk := len(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Han, r) })), 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			cjk++
		}
	}
	return n + cjk/2
}
