package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hireflow/hireflow/internal/tools/eval"
)

func evalCmd() *cobra.Command {
	c := &cobra.Command{Use: "eval", Short: "Evaluations kept in the repository"}
	var opt eval.Options
	var perAnswer, compareLM bool
	sc := &cobra.Command{Use: "scoring", Short: "Spearman ρ of answer scores against labels, and the speech-to-text WER",
		Long: "Scores a labelled set (the one kept in the repository, or --set FILE in the same YAML format):\n" +
			"English answers are spoken with flite, encoded as WebM/Opus and transcribed by the scoring\n" +
			"worker's pipeline; Chinese answers are typed. The last line is JSON with the Spearman\n" +
			"correlation between scores and labels (overall, per language, per labelled dimension) and\n" +
			"the word error rate of the spoken answers.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if compareLM {
				return compareLanguageModels(cmd, opt)
			}
			res, err := eval.Run(cmd.Context(), opt, func(s string) { fmt.Fprintln(os.Stderr, "eval:", s) })
			if err != nil {
				return err
			}
			if perAnswer {
				for _, r := range res.PerAnswer {
					fmt.Printf("%-14s %-2s label %g  score %5.1f  wer %.2f\n", r.Question, r.Lang, r.Label, r.Score, r.WER)
				}
			}
			return printJSON(res, nil)
		}}
	sc.Flags().StringVar(&opt.SetFile, "set", "", "a labelled set in YAML (default: the set kept in the repository)")
	sc.Flags().StringVar(&opt.Voice, "voice", "rms", "flite voice for the English answers (rms, slt, awb, kal16)")
	sc.Flags().BoolVar(&opt.AllVoices, "all-voices", false, "speak each English answer with a voice of its own (rms, slt, awb, kal16 in turn) and report per voice")
	sc.Flags().BoolVar(&opt.Typed, "typed", false, "score every answer as typed text (no speech tools needed)")
	sc.Flags().BoolVar(&opt.Browser, "browser", false, "record the spoken answers through headless Chromium's MediaRecorder, as the interview page does (real time: minutes)")
	sc.Flags().BoolVar(&compareLM, "compare-lm", false, "run the spoken answers twice, with the generic and with the domain language model, and report both side by side")
	sc.Flags().BoolVar(&opt.DomainLM, "domain-lm", false, "decode with the domain language model of the set's questions and the kept interview-answer corpus, as the scoring worker does for a job")
	sc.Flags().BoolVar(&opt.LMUnigrams, "lm-unigrams", false, "with --domain-lm: interpolate with the generic model's unigrams only (the first version, kept for comparison)")
	sc.Flags().Float64Var(&opt.LMLambda, "lm-lambda", 0, "with --domain-lm: the domain model's weight (default: the worker's, 0.3)")
	var decoder string
	sc.Flags().StringVar(&decoder, "decoder", "", "further pocketsphinx settings for this run, e.g. \"-lw 8 -beam 1e-60\"")
	sc.Flags().BoolVar(&opt.NoAdapt, "no-adapt", false, "decode once, without adapting the acoustic model to each answer's speaker (the WER before adaptation is reported anyway)")
	sc.Flags().StringVar(&opt.Part, "part", "", "score only one part of the set: dev or heldout")
	sc.PreRun = func(*cobra.Command, []string) { opt.Decoder = strings.Fields(decoder) }
	sc.Flags().IntVar(&opt.Limit, "limit", 0, "score only the first N answers of each question")
	sc.Flags().BoolVar(&perAnswer, "per-answer", false, "print one line per answer before the JSON")
	c.AddCommand(sc)

	var out string
	var folds int
	fit := &cobra.Command{Use: "fit", Short: "Fit the offline scorer's weights on the development part, cross-validated by question",
		Long: "Computes each development answer's features (typed text), fits a ridge regression of the labels\n" +
			"on them with every weight kept to its sign, chooses the penalty by k-fold cross-validation by\n" +
			"question (Spearman ρ of the out-of-fold overall scores), and writes the model fitted on the\n" +
			"whole development part with that penalty to --out. The held-out part is never read.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := eval.LoadSet(opt.SetFile)
			if err != nil {
				return err
			}
			rep, err := eval.Fit(set, folds)
			if err != nil {
				return err
			}
			if out != "" {
				b, err := eval.MarshalModel(rep.Model)
				if err != nil {
					return err
				}
				if err := os.WriteFile(out, b, 0o644); err != nil {
					return err
				}
			}
			return printJSON(rep, nil)
		}}
	fit.Flags().StringVar(&opt.SetFile, "set", "", "a labelled set in YAML (default: the set kept in the repository)")
	fit.Flags().StringVar(&out, "out", "", "write the fitted model here (the kept one is internal/analysis/scoring/weights.json)")
	fit.Flags().IntVar(&folds, "folds", 5, "k of the k-fold cross-validation by question")
	c.AddCommand(fit)
	return c
}

// compareLanguageModels runs the set with the generic and with the domain language model, one
// after the other in the same process, and prints the word error rates side by side.
func compareLanguageModels(cmd *cobra.Command, opt eval.Options) error {
	type side struct {
		WER        float64            `json:"wer"`
		WERDev     float64            `json:"wer_dev"`
		WERHeldOut float64            `json:"wer_heldout"`
		WERByVoice map[string]float64 `json:"wer_by_voice"`
		RhoHeldOut float64            `json:"spearman_heldout"`
	}
	out := map[string]side{}
	for _, domain := range []bool{false, true} {
		opt.DomainLM = domain
		res, err := eval.Run(cmd.Context(), opt, func(s string) { fmt.Fprintln(os.Stderr, "eval:", s) })
		if err != nil {
			return err
		}
		name := "generic"
		if domain {
			name = "domain"
		}
		out[name] = side{WER: res.WER, WERDev: res.Dev.WER, WERHeldOut: res.HeldOut.WER, WERByVoice: res.WERByVoice, RhoHeldOut: res.SpearmanHeldOut}
	}
	return printJSON(out, nil)
}
