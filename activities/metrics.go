package activities

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the business and pipeline counters an operator watches, labelled by
// organisation ID and kinds only (no personal data, bounded cardinality). A nil *Metrics
// counts nothing.
type Metrics struct {
	stages     *prometheus.CounterVec
	decisions  *prometheus.CounterVec
	ruleErrors *prometheus.CounterVec
	emails     *prometheus.CounterVec
	scoring    *prometheus.HistogramVec
	webhooks   *prometheus.CounterVec
}

// NewMetrics registers the counters once per process.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		stages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_stage_entered_total",
			Help: "Applications that entered a stage (recorded by the workflow's stage activity)."}, []string{"org", "stage"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_decisions_total",
			Help: "Recorded decisions by kind and outcome."}, []string{"org", "kind", "outcome"}),
		ruleErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_rule_errors_total",
			Help: "Rules that failed to evaluate (a person decides instead)."}, []string{"org", "rule"}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_emails_total",
			Help: "Emails by kind and result: sent, failed (retried by the activity), duplicate (already sent, not sent again)."}, []string{"org", "kind", "result"}),
		scoring: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hireflow_scoring_seconds",
			Help: "Time to score one answer, by kind (video, text).", Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300}}, []string{"org", "kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_webhook_deliveries_total",
			Help: "Webhook deliveries by result (delivered, failed)."}, []string{"org", "result"}),
	}
	reg.MustRegister(m.stages, m.decisions, m.ruleErrors, m.emails, m.scoring, m.webhooks)
	return m
}

func (m *Metrics) stage(org, stage string) {
	if m != nil {
		m.stages.WithLabelValues(org, stage).Inc()
	}
}

func (m *Metrics) decision(org, kind, outcome string, ruleFailed bool, rule string) {
	if m == nil {
		return
	}
	m.decisions.WithLabelValues(org, kind, outcome).Inc()
	if ruleFailed {
		m.ruleErrors.WithLabelValues(org, rule).Inc()
	}
}

func (m *Metrics) email(org, kind, result string) {
	if m != nil {
		m.emails.WithLabelValues(org, kind, result).Inc()
	}
}

func (m *Metrics) scored(org, kind string, seconds float64) {
	if m != nil {
		m.scoring.WithLabelValues(org, kind).Observe(seconds)
	}
}

func (m *Metrics) webhook(org, result string) {
	if m != nil {
		m.webhooks.WithLabelValues(org, result).Inc()
	}
}
