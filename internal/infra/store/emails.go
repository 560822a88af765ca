package store

import (
	"context"
	"fmt"
)

// EmailClaim records the intent to send the email with this idempotency key. It returns
// sent=true when an earlier attempt already handed it to SMTP, and the stable Message-ID to use.
func (s *Store) EmailClaim(ctx context.Context, orgID, appID, key, kind, lang, messageID string) (sent bool, msgID string, err error) {
	return s.EmailClaimTo(ctx, orgID, appID, "", key, kind, lang, messageID)
}

// EmailClaimTo is EmailClaim for a notice to a staff member (userID), recorded with it: SLA
// breaches are counted by the person reminded.
func (s *Store) EmailClaimTo(ctx context.Context, orgID, appID, userID, key, kind, lang, messageID string) (sent bool, msgID string, err error) {
	var status string
	err = s.db.QueryRow(ctx, `INSERT INTO emails (org_id, application_id, idempotency_key, kind, language, message_id, attempts, recipient_user_id)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7)
		ON CONFLICT (idempotency_key) DO UPDATE SET attempts = emails.attempts + 1
		RETURNING status, message_id`, orgID, nilIfEmpty(appID), key, kind, lang, messageID, nilIfEmpty(userID)).Scan(&status, &msgID)
	if err != nil {
		return false, "", fmt.Errorf("store: unable to claim email: %w", err)
	}
	return status == "sent", msgID, nil
}

// EmailMarkSent records the SMTP hand-off.
func (s *Store) EmailMarkSent(ctx context.Context, key string) error {
	_, err := s.db.Exec(ctx, `UPDATE emails SET status = 'sent', sent_at = now() WHERE idempotency_key = $1`, key)
	return err
}

// EmailCount counts the emails sent for an application (tests and the status page use it).
func (s *Store) EmailCount(ctx context.Context, orgID, appID, kind string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM emails WHERE org_id = $1 AND application_id = $2 AND kind = $3 AND status = 'sent'`, orgID, appID, kind).Scan(&n)
	return n, err
}
