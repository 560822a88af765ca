package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow/workflows"
)

type probationRequest struct {
	Outcome string `json:"outcome"`
	Rating  int    `json:"rating"`
}

func (s *Server) submitProbation(c *fiber.Ctx) error {
	var req probationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ack workflows.UpdateAck
	if err := s.update(c.UserContext(), app.WorkflowID, workflows.UpdateProbationEvaluation, workflows.ProbationUpdate{ManagerID: p.UserID,
		Role: p.Role, Outcome: req.Outcome, Rating: req.Rating}, &ack); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"accepted": true})
}
