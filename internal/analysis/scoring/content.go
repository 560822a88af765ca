// Package scoring scores interview answers from their content. This is the offline content
// scorer: competency lexicons (en/zh, Chinese segmented with gse), STAR structure, quantified
// results, adequate length, relevance to the question and its reference points, and vague or
// deflecting answers. It judges what was said, never faces, voices or anything visual.
package scoring

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Answer is what the scorer reads: the answer's text (typed, or a transcript), the question it
// replies to and the points a good answer covers (both optional), and the dimensions to score.
type Answer struct {
	Text     string   `json:"text"`
	Question string   `json:"question"`
	Points   []string `json:"points,omitempty"`
	Lang     string   `json:"language"` // en | zh | "" (detected)
	Dims     []string `json:"dimensions"`
	// Weights are the job's weights of the dimensions (from its rule set); the overall is their
	// weighted mean, or the plain mean without weights.
	Weights map[string]float64 `json:"weights,omitempty"`
	// Redact are names (the candidate's) a scorer that sends the text away removes first.
	Redact []string `json:"-"`
}

// Evidence is one phrase a score rests on, where it is in the text and, for a recording, when
// it was said.
type Evidence struct {
	Dim    string  `json:"dim,omitempty"` // the dimension a competency phrase counts for; "" counts for all
	Kind   string  `json:"kind"`          // competency | situation | task | action | result | number | vague
	Phrase string  `json:"phrase"`
	Offset int     `json:"offset"` // byte offset in the text
	At     float64 `json:"at"`     // seconds into the recording; -1 for typed answers
}

// Parts are what each group of features added to one dimension's score, in points on 0–100:
// the fitted model's base plus these parts is the score (before it is kept within 0–100).
// Reports stored by content-v4 and earlier hold points out of fixed maxima (30/20/15/15/20/−24).
type Parts struct {
	Base       float64 `json:"base,omitempty"` // the model's intercept (content-v5 and later)
	Competency float64 `json:"competency"`     // the dimension's competency phrases, in an example or not (never negative)
	STAR       float64 `json:"star"`           // situation, task, action, result; the speaker's own actions
	Quantified float64 `json:"quantified"`     // numbers, and outcomes that follow the speaker's actions
	Length     float64 `json:"length"`         // adequate length
	Relevance  float64 `json:"relevance"`      // coverage of the question and its reference points
	Vague      float64 `json:"vague"`          // deflecting or vague phrases, stock phrases and self-praise without an example (never positive)
}

// Result is one answer's content scores (0-100 per dimension).
type Result struct {
	Scores     map[string]float64 `json:"scores"`
	Parts      map[string]Parts   `json:"parts,omitempty"`
	Overall    float64            `json:"overall"`
	TooShort   bool               `json:"too_short"`
	Words      int                `json:"words"`
	Language   string             `json:"language,omitempty"`
	Evidence   []Evidence         `json:"evidence,omitempty"`
	Highlights []string           `json:"highlights"`
	Method     string             `json:"method"`
	Relevance  float64            `json:"relevance"` // 0..1
	// ScoredBy is which scorer produced each dimension's score (the LLM adapter and its
	// fallback); empty when one scorer produced them all (Method).
	ScoredBy map[string]string `json:"scored_by,omitempty"`
	// Review are the reasons a person should look at this answer's scores (evidence the model
	// quoted that is not in the answer, a refusal, a timeout).
	Review []string `json:"review,omitempty"`
}

// Version names the offline scorer in stored scores.
const Version = "content-v5"

// Method says how the offline scorer computes a score; the report shows it.
const Method = "content-v5: a linear model fitted on the development part of the labelled set (cross-validated by question) over competency phrases (counted only within an example: an action of the speaker's in a situation or with an outcome), stock phrases and self-praise, STAR structure, the speaker's own actions, numbers and outcomes that follow those actions, length, relevance to the question and its reference points, and vague or deflecting phrases"

// ScoreText scores a typed or transcribed answer for the given dimensions.
func ScoreText(text string, dims []string) Result { return Score(Answer{Text: text, Dims: dims}) }

// ScoreAnswer scores an answer to a question: relevance to the question counts when it is known.
func ScoreAnswer(text, question string, dims []string) Result {
	return Score(Answer{Text: text, Question: question, Dims: dims})
}

