// Package cli holds hireflow's cobra commands; cmd/hireflow only calls Execute.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/trail"
	"github.com/hireflow/hireflow/migrations"
	"github.com/hireflow/hireflow/workers"
	"github.com/hireflow/hireflow/workflows"
)

// Version is set at build time with -ldflags "-X github.com/hireflow/hireflow/internal/tools/cli.Version=…".
var Version = "dev"

// Execute runs the command line and returns the exit code.
func Execute() int {
	root := &cobra.Command{Use: "hireflow", Short: "Hiring as durable workflows", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(apiCmd(), workerCmd(), scoringWorkerCmd(), devCmd(), migrateCmd(), benchCmd(), chaosCmd(), rulesCmd(), evalCmd(), analyticsCmd(), trailCmd(), auditCmd(), versionCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "hireflow:", err)
		return 1
	}
	return 0
}

func open(ctx context.Context, migrate bool) (*app.App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	a, err := app.Open(ctx, cfg, app.NewLogger(cfg.LogLevel), migrate)
	if err != nil {
		return nil, fmt.Errorf("%w\n(is the stack running? `deploy/local/stack.sh status`)", err)
	}
	return a, nil
}

func serve(ctx context.Context, a *app.App, addr string) (func(), error) {
	f := api.New(a.HTTPDeps())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("unable to listen on %s: %w", addr, err)
	}
	go func() {
		if err := f.Listener(ln); err != nil {
			a.Log.Error("http server stopped", "err", err.Error())
		}
	}()
	stopMetrics, err := serveMetrics(a, true)
	if err != nil {
		_ = f.Shutdown()
		return nil, err
	}
	return func() { _ = f.ShutdownWithTimeout(10 * time.Second); stopMetrics() }, nil
}

// serveMetrics serves /metrics on HIREFLOW_METRICS_ADDR (none when empty): the API's, a
// worker's or the scoring worker's own counters, each process on its own address.
// The API's listener also serves the Temporal UI's codec server (withCodec).
func serveMetrics(a *app.App, withCodec bool) (func(), error) {
	if a.Cfg.MetricsAddr == "" {
		return func() {}, nil
	}
	var deps *api.Deps
	if withCodec {
		d := a.HTTPDeps()
		deps = &d
	}
	m := api.NewOps(a.Registry, a.Codec, a.Cfg.TemporalUIURL, deps)
	mln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("unable to listen for metrics on %s: %w (set HIREFLOW_METRICS_ADDR, or empty to serve none)", a.Cfg.MetricsAddr, err)
	}
	go func() { _ = m.Listener(mln) }()
	return func() { _ = m.Shutdown() }, nil
}

func apiCmd() *cobra.Command {
	var migrate bool
	c := &cobra.Command{Use: "api", Short: "Serve the HTTP API and pages (never runs workflows)", RunE: func(cmd *cobra.Command, _ []string) error {
		a, err := open(cmd.Context(), migrate)
		if err != nil {
			return err
		}
		defer a.Close()
		stop, err := serve(cmd.Context(), a, a.Cfg.HTTPAddr)
		if err != nil {
			return err
		}
		a.Log.Info("api listening", "addr", a.Cfg.HTTPAddr)
		<-cmd.Context().Done()
		stop()
		return nil
	}}
	c.Flags().BoolVar(&migrate, "migrate", false, "apply database migrations first")
	return c
}

func runWorker(a *app.App) worker.Worker {
	return workers.NewApplicationWorker(a.Temporal, a.Cfg.TaskQueue, a.Activities(), worker.Options{})
}

func scoringWorker(a *app.App) worker.Worker {
	go scoring.Warm() // the Chinese dictionary loads now, not with the first Chinese answer
	return workers.NewScoringWorker(a.Temporal, a.Cfg.ScoringTaskQueue, a.Activities(), worker.Options{MaxConcurrentActivityExecutionSize: 2})
}

func scoringWorkerCmd() *cobra.Command {
	return workerCommand("scoring-worker", "Score interview answers on the scoring task queue (scale out by running more)", scoringWorker)
}

func workerCmd() *cobra.Command {
	return workerCommand("worker", "Run workflows and activities (never serves HTTP)", runWorker)
}

// supervised starts a worker whose pollers restart when Temporal is reachable again.
func supervised(a *app.App, build func(*app.App) worker.Worker) (*workers.Supervised, error) {
	w := workers.Supervise(a.Temporal, func() worker.Worker { return build(a) }, a.Log)
	return w, w.Start()
}

