package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// Scorer scores an answer's text (typed, or a transcript) for the given dimensions.
type Scorer interface {
	Score(ctx context.Context, a Answer) (Result, error)
}

// Offline is the built-in content scorer.
type Offline struct{}

// Score implements Scorer with ScoreAnswer.
func (Offline) Score(_ context.Context, a Answer) (Result, error) {
	return Score(a), nil
}

// External asks a model service over HTTP: POST {text, question, points, language, dimensions}, answer
// {scores: {dimension: 0-100}, overall?, highlights?}. Scores outside 0-100 or missing
// dimensions are refused, so a broken service cannot slip bad numbers into routing.
type External struct {
	URL    string
	Token  string
	Client *http.Client
}

// Score implements Scorer.
func (e External) Score(ctx context.Context, a Answer) (Result, error) {
	dims := a.Dims
	body, _ := json.Marshal(a)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if e.Token != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	hc := e.Client
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("scoring: external scorer: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("scoring: external scorer answered %d", resp.StatusCode)
	}
	var out struct {
		Scores     map[string]float64 `json:"scores"`
		Overall    *float64           `json:"overall"`
		Highlights []string           `json:"highlights"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return Result{}, fmt.Errorf("scoring: external scorer sent unreadable JSON: %w", err)
	}
	r := Result{Scores: map[string]float64{}, Highlights: out.Highlights, Method: "external: " + e.URL, Words: analyse(a.Text).words}
	for _, d := range dims {
		v, ok := out.Scores[d]
		if !ok || math.IsNaN(v) || v < 0 || v > 100 {
			return Result{}, fmt.Errorf("scoring: external scorer gave no valid score for %q", d)
		}
		r.Scores[d] = v
	}
	if out.Overall != nil && *out.Overall >= 0 && *out.Overall <= 100 {
		r.Overall = *out.Overall
	} else {
		r.Overall = Overall(r.Scores, dims, a.Weights)
	}
	r.TooShort = r.Words < 15
	if r.Highlights == nil {
		r.Highlights = []string{}
	}
	return r, nil
}
