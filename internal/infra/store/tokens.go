package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// CandidateToken is a magic link's row; the raw token is never stored.
type CandidateToken struct {
	ID            string
	OrgID         string
	ApplicationID string
	Purpose       string
	ExpiresAt     time.Time
	RevokedAt     *time.Time
	FirstUsedAt   *time.Time
}

// TokenIssue stores a new token; with revokePrevious it also revokes the application's live
// tokens of the same purpose (a re-sent invitation replaces the old link; a reminder does not).
func (s *Store) TokenIssue(ctx context.Context, orgID, appID, purpose string, hash []byte, expires time.Time, revokePrevious bool) error {
	_, err := s.db.Exec(ctx, `WITH revoked AS (
			UPDATE candidate_tokens SET revoked_at = now()
			WHERE $6 AND org_id = $1 AND application_id = $2 AND purpose = $3 AND revoked_at IS NULL RETURNING 1)
		INSERT INTO candidate_tokens (org_id, application_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		orgID, appID, purpose, hash, expires, revokePrevious)
	if err != nil {
		return fmt.Errorf("store: unable to store token: %w", err)
	}
	return nil
}

// TokenRevokeAll revokes every token of an application (expiry, withdrawal, deletion).
func (s *Store) TokenRevokeAll(ctx context.Context, orgID, appID string) error {
	_, err := s.db.Exec(ctx, `UPDATE candidate_tokens SET revoked_at = now() WHERE org_id = $1 AND application_id = $2 AND revoked_at IS NULL`, orgID, appID)
	return err
}

// TokenUse resolves a token by its hash and records the use. It reports whether this was the
// first use. Unknown, expired and revoked tokens are distinct errors so the page can say which.
func (s *Store) TokenUse(ctx context.Context, hash []byte) (CandidateToken, bool, error) {
	var t CandidateToken
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id, purpose, expires_at, revoked_at, first_used_at FROM candidate_tokens WHERE token_hash = $1`, hash).
		Scan(&t.ID, &t.OrgID, &t.ApplicationID, &t.Purpose, &t.ExpiresAt, &t.RevokedAt, &t.FirstUsedAt)
	if err == pgx.ErrNoRows {
		return t, false, hireflow.Errorf(hireflow.KindUnauthorized, "link_invalid", "token", "this link is not valid").ZH("此链接无效")
	}
	if err != nil {
		return t, false, fmt.Errorf("store: unable to look up token: %w", err)
	}
	if t.RevokedAt != nil {
		return t, false, hireflow.Errorf(hireflow.KindGone, "link_revoked", "token", "this link has been replaced or withdrawn").ZH("此链接已被替换或撤回")
	}
	if time.Now().After(t.ExpiresAt) {
		return t, false, hireflow.Errorf(hireflow.KindGone, "link_expired", "token", "this link has expired").ZH("此链接已过期")
	}
	first := t.FirstUsedAt == nil
	if _, err := s.db.Exec(ctx, `UPDATE candidate_tokens SET first_used_at = coalesce(first_used_at, now()), last_used_at = now() WHERE id = $1`, t.ID); err != nil {
		return t, false, fmt.Errorf("store: unable to record token use: %w", err)
	}
	return t, first, nil
}

// TokenFind returns a token's row whatever its state (for "send me a new link").
func (s *Store) TokenFind(ctx context.Context, hash []byte) (CandidateToken, bool, error) {
	var t CandidateToken
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id, purpose, expires_at, revoked_at, first_used_at FROM candidate_tokens WHERE token_hash = $1`, hash).
		Scan(&t.ID, &t.OrgID, &t.ApplicationID, &t.Purpose, &t.ExpiresAt, &t.RevokedAt, &t.FirstUsedAt)
	if err == pgx.ErrNoRows {
		return t, false, nil
	}
	return t, err == nil, err
}
