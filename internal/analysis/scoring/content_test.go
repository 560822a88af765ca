package scoring

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScoreTextRanksStrongAboveWeak(t *testing.T) {
	dims := []string{"problem_solving", "ownership"}
	strong := ScoreText(`When I was on call at my previous company, checkout latency doubled. My task was to find the root cause fast.
I took ownership: I analysed the traces, formed a hypothesis about lock contention, and I decided to run an experiment on one node.
As a result we reduced p99 latency by 60% and saved about 20 hours of engineering time per week; I followed up with a postmortem.`, dims)
	weak := ScoreText("I fixed a bug once. It was fine.", dims)
	require.Greater(t, strong.Overall, weak.Overall+30)
	require.True(t, weak.TooShort)
	require.False(t, strong.TooShort)
	require.NotEmpty(t, strong.Highlights)
	for _, d := range dims {
		require.GreaterOrEqual(t, strong.Scores[d], 0.0)
		require.LessOrEqual(t, strong.Scores[d], 100.0)
	}
	zh := ScoreText("当时线上出现故障，我负责排查。我主动分析日志，定位到根因，于是我设计了修复方案，最终把错误率降低了百分之八十，并跟进复盘。", dims)
	require.Greater(t, zh.Overall, weak.Overall)
}

func TestRelevanceToTheQuestion(t *testing.T) {
	q := "Tell us about a production incident you resolved."
	on := "During a production incident I resolved the outage: payments failed, I rolled back the release and resolved it in ten minutes."
	off := "I enjoy hiking and cooking pasta with friends on the weekend, and I read a lot of novels."
	require.Greater(t, Relevance(on, q), 0.6)
	require.Less(t, Relevance(off, q), 0.2)
	require.Greater(t, ScoreAnswer(on, q, []string{"problem_solving"}).Overall, ScoreAnswer(off, q, []string{"problem_solving"}).Overall)
	require.Greater(t, Relevance("我们团队排查线上故障并解决了问题", "请讲述一次你解决线上故障的经历。"), 0.2)
}

func TestExternalScorer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&in))
		require.Equal(t, "Bearer k", r.Header.Get("Authorization"))
		if in["question"] == "bad" {
			_, _ = w.Write([]byte(`{"scores":{"communication":250}}`))
			return
		}
		_, _ = w.Write([]byte(`{"scores":{"communication":72,"ownership":64}}`))
	}))
	defer srv.Close()
	e := External{URL: srv.URL, Token: "k"}
	r, err := e.Score(context.Background(), Answer{Text: "some answer text", Question: "q", Lang: "en", Dims: []string{"communication", "ownership"}})
	require.NoError(t, err)
	require.Equal(t, 68.0, r.Overall)
	_, err = e.Score(context.Background(), Answer{Text: "x", Question: "bad", Dims: []string{"communication"}})
	require.ErrorContains(t, err, "no valid score")
	_, err = e.Score(context.Background(), Answer{Text: "x", Question: "q", Dims: []string{"leadership"}})
	require.Error(t, err, "a missing dimension is refused")
}

func TestChineseIsSegmentedWithGse(t *testing.T) {
	var words []string
	for _, s := range segment("我负责排查线上故障，定位根因后与团队沟通。") {
		words = append(words, s.w)
	}
	require.Equal(t, []string{"我", "负责", "排查", "线上", "故障", "定位", "根因", "后", "与", "团队", "沟通"}, words)
	d := analyse("我负责排查线上故障，定位根因后与团队沟通。")
	require.Equal(t, "zh", d.lang)
	require.Equal(t, 11, d.words, "Chinese words are counted as gse words, not characters")
	// "分析" inside "部分析出" is not a word of the text, so it is not a competency phrase.
	require.Empty(t, analyse("这部分析出的结论").find("分析"), "a phrase across a word boundary does not match")
	require.NotEmpty(t, analyse("我分析了日志").find("分析"))
}

