package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/workflows"
)

type probationRequest struct {
	Outcome string `json:"outcome"`
	Rating  int    `json:"rating"`
}

func (s *Server) submitProbation(c *fiber.Ctx) error {
	return staffStep(s, c, workflows.UpdateProbationEvaluation, func(req probationRequest, p hireflow.Principal) (any, error) {
		return workflows.ProbationUpdate{ManagerID: p.UserID, Role: p.Role, Outcome: req.Outcome, Rating: req.Rating}, nil
	}, nil)
}
