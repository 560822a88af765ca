package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// HistoryScan reads every workflow history of the organisation and returns, per needle, the
// workflow IDs whose history contains it (case-insensitive). It also returns how many workflows
// it read, so a scan that saw nothing cannot pass silently.
func (e *Env) HistoryScan(t testing.TB, needles []string) (map[string][]string, int) {
	t.Helper()
	ctx := context.Background()
	hits := map[string][]string{}
	read := 0
	var token []byte
	for {
		resp, err := e.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: e.Cfg.TemporalNamespace, Query: `HireflowOrg = "` + e.Org.ID + `"`, NextPageToken: token})
		require.NoError(t, err)
		for _, ex := range resp.Executions {
			id, run := ex.Execution.WorkflowId, ex.Execution.RunId
			var b strings.Builder
			b.WriteString(id)
			it := e.Temporal.GetWorkflowHistory(ctx, id, run, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				require.NoError(t, err)
				// Payloads are encrypted (seal.PayloadCodec): decrypt them as the UI's codec
				// server does, so the scan sees what the payloads hold.
				require.NoError(t, proxy.VisitPayloads(ctx, ev, proxy.VisitPayloadsOptions{
					Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
						return e.Codec.Decode(ps)
					}}))
				js, err := protojson.Marshal(ev)
				require.NoError(t, err)
				b.Write(js)
			}
			// Payloads are base64 in protojson; decode them so the scan sees what was stored.
			text := strings.ToLower(b.String() + decodeB64Payloads(b.String()))
			for _, n := range needles {
				if n != "" && strings.Contains(text, strings.ToLower(n)) {
					hits[n] = append(hits[n], id)
				}
			}
			read++
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	return hits, read
}
