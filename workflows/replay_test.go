package workflows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayCommittedHistories replays histories recorded on the real dev server by earlier
// versions of ApplicationWorkflow: a change that breaks determinism for live workflows fails
// here. Add a history under testdata/ whenever a change is guarded with workflow.GetVersion or
// by a new shape of the input. Histories of both shapes are kept: the first (no Shape in the
// input) and shape 1 (shape1-*.json, the workflow as the only writer of the stage).
func TestReplayCommittedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	shapes := map[bool]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		shapes[strings.HasPrefix(filepath.Base(f), "shape1-")]++
		var h struct {
			Events []struct {
				Attrs *struct {
					WorkflowType struct{ Name string }
					Input        struct {
						Payloads []struct{ Data []byte }
					}
				} `json:"workflowExecutionStartedEventAttributes"`
			}
		}
		require.NoError(t, json.Unmarshal(b, &h))
		if h.Events[0].Attrs.WorkflowType.Name != "ApplicationWorkflow" {
			continue // an approval chain takes its shape from its parent
		}
		var in struct{ Shape int }
		require.NoError(t, json.Unmarshal(h.Events[0].Attrs.Input.Payloads[0].Data, &in))
		if strings.HasPrefix(filepath.Base(f), "shape1-") {
			require.Equal(t, CurrentShape, in.Shape, "%s was recorded by the current shape", f)
		} else {
			require.Zero(t, in.Shape, "%s was recorded by the first shape", f)
		}
	}
	// Live rounds: one history from before rounds were booked, and booked ones with the
	// version marker of VersionLiveRoundBooking (its change ID as a JSON string, base64 in the marker's details).
	marker, unmarked := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		switch {
		case strings.Contains(string(b), "ImxpdmUtcm91bmQtYm9va2luZyI="):
			marker++
		case strings.Contains(filepath.Base(f), "live-round"):
			unmarked++
		}
	}
	require.Positive(t, marker, "a history of a booked live round")
	require.Positive(t, unmarked, "a history of a live round before booking")
	// Retention: the sweep with one child per application and the batched one; each erasure
	// with activities and with local activities (the change IDs, base64 in the markers).
	for _, want := range []struct{ file, marker string }{
		{"retention-sweep-children.json", ""}, {"retention-sweep-batched.json", "InJldGVudGlvbi1iYXRjaGVkLXN3ZWVwIg=="},
		{"retention-policy-activities.json", ""}, {"retention-request-activities.json", ""},
		{"retention-policy-local-erase.json", "InJldGVudGlvbi1sb2NhbC1lcmFzZSI="}, {"retention-request-local-erase.json", "InJldGVudGlvbi1sb2NhbC1lcmFzZSI="},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", want.file))
		require.NoError(t, err)
		if want.marker == "" {
			require.NotContains(t, string(b), "EVENT_TYPE_MARKER_RECORDED", "%s is from before the change", want.file)
		} else {
			require.Contains(t, string(b), want.marker, "%s carries its version marker", want.file)
		}
	}
	require.Positive(t, shapes[false], "histories of the first shape")
	require.Positive(t, shapes[true], "histories of shape 1")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(ApplicationWorkflow)
			r.RegisterWorkflow(ApprovalWorkflow)
			r.RegisterWorkflow(SchedulingWorkflow)
			r.RegisterWorkflowWithOptions(RetentionSweepWorkflow, workflow.RegisterOptions{Name: RetentionSweepWorkflowName})
			r.RegisterWorkflowWithOptions(RetentionWorkflow, workflow.RegisterOptions{Name: RetentionWorkflowName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
