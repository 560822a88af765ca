package eval

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpearmanAndEditDistance(t *testing.T) {
	require.InDelta(t, 1.0, spearman([]float64{1, 2, 3}, []float64{10, 20, 30}), 1e-9)
	require.InDelta(t, -1.0, spearman([]float64{1, 2, 3}, []float64{3, 2, 1}), 1e-9)
	require.InDelta(t, 0.866, spearman([]float64{1, 1, 2}, []float64{1, 2, 3}), 1e-3, "ties take average ranks")
	require.Equal(t, 2, editDistance([]string{"a", "b", "c"}, []string{"a", "x"}))
	require.Equal(t, 0, editDistance(normalise("Hello, World!"), []string{"hello", "world"}))
}

// TestScorerOnTheLabelledSet runs the whole labelled set through the real pipeline; it guards
// the scorer's ranking quality (not its speed).
func TestScorerOnTheLabelledSet(t *testing.T) {
	res, err := Run(context.Background(), Options{}, func(string) {})
	require.NoError(t, err)
	require.Equal(t, 37, res.Answers)
	require.GreaterOrEqual(t, res.Spearman, 0.8, "scores must rank answers as the labels do")
	require.LessOrEqual(t, res.WER, 0.25)
}
