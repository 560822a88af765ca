package api

import (
	"crypto/rand"
	"encoding/base64"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// maxTiming bounds any organisation default wait: a year.
const maxTiming = 365 * 24 * time.Hour

// deploymentTimings are the deployment's own waits, shown beside the organisation's so HR sees
// what applies where it names none.
func (s *Server) deploymentTimings() hireflow.Timings {
	c := s.Cfg
	return hireflow.Timings{InviteReminderAfter: hireflow.Duration(c.InviteReminderAfter), InviteExpiresAfter: hireflow.Duration(c.InviteExpiresAfter),
		RejectionDelay: hireflow.Duration(c.RejectionDelay), HoldSLA: hireflow.Duration(c.HoldSLA), FeedbackSLA: hireflow.Duration(c.FeedbackSLA),
		ReviewSLA: hireflow.Duration(c.ReviewSLA), ApprovalSLA: hireflow.Duration(c.ApprovalSLA), OfferExpiresAfter: hireflow.Duration(c.OfferExpiresAfter),
		ProbationLength: hireflow.Duration(c.ProbationLength), ProbationSLA: hireflow.Duration(c.ProbationSLA)}
}

// effectiveTimings is the organisation's value where it names one, else the deployment's.
func effectiveTimings(org, dep hireflow.Timings) hireflow.Timings {
	o, d := reflect.ValueOf(&org).Elem(), reflect.ValueOf(dep)
	for i := range o.NumField() {
		if o.Field(i).Int() == 0 {
			o.Field(i).Set(d.Field(i))
		}
	}
	return org
}

// getTimings returns the organisation's default timings and the deployment's beneath them.
func (s *Server) getTimings(c *fiber.Ctx) error {
	t, err := s.Store.OrgTimings(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"timings": t, "deployment": s.deploymentTimings(), "effective": effectiveTimings(t, s.deploymentTimings())})
}

// setTimingsBody is the JSON body of setTimings.
type setTimingsBody struct {
	Timings hireflow.Timings `json:"timings"`
}

// setLLMScoringBody turns the language-model scoring on or off.
type setLLMScoringBody struct {
	Enabled *bool `json:"enabled"`
}

// setLLMScoring records the organisation's explicit setting for the language-model adapter;
// without it the adapter never runs for this organisation.
func (s *Server) setLLMScoring(c *fiber.Ctx) error {
	var req setLLMScoringBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		return invalid("enabled", "enabled is true or false").ZH("enabled 须为 true 或 false")
	}
	p := principal(c)
	if err := s.Store.OrgSetLLMScoring(c.UserContext(), p.OrgID, *req.Enabled); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "organisation.llm_scoring", "organisation", p.OrgID, map[string]any{"enabled": *req.Enabled})
	return c.JSON(fiber.Map{"enabled": *req.Enabled, "configured": s.Cfg != nil && s.Cfg.LLMURL != ""})
}

// setTimings replaces the organisation's default timings: each at most a year, "0s" or absent
// for the deployment's, the reminder before the expiry. Running applications keep their plan.
func (s *Server) setTimings(c *fiber.Ctx) error {
	var req setTimingsBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t := req.Timings
	v, ty := reflect.ValueOf(t), reflect.TypeOf(t)
	for i := range v.NumField() {
		if time.Duration(v.Field(i).Int()) > maxTiming {
			name, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
			return invalid("timings."+name, "%s is at most 8760h (a year)", name).ZH("%s 最长 8760h（一年）", name)
		}
	}
	eff := effectiveTimings(t, s.deploymentTimings())
	if eff.InviteExpiresAfter > 0 && eff.InviteReminderAfter >= eff.InviteExpiresAfter {
		return invalid("timings.invite_reminder_after", "the reminder must come before the invitation expires").ZH("提醒必须早于邀请过期")
	}
	p := principal(c)
	if err := s.Store.OrgSetTimings(c.UserContext(), p.OrgID, t); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "organisation.timings", "organisation", p.OrgID, nil)
	return c.JSON(fiber.Map{"timings": t, "effective": eff})
}

// getDepartments lists the departments and their managers.
func (s *Server) getDepartments(c *fiber.Ctx) error {
	ds, err := s.Store.Departments(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []store.Department{}
	}
	return c.JSON(fiber.Map{"departments": ds})
}

// setDepartmentsBody is the JSON body of setDepartments.
type setDepartmentsBody struct {
	Departments []store.Department `json:"departments"`
}

// setDepartments replaces the departments (at most 200, names unique, managers active members).
func (s *Server) setDepartments(c *fiber.Ctx) error {
	var req setDepartmentsBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Departments) > 200 {
		return invalid("departments", "at most 200 departments").ZH("最多 200 个部门")
	}
	seen := map[string]bool{}
	for i, d := range req.Departments {
		f := "departments[" + itoa(i) + "]"
		d.Name = strings.TrimSpace(d.Name)
		req.Departments[i].Name = d.Name
		if err := textField(f+".name", d.Name, 1, 200); err != nil {
			return err
		}
		if err := plainName(f+".name", d.Name); err != nil {
			return err
		}
		if seen[strings.ToLower(d.Name)] {
			return invalid(f+".name", "department %q appears twice", d.Name).ZH("部门 %q 重复", d.Name)
		}
		seen[strings.ToLower(d.Name)] = true
		if d.ManagerID != "" && !isUUID(d.ManagerID) {
			return invalid(f+".manager_id", "manager_id must be a user ID").ZH("manager_id 必须是用户 ID")
		}
	}
	p := principal(c)
	if _, err := s.Store.DepartmentsSet(c.UserContext(), p.OrgID, req.Departments); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "organisation.departments", "organisation", p.OrgID, map[string]any{"count": len(req.Departments)})
	return s.getDepartments(c)
}

// directoryEntry is what colleagues see of a staff member: enough to name them in a chain.
type directoryEntry struct {
	ID          string        `json:"id"`
	DisplayName string        `json:"display_name"`
	Role        hireflow.Role `json:"role"`
}

// staffDirectory lists the organisation's active staff (no integrations) by name, without email.
func (s *Server) staffDirectory(c *fiber.Ctx) error {
	users, err := s.Store.UserList(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	out := []directoryEntry{}
	for _, u := range users {
		if !u.Disabled && u.Role != hireflow.RoleIntegration {
			out = append(out, directoryEntry{ID: u.ID, DisplayName: u.DisplayName, Role: u.Role})
		}
	}
	return c.JSON(fiber.Map{"people": out})
}

// getWebhook says where events go (never the secret).
func (s *Server) getWebhook(c *fiber.Ctx) error {
	u, _, ok, err := s.Store.WebhookGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": u, "configured": ok})
}

// rotateWebhookSecret draws a new signing secret, stores it and shows it this once; deliveries
// are signed with it from now on.
func (s *Server) rotateWebhookSecret(c *fiber.Ctx) error {
	p := principal(c)
	u, _, ok, err := s.Store.WebhookGet(c.UserContext(), p.OrgID)
	if err != nil {
		return err
	}
	if !ok {
		return hireflow.Errorf(hireflow.KindConflict, "webhook_not_configured", "url", "set the webhook address first").ZH("请先设置 Webhook 地址")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	secret := "whsec_" + base64.RawURLEncoding.EncodeToString(b)
	if err := s.Store.WebhookSet(c.UserContext(), p.OrgID, u, secret); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "webhook.secret_rotated", "organisation", p.OrgID, nil)
	return c.JSON(fiber.Map{"url": u, "secret": secret})
}

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
