package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hireflow/hireflow/internal/eval"
)

func evalCmd() *cobra.Command {
	c := &cobra.Command{Use: "eval", Short: "Evaluations kept in the repository"}
	c.AddCommand(&cobra.Command{Use: "scoring", Short: "Spearman ρ of answer scores against labels, and the speech-to-text WER",
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := eval.Run(cmd.Context(), func(s string) { fmt.Fprintln(os.Stderr, "eval:", s) })
			if err != nil {
				return err
			}
			out, _ := json.Marshal(res)
			fmt.Println(string(out))
			return nil
		}})
	return c
}