// Score scores an answer.
func Score(a Answer) Result {
	doc := analyse(a.Text)
	r := Result{Scores: map[string]float64{}, Parts: map[string]Parts{}, Words: doc.words, Language: doc.lang, Method: Method,
		Evidence: []Evidence{}, Highlights: []string{}}
	if a.Lang == "zh" || a.Lang == "en" {
		r.Language = a.Lang
	}

	// Evidence the report shows: STAR cues, the speaker's first action, numbers, vague phrases.
	f := featuresOf(doc, a)
	for i, cues := range starCues {
		ev, ok := doc.first(cues, starKinds[i])
		if i == 2 && len(f.actions) > 0 && (!ok || f.actions[0].Offset < ev.Offset) {
			ev, ok = Evidence{Kind: "action", Phrase: f.actions[0].Phrase, Offset: f.actions[0].Offset}, true
		}
		if ok {
			r.Evidence = append(r.Evidence, ev)
		}
	}
	for i, ev := range f.nums {
		if i < 3 {
			r.Evidence = append(r.Evidence, ev)
		}
	}
	r.TooShort = doc.words < 15
	if strings.TrimSpace(a.Question) == "" && len(a.Points) == 0 {
		r.Relevance = -1
	} else {
		r.Relevance = f.relevance
	}
	vague := append(doc.all(vagueCues, "vague"), doc.all(praiseCues, "vague")...)
	for i, ev := range vague {
		if i < 2 {
			r.Evidence = append(r.Evidence, ev)
		}
	}

	var dims []string
	for _, d := range a.Dims {
		if _, dup := r.Scores[d]; !dup && d != "" {
			r.Scores[d] = 0
			dims = append(dims, d)
		}
	}
	sort.Strings(dims)
	for _, d := range dims {
		x := f.forDim(d)
		hits := f.hits(d)
		if !f.example && len(hits) > 1 {
			hits = hits[:1] // vocabulary without an example shows the words, not the competency
		}
		for i := range hits {
			hits[i].Dim, hits[i].Kind = d, "competency"
		}
		r.Evidence = append(r.Evidence, hits...)
		p := Parts{Base: round1(25 * (model.Intercept - 1))}
		for i, name := range FeatureNames {
			c := 25 * model.Weights[i] * x[i]
			switch featureParts[name] {
			case "competency":
				p.Competency += c
			case "star":
				p.STAR += c
			case "quantified":
				p.Quantified += c
			case "length":
				p.Length += c
			case "relevance":
				p.Relevance += c
			case "vague":
				p.Vague += c
			}
		}
		p.Competency, p.STAR, p.Quantified = round1(p.Competency), round1(p.STAR), round1(p.Quantified)
		p.Length, p.Relevance, p.Vague = round1(p.Length), round1(p.Relevance), round1(p.Vague)
		r.Scores[d], r.Parts[d] = round1(gradeToScore(model.Predict(x))), p
	}
	r.Overall = Overall(r.Scores, dims, a.Weights)
	if r.Relevance >= 0 {
		r.Relevance = math.Round(r.Relevance*100) / 100
	}
	sort.SliceStable(r.Evidence, func(i, j int) bool { return r.Evidence[i].Offset < r.Evidence[j].Offset })
	for i := range r.Evidence {
		r.Evidence[i].At = -1
		if len(r.Highlights) < 8 && r.Evidence[i].Kind == "competency" {
			r.Highlights = append(r.Highlights, fmt.Sprintf("mentions %q (%s)", r.Evidence[i].Phrase, r.Evidence[i].Dim))
		}
	}
	return r
}

// Overall is the weighted mean of the dimensions' scores: with the given weights when every
// dimension has a positive one, else the plain mean.
func Overall(scores map[string]float64, dims []string, weights map[string]float64) float64 {
	if len(dims) == 0 {
		return 0
	}
	sum, wsum := 0.0, 0.0
	for _, d := range dims {
		w, ok := weights[d]
		if !ok || w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			sum, wsum = 0, 0
			break
		}
		sum += w * scores[d]
		wsum += w
	}
	if wsum == 0 {
		for _, d := range dims {
			sum += scores[d]
		}
		wsum = float64(len(dims))
	}
	return math.Round(sum/wsum*10) / 10
}

// Relevance is how well the answer covers the question's content terms, 0..1.
func Relevance(answer, question string) float64 {
	return math.Round(relevance(analyse(answer), question, nil)*100) / 100
}

