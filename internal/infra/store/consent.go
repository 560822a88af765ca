package store

import (
	"context"
)

// ApplicationSetHumanOnly records the candidate's refusal of solely automated decisions.
func (s *Store) ApplicationSetHumanOnly(ctx context.Context, orgID, appID string) error {
	_, err := s.db.Exec(ctx, `UPDATE applications SET human_only = true WHERE org_id = $1 AND id = $2`, orgID, appID)
	return err
}

// ApplicationHumanOnly reports the candidate's choice.
func (s *Store) ApplicationHumanOnly(ctx context.Context, orgID, appID string) (bool, error) {
	var b bool
	err := s.db.QueryRow(ctx, `SELECT human_only FROM applications WHERE org_id = $1 AND id = $2`, orgID, appID).Scan(&b)
	return b, err
}

// ConsentRecord stores a consent once per application, purpose and notice version.
func (s *Store) ConsentRecord(ctx context.Context, orgID, appID, purpose, version string, humanOnly bool) error {
	_, err := s.db.Exec(ctx, `INSERT INTO consents (org_id, application_id, purpose, notice_version, human_only)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, purpose, notice_version) DO UPDATE SET human_only = consents.human_only OR EXCLUDED.human_only`,
		orgID, appID, purpose, version, humanOnly)
	return err
}

// ConsentGiven reports whether the application consented to a purpose (any notice version).
func (s *Store) ConsentGiven(ctx context.Context, orgID, appID, purpose string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM consents WHERE org_id = $1 AND application_id = $2 AND purpose = $3`, orgID, appID, purpose).Scan(&n)
	return n > 0, err
}
