package workers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func echo(_ workflow.Context, s string) (string, error) { return s, nil }

// startTemporal runs the real Temporal dev server (the stack's CLI) on port with the database db.
func startTemporal(t *testing.T, bin, db string, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", fmt.Sprint(port),
		"--http-port", fmt.Sprint(port+1), "--metrics-port", fmt.Sprint(port+2), "--db-filename", db, "--log-level", "error")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	return cmd
}

// After the Temporal server is killed and started again, the supervised worker's pollers are
// restarted and a new workflow runs at once, not after the SDK's poll backoff.
func TestSupervisedWorkerPollsAgainAfterTemporalRestarts(t *testing.T) {
	cache := os.Getenv("HIREFLOW_CACHE")
	if cache == "" {
		cache = filepath.Join(os.Getenv("HOME"), ".cache", "hireflow")
	}
	bin := filepath.Join(cache, "bin", "temporal")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Temporal CLI is not installed at %s (deploy/local/stack.sh install)", bin)
		}
		t.Skip("the Temporal CLI is not installed: run deploy/local/stack.sh install")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	db := filepath.Join(t.TempDir(), "temporal.db")
	server := startTemporal(t, bin, db, port)

	var c client.Client
	require.Eventually(t, func() bool {
		c, err = client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", port)})
		return err == nil
	}, 90*time.Second, 200*time.Millisecond, "a fresh dev server starts (slow when every package runs at once under -race)")
	defer c.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := Supervise(c, func() worker.Worker {
		w := worker.New(c, "supervised", worker.Options{})
		w.RegisterWorkflow(echo)
		return w
	}, log)
	require.NoError(t, s.Start())
	defer s.Stop()
	run := func(id string) time.Duration {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "supervised"}, echo, id)
		require.NoError(t, err)
		var out string
		require.NoError(t, r.Get(ctx, &out))
		require.Equal(t, id, out)
		return time.Since(start)
	}
	run("before")

	_ = syscall.Kill(-server.Process.Pid, syscall.SIGKILL)
	_ = server.Wait()
	time.Sleep(12 * time.Second) // long enough for the SDK's poll backoff to reach its 10 s cap
	startTemporal(t, bin, db, port)
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.Restarts == 1
	}, 30*time.Second, 100*time.Millisecond, "the pollers restart when Temporal is back")
	took := run("after")
	t.Logf("first workflow after the restart took %s", took)
}