// workerCommand runs one worker until interrupted.
func workerCommand(use, short string, build func(*app.App) worker.Worker) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, RunE: func(cmd *cobra.Command, _ []string) error {
		a, err := open(cmd.Context(), false)
		if err != nil {
			return err
		}
		defer a.Close()
		w, err := supervised(a, build)
		if err != nil {
			return err
		}
		stopMetrics, err := serveMetrics(a, false)
		if err != nil {
			w.Stop()
			return err
		}
		defer stopMetrics()
		a.Log.Info(use+" running", "task_queue", a.Cfg.TaskQueue, "scoring_task_queue", a.Cfg.ScoringTaskQueue)
		<-cmd.Context().Done()
		w.Stop()
		return nil
	}}
}

func migrateCmd() *cobra.Command {
	return &cobra.Command{Use: "migrate", Short: "Apply database migrations (idempotent)", RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, err := config.Load()
		if err != nil {
			return err
		}
		v, err := migrations.Apply(cmd.Context(), cfg.DatabaseURL)
		if err != nil {
			return err
		}
		fmt.Printf("schema at version %d\n", v)
		return nil
	}}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version", Run: func(*cobra.Command, []string) {
		v := Version
		if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
			v = "dev (" + bi.GoVersion + ")"
		}
		fmt.Println("hireflow", v)
	}}
}

func devCmd() *cobra.Command {
	var seed bool
	c := &cobra.Command{Use: "dev", Short: "Migrate, run API and worker in one process, load demo data, print URLs",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := open(ctx, true)
			if err != nil {
				return err
			}
			defer a.Close()
			for _, build := range []func(*app.App) worker.Worker{runWorker, scoringWorker} {
				w, err := supervised(a, build)
				if err != nil {
					return err
				}
				defer w.Stop()
			}
			stop, err := serve(ctx, a, a.Cfg.HTTPAddr)
			if err != nil {
				return err
			}
			defer stop()
			if seed {
				res, err := demo.Seed(ctx, a, "http://"+a.Cfg.HTTPAddr)
				if err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
				printDemo(a, res)
				if _, err := workflows.EnsureBiasAuditSchedule(ctx, a.Temporal, a.Cfg.TaskQueue, res.Org.ID); err != nil {
					a.Log.Warn("bias-audit schedule not created", "err", err.Error())
				}
				if _, err := workflows.EnsureCalibrationSchedule(ctx, a.Temporal, a.Cfg.TaskQueue, res.Org.ID); err != nil {
					a.Log.Warn("calibration schedule not created", "err", err.Error())
				}
				if _, err := workflows.EnsureAuditCheckpointSchedule(ctx, a.Temporal, a.Cfg.TaskQueue, res.Org.ID); err != nil {
					a.Log.Warn("audit checkpoint schedule not created", "err", err.Error())
				}
				if _, err := workflows.EnsureRetentionSchedule(ctx, a.Temporal, a.Cfg.TaskQueue, res.Org.ID); err != nil {
					a.Log.Warn("retention schedule not created", "err", err.Error())
				}
				// A read-only login for the analytics views (a dev password: production logins
				// come from `hireflow analytics grant`).
				role, pw := "analyst_"+strings.ReplaceAll(res.Org.Slug, "-", "_"), "analyst-dev-password"
				if err := a.Store.AnalyticsGrant(ctx, res.Org.ID, role, pw); err != nil {
					a.Log.Warn("analytics login not created", "err", err.Error())
				} else {
					fmt.Printf("  Analytics      psql '%s' -c 'SELECT * FROM analytics.funnel'\n\n", analystDSN(a.Cfg.DatabaseURL, role, pw))
				}
				// Later stages go through the real paths (candidate endpoints, staff API, workflow,
				// scoring worker), which takes about a minute: in the background, with progress.
				go func() {
					err := demo.DriveStages(ctx, a, "http://"+a.Cfg.HTTPAddr, res, func(s string) { a.Log.Info("demo: " + s) })
					if err != nil && ctx.Err() == nil {
						a.Log.Error("demo: later stages not seeded", "err", err.Error())
					}
					err = demo.DriveScheduling(ctx, a, "http://"+a.Cfg.HTTPAddr, res, func(s string) { a.Log.Info("demo: " + s) })
					if err != nil && ctx.Err() == nil {
						a.Log.Error("demo: the live-interview job not seeded", "err", err.Error())
					}
				}()
			}
			<-ctx.Done()
			if errors.Is(ctx.Err(), context.Canceled) {
				fmt.Println("\nstopping hireflow dev")
			}
			return nil
		}}
	c.Flags().BoolVar(&seed, "seed", true, "load demo data and print sign-ins")
	return c
}

