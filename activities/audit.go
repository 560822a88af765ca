package activities

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/chat"
	"github.com/hireflow/hireflow/internal/infra/mail"

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
	rep := rules.AuditFamilies(recs)
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
		if err := a.alertBiasAudit(ctx, in, id, rep); err != nil {
			return BiasAuditResult{}, err
		}
	}
	return BiasAuditResult{AuditID: id, Below: len(rep.Below), Records: rep.Records}, nil
}

// alertBiasAudit tells the organisation's admins that groups fell under the four-fifths
// threshold: an email to each admin and a message to the configured chat robot, each channel
// once per audit (audit_alerts). Only the points, categories, group codes and ratios go out.
// A chat robot that refuses is recorded as failed with its answer; it does not fail the audit.
func (a *Activities) alertBiasAudit(ctx context.Context, in BiasAuditInput, auditID string, rep rules.AuditReport) error {
	period := in.From.Format("2006-01-02") + " – " + in.To.AddDate(0, 0, -1).Format("2006-01-02")
	detail := fmt.Sprintf("%d (%s)", len(rep.Below), period)
	link := a.ConsoleURL + "/analytics/audits#audit-" + auditID
	org, err := a.Store.OrgGet(ctx, in.OrgID)
	if err != nil {
		return err
	}
	admins, err := a.Store.UsersByRole(ctx, in.OrgID, hireflow.RoleAdmin)
	if err != nil {
		return err
	}
	for _, u := range admins {
		ch := "email:" + u.ID
		if sent, err := a.Store.AuditAlertClaim(ctx, in.OrgID, auditID, ch); err != nil || sent {
			if err != nil {
				return err
			}
			continue
		}
		key := "bias_audit_alert:" + auditID + ":" + u.ID
		sent, msgID, err := a.Store.EmailClaimTo(ctx, in.OrgID, "", u.ID, key, hireflow.NoticeBiasAuditAlert, "en", "<"+hexHash(key)+"@hireflow>")
		if err != nil {
			return err
		}
		if !sent {
			r, err := mail.RenderNotice(hireflow.NoticeBiasAuditAlert, mail.Data{Lang: "en", ToName: u.DisplayName, OrgName: org.Name, Color: org.Color,
				Link: link}, detail+"\n"+strings.Join(rep.Below, "\n"))
			if err != nil {
				return permanent(err)
			}
			if err := a.Mail.Send(ctx, u.DisplayName, u.Email, msgID, r); err != nil {
				a.Metrics.email(in.OrgID, hireflow.NoticeBiasAuditAlert, "failed")
				return err
			}
			a.Metrics.email(in.OrgID, hireflow.NoticeBiasAuditAlert, "sent")
			if err := a.markSent(ctx, key); err != nil {
				return err
			}
		}
		if err := a.Store.AuditAlertMark(ctx, auditID, ch, "sent", ""); err != nil {
			return err
		}
	}
	robot, ok, err := a.Store.AlertChatGet(ctx, in.OrgID)
	if err != nil || !ok {
		return err
	}
	ch := "chat:" + robot.Kind
	if sent, err := a.Store.AuditAlertClaim(ctx, in.OrgID, auditID, ch); err != nil || sent {
		return err
	}
	title := "Bias audit alert 偏差审计预警: " + org.Name
	text := fmt.Sprintf("%d group(s) under the 0.8 impact ratio, %s / %d 个群体的影响比低于 0.8：\n\n- %s\n\n%s",
		len(rep.Below), period, len(rep.Below), strings.Join(rep.Below, "\n- "), link)
	hc := &http.Client{Timeout: 15 * time.Second, Transport: webhookTransport(a.AllowPrivateWebhooks),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := chat.Send(ctx, hc, robot, title, text, time.Now()); err != nil {
		return a.Store.AuditAlertMark(ctx, auditID, ch, "failed", err.Error())
	}
	return a.Store.AuditAlertMark(ctx, auditID, ch, "sent", "")
}

// CheckpointAuditLog signs the head of the organisation's audit chain (nothing for an empty
// log); `hireflow audit verify` then catches a chain recomputed past it.
func (a *Activities) CheckpointAuditLog(ctx context.Context, orgID string) (int64, error) {
	seq, err := a.Store.AuditCheckpoint(ctx, orgID)
	if hireflow.ErrorKind(err) == hireflow.KindNotFound {
		return 0, nil
	}
	return seq, err
}
