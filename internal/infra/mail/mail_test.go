package mail

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// capture is a real SMTP server (go-smtp) that counts the messages it accepts.
type capture struct {
	mu       sync.Mutex
	messages int
}

func (c *capture) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{c: c}, nil }

type session struct{ c *capture }

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	_, _ = io.Copy(io.Discard, r)
	s.c.mu.Lock()
	s.c.messages++
	s.c.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func startSMTP(t *testing.T, addr string, c *capture) *smtp.Server {
	t.Helper()
	srv := smtp.NewServer(c)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the previous server's port may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	return srv
}

// A server restart (or an idle timeout) closes every pooled connection behind the sender's
// back; the next message must still go out on its first try, on a fresh connection.
func TestSendSurvivesStalePooledConnections(t *testing.T) {
	c := &capture{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	srv := startSMTP(t, addr, c)

	s, err := NewSender(addr, "", "", "none", "hireflow <no-reply@hireflow.test>")
	require.NoError(t, err)
	r := Rendered{Subject: "s", Text: "t", HTML: "<p>t</p>"}
	ctx := context.Background()
	// Fill the pool with several connections at once.
	var wg sync.WaitGroup
	for i := 0; i < poolSize; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.Send(ctx, "A", "a@example.com", "<m@test>", r))
		}()
	}
	wg.Wait()
	require.NotEmpty(t, len(s.idle))

	require.NoError(t, srv.Close()) // drops every open connection
	startSMTP(t, addr, c)
	require.NoError(t, s.Send(ctx, "A", "a@example.com", "<m2@test>", r), "first send after the restart")
	require.Equal(t, poolSize+1, c.messages)
}
