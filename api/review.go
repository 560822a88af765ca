package api

import (
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

type reviewRequest struct {
	Rating     float64 `json:"rating"`
	Decision   string  `json:"decision"`
	ReasonCode string  `json:"reason_code"`
	Note       string  `json:"note"`
}

func (s *Server) submitReview(c *fiber.Ctx) error {
	var req reviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Note) > 5000 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "note", "the note is longer than 5000 characters")
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateReview, workflows.ReviewUpdate{ReviewerID: p.UserID, Role: p.Role,
		Rating: req.Rating, Decision: req.Decision, ReasonCode: req.ReasonCode}, &ack); err != nil {
		return err
	}
	if err := s.Store.ReviewSave(c.UserContext(), p.OrgID, app.ID, store.ReviewRow{ReviewerID: p.UserID, Rating: req.Rating,
		Decision: req.Decision, ReasonCode: req.ReasonCode, Note: req.Note}); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": true})
}