func TestCompetencyPhrasesWithOffsets(t *testing.T) {
	text := "Last year I analysed the logs and explained the trade-off to our customer."
	r := Score(Answer{Text: text, Dims: []string{"problem_solving", "communication", "customer_focus"}})
	got := map[string][]string{}
	for _, e := range r.Evidence {
		if e.Kind == "competency" {
			got[e.Dim] = append(got[e.Dim], e.Phrase)
			require.Equal(t, e.Phrase, text[e.Offset:e.Offset+len(e.Phrase)], "the offset points at the phrase")
		}
	}
	require.ElementsMatch(t, []string{"analysed", "logs", "trade-off"}, got["problem_solving"])
	require.ElementsMatch(t, []string{"explained"}, got["communication"])
	require.ElementsMatch(t, []string{"customer"}, got["customer_focus"])
	f := Features(Answer{Text: text, Dims: []string{"problem_solving", "communication"}})
	require.Equal(t, 1.0, f["problem_solving"][0], "three phrases or more count fully")
	require.InDelta(t, 1.0/3, f["communication"][0], 1e-9)
	require.Equal(t, f["problem_solving"][0], f["problem_solving"][1], "in an example (an action of the speaker's last year)")
	// Phrases match at a word start only: "prefix" does not contain the phrase "fix".
	require.Empty(t, analyse("a prefix").find("fix"))
}

// Competency words without an example — nothing the speaker did in a situation or with an
// outcome — count as one phrase at most, in English and in Chinese, so a plain specific answer
// outranks them.
func TestVocabularyWithoutAnExampleIsNotCompetency(t *testing.T) {
	dims := []string{"problem_solving", "ownership"}
	vocabText := "I am a proactive, results driven problem solver who always takes ownership, analyses the root cause, debugs and investigates every issue, and drives solutions with accountability."
	vocab := Score(Answer{Text: vocabText, Dims: dims})
	plain := Score(Answer{Text: "Last spring the payroll file for three hundred people failed on a Friday. I checked which rows broke it, fixed the two bad dates by hand and sent it to the bank by three. It has gone out on time every month since.", Dims: dims})
	requireVocabularyOnly(t, vocab, Features(Answer{Text: vocabText, Dims: dims}))
	require.Greater(t, plain.Overall, vocab.Overall, "a plain specific answer outranks vocabulary: %v vs %v", plain.Overall, vocab.Overall)
	zhVocabText := "我善于分析问题，具备很强的解决问题能力，始终主动担当，推动方案落地，追求卓越。"
	zhVocab := Score(Answer{Text: zhVocabText, Lang: "zh", Dims: dims})
	zhPlain := Score(Answer{Text: "上个月订单系统在晚上十点挂了。我先看了日志，发现是磁盘满了，我清理了旧文件并加了告警，二十分钟后恢复，之后再没出现过。", Lang: "zh", Dims: dims})
	requireVocabularyOnly(t, zhVocab, Features(Answer{Text: zhVocabText, Lang: "zh", Dims: dims}))
	require.Greater(t, zhPlain.Overall, zhVocab.Overall, "%v vs %v", zhPlain.Overall, zhVocab.Overall)
}

// requireVocabularyOnly checks an answer of competency words with no example: one phrase at
// most shown as evidence, no credit for phrases in an example, and a stock-phrase penalty.
func requireVocabularyOnly(t *testing.T, r Result, f map[string][]float64) {
	t.Helper()
	n := 0
	for _, e := range r.Evidence {
		if e.Kind == "competency" && e.Dim == "problem_solving" {
			n++
		}
	}
	require.LessOrEqual(t, n, 1)
	require.Zero(t, f["problem_solving"][1])
	require.Positive(t, f["problem_solving"][2])
}

