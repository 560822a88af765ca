package store

import (
	"context"
)

// ReviewRow is one stored review.
type ReviewRow struct {
	ReviewerID string
	Rating     float64
	Decision   string
	ReasonCode string
	Note       string
}

// ReviewSave stores a review; a second save by the same reviewer only adds the note.
func (s *Store) ReviewSave(ctx context.Context, orgID, appID string, r ReviewRow) error {
	_, err := s.db.Exec(ctx, `INSERT INTO reviews (org_id, application_id, reviewer_id, rating, decision, reason_code, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (application_id, reviewer_id) DO UPDATE SET note = CASE WHEN EXCLUDED.note <> '' THEN EXCLUDED.note ELSE reviews.note END`,
		orgID, appID, r.ReviewerID, r.Rating, r.Decision, r.ReasonCode, r.Note)
	return err
}