func printDemo(a *app.App, r demo.Result) {
	u := a.Cfg.PublicURL
	fmt.Printf("\n  hireflow is running\n\n")
	fmt.Printf("  API            %s   (health %s/readyz)\n", u, u)
	if a.Cfg.MetricsAddr != "" {
		fmt.Printf("  Metrics        http://%s/metrics   (separate address, not on the API port)\n", a.Cfg.MetricsAddr)
	}
	fmt.Printf("  Temporal UI    %s\n", a.Cfg.TemporalUIURL)
	fmt.Printf("  Mail UI        %s   (every email the demo sends lands here)\n\n", a.Cfg.MailUIURL)
	fmt.Printf("  Organisation   %s (slug %q)\n", r.Org.Name, r.Org.Slug)
	fmt.Printf("  Staff sign-in  POST %s/api/v1/auth/login {\"org\":\"%s\",\"email\":…,\"password\":…}\n", u, r.Org.Slug)
	for _, c := range r.Staff {
		fmt.Printf("    %-15s %-38s %s\n", c.Role, c.Email, c.Password)
	}
	fmt.Println()
	for _, j := range r.Jobs {
		fmt.Printf("  Apply page     %s/jobs/%s/apply   (%s)\n", u, j.ID, j.Title)
	}
	if r.DemoLink != "" {
		fmt.Printf("\n  Demo candidate %s\n", r.DemoLink)
	}
	fmt.Printf("\n  %q: candidates are being taken to review, offer approval and a hire with\n", demo.PipelineJobTitle)
	fmt.Printf("  probation through the real workflow (about a minute; progress is logged below).\n")
	fmt.Printf("\n  Press Ctrl-C to stop.\n\n")
}

func analyticsCmd() *cobra.Command {
	c := &cobra.Command{Use: "analytics", Short: "Read-only database logins for the analytics views"}
	var role, password string
	grant := orgCmd("grant", "Create (or re-key) a read-only login that reads one organisation's analytics views; prints how to connect", true,
		func(cmd *cobra.Command, a *app.App, o hireflow.Organisation) error {
			if err := a.Store.AnalyticsGrant(cmd.Context(), o.ID, role, password); err != nil {
				return err
			}
			fmt.Println(analystDSN(a.Cfg.DatabaseURL, role, password))
			return nil
		})
	grant.Flags().StringVar(&role, "role", "", "database login to create, e.g. analyst_acme")
	grant.Flags().StringVar(&password, "password", "", "its password (at least 12 characters)")
	_ = grant.MarkFlagRequired("role")
	_ = grant.MarkFlagRequired("password")
	c.AddCommand(grant)
	return c
}

// orgCmd is a command on one organisation, named by its required --org slug.
func orgCmd(use, short string, migrate bool, run func(*cobra.Command, *app.App, hireflow.Organisation) error) *cobra.Command {
	var org string
	c := &cobra.Command{Use: use, Short: short, RunE: func(cmd *cobra.Command, _ []string) error {
		return withOrg(cmd, migrate, org, func(a *app.App, o hireflow.Organisation) error { return run(cmd, a, o) })
	}}
	c.Flags().StringVar(&org, "org", "", "organisation slug")
	_ = c.MarkFlagRequired("org")
	return c
}

// trailCmd prints one application's decision trail: its decisions (rule, version, inputs,
// outcome), its stage events, and the workflow's own history (signals, updates, activities,
// timers), in time order.
func trailCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{Use: "trail APPLICATION_ID", Short: "Print one application's decision trail: decisions, stages and the workflow's own events",
		Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			a, err := open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer a.Close()
			items, err := trail.Build(cmd.Context(), a.Store, a.Temporal, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(items, nil)
			}
			for _, it := range items {
				fmt.Printf("%s  %-9s %-28s %s\n", it.At.UTC().Format("2006-01-02 15:04:05.000"), it.Source, it.What, it.Detail)
			}
			return nil
		}}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of lines")
	return c
}

