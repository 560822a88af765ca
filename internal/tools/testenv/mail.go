package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Email is a message as maildev's REST API returns it.
type Email struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	To      []struct {
		Address string `json:"address"`
	} `json:"to"`
	Headers map[string]any `json:"headers"`
}

// Emails returns every captured email sent to addr.
func (e *Env) Emails(t testing.TB, addr string) []Email {
	t.Helper()
	resp, err := http.Get(e.MailAPI + "/email")
	if err != nil {
		t.Fatalf("mail capture: %v", err)
	}
	defer resp.Body.Close()
	var all []Email
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		t.Fatalf("mail capture: %v", err)
	}
	var out []Email
	for _, m := range all {
		for _, to := range m.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// WaitEmail waits for an email to addr whose subject contains subject.
func (e *Env) WaitEmail(t testing.TB, addr, subject string, timeout time.Duration) Email {
	t.Helper()
	var found Email
	Eventually(t, timeout, fmt.Sprintf("an email to %s about %q", addr, subject), func() bool {
		for _, m := range e.Emails(t, addr) {
			if strings.Contains(m.Subject, subject) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

var linkRe = regexp.MustCompile(`https?://[^\s"'<>]+/c/[A-Za-z0-9_-]{43}`)

// Link returns the candidate link in an email's text body.
func (m Email) Link(t testing.TB) string {
	t.Helper()
	l := linkRe.FindString(m.Text)
	if l == "" {
		t.Fatalf("no candidate link in email %q:\n%s", m.Subject, m.Text)
	}
	if h := linkRe.FindString(m.HTML); h != l {
		t.Fatalf("HTML and text bodies carry different links: %q vs %q", h, l)
	}
	return l
}
