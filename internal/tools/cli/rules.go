package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/rules"
)

func rulesCmd() *cobra.Command {
	c := &cobra.Command{Use: "rules", Short: "Validate, import, export, diff and simulate rule set files (YAML)"}
	c.AddCommand(rulesValidateCmd(), rulesDiffCmd(), rulesExportCmd(), rulesImportCmd(), rulesSimulateCmd())
	return c
}

// compileFile reads and compiles a rule set file; errors name the file, rule, line and column.
func compileFile(path string) (*rules.Compiled, error) {
	rs, err := readRuleFile(path)
	if err != nil {
		return nil, err
	}
	compiled, errs := rules.CompileSet(rs)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: rule %s, line %d, column %d: %s", path, errs[0].Rule, errs[0].Line, errs[0].Column, errs[0].Message)
	}
	return compiled, nil
}

func readRuleFile(path string) (rules.RuleSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return rules.RuleSet{}, err
	}
	return rules.ParseYAML(b)
}

func rulesValidateCmd() *cobra.Command {
	return &cobra.Command{Use: "validate FILE...", Short: "Compile every rule and check the pipeline; exit 1 on any error",
		Args: cobra.MinimumNArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, f := range args {
				rs, err := readRuleFile(f)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
					bad++
					continue
				}
				if _, errs := rules.CompileSet(rs); len(errs) > 0 {
					for _, e := range errs {
						fmt.Fprintf(os.Stderr, "%s: rule %s, line %d, column %d: %s\n", f, e.Rule, e.Line, e.Column, e.Message)
					}
					bad++
					continue
				}
				fmt.Printf("%s: ok\n", f)
			}
			if bad > 0 {
				return fmt.Errorf("%d file(s) invalid", bad)
			}
			return nil
		}}
}

func rulesDiffCmd() *cobra.Command {
	return &cobra.Command{Use: "diff OLD.yaml NEW.yaml", Short: "Unified diff of two rule set files, rule by rule",
		Args: cobra.ExactArgs(2), RunE: func(cmd *cobra.Command, args []string) error {
			a, err := readRuleFile(args[0])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			b, err := readRuleFile(args[1])
			if err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			fmt.Print(rules.Diff(a, b, args[0], args[1]))
			return nil
		}}
}

func rulesExportCmd() *cobra.Command {
	var org, id string
	var version int
	c := &cobra.Command{Use: "export", Short: "Write a rule set version as YAML to stdout", RunE: func(cmd *cobra.Command, _ []string) error {
		return withOrg(cmd, false, org, func(a *app.App, o hireflow.Organisation) error {
			return exportRuleSet(cmd.Context(), a, o.ID, id, version)
		})
	}}
	orgAndRuleSet(c, &org, &id, "rule set id", true)
	c.Flags().IntVar(&version, "version", 0, "version (default: newest published)")
	return c
}

func rulesImportCmd() *cobra.Command {
	var org, id string
	var asDefault bool
	c := fileCmd("import FILE", "Import a rule set file as the draft of a rule set, or as the organisation default", func(cmd *cobra.Command, compiled *rules.Compiled) error {
		return withOrg(cmd, true, org, func(a *app.App, o hireflow.Organisation) error {
			return importRuleSet(cmd.Context(), a, o, id, asDefault, compiled.Set.Name, compiled)
		})
	})
	orgAndRuleSet(c, &org, &id, "rule set id (import as its draft)", false)
	c.Flags().BoolVar(&asDefault, "default", false, "create the organisation's default rule set")
	return c
}

