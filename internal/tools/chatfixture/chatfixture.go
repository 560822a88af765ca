// Package chatfixture is a local OpenAI-compatible chat-completions server for tests: it answers
// POST /v1/chat/completions from fixtures, in the shapes the API documents (choices[].message
// with content or refusal, finish_reason, HTTP 429), and records every request it was sent.
//
// The fixture is named in the last user message ("fixture: good"); without one, Default is
// used. Fixtures that grade ("echo") quote the answer (the text after "Answer …:\n") word for
// word and grade every dimension of the request's JSON schema.
package chatfixture

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Server is the running fixture server.
type Server struct {
	*httptest.Server
	// Key is the API key it requires ("Bearer " + Key).
	Key string
	// Default is the fixture of requests that name none.
	Default string
	mu      sync.Mutex
	bodies  []string
	calls   map[string]int
}

// Grade is one grade a fixture returns.
type Grade struct {
	Dimension string   `json:"dimension"`
	Score     int      `json:"score"`
	Evidence  []string `json:"evidence"`
}

// Fixtures are the fixed answers by name: the grades to return as the completion's content.
var Fixtures = map[string][]Grade{
	"good":       {{"ownership", 5, []string{"I called the supplier", "fell from fifteen to three"}}, {"planning", 4, []string{"set a daily list"}}},
	"invented":   {{"ownership", 5, []string{"I led a team of forty engineers"}}, {"planning", 4, []string{"set a daily list"}}},
	"outofrange": {{"ownership", 9, []string{"I called the supplier"}}},
	"busy-once":  {{"ownership", 4, []string{"I called the supplier"}}, {"planning", 4, []string{"set a daily list"}}},
}

// Start starts a server; close it with Close.
func Start(key string) *Server {
	s := &Server{Key: key, Default: "echo", calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests are the bodies of the requests received so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.bodies...)
}

// Calls is how many requests named the fixture.
func (s *Server) Calls(fixture string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[fixture]
}

type request struct {
	Model          string `json:"model"`
	MaxTokens      int    `json:"max_tokens"`
	Messages       []struct{ Role, Content string }
	ResponseFormat struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Strict bool            `json:"strict"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		http.Error(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`, http.StatusUnauthorized)
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req request
	if err := json.Unmarshal(raw, &req); err != nil || len(req.Messages) == 0 || req.ResponseFormat.Type != "json_schema" ||
		!req.ResponseFormat.JSONSchema.Strict || req.MaxTokens <= 0 {
		http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	user := req.Messages[len(req.Messages)-1].Content
	fixture := s.Default
	if _, after, ok := strings.Cut(user, "fixture:"); ok {
		fixture = strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, string(raw))
	s.calls[fixture]++
	n := s.calls[fixture]
	s.mu.Unlock()

	content := func(c string) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-fixture", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": c}}}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
	grades := func(g []Grade) {
		b, _ := json.Marshal(map[string]any{"grades": g})
		content(string(b))
	}
	switch fixture {
	case "echo":
		grades(echo(user, req.ResponseFormat.JSONSchema.Schema))
	case "malformed":
		content(`{"grades": [{"dimension": "ownership", "score": 5, "evidence": ["I called`)
	case "extra":
		content(`{"grades": [], "overall": 100}`)
	case "refusal":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":null,"refusal":"I can't help with grading people."}}]}`))
	case "budget":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"{\"grades\": [{\"dimens"}}]}`))
	case "slow":
		time.Sleep(300 * time.Millisecond)
		grades(nil)
	case "busy-once":
		if n == 1 {
			http.Error(w, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`, http.StatusTooManyRequests)
			return
		}
		grades(Fixtures[fixture])
	default:
		g, ok := Fixtures[fixture]
		if !ok {
			http.Error(w, `{"error":{"message":"unknown fixture","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		grades(g)
	}
}

// echo grades every dimension of the schema 4, quoting the answer's first words.
func echo(user string, schema json.RawMessage) []Grade {
	var sc struct {
		Properties struct {
			Grades struct {
				Items struct {
					Properties struct {
						Dimension struct {
							Enum []string `json:"enum"`
						} `json:"dimension"`
					} `json:"properties"`
				} `json:"items"`
			} `json:"grades"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &sc)
	answer := user
	if i := strings.Index(user, "):\n"); i >= 0 {
		answer = user[i+3:]
	}
	quote := []rune(strings.TrimSpace(answer))
	quote = quote[:min(len(quote), 24)]
	var out []Grade
	for _, d := range sc.Properties.Grades.Items.Properties.Dimension.Enum {
		out = append(out, Grade{Dimension: d, Score: 4, Evidence: []string{string(quote)}})
	}
	return out
}
