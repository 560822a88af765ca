package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow/activities"
)

// LiveTranscriptWorkflowName is the registered name of LiveTranscriptWorkflow.
const LiveTranscriptWorkflowName = "LiveTranscriptWorkflow"

// SignalPiece tells a take's LiveTranscriptWorkflow that a piece arrived (its number).
const SignalPiece = "piece"

// LiveIdle is how long a take's transcription waits for another piece before it ends.
const LiveIdle = 10 * time.Minute

// LiveTranscriptInput names one take of a recorded answer being uploaded in pieces (IDs only).
type LiveTranscriptInput struct {
	activities.LiveInput
	ScoringQueue string
}

// LiveTranscriptID is the workflow ID of a take's transcription: opaque IDs only.
func LiveTranscriptID(appID, questionID, take string) string {
	return "live-" + appID + "-" + questionID + "-" + take
}

// LiveTranscriptWorkflow transcribes a recording while the candidate makes it: each piece
// signal runs TranscribeLive on the scoring queue (pieces that arrive while it runs are taken
// together in the next run), until no piece has come for LiveIdle. The application's workflow
// never waits for it: the recording itself, uploaded whole at the end, is what is scored; what
// was transcribed here only spares decoding it again.
func LiveTranscriptWorkflow(ctx workflow.Context, in LiveTranscriptInput) error {
	pieces := workflow.GetSignalChannel(ctx, SignalPiece)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue: in.ScoringQueue, StartToCloseTimeout: 2 * time.Minute, HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3, NonRetryableErrorTypes: []string{activities.ErrTypePermanent}},
	})
	latest, done := -1, -1
	for {
		tctx, cancel := workflow.WithCancel(ctx)
		idle := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(pieces, func(c workflow.ReceiveChannel, _ bool) {
			var seq int
			c.Receive(ctx, &seq)
			latest = max(latest, seq)
		})
		sel.AddFuture(workflow.NewTimer(tctx, LiveIdle), func(workflow.Future) { idle = true })
		sel.Select(ctx)
		cancel()
		for {
			var seq int
			if !pieces.ReceiveAsync(&seq) {
				break
			}
			latest = max(latest, seq)
		}
		if idle {
			return nil
		}
		if latest > done {
			// A failed stretch is not the answer's failure: the whole recording is decoded then.
			_ = workflow.ExecuteActivity(actx, activities.TranscribeLiveName, in.LiveInput).Get(ctx, nil)
			done = latest
		}
	}
}
