package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// PracticeOrg returns the organisation's practice organisation, creating it the first time.
func (s *Store) PracticeOrg(ctx context.Context, orgID string) (hireflow.Organisation, error) {
	var o hireflow.Organisation
	err := s.db.QueryRow(ctx, `SELECT id, slug, name FROM organisations WHERE practice_of = $1`, orgID).Scan(&o.ID, &o.Slug, &o.Name)
	if err == nil {
		return o, nil
	}
	if err != pgx.ErrNoRows {
		return o, err
	}
	var slug, name string
	if err := s.db.QueryRow(ctx, `SELECT slug, name FROM organisations WHERE id = $1 AND practice_of IS NULL`, orgID).Scan(&slug, &name); err != nil {
		return o, notFound(err, "org_not_found", "organisation")
	}
	slug = fmt.Sprintf("%s-practice-%s", slug, strings.ReplaceAll(uuid.NewString(), "-", "")[:6])
	err = s.db.QueryRow(ctx, `INSERT INTO organisations (slug, name, practice_of) VALUES ($1, $2, $3)
		ON CONFLICT (practice_of) WHERE practice_of IS NOT NULL DO UPDATE SET practice_of = EXCLUDED.practice_of
		RETURNING id, slug, name`, slug, name+" (practice)", orgID).Scan(&o.ID, &o.Slug, &o.Name)
	if err != nil {
		return o, fmt.Errorf("store: unable to create the practice organisation: %w", err)
	}
	return o, nil
}

// OrgPracticeOf is the real organisation a practice organisation belongs to ("" for a real one).
func (s *Store) OrgPracticeOf(ctx context.Context, orgID string) (string, error) {
	var of *string
	if err := s.db.QueryRow(ctx, `SELECT practice_of::text FROM organisations WHERE id = $1`, orgID).Scan(&of); err != nil {
		return "", notFound(err, "org_not_found", "organisation")
	}
	if of == nil {
		return "", nil
	}
	return *of, nil
}

// PracticeUser returns the owner's stand-in for a role in a practice organisation, creating it
// the first time: no password (it signs in only through the practice entry), and the owner's
// own address plus-tagged with the role, so the staff emails of the run reach the owner too.
func (s *Store) PracticeUser(ctx context.Context, practiceOrgID, ownerID, ownerEmail string, role hireflow.Role, name string) (hireflow.User, error) {
	var u hireflow.User
	local, domain, _ := strings.Cut(ownerEmail, "@")
	local, _, _ = strings.Cut(local, "+")
	email := fmt.Sprintf("%s+practice-%s@%s", local, strings.ReplaceAll(string(role), "_", "-"), domain)
	err := s.db.QueryRow(ctx, `INSERT INTO users (org_id, email, display_name, role, password_hash, practice_owner)
		VALUES ($1, $2, $3, $4, '', $5)
		ON CONFLICT (org_id, practice_owner, role) WHERE practice_owner IS NOT NULL DO UPDATE SET display_name = EXCLUDED.display_name, disabled_at = NULL
		RETURNING id, org_id, email, display_name, role, created_at`, practiceOrgID, email, name, role, ownerID).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
	if err != nil {
		return u, fmt.Errorf("store: unable to create the practice user: %w", err)
	}
	return u, nil
}

// PracticeOwner is the real user a practice user stands in for ("" when the user is not one).
func (s *Store) PracticeOwner(ctx context.Context, orgID, userID string) (string, error) {
	var owner *string
	err := s.db.QueryRow(ctx, `SELECT practice_owner::text FROM users WHERE org_id = $1 AND id = $2 AND disabled_at IS NULL`, orgID, userID).Scan(&owner)
	if err != nil {
		return "", notFound(err, "user_not_found", "user")
	}
	if owner == nil {
		return "", nil
	}
	return *owner, nil
}

// PracticeOwnerUser is the name and address of the person a practice run belongs to.
func (s *Store) PracticeOwnerUser(ctx context.Context, ownerID string) (name, email string, err error) {
	err = s.db.QueryRow(ctx, `SELECT display_name, email FROM users WHERE id = $1 AND disabled_at IS NULL`, ownerID).Scan(&name, &email)
	return name, email, notFound(err, "user_not_found", "user")
}

// HRProgress says what HR has done of the first steps: a job, and a job's rule set published
// beyond its first version.
func (s *Store) HRProgress(ctx context.Context, orgID string) (hasJob, published bool, err error) {
	err = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE org_id = $1),
		EXISTS (SELECT 1 FROM rule_sets rs JOIN rule_set_versions v ON v.rule_set_id = rs.id
			WHERE rs.org_id = $1 AND rs.job_id IS NOT NULL AND v.status = 'published' AND v.version > 1)`, orgID).Scan(&hasJob, &published)
	return hasJob, published, err
}

// JobTitles lists the organisation's newest open jobs by title only (for choosers).
func (s *Store) JobTitles(ctx context.Context, orgID string, limit int) ([][2]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id::text, title FROM jobs WHERE org_id = $1 AND status = 'open' ORDER BY created_at DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var x [2]string
		if err := rows.Scan(&x[0], &x[1]); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
