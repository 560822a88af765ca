package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/tools/bench"
	"github.com/hireflow/hireflow/internal/tools/chaos"
)

func benchCmd() *cobra.Command {
	c := &cobra.Command{Use: "bench", Short: "Benchmarks on the running stack, each beside its baseline"}
	c.AddCommand(benchApplyCmd(), benchScoringCmd(), benchScheduleCmd(), benchPrivacyCmd(), benchConsoleCmd())
	for _, b := range countBenches {
		cmd := countBench(&cobra.Command{Use: b.use, Short: b.short}, b.flag, b.def, b.usage, b.run)
		if b.use == "hiring" {
			cmd.Aliases = []string{"lifecycle"}
		}
		c.AddCommand(cmd)
	}
	return c
}

// withStack opens the composition root on the running stack, runs fn with a progress printer
// on stderr, and prints its result as one JSON line (the last line of every bench).
func withStack(cmd *cobra.Command, name string, fn func(a *app.App, progress func(string)) (any, error)) error {
	a, err := open(cmd.Context(), true)
	if err != nil {
		return err
	}
	defer a.Close()
	return printJSON(fn(a, func(s string) { fmt.Fprintln(os.Stderr, name+":", s) }))
}

func printJSON(res any, err error) error {
	if err != nil {
		return err
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	return nil
}

func benchApplyCmd() *cobra.Command {
	var n, concurrency int
	var cpuProfile string
	c := &cobra.Command{Use: "apply", Short: "Push N applications through screening and invitation, beside a bare-workflow baseline",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || concurrency < 1 {
				return fmt.Errorf("-n and -c must be positive")
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			return withStack(cmd, "bench", func(a *app.App, progress func(string)) (any, error) {
				return bench.Apply(cmd.Context(), a, n, concurrency, progress)
			})
		}}
	c.Flags().IntVarP(&n, "applications", "n", 2000, "applications to push")
	c.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of this process to the file")
	c.Flags().IntVarP(&concurrency, "concurrency", "c", 32, "concurrent HTTP clients (and workflow starters for the baseline)")
	return c
}

// countBenches are the benches on the running stack whose one flag (-n) is a count.
var countBenches = []struct {
	use, short, flag, usage string
	def                     int
	run                     func(context.Context, *app.App, int, func(string)) (any, error)
}{
	{"rules", "ns per routing-rule evaluation beside plain Go; seconds to simulate a draft over N recorded applications",
		"recorded", "recorded applications to simulate over", 100_000,
		func(ctx context.Context, a *app.App, n int, p func(string)) (any, error) {
			return bench.Rules(ctx, a, n, p)
		}},
	{"hiring", "Drive every hiring path and count Temporal billable actions per path from the real histories",
		"per-path", "applications per path", 5,
		func(ctx context.Context, a *app.App, n int, p func(string)) (any, error) {
			return bench.HiringPaths(ctx, a, n, p)
		}},
	{"analytics", "Funnel and stage-duration query times over 10 events per application, beside a plain count(*)",
		"applications", "applications (ten events each)", 100_000,
		func(ctx context.Context, a *app.App, n int, p func(string)) (any, error) {
			return bench.Analytics(ctx, a, n, p)
		}},
}

// countBench is a bench on the running stack whose one flag (-n) is a count.
func countBench(c *cobra.Command, flag string, def int, usage string, run func(context.Context, *app.App, int, func(string)) (any, error)) *cobra.Command {
	var n int
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		return withStack(cmd, "bench", func(a *app.App, progress func(string)) (any, error) { return run(cmd.Context(), a, n, progress) })
	}
	c.Flags().IntVarP(&n, flag, "n", def, usage)
	return c
}

func benchScoringCmd() *cobra.Command {
	var n, parallel int
	var seconds, pace float64
	var stack, pieces bool
	c := &cobra.Command{Use: "scoring", Short: "Report time after the last upload of a spoken interview, beside the raw ffmpeg + pocketsphinx time",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pace < 0 {
				pace = seconds
			}
			if parallel < 1 {
				return fmt.Errorf("--parallel must be 1 or more")
			}
			var a *app.App
			if stack {
				var err error
				if a, err = open(cmd.Context(), true); err != nil {
					return err
				}
				defer a.Close()
			}
			return printJSON(bench.Scoring(cmd.Context(), a, n, seconds, pace, parallel, pieces, func(s string) { fmt.Fprintln(os.Stderr, "bench:", s) }))
		}}
	c.Flags().IntVarP(&n, "answers", "n", 5, "answers in the interview")
	c.Flags().Float64Var(&seconds, "seconds", 120, "length of each spoken answer")
	c.Flags().BoolVar(&stack, "stack", false, "run the interview through the API, the workflow and the scoring worker on the running stack (make dev's, or HIREFLOW_* settings) instead of the worker's functions in process")
	c.Flags().IntVar(&parallel, "parallel", runtime.NumCPU(), "pocketsphinx processes decoding one answer at once (1: the whole recording in one, like the raw tools)")
	c.Flags().BoolVar(&pieces, "pieces", true, "run the interview a second time with each recording sent in pieces while it is made and transcribed as they arrive (in process only)")
	c.Flags().Float64Var(&pace, "pace", -1, "seconds between uploads (default: the answer's length, as a candidate records one after another)")
	return c
}

