package activities

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the business and pipeline counters an operator watches, labelled by
// organisation ID, job ID and kinds only (no personal data, bounded cardinality). A nil *Metrics
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
			Help: "Applications that entered a stage (recorded by the workflow's stage activity)."}, []string{"org", "job", "stage"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_decisions_total",
			Help: "Recorded decisions by kind and outcome."}, []string{"org", "job", "kind", "outcome"}),
		ruleErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_rule_errors_total",
			Help: "Rules that failed to evaluate (a person decides instead)."}, []string{"org", "rule"}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_emails_total",
			Help: "Emails by kind and result: sent, failed (retried by the activity), duplicate (already sent, not sent again)."}, []string{"org", "kind", "result"}),
		scoring: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hireflow_scoring_seconds",
			Help: "Time to score one answer, by kind (video, text).", Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300}}, []string{"org", "job", "kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hireflow_webhook_deliveries_total",
			Help: "Webhook deliveries by result (delivered, failed)."}, []string{"org", "result"}),
	}
	reg.MustRegister(m.stages, m.decisions, m.ruleErrors, m.emails, m.scoring, m.webhooks)
	return m
}

func (m *Metrics) stage(org, job, stage string) {
	if m != nil {
		m.stages.WithLabelValues(org, job, stage).Inc()
	}
}

func (m *Metrics) decision(org, job, kind, outcome string, ruleFailed bool, rule string) {
	if m == nil {
		return
	}
	m.decisions.WithLabelValues(org, job, kind, outcome).Inc()
	if ruleFailed {
		m.ruleErrors.WithLabelValues(org, rule).Inc()
	}
}

func (m *Metrics) email(org, kind, result string) {
	if m != nil {
		m.emails.WithLabelValues(org, kind, result).Inc()
	}
}

func (m *Metrics) scored(org, job, kind string, seconds float64) {
	if m != nil {
		m.scoring.WithLabelValues(org, job, kind).Observe(seconds)
	}
}

// jobs caches each application's job (it never changes) for the metrics' job label; it is
// emptied when it holds more than jobCacheMax applications.
var (
	jobs    sync.Map
	jobsLen atomic.Int64
)

const jobCacheMax = 50000

// jobOf is the application's job ID for a metric label ("" when it cannot be read now: a
// metric never fails an activity).
func (a *Activities) jobOf(ctx context.Context, ref AppRef) string {
	if a.Metrics == nil {
		return ""
	}
	if j, ok := jobs.Load(ref.ApplicationID); ok {
		return j.(string)
	}
	j, err := a.Store.ApplicationJob(ctx, ref.OrgID, ref.ApplicationID)
	if err != nil {
		return ""
	}
	if jobsLen.Add(1) > jobCacheMax {
		jobs.Clear()
		jobsLen.Store(0)
	}
	jobs.Store(ref.ApplicationID, j)
	return j
}

func (m *Metrics) webhook(org, result string) {
	if m != nil {
		m.webhooks.WithLabelValues(org, result).Inc()
	}
}
