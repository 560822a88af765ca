package activities

import (
	"context"
	"time"

	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// BiasAuditInput names an organisation, a period and what started the audit.
type BiasAuditInput struct {
	OrgID   string
	From    time.Time
	To      time.Time
	Trigger string // schedule | on_demand
	RunKey  string // the workflow run: the audit is stored once
}

// BiasAuditResult is the stored audit and how many groups fell under the threshold.
type BiasAuditResult struct {
	AuditID string
	Below   int
	Records int
}

// RunBiasAudit computes the period's selection rates and impact ratios for every automated
// decision point (rules.Audit), stores the audit immutably with the rule versions in force,
// and records an alert in the audit log when a group falls under the four-fifths threshold.
// It runs in an activity because it reads the candidates' self-identified groups, which never
// enter workflow history; only counts leave it.
func (a *Activities) RunBiasAudit(ctx context.Context, in BiasAuditInput) (BiasAuditResult, error) {
	recs, versions, err := a.Store.BiasAuditRecords(ctx, in.OrgID, in.From, in.To)
	if err != nil {
		return BiasAuditResult{}, err
	}
	rep := rules.Audit(recs)
	id, err := a.Store.BiasAuditSave(ctx, in.OrgID, store.BiasAudit{PeriodStart: in.From, PeriodEnd: in.To, RuleVersions: versions,
		Report: rep, Below: len(rep.Below), Trigger: in.Trigger, RunKey: in.RunKey})
	if err != nil {
		return BiasAuditResult{}, err
	}
	if len(rep.Below) > 0 {
		if err := a.Store.Audit(ctx, in.OrgID, "system", "bias-audit", "bias_audit.below_threshold", "bias_audit", id,
			map[string]any{"below": rep.Below}); err != nil {
			return BiasAuditResult{}, err
		}
	}
	return BiasAuditResult{AuditID: id, Below: len(rep.Below), Records: rep.Records}, nil
}
