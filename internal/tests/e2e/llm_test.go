package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/chatfixture"
)

// TestLanguageModelScoringIsOptIn runs the deployment's language-model adapter against a local
// OpenAI-compatible server answering from fixtures. Until an admin turns it on, nothing is sent
// and the offline scorer scores; once on, typed answers are graded by the model with its
// quotes checked against the answer, the report says which scorer produced each score, and
// neither the candidate's name, email nor phone ever reaches the server.
func TestLanguageModelScoringIsOptIn(t *testing.T) {
	chat := chatfixture.Start("sk-e2e")
	t.Cleanup(chat.Close)
	l := newHiringEnvWith(t, map[string]string{"HIREFLOW_LLM_URL": chat.URL + "/v1", "HIREFLOW_LLM_KEY": "sk-e2e", "HIREFLOW_LLM_MODEL": "fixture-1"})
	admin := l.Client(t, hireflow.RoleAdmin)
	setting := l.BaseURL + "/api/v1/organisation/llm-scoring"
	scorerOf := func(appID, q string) (string, map[string]any) {
		var raw []byte
		var scorer string
		require.NoError(t, l.Store.Pool().QueryRow(ctx, `SELECT s.report, s.scorer FROM answer_scores s JOIN answers a ON a.id = s.answer_id
			WHERE a.application_id = $1 AND a.question_id = $2`, appID, q).Scan(&raw, &scorer))
		var rep map[string]any
		require.NoError(t, json.Unmarshal(raw, &rep))
		return scorer, rep
	}

	// Off by default: the offline scorer, and not one request to the model.
	appID, token, _ := l.applyAndOpen("Lan Offline", "llm-off")
	l.interview(appID, token)
	scorer, _ := scorerOf(appID, "q1")
	require.Equal(t, "content-v5", scorer)
	require.Empty(t, chat.Requests(), "nothing is sent without the organisation's setting")

	// Only an admin turns it on, with a clear body.
	var eb errBody
	require.Equal(t, 403, doJSON(t, l.rec, http.MethodPut, setting, map[string]any{"enabled": true}, &eb))
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, setting, map[string]any{}, &eb))
	require.Equal(t, "enabled", eb.Error.Field)
	require.Equal(t, 400, doJSON(t, admin, http.MethodPut, setting, map[string]any{"enabled": "yes"}, &eb))
	var out map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, setting, map[string]any{"enabled": true}, &out))
	require.Equal(t, true, out["configured"])
	page := string(getPage(t, admin, l.BaseURL+"/console/admin"))
	require.Contains(t, page, `id="llm-on" name="enabled" aria-describedby="llm-d" checked`)

	// On: graded by the model, each quote found in the answer.
	appID, token, p := l.applyAndOpen("Lan Modelle", "llm-on")
	l.answer(token, "q1", strongAnswer+" You can call me on "+p.Phone+" or write to "+p.Email+". Regards, "+p.Name+".")
	l.answer(token, "q2", strongAnswer)
	waitStage(t, l.Env, appID, hireflow.StageReview, 60*time.Second)
	scorer, rep := scorerOf(appID, "q1")
	require.True(t, strings.HasPrefix(scorer, "llm: fixture-1"), scorer)
	require.Equal(t, map[string]any{"ownership": "llm: fixture-1", "problem_solving": "llm: fixture-1"}, rep["scored_by"])
	require.Empty(t, rep["review"])
	require.NotEmpty(t, chat.Requests())
	for _, body := range chat.Requests() {
		for _, pii := range []string{p.Name, p.Email, p.Phone, "139 1234 5678"} {
			require.NotContains(t, body, pii, "personal data never goes to the model")
		}
	}
	report := string(getPage(t, l.mgr, l.BaseURL+"/console/applications/"+appID+"/report"))
	require.Contains(t, report, "scored by: llm: fixture-1")
}
