package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/hireflow/hireflow/internal/bench"
)

func benchCmd() *cobra.Command {
	c := &cobra.Command{Use: "bench", Short: "Benchmarks on the running stack, each beside its baseline"}
	c.AddCommand(benchApplyCmd())
	return c
}

func benchApplyCmd() *cobra.Command {
	var n, concurrency int
	var cpuProfile string
	c := &cobra.Command{Use: "apply", Short: "Push N applications through screening and invitation, beside a bare-workflow baseline",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || concurrency < 1 {
				return fmt.Errorf("-n and -c must be positive")
			}
			a, err := open(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer a.Close()
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
			res, err := bench.Apply(cmd.Context(), a, n, concurrency, func(s string) { fmt.Fprintln(os.Stderr, "bench:", s) })
			if err != nil {
				return err
			}
			out, _ := json.Marshal(res)
			fmt.Println(string(out))
			return nil
		}}
	c.Flags().IntVarP(&n, "applications", "n", 2000, "applications to push")
	c.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of this process to the file")
	c.Flags().IntVarP(&concurrency, "concurrency", "c", 32, "concurrent HTTP clients (and workflow starters for the baseline)")
	return c
}