func TestSTARDetection(t *testing.T) {
	full := Score(Answer{Text: "When I was at my previous company our release failed. My task was to restore it. I decided to roll back. As a result errors fell.", Dims: []string{"ownership"}})
	star := func(text string) float64 {
		return Features(Answer{Text: text, Dims: []string{"ownership"}})["ownership"][5]
	}
	require.Equal(t, 1.0, star("When I was at my previous company our release failed. My task was to restore it. I decided to roll back. As a result errors fell."))
	var kinds []string
	for _, e := range full.Evidence {
		if e.Kind != "competency" && e.Kind != "number" {
			kinds = append(kinds, e.Kind)
		}
	}
	require.Equal(t, []string{"situation", "task", "action", "result"}, kinds, "in the order they were said")
	half := Score(Answer{Text: "I decided to roll back and the errors were reduced.", Dims: []string{"ownership"}})
	require.Less(t, half.Parts["ownership"].STAR, full.Parts["ownership"].STAR+1e-9)
	require.Equal(t, 0.5, star("I decided to roll back and the errors were reduced."))
	require.Equal(t, 1.0, star("当时系统宕机，我的任务是恢复服务，于是我回滚了版本，最终错误率降低了。"))
}

func TestQuantifiedResults(t *testing.T) {
	for text, n := range map[string]int{
		"we cut latency by 40% and saved 3 hours":     2,
		"errors fell by ninety percent in two weeks":  3, // ninety, percent, two
		"错误率降低了百分之九十，节省了三个月":                          2,
		"no numbers here at all, just words and more": 0,
	} {
		require.Len(t, analyse(text).numbers(), n, text)
	}
}

func TestRelevanceWithReferencePoints(t *testing.T) {
	q := "How do you prepare for a negotiation?"
	points := []string{"research the other side's interests", "set a walk-away point (BATNA)", "plan concessions"}
	good := "I research their interests first, set my walk-away point and plan which concessions I can offer."
	generic := "I prepare carefully for a negotiation and try to stay calm."
	require.Greater(t, relevance(analyse(good), q, points), relevance(analyse(generic), q, points)+0.15)
	sg := Score(Answer{Text: good, Question: q, Points: points, Dims: []string{"communication"}})
	sq := Score(Answer{Text: generic, Question: q, Points: points, Dims: []string{"communication"}})
	require.Greater(t, sg.Relevance, sq.Relevance)
	require.Less(t, sg.Relevance, relevance(analyse(good), q, points), "under 50 words relevance counts in part")
	// Terms that share a stem count: "planned" covers "plan".
	require.Greater(t, relevance(analyse("we planned the project"), "How did you plan a project?", nil), 0.7)
	// One mention of a term counts 0.8, repeats saturate at 1.
	require.InDelta(t, 0.8, relevance(analyse("incident"), "incident", nil), 1e-9)
	require.InDelta(t, 1.0, relevance(analyse("incident incident incident"), "incident", nil), 1e-9)
	require.Greater(t, relevance(analyse("我们排查线上故障并解决了问题"), "请讲述一次你解决线上故障的经历。", nil), 0.7, "gse words of the Chinese question")
}

func TestVagueAnswersLosePoints(t *testing.T) {
	dims := []string{"problem_solving"}
	base := "Our service was slow and we looked at the database together with the team for a while until it worked again"
	vague := base + ", but I don't remember the details and honestly it was not my job."
	a, b := Score(Answer{Text: base, Dims: dims}), Score(Answer{Text: vague, Dims: dims})
	require.Less(t, b.Parts["problem_solving"].Vague, 0.0)
	require.Equal(t, 1.0, Features(Answer{Text: vague, Dims: dims})["problem_solving"][len(FeatureNames)-1], "two vague phrases count fully")
	require.Less(t, b.Overall, a.Overall)
	zh := Score(Answer{Text: "我不记得具体情况了，这些问题一般是别人负责的。", Dims: dims})
	require.Less(t, zh.Parts["problem_solving"].Vague, 0.0)
	// Buzzwords without an example do not beat a plain, concrete story.
	praise := Score(Answer{Text: "I am a great communicator and a team player. I always listen to stakeholders, I collaborate, I give feedback and I explain things clearly to every audience.", Dims: []string{"communication"}})
	story := Score(Answer{Text: "Last month a client was confused by our pricing change. I called her, explained the two plans with her own numbers, and wrote a one page summary. She stayed with us and renewed for a year.", Dims: []string{"communication"}})
	require.Greater(t, story.Overall, praise.Overall)
}

