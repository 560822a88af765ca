package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/workflows"
)

// cancelApplicationBody is the JSON body of cancelApplication.
type cancelApplicationBody struct {
	ReasonCode string `json:"reason_code"`
}

func (s *Server) cancelApplication(c *fiber.Ctx) error {
	var req cancelApplicationBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch req.ReasonCode {
	case "position_filled", "position_closed", "duplicate", "other":
	default:
		return invalid("reason_code", "reason_code must be position_filled, position_closed, duplicate or other")
	}
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	if app.Status != hireflow.StatusActive && app.Status != hireflow.StatusHired {
		return hireflow.Errorf(hireflow.KindConflict, "application_closed", "", "the application is already closed (%s)", app.Status)
	}
	p := principal(c)
	if err := s.signal(c.UserContext(), app.ID, workflows.SignalCancel, workflows.CancelSignal{UserID: p.UserID, ReasonCode: req.ReasonCode}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "application.cancel", "application", app.ID, map[string]any{"reason": req.ReasonCode})
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": true})
}

func (s *Server) candidateDeletion(c *fiber.Ctx) error {
	tok, _, err := s.useToken(c)
	if err != nil {
		return err
	}
	if err := s.signal(c.UserContext(), tok.ApplicationID, workflows.SignalDeletionRequest, workflows.DeletionSignal{}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "candidate.deletion_request", "application", tok.ApplicationID, nil)
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": true})
}
