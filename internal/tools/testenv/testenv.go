// Package testenv is the integration-test harness: it starts (or reuses) the real test stack
// through deploy/local/stack.sh — Temporal dev server, PostgreSQL, MinIO, maildev — and gives
// each test its own organisation, task queue, worker and API server so tests do not interfere.
// It never skips: a stack that cannot start fails the test, with the reason.
package testenv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/tools/staffhttp"
	"github.com/hireflow/hireflow/migrations"
	"github.com/hireflow/hireflow/workers"
)

var (
	once     sync.Once
	stackEnv map[string]string
	stackErr error
)

// RepoRoot finds the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

func startStack() (map[string]string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	script := filepath.Join(root, "deploy", "local", "stack.sh")
	var out bytes.Buffer
	cmd := exec.Command("bash", script, "start", "test")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("testenv: the test stack did not start (run `bash deploy/local/stack.sh install` first?): %v\n%s", err, out.String())
	}
	envOut, err := exec.Command("bash", script, "env", "test").Output()
	if err != nil {
		return nil, fmt.Errorf("testenv: stack env: %w", err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(envOut))
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	if _, err := migrations.Apply(context.Background(), m["HIREFLOW_DATABASE_URL"]); err != nil {
		return nil, err
	}
	return m, nil
}

// Config returns the test stack's configuration, starting the stack once per test binary.
// overrides replace individual HIREFLOW_* keys.
func Config(t testing.TB, overrides map[string]string) *config.Config {
	t.Helper()
	once.Do(func() { stackEnv, stackErr = startStack() })
	require.NoError(t, stackErr)
	cfg, err := config.LoadWith(func(k string) (string, bool) {
		if v, ok := overrides[k]; ok {
			return v, true
		}
		v, ok := stackEnv[k]
		return v, ok
	})
	require.NoError(t, err)
	return cfg
}

// Env is one test's slice of the stack.
type Env struct {
	*app.App
	BaseURL string
	// MetricsURL is the separate metrics listener; the API port has no /metrics.
	MetricsURL string
	// OpsURL is the operations listener (metrics and the Temporal UI's codec server).
	OpsURL    string
	Org       hireflow.Organisation
	Recruiter hireflow.User
	Passwords map[hireflow.Role]string
	Users     map[hireflow.Role]hireflow.User
	MailAPI   string
	HTTP      *http.Client
}

// Start wires an app to the test stack with a fresh organisation (one user per role), its own
// task queue and worker, and an API server on a free loopback port.
func Start(t testing.TB) *Env { return StartWith(t, nil) }

// StartWith is Start with some HIREFLOW_* settings of the test's own (a language-model
// endpoint, say).
func StartWith(t testing.TB, settings map[string]string) *Env {
	t.Helper()
	ctx := context.Background()
	suffix := strings.ReplaceAll(uuid.NewString()[:12], "-", "")
	overrides := map[string]string{"HIREFLOW_TASK_QUEUE": "test-" + suffix, "HIREFLOW_SCORING_TASK_QUEUE": "test-scoring-" + suffix,
		"HIREFLOW_RATE_LIMIT_PER_MIN": "0", "HIREFLOW_LOG_LEVEL": "warn",
		// A job's language model takes some 15 s to build; the tests that need it turn it on.
		"HIREFLOW_DOMAIN_LM": "off"}
	for k, v := range settings {
		overrides[k] = v
	}
	cfg := Config(t, overrides)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg.PublicURL = "http://" + ln.Addr().String()
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.LogLevel), false)
	require.NoError(t, err)
	t.Cleanup(a.Close)

	w := workers.NewApplicationWorker(a.Temporal, cfg.TaskQueue, a.Activities(), worker.Options{})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	sw := workers.NewScoringWorker(a.Temporal, cfg.ScoringTaskQueue, a.Activities(), worker.Options{})
	require.NoError(t, sw.Start())
	t.Cleanup(sw.Stop)
	deps := a.HTTPDeps()
	f := api.New(deps)
	go func() { _ = f.Listener(ln) }()
	t.Cleanup(func() { _ = f.ShutdownWithTimeout(5 * time.Second) })
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	m := api.NewOps(a.Registry, a.Codec, "", &deps)
	go func() { _ = m.Listener(mln) }()
	t.Cleanup(func() { _ = m.Shutdown() })

	e := &Env{App: a, BaseURL: cfg.PublicURL, MetricsURL: "http://" + mln.Addr().String() + "/metrics", OpsURL: "http://" + mln.Addr().String(), MailAPI: cfg.MailUIURL, Passwords: map[hireflow.Role]string{},
		Users: map[hireflow.Role]hireflow.User{}, HTTP: &http.Client{Timeout: 60 * time.Second}}
	e.Org, err = a.Store.OrgCreate(ctx, "t-"+suffix, "Test Org "+suffix)
	require.NoError(t, err)
	for _, role := range hireflow.Roles {
		pw := "pw-" + uuid.NewString()
		hash, err := passwd.Hash(pw)
		require.NoError(t, err)
		u, err := a.Store.UserCreate(ctx, e.Org.ID, string(role)+"-"+suffix+"@staff.test", "Staff "+string(role), role, hash)
		require.NoError(t, err)
		e.Users[role], e.Passwords[role] = u, pw
	}
	e.Recruiter = e.Users[hireflow.RoleRecruiter]
	return e
}

// Client signs in as role and returns an HTTP client carrying the session cookie.
func (e *Env) Client(t testing.TB, role hireflow.Role) *http.Client {
	t.Helper()
	hc, err := staffhttp.Login(e.BaseURL, e.Org.Slug, e.Users[role].Email, e.Passwords[role])
	require.NoError(t, err, "login as %s", role)
	return hc
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}