func TestFirstPersonActionsCountForOwnership(t *testing.T) {
	r := Score(Answer{Text: "The release slipped. I moved one engineer to the tax work, I cut two features and I tracked progress weekly.", Dims: []string{"ownership"}})
	var acts []string
	for _, e := range r.Evidence {
		if e.Dim == "ownership" {
			acts = append(acts, e.Phrase)
		}
	}
	require.Equal(t, []string{"I moved", "I cut", "I tracked"}, acts)
	f := Features(Answer{Text: "The release slipped. I moved one engineer to the tax work, I cut two features and I tracked progress weekly.", Dims: []string{"ownership"}})
	require.Equal(t, 1.0, f["ownership"][0], "three actions of the speaker's are three ownership phrases")
	zh := Features(Answer{Text: "我推动了这个项目，并协调了两个部门。", Dims: []string{"ownership"}})
	require.NotZero(t, zh["ownership"][0])
	// Chinese actions are found by part of speech too: 我 + (time, manner, 把 …) + a verb.
	var zhActs []string
	for _, e := range analyse("我当晚联系了仓库，周六一早自己开车去取。我把常用的回复做成了模板。我具有很强的责任心。").actions() {
		zhActs = append(zhActs, e.Phrase)
	}
	require.Equal(t, []string{"我当晚联系", "我把常用的回复"}, zhActs, "self-description (我具有) is no action")
}

func TestScoresStayInRangeOnHostileText(t *testing.T) {
	dims := []string{"problem_solving", "unknown_dimension"}
	for _, text := range []string{"", "   ", strings.Repeat("root cause 100% ", 5000), strings.Repeat("客户满意度提升百分之九十", 2000), "\x00\xff", "🙂🙂🙂"} {
		r := Score(Answer{Text: text, Question: text, Points: []string{text}, Dims: dims})
		for _, d := range dims {
			require.GreaterOrEqual(t, r.Scores[d], 0.0)
			require.LessOrEqual(t, r.Scores[d], 100.0)
		}
	}
}

func TestOverallUsesTheJobsWeights(t *testing.T) {
	s := map[string]float64{"a": 80, "b": 40}
	require.Equal(t, 60.0, Overall(s, []string{"a", "b"}, nil))
	require.Equal(t, 70.0, Overall(s, []string{"a", "b"}, map[string]float64{"a": 3, "b": 1}))
	require.Equal(t, 60.0, Overall(s, []string{"a", "b"}, map[string]float64{"a": 3}), "a missing weight: the plain mean")
	require.Equal(t, 60.0, Overall(s, []string{"a", "b"}, map[string]float64{"a": 3, "b": -1}), "a bad weight: the plain mean")
	require.Zero(t, Overall(s, nil, nil))
	r := Score(Answer{Text: "I analysed the logs and explained it to the customer.", Dims: []string{"problem_solving", "customer_focus"},
		Weights: map[string]float64{"problem_solving": 1, "customer_focus": 0.0001}})
	require.InDelta(t, r.Scores["problem_solving"], r.Overall, 0.1)
}

func TestUnknownDimensionsTakeTheSamePhrasesEveryTime(t *testing.T) {
	for i := 0; i < 50; i++ {
		require.Equal(t, lexicons["leadership"], lexiconFor("technical_leadership"), "two known names inside: the first in order")
	}
	require.Equal(t, lexicons["customer_focus"], lexiconFor("customer_focus"))
	require.Equal(t, lexicons["problem_solving"], lexiconFor("charisma"))
}