func chaosCmd() *cobra.Command {
	var o chaos.Options
	var kill string
	c := &cobra.Command{Use: "chaos", Short: "Apply a stream of candidates while the worker, API, Temporal and PostgreSQL are killed in turn; check nothing was lost",
		Long: "Runs against the dev stack (deploy/local/stack.sh start dev): it spawns its own `hireflow api` and `hireflow worker`,\n" +
			"kills each part with SIGKILL and restarts it, then checks that every application answered 201 has its row, a running\n" +
			"workflow at the invited stage, exactly one invitation email and a working link. The last line is JSON.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := open(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer a.Close()
			self, err := os.Executable()
			if err != nil {
				return err
			}
			root, err := chaos.RepoRoot()
			if err != nil {
				return err
			}
			o.RepoRoot, o.MailAPI = root, a.Cfg.MailUIURL
			for _, k := range strings.Split(kill, ",") {
				if k = strings.TrimSpace(k); k != "" {
					o.Kill = append(o.Kill, k)
				}
			}
			if o.DataDir == "" {
				o.DataDir = filepath.Join(root, ".data", o.Profile)
				if d := os.Getenv("HIREFLOW_DATA_DIR"); d != "" {
					o.DataDir = filepath.Join(d, o.Profile)
				}
			}
			res, err := chaos.Run(cmd.Context(), a, self, o, func(s string) { fmt.Fprintln(os.Stderr, "chaos:", s) })
			if err := printJSON(res, err); err != nil {
				return err
			}
			if !res.OK {
				return fmt.Errorf("chaos: something was lost or is inconsistent (see the JSON above)")
			}
			return nil
		}}
	c.Flags().IntVarP(&o.Applications, "applications", "n", 300, "candidates applying")
	c.Flags().Float64Var(&o.Rate, "rate", 8, "applications started per second")
	c.Flags().StringVar(&kill, "kill", "worker,api,temporal,postgres", "parts to kill in turn")
	c.Flags().DurationVar(&o.Down, "down", 3*time.Second, "how long each killed part stays down")
	c.Flags().DurationVar(&o.Settle, "settle", 90*time.Second, "how long the system may take to converge after the stream")
	c.Flags().StringVar(&o.Profile, "profile", "dev", "stack profile whose servers are killed")
	c.Flags().StringVar(&o.DataDir, "data-dir", "", "the profile's data dir (default <repo>/.data/<profile>)")
	return c
}

func benchScheduleCmd() *cobra.Command {
	var bookings, runs int
	c := &cobra.Command{Use: "schedule", Short: "Time to find the 3 best panel slots (5 interviewers, 4 weeks of shifts) beside a step-by-step baseline and at 10x the intervals",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if bookings < 0 || runs < 10 {
				return fmt.Errorf("--bookings must be 0 or more and --runs at least 10")
			}
			return printJSON(bench.Schedule(bookings, runs, func(s string) { fmt.Fprintln(os.Stderr, "bench:", s) }), nil)
		}}
	c.Flags().IntVar(&bookings, "bookings", 2000, "existing bookings among the five interviewers")
	c.Flags().IntVar(&runs, "runs", 500, "timed runs per size")
	return c
}

func benchPrivacyCmd() *cobra.Command {
	var reads, apps int
	var rows int64
	c := &cobra.Command{Use: "privacy", Short: "A read through the visibility matrix and audit log beside a bare read; audit verify over many rows; the retention sweep's erasures per second",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reads < 1 || apps < 1 || rows < 1 {
				return fmt.Errorf("--reads, --applications and --audit-rows must be positive")
			}
			return withStack(cmd, "bench", func(a *app.App, progress func(string)) (any, error) {
				return bench.Privacy(cmd.Context(), a, reads, rows, apps, progress)
			})
		}}
	c.Flags().IntVar(&reads, "reads", 2000, "application reads of each kind")
	c.Flags().Int64Var(&rows, "audit-rows", 1_000_000, "audit rows to write and verify")
	c.Flags().IntVarP(&apps, "applications", "n", 10_000, "applications for the retention sweep to erase (and a tenth more for the direct baseline)")
	return c
}

func benchConsoleCmd() *cobra.Command {
	var n, other, runs int
	c := &cobra.Command{Use: "console", Short: "Board, filtered board, email search and inbox server times for a job of many applications, beside a bare indexed query",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 100 || other < 0 || runs < 10 {
				return fmt.Errorf("-n must be at least 100, --other-jobs at least 0, --runs at least 10")
			}
			return withStack(cmd, "bench", func(a *app.App, progress func(string)) (any, error) {
				return bench.Console(cmd.Context(), a, n, other, runs, progress)
			})
		}}
	c.Flags().IntVarP(&n, "applications", "n", 10_000, "applications in the measured job")
	c.Flags().IntVar(&other, "other-jobs", 200, "other jobs of 50 applications each")
	c.Flags().IntVar(&runs, "runs", 200, "timed requests of each kind")
	return c
}
