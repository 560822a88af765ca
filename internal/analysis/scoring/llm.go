package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
)

// LLM scores answers with a large language model behind an OpenAI-compatible chat-completions
// endpoint (DeepSeek, Qwen/DashScope, Zhipu, Moonshot, OpenAI, llama.cpp, vLLM …): one rubric
// prompt per answer built from the job's dimensions, output constrained by a JSON schema to a
// grade 1–5 and evidence quotes per dimension.
//
// Nothing it returns is taken on trust: every quote must appear in the transcript (after
// normalisation), or that dimension's score is discarded, the offline scorer's used in its
// place and the answer flagged for a person. Malformed output, refusals, timeouts and spent
// budgets fall back to the offline scorer the same way. Personal data never leaves: emails,
// phone and ID numbers and the names the caller knows are replaced before the request.
type LLM struct {
	BaseURL string // …/v1 (chat/completions is appended)
	APIKey  string
	Model   string
	Client  *http.Client
	// Timeout bounds one request (default 30 s); Attempts is how many requests an answer may
	// take in all (default 2: one retry after a timeout, a 429/5xx or unreadable output);
	// MaxTokens bounds each completion (default 800).
	Timeout   time.Duration
	Attempts  int
	MaxTokens int
	// Fallback scores what the model could not (default: the offline scorer).
	Fallback Scorer
}

// Rubric is what each grade means, the same scale the labelled set is graded on.
const Rubric = `Grade each dimension from 1 to 5 by what the answer shows, never by the words it uses:
5 one real situation, concrete actions the speaker took themselves in order, and an outcome that follows from them, checked (a number, a before and after);
4 the same with one part thin (the outcome not checked, or the actions partly the team's);
3 a real situation and a plausible action, but generic or with no outcome;
2 no situation of its own: opinions, habits, what one would do, blame, or numbers that are not the speaker's doing;
1 nothing of the question: self-praise, competency words or slogans without an example, off-topic, or "I do not remember".
For every grade quote, word for word from the answer, the one to three short passages it rests on. Quote nothing that is not in the answer.`

// dimensionMeaning is what each known dimension looks at (CRITERIA.md).
var dimensionMeaning = map[string]string{
	"ownership":       "the actions the speaker took and stood by",
	"problem_solving": "how the cause was found and the fix chosen",
	"communication":   "what was explained, to whom, and how it landed",
	"teamwork":        "how others were brought in",
	"customer_focus":  "what the customer needed and got",
	"planning":        "how the work was ordered and followed up",
	"adaptability":    "what changed in the speaker's way of working",
	"leadership":      "direction given and people grown",
	"technical":       "the technical judgement shown",
}

// ErrLLM is wrapped by every error of the model's that made the scorer fall back.
var ErrLLM = errors.New("scoring: the language model")

// Score implements Scorer. It never fails for the model's sake: whatever the model could not
// score, the fallback scores, and Result.Review says why a person should look.
func (l LLM) Score(ctx context.Context, a Answer) (Result, error) {
	fb := l.Fallback
	if fb == nil {
		fb = Offline{}
	}
	base, err := fb.Score(ctx, a)
	if err != nil {
		return base, err
	}
	base.ScoredBy = map[string]string{}
	fallback := base.Method
	if strings.HasPrefix(fallback, Version) {
		fallback = Version
	}
	for d := range base.Scores {
		base.ScoredBy[d] = fallback
	}
	text := Redact(a.Text, a.Redact)
	grades, err := l.ask(ctx, a, text)
	if err != nil {
		base.Review = append(base.Review, err.Error())
		return base, nil
	}
	norm := normaliseQuote(text)
	name := "llm: " + l.Model
	for _, d := range sortedDims(base.Scores) {
		g, ok := grades[d]
		if !ok {
			base.Review = append(base.Review, fmt.Sprintf("%s: the model gave no grade for %s", name, d))
			continue
		}
		if missing := unfound(g.Evidence, norm); missing != "" {
			base.Review = append(base.Review, fmt.Sprintf("%s: the evidence for %s is not in the answer (%q); its grade was discarded", name, d, clip(missing, 80)))
			continue
		}
		base.Scores[d] = gradeToScore(float64(g.Score))
		base.ScoredBy[d] = name
		for _, q := range g.Evidence {
			base.Highlights = append(base.Highlights, fmt.Sprintf("%s (%s): %q", name, d, q))
		}
	}
	dims := sortedDims(base.Scores)
	base.Overall = Overall(base.Scores, dims, a.Weights)
	if len(base.Review) > 0 {
		base.Method = base.Method + " · " + name + " (partly)"
	} else {
		base.Method = name + " (rubric, evidence checked against the transcript)"
	}
	return base, nil
}

type grade struct {
	Dimension string   `json:"dimension"`
	Score     int      `json:"score"`
	Evidence  []string `json:"evidence"`
}

// ask sends the rubric prompt and reads the grades; it retries within the attempts.
func (l LLM) ask(ctx context.Context, a Answer, text string) (map[string]grade, error) {
	attempts := max(1, l.Attempts)
	if l.Attempts == 0 {
		attempts = 2
	}
	var last error
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(i) * 500 * time.Millisecond):
			}
		}
		g, retry, err := l.once(ctx, a, text)
		if err == nil {
			return g, nil
		}
		last = err
		if !retry {
			break
		}
	}
	return nil, last
}

