package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// Account is what signing in needs of a local user: the password hash, the second factor and
// the lock-out state.
type Account struct {
	User        hireflow.User
	Hash        string
	TOTPSecret  string // empty without a second factor (or a pending one when !TOTPEnabled)
	TOTPEnabled bool
	LockedUntil *time.Time
}

// AccountByEmail loads an active user's sign-in state.
func (s *Store) AccountByEmail(ctx context.Context, orgID, email string) (Account, error) {
	var a Account
	var secret []byte
	var enabled *time.Time
	err := s.db.QueryRow(ctx, `SELECT id, org_id, email, display_name, role, created_at, password_hash, totp_secret_enc, totp_enabled_at, locked_until
		FROM users WHERE org_id = $1 AND email = lower($2) AND disabled_at IS NULL`, orgID, email).
		Scan(&a.User.ID, &a.User.OrgID, &a.User.Email, &a.User.DisplayName, &a.User.Role, &a.User.CreatedAt, &a.Hash, &secret, &enabled, &a.LockedUntil)
	if err != nil {
		return a, notFound(err, "user_not_found", "user")
	}
	a.TOTPEnabled = enabled != nil
	if len(secret) > 0 {
		if a.TOTPSecret, err = s.box.OpenString(secret, aad("users", "totp", a.User.ID)); err != nil {
			return a, fmt.Errorf("store: second factor of %s: %w", a.User.ID, err)
		}
	}
	return a, nil
}

// AccountByID loads a user's sign-in state by id (the account page).
func (s *Store) AccountByID(ctx context.Context, orgID, userID string) (Account, error) {
	var email string
	if err := s.db.QueryRow(ctx, `SELECT email FROM users WHERE org_id = $1 AND id = $2`, orgID, userID).Scan(&email); err != nil {
		return Account{}, notFound(err, "user_not_found", "user")
	}
	return s.AccountByEmail(ctx, orgID, email)
}

