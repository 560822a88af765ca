package scoring

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
	r, err := e.Score(context.Background(), "some answer text", "q", "en", []string{"communication", "ownership"})
	require.NoError(t, err)
	require.Equal(t, 68.0, r.Overall)
	_, err = e.Score(context.Background(), "x", "bad", "en", []string{"communication"})
	require.ErrorContains(t, err, "no valid score")
	_, err = e.Score(context.Background(), "x", "q", "en", []string{"leadership"})
	require.Error(t, err, "a missing dimension is refused")
}
