// Package app is the composition root: it opens every dependency from the configuration and
// reports clearly which part of the stack failed.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
	"github.com/hireflow/hireflow/internal/analysis/speech/lm"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/infra/mail"
	"github.com/hireflow/hireflow/internal/infra/objects"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/migrations"
)

// App holds the opened dependencies.
type App struct {
	Cfg *config.Config
	Log *slog.Logger
	Box *seal.Box
	// Codec encrypts Temporal payloads (and decrypts them for the UI's codec server).
	Codec    *seal.PayloadCodec
	Store    *store.Store
	Objects  *objects.Store
	Mail     *mail.Sender
	Temporal client.Client
	Registry *prometheus.Registry
	// Metrics are the activities' business counters, registered once on Registry.
	Metrics *activities.Metrics
	meters  *sdkmetric.MeterProvider
}

// NewLogger makes the JSON logger.
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// Open connects to PostgreSQL, MinIO, SMTP and Temporal, and migrates when migrate is true.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (*App, error) {
	a := &App{Cfg: cfg, Log: log, Registry: prometheus.NewRegistry()}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Metrics = activities.NewMetrics(a.Registry)
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	var err error
	if a.Box, err = seal.New(cfg.DataKey, cfg.HashKey); err != nil {
		return nil, err
	}
	if migrate {
		if _, err := migrations.Apply(ctx, cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("PostgreSQL (%s): %w", redactURL(cfg.DatabaseURL), err)
		}
	}
	if a.Store, err = store.Open(ctx, cfg.DatabaseURL, a.Box); err != nil {
		return nil, fmt.Errorf("PostgreSQL (%s): %w", redactURL(cfg.DatabaseURL), err)
	}
	octx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if a.Objects, err = objects.Open(octx, objects.Options{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Bucket: cfg.S3Bucket, TLS: cfg.S3UseTLS, SSE: cfg.S3SSE}, a.Box); err != nil {
		return nil, fmt.Errorf("object store (%s): %w", cfg.S3Endpoint, err)
	}
	if a.Mail, err = mail.NewSender(cfg.SMTPAddr, cfg.SMTPUser, cfg.SMTPPassword, cfg.SMTPTLS, cfg.MailFrom); err != nil {
		return nil, fmt.Errorf("SMTP (%s): %w", cfg.SMTPAddr, err)
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(a.Registry))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	a.meters = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	// Reconnect to a restarted server within a second (the SDK's default backs off to 10 s).
	cp := grpc.ConnectParams{Backoff: backoff.DefaultConfig, MinConnectTimeout: 5 * time.Second}
	cp.Backoff.BaseDelay, cp.Backoff.MaxDelay = 100*time.Millisecond, time.Second
	conn := client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithConnectParams(cp)}}
	if !cfg.TemporalGzip {
		conn.GrpcCompression = &client.GrpcCompressionNone{}
	}
	// Every payload is encrypted before it reaches the Temporal server (histories hold IDs and
	// enums only, by construction; this is the second lock), unless switched off; old keys
	// still decrypt. The UI reads them through the codec server on the operations listener.
	if a.Codec, err = seal.NewPayloadCodecKeys(cfg.PayloadKey, cfg.PayloadOldKeys, cfg.PayloadEncryption); err != nil {
		return nil, err
	}
	a.Temporal, err = client.DialContext(octx, client.Options{
		DataConverter:     converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), a.Codec),
		ConnectionOptions: conn,
		HostPort:          cfg.TemporalAddress,
		Namespace:         cfg.TemporalNamespace,
		Logger:            tlog.NewStructuredLogger(log.With("component", "temporal")),
		MetricsHandler:    temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: a.meters.Meter("temporal-sdk-go")}),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal (%s): %w", cfg.TemporalAddress, err)
	}
	ok = true
	return a, nil
}

// Close releases everything that was opened.
func (a *App) Close() {
	if a.Temporal != nil {
		a.Temporal.Close()
	}
	if a.Store != nil {
		a.Store.Close()
	}
	if a.meters != nil {
		_ = a.meters.Shutdown(context.Background())
	}
}

// Activities builds the activity struct the workers register. Recorded answers are scored by
// the speech pipeline when its tools are installed; otherwise they go to a person.
func (a *App) Activities() *activities.Activities {
	acts := &activities.Activities{Store: a.Store, Objects: a.Objects, Mail: a.Mail, PublicURL: a.Cfg.PublicURL,
		ConsoleURL: a.Cfg.PublicURL + "/console", AllowPrivateWebhooks: !a.Cfg.Production(), Defaults: a.defaults(), Metrics: a.Metrics}
	if a.Cfg.ScorerURL != "" {
		acts.Content = scoring.External{URL: a.Cfg.ScorerURL, Token: a.Cfg.ScorerToken}
	}
	if a.Cfg.LLMURL != "" {
		acts.LLM = &scoring.LLM{BaseURL: a.Cfg.LLMURL, APIKey: a.Cfg.LLMKey, Model: a.Cfg.LLMModel, Timeout: a.Cfg.LLMTimeout}
	}
	tools := speech.DefaultTools()
	tools.Adapt = tools.Adapt && a.Cfg.SpeakerAdapt
	if err := tools.CheckAdapt(); err != nil && tools.Adapt {
		a.Log.Warn("recorded answers are decoded without adapting to the speaker", "reason", err.Error())
		tools.Adapt = false
	}
	if err := tools.Check(); err != nil {
		a.Log.Warn("recorded answers will be flagged for a person", "reason", err.Error())
		return acts
	}
	acts.Speech = &tools
	if a.Cfg.DomainLM {
		b := lm.NewBuilder(tools.ModelDir)
		b.Full, b.Lambda = true, lm.DefaultLambda
		acts.LM = b
	}
	return acts
}

// defaults are the deployment's waits, where neither a job nor its rule set names one.
func (a *App) defaults() activities.Defaults {
	c := a.Cfg
	return activities.Defaults{
		Timings: activities.Timings{InviteReminderAfter: c.InviteReminderAfter, InviteExpiresAfter: c.InviteExpiresAfter,
			RejectionDelay: c.RejectionDelay, HoldSLA: c.HoldSLA},
		Steps: activities.StepTimings{FeedbackSLA: c.FeedbackSLA, ReviewSLA: c.ReviewSLA, ApprovalSLA: c.ApprovalSLA,
			OfferExpiresAfter: c.OfferExpiresAfter, ProbationLength: c.ProbationLength, ProbationSLA: c.ProbationSLA},
	}
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// mediaProbe is the API's recording check, on the same ffmpeg the scoring worker uses.
type mediaProbe struct{ tools speech.Tools }

func (m mediaProbe) Seconds(ctx context.Context, path string) (float64, error) {
	d, err := m.tools.Duration(ctx, path)
	if errors.Is(err, speech.ErrCorrupt) {
		return 0, fmt.Errorf("%w: %v", api.ErrUnreadableMedia, err)
	}
	return d, err
}

// HTTPDeps are the few things the HTTP layer gets from the composition root.
func (a *App) HTTPDeps() api.Deps {
	return api.Deps{Store: a.Store, Objects: a.Objects, Workflows: a.Temporal, Mail: a.Mail, Media: mediaProbe{speech.DefaultTools()},
		Cfg: a.Cfg, Box: a.Box, Log: a.Log, Registry: a.Registry}
}
