package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
	"github.com/hireflow/hireflow/workflows"
)

func (s *Server) listApplications(c *fiber.Ctx) error {
	p := principal(c)
	jobID := c.Query("job_id")
	if jobID != "" {
		if _, err := uuid.Parse(jobID); err != nil {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "job_id", "job_id must be a UUID")
		}
	}
	fp := s.fieldPolicy(c.UserContext(), p)
	pii := fp.seesContact()
	apps, err := s.Store.ApplicationList(c.UserContext(), p.OrgID, jobID, 500, pii)
	if err != nil {
		return err
	}
	if p.Role == hireflow.RoleInterviewer || p.Role == hireflow.RoleHiringManager {
		mine, err := s.Store.AssignedApplications(c.UserContext(), p.OrgID, p.UserID)
		if err != nil {
			return err
		}
		kept := apps[:0]
		for _, a := range apps {
			if mine[a.ID] {
				kept = append(kept, a)
			}
		}
		apps = kept
	}
	for i := range apps {
		fp.applyContact(&apps[i])
	}
	if pii && len(apps) > 0 {
		_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "candidate.read", "application_list", jobID,
			map[string]any{"count": len(apps)})
	}
	return c.JSON(fiber.Map{"applications": apps})
}

func (s *Server) getApplication(c *fiber.Ctx) error {
	id, err := appIDParam(c)
	if err != nil {
		return err
	}
	app, err := s.readApplication(c, id)
	if err != nil {
		return err
	}
	return c.JSON(s.withWorkflowState(c, app))
}

// withWorkflowState is the application's JSON with the workflow's own state when it answers.
func (s *Server) withWorkflowState(c *fiber.Ctx, app hireflow.Application) fiber.Map {
	out := fiber.Map{"application": app}
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if v, err := s.Workflows.QueryWorkflow(ctx, app.WorkflowID, "", workflows.QueryState); err == nil {
		var st workflows.State
		if v.Get(&st) == nil {
			out["workflow_state"] = st
		}
	}
	return out
}

// readApplication loads an application with the candidate's contact for the roles that see it,
// and records that read in the audit log.
func (s *Server) readApplication(c *fiber.Ctx, id string) (hireflow.Application, error) {
	return s.readApplicationAs(c.UserContext(), principal(c), id, c.Method()+" "+c.Route().Path)
}

func (s *Server) readApplicationAs(ctx context.Context, p hireflow.Principal, id, route string) (hireflow.Application, error) {
	if err := s.assignedOnly(ctx, p, id); err != nil {
		return hireflow.Application{}, err
	}
	fp := s.fieldPolicy(ctx, p)
	pii := fp.seesContact()
	app, err := s.Store.ApplicationGet(ctx, p.OrgID, id, pii)
	if err != nil {
		return app, err
	}
	fp.applyContact(&app)
	if pii {
		// Who read which fields of whom, and through which route.
		var fields []string
		for _, f := range []string{fName, fEmail} {
			if fp.sees(f) {
				fields = append(fields, f+"="+fp.level(f))
			}
		}
		_ = s.Store.Audit(ctx, p.OrgID, "user", p.UserID, "candidate.read", "application", id,
			map[string]any{"fields": fields, "route": route})
	}
	return app, nil
}

// ReadApplication is the staff read of one application exactly as GET /api/v1/applications/{id}
// does it — the assignment check, the field-visibility matrix, the audit row — for the privacy
// bench, which times it beside the bare store read.
func ReadApplication(ctx context.Context, d Deps, p hireflow.Principal, id string) (hireflow.Application, error) {
	return (&Server{Deps: d}).readApplicationAs(ctx, p, id, "bench")
}

// NewWithBareRead is the API with one more route for the privacy bench's baseline:
// GET /bench/bare-read/{id} answers as GET /api/v1/applications/{id} does (the same sign-in,
// role check, store read, workflow query and JSON) but without the field-visibility matrix and
// the audit log. The product's server (New) has no such route.
func NewWithBareRead(d Deps) *fiber.App {
	_, f := newServer(d, func(s *Server, f *fiber.App) {
		f.Get("/bench/bare-read/:id", s.authenticate, s.allow(actApplicationsRead), func(c *fiber.Ctx) error {
			p := principal(c)
			app, err := s.Store.ApplicationGet(c.UserContext(), p.OrgID, c.Params("id"), true)
			if err != nil {
				return err
			}
			return c.JSON(s.withWorkflowState(c, app))
		})
	})
	return f
}

func (s *Server) listDecisions(c *fiber.Ctx) error {
	p := principal(c)
	id, err := appIDParam(c)
	if err != nil {
		return err
	}
	if err := s.assignedOnly(c.UserContext(), p, id); err != nil {
		return err
	}
	if _, err := s.Store.ApplicationGet(c.UserContext(), p.OrgID, id, false); err != nil {
		return err
	}
	ds, err := s.explainedDecisions(c, p.OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"decisions": ds})
}

func (s *Server) explainedDecisions(c *fiber.Ctx, orgID, appID string) ([]hireflow.Decision, error) {
	ds, err := s.Store.DecisionList(c.UserContext(), orgID, appID)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		if d.RuleSource != "" {
			ds[i].Explanation = rules.Explain(d.RuleName, d.RuleVersion, d.RuleSource, d.Inputs, d.Outcome)
			ds[i].ExplanationZH = rules.ExplainZH(d.RuleName, d.RuleVersion, d.RuleSource, d.Inputs, d.Outcome)
			ds[i].RuleLine, ds[i].InputLines = rules.ExplainParts(d.RuleSource, d.Inputs)
		} else {
			reason := d.Reason
			if reason == "" {
				reason = "—"
			}
			ds[i].Explanation = fmt.Sprintf("%s decision by a person → %s (reason: %s)", d.Kind, d.Outcome, reason)
			ds[i].ExplanationZH = fmt.Sprintf("%s由人工决定 → %s（原因：%s）", rules.RuleNameZH(d.Kind), rules.OutcomeZH(d.Outcome), reason)
		}
	}
	return ds, nil
}