func importRuleSet(ctx context.Context, a *app.App, o hireflow.Organisation, id string, asDefault bool, name string, compiled *rules.Compiled) error {
	p := hireflow.Principal{OrgID: o.ID, Role: hireflow.RoleAdmin}
	if asDefault {
		if name == "" {
			name = "Organisation default"
		}
		newID, err := a.Store.RuleSetCreate(ctx, p, "", name, compiled)
		if err != nil {
			return err
		}
		fmt.Printf("created default rule set %s, version 1 published\n", newID)
		return nil
	}
	if id == "" {
		return fmt.Errorf("--ruleset or --default is required")
	}
	v, err := a.Store.RuleSetSaveDraft(ctx, p, id, compiled)
	if err != nil {
		return err
	}
	fmt.Printf("saved as draft version %d of %s; simulate and publish it through the API\n", v, id)
	return nil
}

// fileCmd is a command on one rule set file, compiled first (errors name the file, rule, line
// and column).
func fileCmd(use, short string, run func(*cobra.Command, *rules.Compiled) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1), RunE: func(cmd *cobra.Command, args []string) error {
		compiled, err := compileFile(args[0])
		if err != nil {
			return err
		}
		return run(cmd, compiled)
	}}
}

// orgAndRuleSet adds the --org (required) and --ruleset flags.
func orgAndRuleSet(c *cobra.Command, org, id *string, usage string, required bool) {
	c.Flags().StringVar(org, "org", "", "organisation slug")
	c.Flags().StringVar(id, "ruleset", "", usage)
	_ = c.MarkFlagRequired("org")
	if required {
		_ = c.MarkFlagRequired("ruleset")
	}
}

// withOrg opens the stack and finds the organisation the --org slug names.
func withOrg(cmd *cobra.Command, migrate bool, slug string, fn func(*app.App, hireflow.Organisation) error) error {
	a, err := open(cmd.Context(), migrate)
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.Store.OrgGetBySlug(cmd.Context(), slug)
	if err != nil {
		return err
	}
	return fn(a, o)
}

func rulesSimulateCmd() *cobra.Command {
	var org, id string
	var days int
	c := fileCmd("simulate FILE", "Re-evaluate a rule set file's screening rule against a rule set's recorded applications", func(cmd *cobra.Command, compiled *rules.Compiled) error {
		return withOrg(cmd, false, org, func(a *app.App, o hireflow.Organisation) error {
			return simulateRuleSet(cmd.Context(), a, o.ID, id, days, compiled)
		})
	})
	orgAndRuleSet(c, &org, &id, "rule set id whose recorded applications to use", true)
	c.Flags().IntVar(&days, "days", 365, "window of recorded applications, in days back from now")
	return c
}

func simulateRuleSet(ctx context.Context, a *app.App, orgID, id string, days int, compiled *rules.Compiled) error {
	to := time.Now()
	recs, err := a.Store.SimulationInputs(ctx, orgID, id, to.AddDate(0, 0, -days), to, 1_000_000)
	if err != nil {
		return err
	}
	rep, err := rules.SimulateScreening(ctx, compiled.Programs[rules.RuleScreening], recs)
	if err != nil {
		return err
	}
	fmt.Printf("%d recorded applications: %s\n", rep.Total, rep.Summary)
	for _, g := range rep.Groups {
		fmt.Printf("  %-15s %-14s n=%-6d rate %.3f → %.3f  impact %.2f → %.2f%s\n", g.Category, g.Group, g.N,
			g.RateBefore, g.RateAfter, g.ImpactBefore, g.ImpactAfter, map[bool]string{true: "  (small sample)"}[g.SmallSample])
	}
	if len(rep.BelowGate) > 0 {
		return fmt.Errorf("impact ratio below 0.8 for %v: publishing will need an override reason", rep.BelowGate)
	}
	return nil
}

func exportRuleSet(ctx context.Context, a *app.App, orgID, id string, version int) error {
	r, _, err := a.Store.RuleSetGet(ctx, orgID, id)
	if err != nil {
		return err
	}
	if version == 0 {
		version = r.Published
	}
	v, err := a.Store.RuleSetVersion(ctx, orgID, id, version)
	if err != nil {
		return err
	}
	v.Content.Name = r.Name
	b, err := rules.MarshalYAML(v.Content)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(b)
	return err
}
