package activities

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// TestGrafanaDashboardReadsOurMetrics: every metric the dashboard in deploy/grafana queries is
// one this process registers (or the API's HTTP metrics), so the dashboard cannot drift.
func TestGrafanaDashboardReadsOurMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.stage("o", "j", "invited")
	m.decision("o", "j", "screening", "pass", true, "screening")
	m.email("o", "invitation", "sent")
	m.scored("o", "j", "text", 0.2)
	m.webhook("o", "delivered")
	fams, err := reg.Gather()
	require.NoError(t, err)
	known := map[string]bool{"hireflow_http_requests_total": true, "hireflow_http_request_seconds": true}
	for _, f := range fams {
		known[f.GetName()] = true
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				require.Contains(t, []string{"org", "job", "stage", "kind", "outcome", "rule", "result"}, l.GetName(), "bounded labels only")
			}
		}
	}
	require.Len(t, fams, 6)
	b, err := os.ReadFile("../deploy/grafana/hireflow.json")
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	require.NoError(t, json.Unmarshal(b, &d))
	require.NotEmpty(t, d.Panels)
	name := regexp.MustCompile(`hireflow_[a-z_]+`)
	for _, p := range d.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(n, "")
				require.True(t, known[base], "%s: %s is not a metric we export", p.Title, n)
			}
		}
	}
}
