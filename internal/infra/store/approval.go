package store

import (
	"context"
)

// ApprovalDecisionSave records one approver's decision.
func (s *Store) ApprovalDecisionSave(ctx context.Context, orgID, offerID string, step int, approver, userID, decision, delegateTo, reason string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO approval_decisions (org_id, offer_id, step, approver, user_id, decision, delegate_to, reason_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, orgID, offerID, step, approver, nilIfEmpty(userID), decision, delegateTo, reason)
	return err
}
