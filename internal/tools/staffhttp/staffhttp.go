// Package staffhttp is the staff API's client side for the tools (tests, the demo, benches):
// a cookie session whose state-changing requests carry the session's CSRF token, as the
// console's pages send it.
package staffhttp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"
)

// Login signs in at base and returns a client that keeps the session cookie and sends the
// CSRF token with every request.
func Login(base, org, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 60 * time.Second}
	body, _ := json.Marshal(map[string]string{"org": org, "email": email, "password": password})
	resp, err := hc.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sign-in as %s answered %d: %.300s", email, resp.StatusCode, b)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.CSRF == "" {
		return nil, fmt.Errorf("sign-in as %s: no CSRF token in %.300s", email, b)
	}
	return WithCSRF(hc, out.CSRF), nil
}

// WithCSRF makes hc send token in X-CSRF-Token on every request.
func WithCSRF(hc *http.Client, token string) *http.Client {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *hc
	c.Transport = csrfTransport{next: next, token: token}
	return &c
}

type csrfTransport struct {
	next  http.RoundTripper
	token string
}

func (t csrfTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-CSRF-Token", t.token)
	return t.next.RoundTrip(r)
}