// decisionsPage is the staff page explaining every decision of an application.
func (s *Server) decisionsPage(c *fiber.Ctx) error {
	v, err := s.staffPage(c, false)
	if err != nil {
		return err
	}
	ds, err := s.explainedDecisions(c, v.app.OrgID, v.app.ID)
	if err != nil {
		return err
	}
	d := v.d
	d.Title, d.JobID, d.Decisions = translate(d.Lang, "decisions.title"), v.app.ID, ds
	return s.render(c, fiber.StatusOK, "decisions.html", d)
}

type decideRequest struct {
	Outcome    string `json:"outcome"`
	ReasonCode string `json:"reason_code"`
	Note       string `json:"note"`
}

// decideApplication passes or rejects a held application through the workflow's validated update.
func (s *Server) decideApplication(c *fiber.Ctx) error {
	id, req, err := idRequest[decideRequest](c, appIDParam)
	if err != nil {
		return err
	}
	decision, err := s.decideOne(c.UserContext(), principal(c), id, "", req)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"decision_id": decision, "outcome": req.Outcome})
}

// decideOne sends one recruiter decision (jobID set: only on that job's applications).
func (s *Server) decideOne(ctx context.Context, p hireflow.Principal, id, jobID string, req decideRequest) (string, error) {
	if err := maxText("note", req.Note, 2000); err != nil {
		return "", err
	}
	app, err := s.Store.ApplicationGet(ctx, p.OrgID, id, false)
	if err != nil {
		return "", err
	}
	if jobID != "" && app.JobID != jobID {
		return "", hireflow.NotFound("application_not_found", "application")
	}
	uctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, err := s.Workflows.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{WorkflowID: app.WorkflowID,
		UpdateName: workflows.UpdateRecruiterDecision, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.RecruiterDecision{UserID: p.UserID, Outcome: hireflow.ScreenOutcome(req.Outcome), ReasonCode: req.ReasonCode}}})
	var res workflows.RecruiterDecisionResult
	if err == nil {
		err = h.Get(uctx, &res)
	}
	if err != nil {
		return "", workflowError(err)
	}
	if strings.TrimSpace(req.Note) != "" {
		// Free text stays out of the workflow: it is kept in the audit log beside the decision.
		_ = s.Store.Audit(ctx, p.OrgID, "user", p.UserID, "application.decision_note", "decision", res.DecisionID,
			map[string]any{"note": req.Note})
	}
	return res.DecisionID, nil
}

// MaxBulk is how many applications one bulk decision takes.
const MaxBulk = 50

// bulkDecisionBody is the JSON body of bulkDecision.
type bulkDecisionBody struct {
	ApplicationIDs []string `json:"application_ids"`
	Outcome        string   `json:"outcome"`
	ReasonCode     string   `json:"reason_code"`
	Note           string   `json:"note"`
}

// bulkDecision decides several held applications of one job at once (each through its own
// workflow's validated update) and answers each one's result: one refused never stops the others.
func (s *Server) bulkDecision(c *fiber.Ctx) error {
	p := principal(c)
	jobID := c.Params("id")
	var req bulkDecisionBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.ApplicationIDs) == 0 || len(req.ApplicationIDs) > MaxBulk {
		return invalid("application_ids", "send 1 to %d application IDs", MaxBulk)
	}
	if _, err := uuid.Parse(jobID); err != nil {
		return hireflow.NotFound("job_not_found", "job")
	}
	if _, err := s.Store.JobGet(c.UserContext(), p.OrgID, jobID); err != nil {
		return err
	}
	type result struct {
		ApplicationID string `json:"application_id"`
		OK            bool   `json:"ok"`
		DecisionID    string `json:"decision_id,omitempty"`
		Code          string `json:"code,omitempty"`
		Message       string `json:"message,omitempty"`
	}
	seen := map[string]bool{}
	var out []result
	done := 0
	for _, id := range req.ApplicationIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r := result{ApplicationID: id}
		if _, err := uuid.Parse(id); err != nil {
			r.Code, r.Message = "application_not_found", "no such application"
		} else if d, err := s.decideOne(c.UserContext(), p, id, jobID, decideRequest{Outcome: req.Outcome, ReasonCode: req.ReasonCode, Note: req.Note}); err != nil {
			herr := hireflow.AsError(err)
			if herr == nil {
				return err
			}
			r.Code, r.Message = herr.Code, herr.Message
			if lang(c) == "zh" && herr.MessageZH != "" {
				r.Message = herr.MessageZH
			}
		} else {
			r.OK, r.DecisionID = true, d
			done++
		}
		out = append(out, r)
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "application.bulk_decision", "job", jobID,
		map[string]any{"outcome": req.Outcome, "asked": len(out), "decided": done})
	return c.JSON(fiber.Map{"decided": done, "results": out})
}

// staffApp loads the application of the caller's organisation named in the path.
func (s *Server) staffApp(c *fiber.Ctx) (hireflow.Application, error) {
	id, err := appIDParam(c)
	if err != nil {
		return hireflow.Application{}, err
	}
	p := principal(c)
	if err := s.assignedOnly(c.UserContext(), p, id); err != nil {
		return hireflow.Application{}, err
	}
	return s.Store.ApplicationGet(c.UserContext(), p.OrgID, id, false)
}