// relevance is the weighted share of the query's content terms the answer uses. A term's credit
// follows BM25's term-frequency saturation (k1 = 1.2), scaled so that one use counts 0.8 and two
// or more count fully. With reference points, covering the points weighs 70 % and the question
// 30 %.
func relevance(doc document, question string, points []string) float64 {
	cover := func(q string) (float64, bool) {
		terms := analyse(q).termSet()
		if len(terms) == 0 {
			return 0, false
		}
		const k1 = 1.2
		sum := 0.0
		for t := range terms {
			tf := float64(doc.freq(t))
			sum += math.Min(1, tf*(k1+1)/(tf+k1)/1.25)
		}
		return sum / float64(len(terms)), true
	}
	qs, qok := cover(question)
	ps, pok := cover(strings.Join(points, "\n"))
	switch {
	case qok && pok:
		return 0.3*qs + 0.7*ps
	case pok:
		return ps
	default:
		return qs
	}
}

// lexiconFor is a dimension's competency phrases; a dimension the scorer does not know is
// scored with the general problem-solving phrases.
func lexiconFor(d string) []string {
	if l, ok := lexicons[d]; ok {
		return l
	}
	keys := make([]string, 0, len(lexicons))
	for k := range lexicons {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same dimension always takes the same phrases
	for _, k := range keys {
		if strings.Contains(d, k) || strings.Contains(k, d) {
			return lexicons[k]
		}
	}
	return lexicons["problem_solving"]
}

// Phrases: English ones match at a word start on the lowercased text (so "analy" matches
// "analysed" and "analyzing"); Chinese ones match whole gse words or their parts.
var lexicons = map[string][]string{
	"problem_solving": {"root cause", "diagnos", "debug", "investigat", "analy", "hypothes", "trade-off", "tradeoff", "solution", "solved", "fix",
		"measured", "experiment", "troubleshoot", "identified", "logs", "metrics", "reproduc", "narrowed", "workaround", "prioriti", "data",
		"排查", "根因", "原因", "分析", "解决", "定位", "方案", "复现", "日志", "数据", "假设", "验证", "优化", "诊断", "权衡", "实验"},
	"communication": {"explain", "listen", "stakeholder", "aligned", "presented", "wrote", "clarif", "feedback", "non-technical", "audience",
		"plain words", "example", "summar", "update", "question", "understand", "misunderstand", "meeting", "document", "persuad", "convinc",
		"沟通", "解释", "倾听", "汇报", "反馈", "表达", "说明", "澄清", "会议", "文档", "例子", "举例", "理解", "说服", "同步", "对齐", "听取"},
	"ownership": {"i owned", "i took", "responsib", "on-call", "on call", "follow up", "followed up", "accountab", "i decided", "i led", "initiative",
		"proactive", "end to end", "end-to-end", "made sure", "took charge", "volunteered", "postmortem", "post-mortem", "my mistake", "committed",
		"负责", "主动", "跟进", "担当", "承担", "牵头", "主导", "复盘", "责任", "推动", "落实", "兜底"},
	"customer_focus": {"customer", "client", "user need", "users", "satisf", "retention", "won back", "churn", "complain", "expectation",
		"support ticket", "onboard", "renew", "trust", "relationship", "empath", "pain point",
		"客户", "用户", "满意", "需求", "挽回", "投诉", "体验", "续约", "信任", "回访", "痛点", "服务", "期望"},
	"leadership": {"led", "mentor", "coached", "team of", "hired", "vision", "delegat", "motivat", "direction", "strategy", "roadmap", "grew the team",
		"inspired", "developed people", "decision", "influence",
		"带领", "指导", "团队", "培养", "激励", "授权", "战略", "规划", "决策", "愿景", "辅导", "管理"},
	"teamwork": {"together", "collaborat", "team", "helped", "pair", "cross-functional", "colleague", "support", "shared", "consensus", "conflict",
		"we agreed", "partner",
		"合作", "协作", "配合", "团队", "同事", "帮助", "支持", "共同", "分工", "冲突", "共识", "协调"},
	"adaptability": {"learn", "adapt", "changed", "new tool", "new language", "quickly", "feedback", "improv", "flexib", "uncertain", "pivot",
		"学习", "适应", "调整", "变化", "改进", "灵活", "快速", "转型", "新技术"},
	"planning": {"plan", "schedule", "deadline", "milestone", "priorit", "estimate", "risk", "organi", "track", "budget", "scope",
		"计划", "排期", "截止", "里程碑", "优先级", "评估", "风险", "预算", "范围", "进度", "安排"},
	"technical": {"architecture", "design", "database", "api", "performance", "latency", "scal", "test", "deploy", "code", "system", "cache", "queue",
		"架构", "设计", "数据库", "接口", "性能", "延迟", "扩展", "测试", "部署", "代码", "系统", "缓存", "队列"},
}

var starKinds = [4]string{"situation", "task", "action", "result"}

var starCues = [4][]string{
	{"when i was", "at my previous", "at my last", "situation", "context", "last year", "last month", "in my last", "we had", "there was", "once",
		"years ago", "weeks before", "at the time", "our team", "a customer", "recently", "in my current", "during",
		"当时", "背景", "之前在", "有一次", "去年", "上一家", "那时", "之前", "刚入职", "前年", "上个月"},
	{"my task", "i needed to", "i had to", "goal was", "the goal", "responsible for", "my job was", "we needed to", "asked to", "challenge was",
		"had to", "deadline", "asked me to", "was to", "we wanted to", "i wanted to", "in order to",
		"目标", "任务", "需要", "要求", "挑战", "必须", "期限"},
	{"i built", "i wrote", "i decided", "i organi", "i designed", "i talked", "so i", "i analy", "i set up", "i created", "i proposed", "i called",
		"i met", "i led", "i introduced", "i automated", "i negotiated", "i changed", "i started", "i rolled", "i took", "i ran", "i tested",
		"i asked", "i explained", "i implemented", "i reviewed", "i worked",
		"我做了", "我决定", "我设计", "我组织", "于是我", "我主动", "我提出", "我搭建", "我编写", "我分析", "我推动", "我带领", "我协调", "我联系", "我制定",
		"然后我", "我先", "我们决定", "我们一起"},
	{"as a result", "result was", "reduced", "increased", "improved", "saved", "in the end", "outcome", "which led", "resolved", "we won", "grew",
		"dropped", "fell", "rose", "finished", "launched", "delivered", "shipped", "achieved", "on time", "stayed", "renewed", "since then",
		"结果", "最终", "提升", "降低", "减少", "节省", "提高", "成功", "增长", "缩短", "上线", "交付", "按时", "提前", "达成", "恢复"},
}

var vagueCues = []string{"don't remember", "do not remember", "don't really", "do not really", "not really", "not my job", "someone else",
	"other people", "not sure", "no idea", "i don't know", "i do not know", "never had", "i guess", "whatever", "it was fine", "nothing special",
	"不记得", "不太清楚", "不知道", "别人负责", "不是我的", "没遇到", "没有遇到", "随便", "无所谓", "还行吧", "一般般", "没什么"}

// praiseCues are self-praise and stock phrases: they stand in place of an example.
var praiseCues = []string{"team player", "hard worker", "hard-working", "hardworking", "people person", "i am passionate", "i'm passionate", "perfectionist",
	"good communicator", "great communicator", "i am good at", "i'm good at", "i am very good", "i'm very good",
	"i am a ", "i'm a ", "i am an ", "i am highly", "my core strength", "my strength", "mindset", "self starter", "self-starter",
	"results driven", "results-driven", "i always", "i thrive", "i get along with everyone",
	"我是一个很", "我很擅长", "我非常擅长", "执行力强", "沟通能力强", "合作能力强", "学习能力强", "能力很强", "我具有", "具有很强的", "善于",
	"始终坚持", "始终秉承", "意识", "精神", "理念", "追求卓越", "不断提升", "敢于担当", "勇于", "积极主动", "以结果为导向"}

var actionRe = regexp.MustCompile(`\bi (?:then |also |first |quickly |personally |immediately )?(?:[a-z]{2,}ed|built|wrote|led|ran|took|made|set|cut|broke|met|told|gave|sent|found|spoke|began|chose|drove|held|kept|brought|taught|sold|won|got|put|went|did|rewrote|shipped|stepped|fixed|asked|moved)\b`)

var zhActions = map[string]bool{"决定": true, "设计": true, "组织": true, "提出": true, "推动": true, "搭建": true, "编写": true, "分析": true,
	"协调": true, "联系": true, "制定": true, "负责": true, "主导": true, "带领": true, "优化": true, "重构": true, "排查": true, "定位": true,
	"修复": true, "沟通": true, "安排": true, "指导": true, "约": true, "建立": true, "实现": true, "开发": true, "整理": true, "说服": true,
	"先": true, "主动": true, "每天": true, "亲自": true, "打电话": true, "做": true, "做了": true, "找到": true, "发现": true, "调整": true}

var (
	numberRe   = regexp.MustCompile(`\d+(?:[.,]\d+)?\s*(?:%|percent|per cent|x\b|times|hours|minutes|days|weeks|months|users|customers|people|万|千|倍|小时|天|周|个月|人|位|次|分钟)?`)
	spelledRe  = regexp.MustCompile(`\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|twice|double|triple|percent)\b`)
	zhNumberRe = regexp.MustCompile(`百分之[零一二两三四五六七八九十百]+|[两三四五六七八九十百千万亿]+[零一二两三四五六七八九十百千万亿]*(?:倍|个|人|位|名|小时|天|周|个月|年|万|次|分钟|秒|家)`)
)

// document is an analysed text: lowercased, with its terms counted.
type document struct {
	text, lower string
	lang        string
	words       int
	tf          map[string]int
	zhWords     []span // gse words of the Chinese parts, with byte offsets
}

type span struct {
	w   string
	off int
}

func analyse(text string) document {
	d := document{text: text, lower: strings.ToLower(text), tf: map[string]int{}, lang: "en"}
	han, letters := 0, 0
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			han++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	if han > 0 {
		d.zhWords = segment(d.lower)
		if han*2 >= letters {
			d.lang = "zh"
		}
	}
	for _, w := range d.zhWords {
		if isWord(w.w) {
			d.words++
			if !zhStop[w.w] {
				d.tf[w.w]++
			}
		}
	}
	for _, f := range strings.FieldsFunc(d.lower, func(r rune) bool {
		return unicode.Is(unicode.Han, r) || (!unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'')
	}) {
		d.words++
		if t := stem(f); t != "" {
			d.tf[t]++
		}
	}
	return d
}

func isWord(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// freq is how often a term occurs, counting English terms that share their stem ("plan",
// "planned", "planning"): one is a prefix of the other and the shorter has 4 letters or more.
func (d document) freq(t string) int {
	n := d.tf[t]
	if hasHan(t) || len(t) < 4 {
		return n
	}
	for u, c := range d.tf {
		if u != t && len(u) >= 4 && (strings.HasPrefix(u, t) || strings.HasPrefix(t, u)) {
			n += c
		}
	}
	return n
}

// actions are the things the speaker says they did themselves: "I" and a past-tense verb
// ("I decided", "I moved"), or 我 and an action verb ("我推动").
func (d document) actions() []Evidence {
	var out []Evidence
	for _, m := range actionRe.FindAllStringIndex(d.lower, -1) {
		out = append(out, Evidence{Kind: "action", Phrase: d.text[m[0]:m[1]], Offset: m[0]})
	}
	out = append(out, zhActionsIn(d.text)...)
	sort.Slice(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

// selfMentions counts the speaker speaking of themselves: "I" (and I'm, I've …) and 我 (not 我们).
func (d document) selfMentions() int {
	n := 0
	for _, f := range strings.FieldsFunc(d.lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if f == "i" || strings.HasPrefix(f, "i'") {
			n++
		}
	}
	for i := 0; i < len(d.text); {
		j := strings.Index(d.text[i:], "我")
		if j < 0 {
			break
		}
		at := i + j + len("我")
		if !strings.HasPrefix(d.text[at:], "们") {
			n++
		}
		i = at
	}
	return n
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// termSet is the document's content terms.
func (d document) termSet() map[string]bool {
	out := map[string]bool{}
	for t := range d.tf {
		out[t] = true
	}
	return out
}

// stem drops stopwords and short words and strips common English suffixes.
func stem(f string) string {
	f = strings.TrimSuffix(strings.Trim(f, "'"), "'s")
	if stopwords[f] || len(f) < 3 {
		return ""
	}
	for _, suf := range []string{"ing", "ed", "es", "s", "ly"} {
		if strings.HasSuffix(f, suf) && len(f)-len(suf) >= 4 {
			return strings.TrimSuffix(f, suf)
		}
	}
	return f
}

// find locates a phrase: an English one at a word start in the lowercased text, a Chinese one as
// (part of) a gse word. It returns the byte offsets of its occurrences.
func (d document) find(phrase string) []int {
	var out []int
	if hasHan(phrase) {
		for _, w := range d.zhWords {
			if i := strings.Index(w.w, phrase); i >= 0 {
				out = append(out, w.off+i)
			}
		}
		if len(out) == 0 && len([]rune(phrase)) > 2 {
			// A cue longer than a word ("于是我") may span gse words.
			for i := 0; ; {
				j := strings.Index(d.lower[i:], phrase)
				if j < 0 {
					break
				}
				out = append(out, i+j)
				i += j + len(phrase)
			}
		}
		return out
	}
	for i := 0; ; {
		j := strings.Index(d.lower[i:], phrase)
		if j < 0 {
			return out
		}
		at := i + j
		if at == 0 || !isWordRune(lastRune(d.lower[:at])) {
			out = append(out, at)
		}
		i = at + len(phrase)
	}
}

// first is the earliest occurrence of any of the phrases.
func (d document) first(phrases []string, kind string) (Evidence, bool) {
	best := Evidence{Offset: -1}
	for _, p := range phrases {
		if offs := d.find(p); len(offs) > 0 && (best.Offset < 0 || offs[0] < best.Offset) {
			best = Evidence{Kind: kind, Phrase: d.phraseAt(offs[0], p), Offset: offs[0]}
		}
	}
	return best, best.Offset >= 0
}

// all is the first occurrence of each phrase found.
func (d document) all(phrases []string, kind string) []Evidence {
	var out []Evidence
	seen := map[int]bool{}
	for _, p := range phrases {
		if offs := d.find(p); len(offs) > 0 && !seen[offs[0]] {
			seen[offs[0]] = true
			out = append(out, Evidence{Kind: kind, Phrase: d.phraseAt(offs[0], p), Offset: offs[0]})
		}
	}
	return out
}

// phraseAt is the text as written where a phrase matched, extended to the end of its word.
func (d document) phraseAt(off int, p string) string {
	end := off + len(p)
	if !hasHan(p) {
		for end < len(d.text) {
			r := rune(d.lower[end])
			if r >= 0x80 || !isWordRune(r) {
				break
			}
			end++
		}
	}
	return d.text[off:min(end, len(d.text))]
}

// numbers are the quantities the answer states: digits, spelled-out English numbers, Chinese
// numerals with a unit or a percentage.
func (d document) numbers() []Evidence {
	var out []Evidence
	for _, re := range []*regexp.Regexp{numberRe, spelledRe, zhNumberRe} {
		for _, m := range re.FindAllStringIndex(d.lower, -1) {
			out = append(out, Evidence{Kind: "number", Phrase: strings.TrimSpace(d.text[m[0]:m[1]]), Offset: m[0]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' }

func lastRune(s string) rune {
	r := []rune(s[max(0, len(s)-4):])
	if len(r) == 0 {
		return ' '
	}
	return r[len(r)-1]
}

var stopwords = map[string]bool{"the": true, "a": true, "an": true, "and": true, "or": true, "to": true, "of": true, "in": true,
	"on": true, "for": true, "with": true, "you": true, "your": true, "us": true, "about": true, "how": true, "what": true,
	"do": true, "did": true, "tell": true, "describe": true, "is": true, "are": true, "was": true, "it": true, "that": true,
	"this": true, "i": true, "me": true, "my": true, "we": true, "our": true, "time": true, "when": true, "why": true, "which": true,
	"who": true, "would": true, "could": true, "have": true, "has": true, "had": true, "been": true, "were": true, "they": true,
	"them": true, "their": true, "there": true, "then": true, "than": true, "some": true, "someone": true, "give": true,
	"example": true, "share": true, "walk": true, "through": true, "from": true, "into": true, "one": true, "can": true, "will": true, "other": true, "also": true, "just": true, "very": true, "really": true}

var zhStop = map[string]bool{"的": true, "了": true, "和": true, "是": true, "在": true, "我": true, "你": true, "我们": true, "你们": true,
	"请": true, "一次": true, "一个": true, "经历": true, "讲述": true, "描述": true, "如何": true, "什么": true, "为什么": true,
	"怎么": true, "及": true, "与": true, "把": true, "被": true, "也": true, "就": true, "都": true, "这": true, "那": true,
	"个": true, "会": true, "对": true, "给": true, "向": true, "说说": true, "谈谈": true, "举例": true, "时": true, "中": true}
