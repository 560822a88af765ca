package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// StaffMember is one user as the admin's user list shows it (no candidate data).
type StaffMember struct {
	hireflow.User
	Disabled   bool       `json:"disabled"`
	TOTP       bool       `json:"two_step"`
	SSO        bool       `json:"single_sign_on"`
	Invited    bool       `json:"invited"` // no password set yet
	LastSignIn *time.Time `json:"last_sign_in,omitempty"`
}

// UserList lists the organisation's users, active first, then by email.
func (s *Store) UserList(ctx context.Context, orgID string) ([]StaffMember, error) {
	return listOf(ctx, s.db, "users", func(r pgx.Row) (StaffMember, error) {
		var m StaffMember
		return m, r.Scan(&m.ID, &m.OrgID, &m.Email, &m.DisplayName, &m.Role, &m.CreatedAt, &m.Disabled, &m.TOTP, &m.SSO, &m.Invited, &m.LastSignIn)
	}, `SELECT u.id, u.org_id, u.email, u.display_name, u.role, u.created_at, u.disabled_at IS NOT NULL, u.totp_enabled_at IS NOT NULL,
			u.oidc_subject IS NOT NULL, u.password_hash = '' AND u.oidc_subject IS NULL,
			(SELECT max(created_at) FROM sessions se WHERE se.user_id = u.id)
		FROM users u WHERE u.org_id = $1 ORDER BY u.disabled_at IS NOT NULL, u.email LIMIT 1000`, orgID)
}

// UserInvite creates a user without a password (they set it from the emailed link).
func (s *Store) UserInvite(ctx context.Context, orgID, email, name string, role hireflow.Role) (hireflow.User, error) {
	return s.UserCreate(ctx, orgID, email, name, role, "")
}

// UserUpdate changes a user's role or deactivates (or reactivates) them. The organisation
// always keeps one active admin; a deactivated user's sessions end.
func (s *Store) UserUpdate(ctx context.Context, orgID, userID string, role *hireflow.Role, disabled *bool) (hireflow.User, error) {
	var u hireflow.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// One admin change at a time per organisation, so two admins cannot demote each other.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('users:' || $1::text, 0))`, orgID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE users SET role = coalesce($3, role),
				disabled_at = CASE WHEN $4::bool IS NULL THEN disabled_at WHEN $4 THEN coalesce(disabled_at, now()) ELSE NULL END
			WHERE org_id = $1 AND id = $2 RETURNING id, org_id, email, display_name, role, created_at`, orgID, userID, role, disabled).
			Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt); err != nil {
			return notFound(err, "user_not_found", "user")
		}
		var admins int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE org_id = $1 AND role = 'admin' AND disabled_at IS NULL`, orgID).Scan(&admins); err != nil {
			return err
		}
		if admins == 0 {
			return hireflow.Errorf(hireflow.KindConflict, "last_admin", "role", "the organisation needs at least one active admin").ZH("组织至少需要一名在职管理员")
		}
		if disabled != nil && *disabled {
			_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
			return err
		}
		return nil
	})
	return u, err
}

// StaffTokenIssue stores a one-time set-password link's hash.
func (s *Store) StaffTokenIssue(ctx context.Context, orgID, userID string, hash []byte, expires time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO staff_tokens (org_id, user_id, purpose, token_hash, expires_at) VALUES ($1, $2, 'set_password', $3, $4)`,
		orgID, userID, hash, expires)
	if err != nil {
		return fmt.Errorf("store: staff token: %w", err)
	}
	return nil
}

// StaffTokenPeek resolves a live set-password link without spending it (the form's page).
func (s *Store) StaffTokenPeek(ctx context.Context, hash []byte) (hireflow.User, error) {
	var u hireflow.User
	err := s.db.QueryRow(ctx, `SELECT u.id, u.org_id, u.email, u.display_name, u.role, u.created_at FROM staff_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL`, hash).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
	if err != nil {
		return u, hireflow.Errorf(hireflow.KindGone, "link_invalid", "token", "this link is not valid any more; ask your administrator for a new invitation").
			ZH("此链接已失效，请联系管理员重新邀请")
	}
	return u, nil
}

// StaffSetPassword spends the link and sets the password in one transaction; every other
// link of the user stops working.
func (s *Store) StaffSetPassword(ctx context.Context, hash []byte, passwordHash string) (hireflow.User, error) {
	var u hireflow.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if u, err = NewInTx(tx, s.box).StaffTokenPeek(ctx, hash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, u.ID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1`, u.ID, passwordHash)
		return err
	})
	return u, err
}

// APITokenInfo is one API token as its list shows it (never the secret).
type APITokenInfo struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	UserID     string     `json:"user_id"`
	UserEmail  string     `json:"user_email"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// APITokenList lists the organisation's tokens (userID set: only that user's).
func (s *Store) APITokenList(ctx context.Context, orgID, userID string) ([]APITokenInfo, error) {
	return listOf(ctx, s.db, "api tokens", func(r pgx.Row) (APITokenInfo, error) {
		var t APITokenInfo
		return t, r.Scan(&t.ID, &t.Name, &t.UserID, &t.UserEmail, &t.Scopes, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	}, `SELECT t.id, t.name, t.user_id, u.email, t.scopes, t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.org_id = $1 AND ($2::uuid IS NULL OR t.user_id = $2) ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC LIMIT 500`, orgID, nilIfEmpty(userID))
}

// APITokenRevoke revokes a token of the organisation (userID set: only if it is theirs).
func (s *Store) APITokenRevoke(ctx context.Context, orgID, userID, id string) error {
	tag, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE org_id = $1 AND id::text = $3 AND ($2::uuid IS NULL OR user_id = $2)`,
		orgID, nilIfEmpty(userID), id)
	if err == nil && tag.RowsAffected() == 0 {
		return hireflow.NotFound("token_not_found", "API token")
	}
	return err
}
