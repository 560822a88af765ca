package scoring

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/tools/chatfixture"
)

const llmAnswer = "My name is Li Wei and you can reach me at li.wei@example.com or +86 138 0013 8000. Parts took three days to reach customers. " +
	"I called the supplier, asked for signatures by phone and set a daily list for the clerk. Complaints fell from fifteen to three."

func newChatServer(t *testing.T) *chatfixture.Server {
	cs := chatfixture.Start("sk-test")
	t.Cleanup(cs.Close)
	return cs
}

func llmFor(cs *chatfixture.Server) LLM {
	return LLM{BaseURL: cs.URL + "/v1", APIKey: "sk-test", Model: "fixture-1", Timeout: 150 * time.Millisecond}
}

func TestLLMScoresWithVerifiedEvidence(t *testing.T) {
	cs := newChatServer(t)
	dims := []string{"ownership", "planning"}
	r, err := llmFor(cs).Score(context.Background(), Answer{Text: llmAnswer, Question: "fixture: good\nTell us about something you improved.", Lang: "en", Dims: dims, Redact: []string{"Li Wei"}})
	require.NoError(t, err)
	require.Equal(t, 100.0, r.Scores["ownership"])
	require.Equal(t, 75.0, r.Scores["planning"])
	require.Equal(t, map[string]string{"ownership": "llm: fixture-1", "planning": "llm: fixture-1"}, r.ScoredBy)
	require.Empty(t, r.Review)
	require.Contains(t, r.Method, "llm: fixture-1")
	require.Equal(t, 87.5, r.Overall)
	// Nothing personal left the machine.
	require.Len(t, cs.Requests(), 1)
	for _, req := range cs.Requests() {
		for _, pii := range []string{"Li Wei", "Wei", "li.wei@example.com", "138 0013 8000", "8000"} {
			require.NotContains(t, req, pii)
		}
		require.Contains(t, req, "[email]")
		require.Contains(t, req, "[phone]")
	}
}

func TestLLMEvidenceNotInTheAnswerIsDiscarded(t *testing.T) {
	cs := newChatServer(t)
	dims := []string{"ownership", "planning"}
	offline := Score(Answer{Text: llmAnswer, Question: "fixture: invented", Dims: dims})
	r, err := llmFor(cs).Score(context.Background(), Answer{Text: llmAnswer, Question: "fixture: invented", Dims: dims})
	require.NoError(t, err)
	require.Equal(t, offline.Scores["ownership"], r.Scores["ownership"], "the invented grade is replaced by the offline scorer's")
	require.Equal(t, Version, strings.SplitN(r.ScoredBy["ownership"], ":", 2)[0])
	require.Equal(t, "llm: fixture-1", r.ScoredBy["planning"])
	require.Len(t, r.Review, 1)
	require.Contains(t, r.Review[0], "not in the answer")
}

func TestLLMFailuresFallBackAndAskForAPerson(t *testing.T) {
	cs := newChatServer(t)
	dims := []string{"ownership", "planning"}
	offline := Score(Answer{Text: llmAnswer, Dims: dims})
	for fixture, why := range map[string]string{
		"malformed":  "not the grades' JSON",
		"extra":      "not the grades' JSON",
		"refusal":    "refused",
		"budget":     "budget",
		"slow":       "no answer within",
		"unknown":    "answered 400",
		"wrong-key":  "answered 401",
		"outofrange": "no grade for ownership",
	} {
		l := llmFor(cs)
		if fixture == "wrong-key" {
			l.APIKey = "sk-other"
		}
		r, err := l.Score(context.Background(), Answer{Text: llmAnswer, Question: "fixture: " + fixture, Dims: dims})
		require.NoError(t, err, fixture)
		require.NotEmpty(t, r.Review, fixture)
		require.Contains(t, strings.Join(r.Review, " "), why, fixture)
		require.Equal(t, offline.Scores["ownership"], r.Scores["ownership"], fixture)
	}
	require.Equal(t, 2, cs.Calls("malformed"), "unreadable output is asked for once more")
	require.Equal(t, 2, cs.Calls("slow"), "a timeout is retried once")
	require.Equal(t, 1, cs.Calls("refusal"), "a refusal is not asked again")
	require.Equal(t, 1, cs.Calls("budget"), "a spent budget is not asked again")

	r, err := llmFor(cs).Score(context.Background(), Answer{Text: llmAnswer, Question: "fixture: busy-once", Dims: dims})
	require.NoError(t, err)
	require.Empty(t, r.Review, "a 429 is retried")
	require.Equal(t, 75.0, r.Scores["ownership"])
}

func TestRedact(t *testing.T) {
	got := Redact("我叫张伟，身份证 110101199003071234，电话 13800138000，邮箱 zw@example.cn。我负责了三个项目，节省了 20% 的时间。", []string{"张伟"})
	for _, pii := range []string{"张伟", "110101199003071234", "13800138000", "zw@example.cn"} {
		require.NotContains(t, got, pii)
	}
	require.Contains(t, got, "我负责了三个项目，节省了 20% 的时间", "the answer itself stays")
	require.Equal(t, "errors fell from 15 to 3 in 2024", Redact("errors fell from 15 to 3 in 2024", nil))
}
