package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hireflow/hireflow"
)

// OfferTerms are what a recruiter drafts: the position and its pay against the band.
type OfferTerms struct {
	Position   string  `json:"position"`
	Salary     float64 `json:"salary"`
	Currency   string  `json:"currency"`
	BandMin    float64 `json:"band_min"`
	BandMax    float64 `json:"band_max"`
	Level      int     `json:"level"`
	Department string  `json:"department"`
}

// Offer is a drafted offer.
type Offer struct {
	ID            string `json:"id"`
	ApplicationID string `json:"application_id"`
	OfferTerms
	StartDate time.Time `json:"start_date"`
	ExpiresAt time.Time `json:"expires_at"`
	Status    string    `json:"status"`
}

// OfferCreate stores a draft offer.
func (s *Store) OfferCreate(ctx context.Context, p hireflow.Principal, o Offer) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `INSERT INTO offers (org_id, application_id, position, salary, currency, band_min, band_max, level, department, start_date, expires_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, p.OrgID, o.ApplicationID, o.Position, o.Salary, o.Currency,
		o.BandMin, o.BandMax, o.Level, o.Department, o.StartDate, o.ExpiresAt, nilIfEmpty(p.UserID)).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store: unable to store offer: %w", err)
	}
	return id, nil
}

// OfferDiscard removes a draft the workflow refused.
func (s *Store) OfferDiscard(ctx context.Context, orgID, id string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM offers WHERE org_id = $1 AND id = $2 AND status = 'draft'`, orgID, id)
	return err
}

// OfferGet loads an offer.
func (s *Store) OfferGet(ctx context.Context, orgID, id string) (Offer, error) {
	var o Offer
	err := s.db.QueryRow(ctx, `SELECT id, application_id, position, salary::float8, currency, band_min::float8, band_max::float8, level, department, start_date, expires_at, status
		FROM offers WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&o.ID, &o.ApplicationID, &o.Position, &o.Salary, &o.Currency, &o.BandMin, &o.BandMax,
		&o.Level, &o.Department, &o.StartDate, &o.ExpiresAt, &o.Status)
	if err != nil {
		return o, notFound(err, "offer_not_found", "offer")
	}
	return o, nil
}

// OfferLatest returns the newest offer of an application.
func (s *Store) OfferLatest(ctx context.Context, orgID, appID string) (Offer, error) {
	var id string
	if err := s.db.QueryRow(ctx, `SELECT id FROM offers WHERE org_id = $1 AND application_id = $2 ORDER BY created_at DESC LIMIT 1`, orgID, appID).Scan(&id); err != nil {
		return Offer{}, notFound(err, "offer_not_found", "offer")
	}
	return s.OfferGet(ctx, orgID, id)
}

// OfferSetStatus moves an offer (idempotent).
func (s *Store) OfferSetStatus(ctx context.Context, orgID, id, status, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE offers SET status = $3, response_reason = CASE WHEN $4 <> '' THEN $4 ELSE response_reason END,
		decided_at = coalesce(decided_at, now()) WHERE org_id = $1 AND id = $2`, orgID, id, status, reason)
	return err
}
