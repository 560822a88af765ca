package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

// submitReview takes a reviewer's decision; the note stays in PostgreSQL.
func (s *Server) submitReview(c *fiber.Ctx) error {
	return staffStep(s, c, workflows.UpdateReview, func(req reviewRequest, p hireflow.Principal) (any, error) {
		return workflows.ReviewUpdate{ReviewerID: p.UserID, Role: p.Role, Rating: req.Rating, Decision: req.Decision,
			ReasonCode: req.ReasonCode}, maxText("note", req.Note, 5000)
	}, func(ctx context.Context, req reviewRequest, app hireflow.Application, _ workflows.UpdateAck) (fiber.Map, error) {
		return fiber.Map{"accepted": true}, s.Store.ReviewSave(ctx, principal(c).OrgID, app.ID, store.ReviewRow{ReviewerID: principal(c).UserID,
			Rating: req.Rating, Decision: req.Decision, ReasonCode: req.ReasonCode, Note: req.Note})
	})
}

// reviewRequest is the body of a review: the rating, decision and reason go to the workflow,
// the note only to PostgreSQL.
type reviewRequest struct {
	Rating     float64 `json:"rating"`
	Decision   string  `json:"decision"`
	ReasonCode string  `json:"reason_code"`
	Note       string  `json:"note"`
}
