package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/workflows"
)

type approvalRequest struct {
	Decision   string `json:"decision"`
	DelegateTo string `json:"delegate_to"`
	ReasonCode string `json:"reason_code"`
}

func (s *Server) decideOffer(c *fiber.Ctx) error {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return hireflow.NotFound("offer_not_found", "offer")
	}
	var req approvalRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if _, err := s.Store.OfferGet(c.UserContext(), p.OrgID, id); err != nil {
		return err
	}
	if req.DelegateTo != "" {
		if _, err := uuid.Parse(req.DelegateTo); err != nil {
			return invalid("delegate_to", "delegate_to must be a user id")
		}
		if _, err := s.Store.UserGet(c.UserContext(), p.OrgID, req.DelegateTo); err != nil {
			return invalid("delegate_to", "no such user in your organisation")
		}
	}
	var st workflows.ApprovalState
	if err := s.update(c.UserContext(), hireflow.WorkflowIDForApproval(id), workflows.UpdateApprovalDecision, workflows.ApprovalDecision{ApproverID: p.UserID,
		Role: p.Role, Decision: req.Decision, DelegateTo: req.DelegateTo, ReasonCode: req.ReasonCode}, &st); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "offer.approval."+req.Decision, "offer", id, map[string]any{"reason": req.ReasonCode})
	return c.JSON(st)
}
