package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"

	"github.com/hireflow/hireflow/internal/infra/chat"
)

// AlertChatSet configures the chat robot a bias audit's alert goes to (the address and signing
// secret sealed under the master key); an empty kind removes it.
func (s *Store) AlertChatSet(ctx context.Context, orgID string, r chat.Robot) error {
	var enc []byte
	if r.Kind != "" {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		enc = s.box.Seal(b, aad("organisations", "alert_chat", orgID))
	}
	_, err := s.db.Exec(ctx, `UPDATE organisations SET alert_chat_kind = $2, alert_chat_enc = $3 WHERE id = $1`, orgID, r.Kind, enc)
	return err
}

// AlertChatGet is the organisation's chat robot, if one is configured.
func (s *Store) AlertChatGet(ctx context.Context, orgID string) (chat.Robot, bool, error) {
	var kind string
	var enc []byte
	if err := s.db.QueryRow(ctx, `SELECT alert_chat_kind, alert_chat_enc FROM organisations WHERE id = $1`, orgID).Scan(&kind, &enc); err != nil {
		return chat.Robot{}, false, notFound(err, "organisation_not_found", "organisation")
	}
	if kind == "" || enc == nil {
		return chat.Robot{}, false, nil
	}
	b, err := s.box.Open(enc, aad("organisations", "alert_chat", orgID))
	if err != nil {
		return chat.Robot{}, false, err
	}
	var r chat.Robot
	return r, true, json.Unmarshal(b, &r)
}

// AuditAlertClaim records that an audit's alert goes out on a channel; it reports whether it
// was sent already (a retried activity sends each channel once).
func (s *Store) AuditAlertClaim(ctx context.Context, orgID, auditID, channel string) (sent bool, err error) {
	var status string
	err = s.db.QueryRow(ctx, `INSERT INTO audit_alerts (audit_id, org_id, channel) VALUES ($1, $2, $3)
		ON CONFLICT (audit_id, channel) DO UPDATE SET channel = excluded.channel RETURNING status`, auditID, orgID, channel).Scan(&status)
	if err != nil {
		return false, fmt.Errorf("store: audit alert: %w", err)
	}
	return status == "sent", nil
}

// AuditAlertMark records how an alert went (sent, or failed with the platform's answer).
func (s *Store) AuditAlertMark(ctx context.Context, auditID, channel, status, detail string) error {
	if len(detail) > 500 {
		detail = detail[:500]
	}
	_, err := s.db.Exec(ctx, `UPDATE audit_alerts SET status = $3, detail = $4 WHERE audit_id = $1 AND channel = $2`, auditID, channel, status, detail)
	return err
}

// AuditAlert is one channel an audit's alert went to.
type AuditAlert struct {
	Channel string `json:"channel"`
	Status  string `json:"status"`
	Detail  string `json:"detail,omitempty"`
}

// AuditAlerts lists the alerts of an audit of the organisation (not found for another
// organisation's audit, as for none).
func (s *Store) AuditAlerts(ctx context.Context, orgID, auditID string) ([]AuditAlert, error) {
	var ok bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bias_audits WHERE org_id = $1 AND id = $2)`, orgID, auditID).Scan(&ok); err != nil {
		return nil, notFound(err, "bias_audit_not_found", "bias audit")
	}
	if !ok {
		return nil, hireflow.NotFound("bias_audit_not_found", "bias audit")
	}
	return listOf(ctx, s.db, "audit alerts", func(r pgx.Row) (AuditAlert, error) {
		var a AuditAlert
		return a, r.Scan(&a.Channel, &a.Status, &a.Detail)
	}, `SELECT channel, status, detail FROM audit_alerts WHERE org_id = $1 AND audit_id = $2 ORDER BY channel`, orgID, auditID)
}

// AuditPublish sets whether the organisation's latest audit summary is public on /audits/{slug}.
func (s *Store) AuditPublish(ctx context.Context, orgID string, published bool) error {
	_, err := s.db.Exec(ctx, `UPDATE organisations SET audit_published = $2 WHERE id = $1`, orgID, published)
	return err
}

// PublicAudit is what the public summary page shows: the organisation and its latest audit.
type PublicAudit struct {
	OrgName string
	Color   string
	Audit   BiasAudit
}

// PublicAuditBySlug is the latest audit of an organisation that published its summary;
// not found when it did not (the same answer as for an organisation that does not exist).
func (s *Store) PublicAuditBySlug(ctx context.Context, slug string) (PublicAudit, error) {
	var p PublicAudit
	a := &p.Audit
	err := s.db.QueryRow(ctx, `SELECT o.name, o.color, b.id, b.period_start, b.period_end, b.rule_versions, b.report, b.below, b.trigger, b.created_at
		FROM organisations o JOIN bias_audits b ON b.org_id = o.id
		WHERE o.slug = $1 AND o.audit_published ORDER BY b.period_end DESC, b.created_at DESC LIMIT 1`, slug).
		Scan(&p.OrgName, &p.Color, &a.ID, &a.PeriodStart, &a.PeriodEnd, &a.RuleVersions, &a.Report, &a.Below, &a.Trigger, &a.CreatedAt)
	if err != nil {
		return p, notFound(err, "audit_not_found", "audit")
	}
	return p, nil
}
