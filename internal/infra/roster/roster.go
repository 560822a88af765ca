// Package roster reads interviewers' shift rosters from the attendance platforms Chinese
// employers use — DingTalk, WeCom and Feishu — behind one Source interface. Each client pages
// its requests to the platform's user and date-window limits, fetches and refreshes its access
// token, backs off on rate limits, and normalises shifts to scheduling.Shift (sections and
// rests in wall-clock time on a date, rest days, next-day ends), which the scheduling package
// turns into UTC intervals in the interviewer's zone.
package roster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// Source is an attendance platform: the shifts of the given platform users on the days
// [from, to], each Shift's Person being the platform's user ID.
type Source interface {
	Kind() string
	Fetch(ctx context.Context, users []string, from, to scheduling.Day) ([]scheduling.Shift, error)
}

// Config is one organisation's account on a platform.
type Config struct {
	Kind     string // dingtalk, wecom, feishu
	BaseURL  string // https://oapi.dingtalk.com, https://qyapi.weixin.qq.com, https://open.feishu.cn
	AppKey   string // DingTalk appkey, WeCom corpid, Feishu app_id
	Secret   string // appsecret, corpsecret, app_secret
	OpUserID string // DingTalk: the administrator the schedule queries run as
	// Backoff is the first wait after a rate-limit answer (doubled each time); default 500 ms.
	Backoff time.Duration
	// Retries is how many rate-limit answers one request survives; default 5.
	Retries int
	HTTP    *http.Client
}

// DefaultBaseURL is each platform's public API host.
var DefaultBaseURL = map[string]string{
	"dingtalk": "https://oapi.dingtalk.com",
	"wecom":    "https://qyapi.weixin.qq.com",
	"feishu":   "https://open.feishu.cn",
}

// New returns the platform's client.
func New(c Config) (Source, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL[c.Kind]
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 20 * time.Second}
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.Retries <= 0 {
		c.Retries = 5
	}
	b := &base{cfg: c}
	switch c.Kind {
	case "dingtalk":
		return &DingTalk{b}, nil
	case "wecom":
		return &WeCom{b}, nil
	case "feishu":
		return &Feishu{b}, nil
	}
	return nil, fmt.Errorf("roster: unknown platform %q (dingtalk, wecom or feishu)", c.Kind)
}

// ErrAuth is a refused credential: retrying cannot help.
var ErrAuth = errors.New("roster: the platform refused the credentials")

// apiError is a platform's error answer.
type apiError struct {
	platform string
	code     int
	msg      string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("roster: %s answered %d: %s", e.platform, e.code, e.msg)
}

// outcome classifies a platform's answer code.
type outcome int

const (
	ok outcome = iota
	tokenExpired
	rateLimited
	failed
)

// base holds the token cache and the request loop shared by the three clients.
type base struct {
	cfg     Config
	mu      sync.Mutex
	token   string
	expires time.Time
}

// tokenFunc fetches a fresh token and its lifetime.
type tokenFunc func(ctx context.Context) (string, time.Duration, error)

func (b *base) accessToken(ctx context.Context, fetch tokenFunc, fresh bool) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !fresh && b.token != "" && time.Now().Before(b.expires) {
		return b.token, nil
	}
	tok, ttl, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	// Renew a minute early, as the platforms advise.
	b.token, b.expires = tok, time.Now().Add(ttl-time.Minute)
	return tok, nil
}

// call runs one API request with the token, refreshing it once when the platform says it
// expired and backing off when it says slow down. classify reads the answer's code.
func (b *base) call(ctx context.Context, fetch tokenFunc, send func(token string) (*http.Request, error), out any, classify func([]byte) (outcome, error)) error {
	refreshed := false
	wait := b.cfg.Backoff
	for attempt := 0; ; attempt++ {
		tok, err := b.accessToken(ctx, fetch, false)
		if err != nil {
			return err
		}
		req, err := send(tok)
		if err != nil {
			return err
		}
		body, status, err := b.do(ctx, req)
		if err != nil {
			return err
		}
		o, cerr := classify(body)
		if status == http.StatusTooManyRequests {
			o = rateLimited
		}
		switch o {
		case ok:
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("roster: %s answered malformed JSON: %w", b.cfg.Kind, err)
			}
			return nil
		case tokenExpired:
			if refreshed {
				return cerr
			}
			refreshed = true
			b.mu.Lock()
			b.token = ""
			b.mu.Unlock()
		case rateLimited:
			if attempt >= b.cfg.Retries {
				return fmt.Errorf("roster: %s kept answering slow down: %w", b.cfg.Kind, cerr)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		default:
			if cerr == nil {
				cerr = fmt.Errorf("roster: %s answered HTTP %d", b.cfg.Kind, status)
			}
			return cerr
		}
	}
}

func (b *base) do(ctx context.Context, req *http.Request) ([]byte, int, error) {
	resp, err := b.cfg.HTTP.Do(req.WithContext(ctx))
	if err != nil {
		return nil, 0, fmt.Errorf("roster: %s unreachable: %w", b.cfg.Kind, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("roster: %s: %w", b.cfg.Kind, err)
	}
	if resp.StatusCode >= 500 {
		return nil, 0, fmt.Errorf("roster: %s answered HTTP %d", b.cfg.Kind, resp.StatusCode)
	}
	return body, resp.StatusCode, nil
}

func jsonRequest(method, url string, body any, header map[string]string) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req, nil
}

// chunks splits users into groups of at most n.
func chunks(users []string, n int) [][]string {
	var out [][]string
	for len(users) > n {
		out = append(out, users[:n])
		users = users[n:]
	}
	if len(users) > 0 {
		out = append(out, users)
	}
	return out
}

// windows splits the days [from, to] into windows of at most n days; sameMonth also cuts at
// month ends (WeCom reads one month at a time).
func windows(from, to scheduling.Day, n int, sameMonth bool) [][2]scheduling.Day {
	var out [][2]scheduling.Day
	cur := dayTime(from)
	end := dayTime(to)
	for !cur.After(end) {
		last := cur.AddDate(0, 0, n-1)
		if sameMonth {
			if monthEnd := time.Date(cur.Year(), cur.Month()+1, 0, 0, 0, 0, 0, time.UTC); last.After(monthEnd) {
				last = monthEnd
			}
		}
		if last.After(end) {
			last = end
		}
		out = append(out, [2]scheduling.Day{scheduling.DayOf(cur), scheduling.DayOf(last)})
		cur = last.AddDate(0, 0, 1)
	}
	return out
}

func dayTime(d scheduling.Day) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}
