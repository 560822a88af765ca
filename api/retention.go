package api

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

func (s *Server) getRetention(c *fiber.Ctx) error {
	p, err := s.Store.RetentionPolicyGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) setRetention(c *fiber.Ctx) error {
	var v store.RetentionPolicy
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	for _, chk := range []error{between("rejected_days", v.RejectedDays, 0, 3650), between("withdrawn_days", v.WithdrawnDays, 0, 3650),
		between("expired_days", v.ExpiredDays, 0, 3650), between("declined_days", v.DeclinedDays, 0, 3650),
		between("cancelled_days", v.CancelledDays, 0, 3650), between("request_days", v.RequestDays, 0, 30)} {
		if chk != nil {
			return chk
		}
	}
	p := principal(c)
	if err := s.Store.RetentionPolicySet(c.UserContext(), p.OrgID, v); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "retention.policy", "organisation", p.OrgID, map[string]any{
		"rejected_days": v.RejectedDays, "withdrawn_days": v.WithdrawnDays, "expired_days": v.ExpiredDays, "declined_days": v.DeclinedDays,
		"cancelled_days": v.CancelledDays, "request_days": v.RequestDays})
	id, err := workflows.EnsureRetentionSchedule(c.UserContext(), s.Workflows, s.Cfg.TaskQueue, p.OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"policy": v, "schedule": id, "every": workflows.RetentionEvery.String()})
}

// runRetention sweeps the organisation now (the hourly schedule does the same).
func (s *Server) runRetention(c *fiber.Ctx) error {
	p := principal(c)
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Minute)
	defer cancel()
	res, err := workflows.RunRetentionNow(ctx, s.Workflows, s.Cfg.TaskQueue, p.OrgID)
	if err != nil {
		return hireflow.Errorf(hireflow.KindUnavailable, "retention_failed", "", "the retention run failed: %v", err).ZH("数据保留任务执行失败")
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "retention.run", "organisation", p.OrgID, map[string]any{"erased": res.Erased, "held": res.Held})
	return c.JSON(fiber.Map{"due": res.Due, "erased": res.Erased, "held": res.Held, "failed": res.Failed})
}

// placeLegalHoldBody is the JSON body of placeLegalHold.
type placeLegalHoldBody struct {
	Reason string `json:"reason"`
}

func (s *Server) placeLegalHold(c *fiber.Ctx) error {
	req, app, err := staffRequest[placeLegalHoldBody](s, c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(req.Reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return required("reason", "a reason (up to 500 characters) is required", "必须填写原因（最多 500 字）")
	}
	p := principal(c)
	if err := s.Store.LegalHoldPlace(c.UserContext(), p.OrgID, app.ID, p.UserID, reason); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "legal_hold.place", "application", app.ID, nil)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"application_id": app.ID, "held": true})
}

func (s *Server) releaseLegalHold(c *fiber.Ctx) error {
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if err := s.Store.LegalHoldRelease(c.UserContext(), p.OrgID, app.ID, p.UserID); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "legal_hold.release", "application", app.ID, nil)
	return c.JSON(fiber.Map{"application_id": app.ID, "held": false})
}

func (s *Server) deletionProof(c *fiber.Ctx) error {
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	proof, err := s.Store.DeletionProofGet(c.UserContext(), app.OrgID, app.ID)
	if err != nil {
		return err
	}
	return c.JSON(proof)
}
