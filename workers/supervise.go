package workers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// ReconnectCheck is how often a supervised worker asks whether Temporal is reachable.
const ReconnectCheck = time.Second

// Supervised runs a worker and restarts its pollers as soon as Temporal is reachable again after
// an outage. The SDK's own poll retry backs off up to 10 s, so without this the first task after
// a restart of the server waits up to that long; with it, about ReconnectCheck.
type Supervised struct {
	client client.Client
	build  func() worker.Worker
	log    *slog.Logger

	mu     sync.Mutex
	w      worker.Worker
	cancel context.CancelFunc
	done   chan struct{}
	// Restarts counts how often the pollers were restarted after an outage.
	Restarts int
}

// Supervise builds the worker with build (again at each restart) and watches c's health.
func Supervise(c client.Client, build func() worker.Worker, log *slog.Logger) *Supervised {
	return &Supervised{client: c, build: build, log: log}
}

// Start starts the worker and the watch.
func (s *Supervised) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w = s.build()
	if err := s.w.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.watch(ctx)
	return nil
}

func (s *Supervised) watch(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(ReconnectCheck)
	defer t.Stop()
	down := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, ReconnectCheck)
		_, err := s.client.CheckHealth(cctx, nil)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			if !down {
				s.log.Warn("temporal unreachable; pollers will restart when it is back", "err", err.Error())
			}
			down = true
		case err == nil && down:
			down = false
			s.restart()
		}
	}
}

func (s *Supervised) restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.Stop()
	s.w = s.build()
	if err := s.w.Start(); err != nil {
		s.log.Error("worker restart failed", "err", err.Error())
		return
	}
	s.Restarts++
	s.log.Info("temporal reachable again; pollers restarted")
}

// Stop stops the watch and the worker.
func (s *Supervised) Stop() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w != nil {
		s.w.Stop()
	}
}