func (l LLM) once(ctx context.Context, a Answer, text string) (map[string]grade, bool, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	maxTokens := l.MaxTokens
	if maxTokens <= 0 {
		maxTokens = 800
	}
	dims := append([]string{}, a.Dims...)
	sort.Strings(dims)
	var rubric strings.Builder
	rubric.WriteString(Rubric + "\nDimensions:\n")
	for _, d := range dims {
		m := dimensionMeaning[d]
		if m == "" {
			m = "what the answer shows of " + strings.ReplaceAll(d, "_", " ")
		}
		fmt.Fprintf(&rubric, "- %s: %s\n", d, m)
	}
	user := fmt.Sprintf("Question: %s\n\nAnswer (%s):\n%s", Redact(a.Question, a.Redact), langName(a.Lang), text)
	body := map[string]any{
		"model": l.Model, "temperature": 0, "max_tokens": maxTokens,
		"messages": []map[string]string{{"role": "system", "content": rubric.String()}, {"role": "user", "content": user}},
		"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{
			"name": "grades", "strict": true, "schema": gradesSchema(dims)}},
	}
	raw, _ := json.Marshal(body)
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, strings.TrimRight(l.BaseURL, "/")+"/chat/completions", bytes.NewReader(raw))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrLLM, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if l.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+l.APIKey)
	}
	hc := l.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("%w: no answer within %s: %v", ErrLLM, timeout, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return nil, true, fmt.Errorf("%w answered %d", ErrLLM, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("%w answered %d: %s", ErrLLM, resp.StatusCode, clip(string(out), 200))
	}
	var cc struct {
		Choices []struct {
			Message struct {
				Content *string `json:"content"`
				Refusal *string `json:"refusal"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(out, &cc); err != nil || len(cc.Choices) == 0 {
		return nil, true, fmt.Errorf("%w sent no readable completion", ErrLLM)
	}
	msg := cc.Choices[0].Message
	if msg.Refusal != nil && *msg.Refusal != "" {
		return nil, false, fmt.Errorf("%w refused: %s", ErrLLM, clip(*msg.Refusal, 200))
	}
	if cc.Choices[0].FinishReason == "length" {
		return nil, false, fmt.Errorf("%w ran out of its budget of %d tokens", ErrLLM, maxTokens)
	}
	if msg.Content == nil {
		return nil, true, fmt.Errorf("%w sent an empty completion", ErrLLM)
	}
	var parsed struct {
		Grades []grade `json:"grades"`
	}
	dec := json.NewDecoder(strings.NewReader(*msg.Content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&parsed); err != nil {
		return nil, true, fmt.Errorf("%w sent output that is not the grades' JSON: %v", ErrLLM, err)
	}
	grades := map[string]grade{}
	for _, g := range parsed.Grades {
		if g.Score < 1 || g.Score > 5 || len(g.Evidence) == 0 || !contains(dims, g.Dimension) {
			continue // not a grade of this answer's: that dimension is reviewed
		}
		grades[g.Dimension] = g
	}
	return grades, false, nil
}

// gradesSchema is the JSON schema the completion must follow.
func gradesSchema(dims []string) map[string]any {
	return map[string]any{
		"type": "object", "additionalProperties": false, "required": []string{"grades"},
		"properties": map[string]any{"grades": map[string]any{
			"type": "array",
			"items": map[string]any{
				"type": "object", "additionalProperties": false, "required": []string{"dimension", "score", "evidence"},
				"properties": map[string]any{
					"dimension": map[string]any{"type": "string", "enum": dims},
					"score":     map[string]any{"type": "integer", "minimum": 1, "maximum": 5},
					"evidence":  map[string]any{"type": "array", "minItems": 1, "maxItems": 3, "items": map[string]any{"type": "string"}},
				},
			},
		}},
	}
}

var (
	emailRe  = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`)
	idRe     = regexp.MustCompile(`\b\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b|\b[A-Z]{1,2}\d{6,9}\b`)
	phoneRe  = regexp.MustCompile(`(?:\+?\d{1,3}[\s-]?)?(?:\(?\d{2,4}\)?[\s-]?)?\d{3,4}[\s-]?\d{4}\b`)
	selfName = regexp.MustCompile(`(?i)(my name is|i am called|i'm called|我叫|我的名字是|我是)\s*([\p{Han}]{2,3}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)`)
)

// Redact replaces personal data in a text before it leaves: emails, ID and passport numbers,
// phone numbers, the names given (the candidate's, as the caller knows them) and a name the
// speaker introduces ("my name is …", "我叫…").
func Redact(text string, names []string) string {
	text = emailRe.ReplaceAllString(text, "[email]")
	text = idRe.ReplaceAllString(text, "[id]")
	text = phoneRe.ReplaceAllStringFunc(text, func(m string) string {
		digits := 0
		for _, r := range m {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits >= 7 {
			return "[phone]"
		}
		return m
	})
	text = selfName.ReplaceAllString(text, "$1 [name]")
	for _, n := range names {
		for _, part := range append([]string{n}, strings.Fields(n)...) {
			if len([]rune(part)) < 2 {
				continue
			}
			pat := regexp.QuoteMeta(part)
			if !hasHan(part) {
				pat = `\b` + pat + `\b` // "Li" is a name, not the start of "list"
			}
			text = regexp.MustCompile(`(?i)`+pat).ReplaceAllString(text, "[name]")
		}
	}
	return text
}

// normaliseQuote lowercases, drops punctuation and collapses spaces (between Chinese characters
// too), so a quote matches the transcript however it was punctuated.
func normaliseQuote(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.Is(unicode.Han, r):
			b.WriteRune(r)
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '[' || r == ']':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		default:
			space = true
		}
	}
	return b.String()
}

// unfound is the first quote that does not appear in the normalised text ("" when all do).
func unfound(quotes []string, norm string) string {
	for _, q := range quotes {
		n := normaliseQuote(q)
		if len([]rune(n)) < 4 || !strings.Contains(norm, n) {
			return q
		}
	}
	return ""
}

func sortedDims(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func langName(l string) string {
	if l == "zh" {
		return "Chinese"
	}
	return "English"
}
