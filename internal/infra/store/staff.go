package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hireflow/hireflow"
)

// OrgCreate creates an organisation.
func (s *Store) OrgCreate(ctx context.Context, slug, name string) (hireflow.Organisation, error) {
	var o hireflow.Organisation
	err := s.db.QueryRow(ctx, `INSERT INTO organisations (slug, name) VALUES ($1, $2)
		RETURNING id, slug, name, brand_line, color, created_at`, slug, name).
		Scan(&o.ID, &o.Slug, &o.Name, &o.BrandLine, &o.Color, &o.CreatedAt)
	if isUniqueViolation(err, "") {
		return o, hireflow.Errorf(hireflow.KindConflict, "org_exists", "slug", "an organisation with slug %q exists", slug)
	}
	if err != nil {
		return o, fmt.Errorf("store: unable to create organisation: %w", err)
	}
	return o, nil
}

// OrgSetBranding sets the line of text and colour shown on candidate pages and emails.
func (s *Store) OrgSetBranding(ctx context.Context, orgID, line, color string) error {
	_, err := s.db.Exec(ctx, `UPDATE organisations SET brand_line = $2, color = $3 WHERE id = $1`, orgID, line, color)
	return err
}

// OrgSetLogo sets the logo URL shown on candidate pages and emails.
func (s *Store) OrgSetLogo(ctx context.Context, orgID, logoURL string) error {
	_, err := s.db.Exec(ctx, `UPDATE organisations SET logo_url = $2 WHERE id = $1`, orgID, logoURL)
	return err
}

// OrgGetBySlug finds an organisation by slug.
func (s *Store) OrgGetBySlug(ctx context.Context, slug string) (hireflow.Organisation, error) {
	var o hireflow.Organisation
	err := s.db.QueryRow(ctx, `SELECT id, slug, name, brand_line, color, created_at FROM organisations WHERE slug = $1`, slug).
		Scan(&o.ID, &o.Slug, &o.Name, &o.BrandLine, &o.Color, &o.CreatedAt)
	if err != nil {
		return o, notFound(err, "org_not_found", "organisation")
	}
	return o, nil
}

// UserCreate adds a staff user.
func (s *Store) UserCreate(ctx context.Context, orgID, email, name string, role hireflow.Role, passwordHash string) (hireflow.User, error) {
	var u hireflow.User
	err := s.db.QueryRow(ctx, `INSERT INTO users (org_id, email, display_name, role, password_hash) VALUES ($1, lower($2), $3, $4, $5)
		RETURNING id, org_id, email, display_name, role, created_at`, orgID, email, name, role, passwordHash).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
	if isUniqueViolation(err, "") {
		return u, hireflow.Errorf(hireflow.KindConflict, "user_exists", "email", "a user with this email exists")
	}
	if err != nil {
		return u, fmt.Errorf("store: unable to create user: %w", err)
	}
	return u, nil
}

// UserSetPassword replaces a user's password hash.
func (s *Store) UserSetPassword(ctx context.Context, orgID, userID, hash string) error {
	_, err := s.db.Exec(ctx, `UPDATE users SET password_hash = $3 WHERE org_id = $1 AND id = $2`, orgID, userID, hash)
	return err
}

// UserByEmail returns a user and the password hash for sign-in.
func (s *Store) UserByEmail(ctx context.Context, orgID, email string) (hireflow.User, string, error) {
	var u hireflow.User
	var hash string
	err := s.db.QueryRow(ctx, `SELECT id, org_id, email, display_name, role, created_at, password_hash FROM users
		WHERE org_id = $1 AND email = lower($2) AND disabled_at IS NULL`, orgID, email).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt, &hash)
	if err != nil {
		return u, "", notFound(err, "user_not_found", "user")
	}
	return u, hash, nil
}

// SessionCreate stores a session by the hash of its id.
func (s *Store) SessionCreate(ctx context.Context, idHash []byte, orgID, userID string, expires time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (id_hash, org_id, user_id, expires_at) VALUES ($1, $2, $3, $4)`,
		idHash, orgID, userID, expires)
	if err != nil {
		return fmt.Errorf("store: unable to create session: %w", err)
	}
	return nil
}

// SessionDelete ends a session.
func (s *Store) SessionDelete(ctx context.Context, idHash []byte) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return err
}

// SessionPrincipal resolves a live session.
func (s *Store) SessionPrincipal(ctx context.Context, idHash []byte) (hireflow.Principal, error) {
	var p hireflow.Principal
	// The session list's "last seen", at most once a minute per session, in the same round trip.
	err := s.db.QueryRow(ctx, `WITH seen AS (UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1 AND last_seen_at < now() - interval '1 minute')
		SELECT u.org_id, u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`, idHash).Scan(&p.OrgID, &p.UserID, &p.Role)
	if err != nil {
		return p, notFound(err, "session_not_found", "session")
	}
	return p, nil
}

// APITokenCreate stores a bearer token by its hash.
func (s *Store) APITokenCreate(ctx context.Context, orgID, userID, name string, hash []byte, scopes []string) (string, error) {
	var id string
	if scopes == nil {
		scopes = []string{}
	}
	err := s.db.QueryRow(ctx, `INSERT INTO api_tokens (org_id, user_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		orgID, userID, name, hash, scopes).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store: unable to create API token: %w", err)
	}
	return id, nil
}

// APITokenPrincipal resolves a bearer token.
func (s *Store) APITokenPrincipal(ctx context.Context, hash []byte) (hireflow.Principal, error) {
	var p hireflow.Principal
	err := s.db.QueryRow(ctx, `UPDATE api_tokens t SET last_used_at = now() FROM users u
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND u.disabled_at IS NULL
		RETURNING u.org_id, u.id, u.role, t.scopes`, hash).Scan(&p.OrgID, &p.UserID, &p.Role, &p.Scopes)
	if err != nil {
		return p, notFound(err, "token_not_found", "API token")
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	return p, nil
}

// UsersByRole lists the organisation's active users with a role (for notifications).
func (s *Store) UsersByRole(ctx context.Context, orgID string, role hireflow.Role) ([]hireflow.User, error) {
	rows, err := s.db.Query(ctx, `SELECT id, org_id, email, display_name, role, created_at FROM users
		WHERE org_id = $1 AND role = $2 AND disabled_at IS NULL ORDER BY created_at`, orgID, role)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list users: %w", err)
	}
	defer rows.Close()
	out := []hireflow.User{}
	for rows.Next() {
		var u hireflow.User
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// OrgGet finds an organisation by id.
func (s *Store) OrgGet(ctx context.Context, id string) (hireflow.Organisation, error) {
	var o hireflow.Organisation
	err := s.db.QueryRow(ctx, `SELECT id, slug, name, brand_line, color, logo_url, created_at, audit_published FROM organisations WHERE id = $1`, id).
		Scan(&o.ID, &o.Slug, &o.Name, &o.BrandLine, &o.Color, &o.LogoURL, &o.CreatedAt, &o.AuditPublished)
	if err != nil {
		return o, notFound(err, "org_not_found", "organisation")
	}
	return o, nil
}

// UserGet returns a staff user of the organisation.
func (s *Store) UserGet(ctx context.Context, orgID, id string) (hireflow.User, error) {
	var u hireflow.User
	err := s.db.QueryRow(ctx, `SELECT id, org_id, email, display_name, role, created_at FROM users WHERE org_id = $1 AND id = $2 AND disabled_at IS NULL`, orgID, id).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
	if err != nil {
		return u, notFound(err, "user_not_found", "user")
	}
	return u, nil
}