// LoginFailed counts a failed sign-in; the max-th in a row locks the account for lockFor. It
// reports whether the account is now locked.
func (s *Store) LoginFailed(ctx context.Context, userID string, max int, lockFor time.Duration) (bool, error) {
	var locked bool
	err := s.db.QueryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
		WHERE id = $1 RETURNING coalesce(locked_until > now(), false)`, userID, max, lockFor.Seconds()).Scan(&locked)
	return locked, err
}

// LoginSucceeded clears the failure count and any lock.
func (s *Store) LoginSucceeded(ctx context.Context, userID string) error {
	_, err := s.db.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, userID)
	return err
}

// TOTPSetPending stores a new, not yet confirmed second-factor secret (sealed).
func (s *Store) TOTPSetPending(ctx context.Context, orgID, userID, secret string) error {
	tag, err := s.db.Exec(ctx, `UPDATE users SET totp_secret_enc = $3 WHERE org_id = $1 AND id = $2 AND totp_enabled_at IS NULL`,
		orgID, userID, s.box.SealString(secret, aad("users", "totp", userID)))
	if err == nil && tag.RowsAffected() == 0 {
		return hireflow.Errorf(hireflow.KindConflict, "totp_enabled", "", "two-step sign-in is already on; turn it off first").ZH("两步验证已开启，请先关闭")
	}
	return err
}

// TOTPEnable confirms the pending secret and replaces the recovery codes (their hashes).
func (s *Store) TOTPEnable(ctx context.Context, orgID, userID string, codeHashes [][]byte) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET totp_enabled_at = now() WHERE org_id = $1 AND id = $2 AND totp_secret_enc IS NOT NULL AND totp_enabled_at IS NULL`, orgID, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return hireflow.Errorf(hireflow.KindConflict, "totp_not_pending", "", "start the set-up first").ZH("请先开始设置")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range codeHashes {
			if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// TOTPDisable turns the second factor off and drops the recovery codes.
func (s *Store) TOTPDisable(ctx context.Context, orgID, userID string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret_enc = NULL, totp_enabled_at = NULL WHERE org_id = $1 AND id = $2`, orgID, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	})
}

// RecoveryCodeUse spends one recovery code; false when it is unknown or used.
func (s *Store) RecoveryCodeUse(ctx context.Context, userID string, hash []byte) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash)
	return err == nil && tag.RowsAffected() == 1, err
}

// RecoveryCodesLeft counts the unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// NewSession is a session to store: the hash of its secret id, who, until when, how.
type NewSession struct {
	IDHash            []byte
	OrgID, UserID     string
	Expires           time.Time
	UserAgent, Method string
}

// SessionStart stores a session with how it was signed in and the browser's name.
func (s *Store) SessionStart(ctx context.Context, n NewSession) error {
	if len(n.UserAgent) > 300 {
		n.UserAgent = n.UserAgent[:300]
	}
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (id_hash, org_id, user_id, expires_at, user_agent, method) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.IDHash, n.OrgID, n.UserID, n.Expires, n.UserAgent, n.Method)
	if err != nil {
		return fmt.Errorf("store: unable to store session: %w", err)
	}
	return nil
}

// SessionInfo is one of a user's live sessions, as the session list shows it.
type SessionInfo struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	Method     string    `json:"method"`
	Current    bool      `json:"current"`
}

// Sessions lists the user's live sessions, the newest first; current marks the caller's.
func (s *Store) Sessions(ctx context.Context, userID string, current []byte) ([]SessionInfo, error) {
	return listOf(ctx, s.db, "sessions", func(r pgx.Row) (SessionInfo, error) {
		var x SessionInfo
		return x, r.Scan(&x.ID, &x.CreatedAt, &x.LastSeenAt, &x.ExpiresAt, &x.UserAgent, &x.Method, &x.Current)
	}, `SELECT id, created_at, last_seen_at, expires_at, user_agent, method, id_hash = $2 FROM sessions
		WHERE user_id = $1 AND expires_at > now() ORDER BY created_at DESC LIMIT 100`, userID, current)
}

// SessionEnd ends one of the user's sessions by its listed id (false: none such).
func (s *Store) SessionEnd(ctx context.Context, userID, id string) (bool, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id::text = $2`, userID, id)
	return err == nil && tag.RowsAffected() == 1, err
}

// SessionEndAll ends every session of the user ("sign out everywhere") and says how many.
func (s *Store) SessionEndAll(ctx context.Context, userID string) (int, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return int(tag.RowsAffected()), err
}

// OIDCProvider is an organisation's OpenID Connect sign-in.
type OIDCProvider struct {
	Issuer       string            `json:"issuer"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"-"`
	RoleClaim    string            `json:"role_claim"`
	RoleMap      map[string]string `json:"role_map"`
	DefaultRole  string            `json:"default_role"`
}

// OIDCProviderSet stores the organisation's provider (the secret sealed).
func (s *Store) OIDCProviderSet(ctx context.Context, orgID string, p OIDCProvider) error {
	if p.RoleMap == nil {
		p.RoleMap = map[string]string{}
	}
	m, _ := json.Marshal(p.RoleMap)
	_, err := s.db.Exec(ctx, `INSERT INTO oidc_providers (org_id, issuer, client_id, client_secret_enc, role_claim, role_map, default_role)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET issuer = $2, client_id = $3, client_secret_enc = $4,
			role_claim = $5, role_map = $6, default_role = $7, updated_at = now()`,
		orgID, p.Issuer, p.ClientID, s.box.SealString(p.ClientSecret, aad("oidc_providers", "secret", orgID)), p.RoleClaim, m, p.DefaultRole)
	return err
}

// OIDCProviderGet reads the organisation's provider; false when it has none.
func (s *Store) OIDCProviderGet(ctx context.Context, orgID string) (OIDCProvider, bool, error) {
	var p OIDCProvider
	var secret, m []byte
	err := s.db.QueryRow(ctx, `SELECT issuer, client_id, client_secret_enc, role_claim, role_map, default_role FROM oidc_providers WHERE org_id = $1`, orgID).
		Scan(&p.Issuer, &p.ClientID, &secret, &p.RoleClaim, &m, &p.DefaultRole)
	if err == pgx.ErrNoRows {
		return p, false, nil
	}
	if err != nil {
		return p, false, err
	}
	if p.ClientSecret, err = s.box.OpenString(secret, aad("oidc_providers", "secret", orgID)); err != nil {
		return p, false, err
	}
	return p, true, json.Unmarshal(m, &p.RoleMap)
}

// OIDCUser finds the organisation's user for a verified identity — by the provider's subject,
// else by email (linking the subject) — or provisions one with role; role "" keeps an existing
// user's role and refuses a new user. A disabled user is refused.
func (s *Store) OIDCUser(ctx context.Context, orgID, subject, email, name string, role hireflow.Role) (hireflow.User, error) {
	var u hireflow.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var disabled *time.Time
		err := tx.QueryRow(ctx, `SELECT id, org_id, email, display_name, role, created_at, disabled_at FROM users
			WHERE org_id = $1 AND (oidc_subject = $2 OR (oidc_subject IS NULL AND email = lower($3))) ORDER BY oidc_subject IS NULL LIMIT 1 FOR UPDATE`,
			orgID, subject, email).Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt, &disabled)
		switch {
		case err == pgx.ErrNoRows:
			if role == "" {
				return hireflow.Errorf(hireflow.KindForbidden, "oidc_no_role", "", "your sign-in gives no hireflow role; ask your administrator").ZH("您的单点登录身份没有对应的 hireflow 角色，请联系管理员")
			}
			return tx.QueryRow(ctx, `INSERT INTO users (org_id, email, display_name, role, oidc_subject) VALUES ($1, lower($2), $3, $4, $5)
				RETURNING id, org_id, email, display_name, role, created_at`, orgID, email, name, role, subject).
				Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
		case err != nil:
			return err
		case disabled != nil:
			return hireflow.Errorf(hireflow.KindForbidden, "user_disabled", "", "this account is deactivated").ZH("此账号已停用")
		}
		if role == "" {
			role = u.Role
		}
		_, err = tx.Exec(ctx, `UPDATE users SET oidc_subject = $2, role = $3 WHERE id = $1`, u.ID, subject, role)
		u.Role = role
		return err
	})
	return u, err
}
