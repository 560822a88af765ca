package store

import (
	"context"
)

// ProbationSave stores the probation outcome next to the interview score.
func (s *Store) ProbationSave(ctx context.Context, orgID, appID, managerID, outcome string, rating int) error {
	_, err := s.db.Exec(ctx, `INSERT INTO probation_evaluations (application_id, org_id, manager_id, outcome, rating, interview_overall)
		VALUES ($1, $2, $3, $4, $5, (SELECT (inputs->>'overall')::float8 FROM decisions WHERE application_id = $1 AND step_key = 'routing'))
		ON CONFLICT (application_id) DO NOTHING`, appID, orgID, nilIfEmpty(managerID), outcome, rating)
	return err
}
