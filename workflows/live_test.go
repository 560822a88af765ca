package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/hireflow/hireflow/activities"
)

// TestLiveTranscriptTakesPiecesTogether: pieces signalled while a stretch is being decoded are
// taken together by the next run; a failed stretch is retried and does not end the workflow;
// it ends after
// LiveIdle without a piece.
func TestLiveTranscriptTakesPiecesTogether(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivity(&activities.Activities{})
	runs := 0
	env.OnActivity(a.TranscribeLive, mock.Anything, mock.Anything).Return(func(context.Context, activities.LiveInput) error {
		runs++
		if runs == 2 {
			return context.DeadlineExceeded
		}
		return nil
	}).After(10 * time.Second)
	for i, at := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second, 40 * time.Second} {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalPiece, i) }, at)
	}
	env.ExecuteWorkflow(LiveTranscriptWorkflow, LiveTranscriptInput{LiveInput: activities.LiveInput{AppRef: activities.AppRef{OrgID: "o", ApplicationID: "a"}, QuestionID: "q1", Take: "t1234567"}, ScoringQueue: "scoring"})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	// 0 → a run (10 s); 1, 2, 3 arrive during it → one run, which fails once and is retried;
	// 4 at 40 s → one more run.
	require.Equal(t, 4, runs)
}