func auditCmd() *cobra.Command {
	c := &cobra.Command{Use: "audit", Short: "Bias audits of the automated decision points (NYC LL144 impact ratios), and the audit log's verification"}
	var from, to string
	run := orgCmd("bias", "Run a bias audit now for a period (default: last calendar month); prints the stored audit", false,
		func(cmd *cobra.Command, a *app.App, o hireflow.Organisation) error {
			in := workflows.BiasAuditInput{OrgID: o.ID}
			var err error
			if from != "" || to != "" {
				if in.From, err = time.Parse("2006-01-02", from); err == nil {
					in.To, err = time.Parse("2006-01-02", to)
				}
				if err != nil {
					return fmt.Errorf("--from and --to are dates, YYYY-MM-DD: %w", err)
				}
			}
			res, err := workflows.RunBiasAudit(cmd.Context(), a.Temporal, a.Cfg.TaskQueue, in)
			if err != nil {
				return err
			}
			list, err := a.Store.BiasAuditList(cmd.Context(), o.ID, 50)
			for _, au := range list {
				if au.ID == res.AuditID {
					return printJSON(au, nil)
				}
			}
			return printJSON(res, err)
		})
	run.Flags().StringVar(&from, "from", "", "first day of the period (YYYY-MM-DD)")
	run.Flags().StringVar(&to, "to", "", "day after the period (YYYY-MM-DD)")
	sched := orgCmd("schedule", "Create the organisation's bias-audit, calibration, audit-checkpoint and retention schedules (idempotent)", false,
		func(cmd *cobra.Command, a *app.App, o hireflow.Organisation) error {
			id, err := workflows.EnsureBiasAuditSchedule(cmd.Context(), a.Temporal, a.Cfg.TaskQueue, o.ID)
			if err != nil {
				return err
			}
			fmt.Println("schedule", id, "runs on the 1st of each month, 03:00 UTC")
			id, err = workflows.EnsureCalibrationSchedule(cmd.Context(), a.Temporal, a.Cfg.TaskQueue, o.ID)
			if err != nil {
				return err
			}
			fmt.Println("schedule", id, "runs on the 2nd of each month, 04:00 UTC (calibration proposals, never published by itself)")
			id, err = workflows.EnsureAuditCheckpointSchedule(cmd.Context(), a.Temporal, a.Cfg.TaskQueue, o.ID)
			if err != nil {
				return err
			}
			fmt.Println("schedule", id, "signs the audit log's chain head daily, 00:30 UTC")
			id, err = workflows.EnsureRetentionSchedule(cmd.Context(), a.Temporal, a.Cfg.TaskQueue, o.ID)
			if err == nil {
				fmt.Println("schedule", id, "erases applications past their retention period and carries out deletion requests, hourly")
			}
			return err
		})
	var verifyOrg string
	verify := &cobra.Command{Use: "verify", Short: "Recompute the audit log's hash chain and checkpoints; names the first broken row (exit 1)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer a.Close()
			orgs := []string{}
			if verifyOrg != "" {
				o, err := a.Store.OrgGetBySlug(cmd.Context(), verifyOrg)
				if err != nil {
					return err
				}
				orgs = append(orgs, o.ID)
			} else if orgs, err = a.Store.AuditOrgs(cmd.Context()); err != nil {
				return err
			}
			broken := 0
			for _, id := range orgs {
				v, err := a.Store.AuditVerify(cmd.Context(), id)
				if err != nil {
					return err
				}
				if v.Broken != nil {
					broken++
					fmt.Printf("BROKEN %s: row id %d (seq %d): %s\n", id, v.Broken.ID, v.Broken.Seq, v.Broken.Reason)
				} else {
					fmt.Printf("ok     %s: %d rows, %d checkpoints\n", id, v.Rows, v.Checkpoints)
				}
			}
			if broken > 0 {
				return fmt.Errorf("the audit log of %d organisation(s) does not verify", broken)
			}
			return nil
		}}
	verify.Flags().StringVar(&verifyOrg, "org", "", "organisation slug (default: every organisation)")
	checkpoint := orgCmd("checkpoint", "Sign the head of the organisation's audit chain (run it periodically, e.g. from cron)", false,
		func(cmd *cobra.Command, a *app.App, o hireflow.Organisation) error {
			seq, err := a.Store.AuditCheckpoint(cmd.Context(), o.ID)
			if err == nil {
				fmt.Println("checkpoint at seq", seq)
			}
			return err
		})
	c.AddCommand(run, sched, verify, checkpoint)
	return c
}

// analystDSN is the application's database URL with the analyst's login instead.
func analystDSN(databaseURL, role, password string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return ""
	}
	u.User = url.UserPassword(role, password)
	return u.String()
}
