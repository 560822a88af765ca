package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// WebhookSet configures the organisation's HR-system webhook.
func (s *Store) WebhookSet(ctx context.Context, orgID, url, secret string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO org_webhooks (org_id, url, secret_enc) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET url = $2, secret_enc = $3`, orgID, url, s.box.SealString(secret, aad("org_webhooks", "secret", orgID)))
	return err
}

// WebhookGet returns the organisation's webhook, if any.
func (s *Store) WebhookGet(ctx context.Context, orgID string) (url, secret string, ok bool, err error) {
	var enc []byte
	err = s.db.QueryRow(ctx, `SELECT url, secret_enc FROM org_webhooks WHERE org_id = $1`, orgID).Scan(&url, &enc)
	if err == pgx.ErrNoRows {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	secret, err = s.box.OpenString(enc, aad("org_webhooks", "secret", orgID))
	return url, secret, err == nil, err
}

// WebhookDelivered reports whether an event was already delivered.
func (s *Store) WebhookDelivered(ctx context.Context, key string) (bool, error) {
	var at *time.Time
	err := s.db.QueryRow(ctx, `SELECT delivered_at FROM webhook_deliveries WHERE idempotency_key = $1`, key).Scan(&at)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return at != nil, err
}

// WebhookRecord records a delivery attempt.
func (s *Store) WebhookRecord(ctx context.Context, orgID, key, event string, status int, delivered bool) error {
	_, err := s.db.Exec(ctx, `INSERT INTO webhook_deliveries (org_id, idempotency_key, event, status_code, attempts, delivered_at)
		VALUES ($1, $2, $3, $4, 1, CASE WHEN $5 THEN now() END)
		ON CONFLICT (idempotency_key) DO UPDATE SET status_code = $4, attempts = webhook_deliveries.attempts + 1,
		delivered_at = coalesce(webhook_deliveries.delivered_at, CASE WHEN $5 THEN now() END)`, orgID, key, event, status, delivered)
	return err
}
