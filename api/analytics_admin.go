package api

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/chat"
	"github.com/hireflow/hireflow/rules"
	"github.com/hireflow/hireflow/workflows"
)

// alertChatView is what an admin sees of the configured robot: never the secret or token.
type alertChatView struct {
	Kind       string `json:"kind"`
	Host       string `json:"host,omitempty"`
	Configured bool   `json:"configured"`
	Signed     bool   `json:"signed"`
}

func viewRobot(r chat.Robot, ok bool) alertChatView {
	v := alertChatView{Kind: r.Kind, Configured: ok, Signed: r.Secret != ""}
	if u, err := url.Parse(r.URL); err == nil {
		v.Host = u.Host
	}
	return v
}

// setAlertChatBody is the JSON body of setAlertChat.
type setAlertChatBody struct {
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// setAlertChat configures (or, with kind "", removes) the chat robot a bias audit's alert goes
// to: a DingTalk, WeCom or Feishu robot webhook and its signing secret, sealed at rest.
func (s *Server) setAlertChat(c *fiber.Ctx) error {
	var req chat.Robot
	var body setAlertChatBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	req = chat.Robot{Kind: strings.TrimSpace(body.Kind), URL: strings.TrimSpace(body.URL), Secret: body.Secret}
	if req.Kind != "" {
		if field, reason := req.Validate(!s.Cfg.Production()); field != "" {
			return invalid(field, "%s", reason)
		}
	} else {
		req = chat.Robot{}
	}
	p := principal(c)
	if err := s.Store.AlertChatSet(c.UserContext(), p.OrgID, req); err != nil {
		return err
	}
	v := viewRobot(req, req.Kind != "")
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "alert_chat.set", "organisation", p.OrgID, map[string]any{"kind": v.Kind, "host": v.Host})
	return c.JSON(v)
}

func (s *Server) getAlertChat(c *fiber.Ctx) error {
	r, ok, err := s.Store.AlertChatGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(viewRobot(r, ok))
}

// publishAuditsBody is the JSON body of publishAudits.
type publishAuditsBody struct {
	Published *bool `json:"published"`
}

// publishAudits sets whether the latest bias audit's summary is public on /audits/{slug}.
func (s *Server) publishAudits(c *fiber.Ctx) error {
	var req publishAuditsBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Published == nil {
		return invalid("published", "published is required: true or false")
	}
	p := principal(c)
	if err := s.Store.AuditPublish(c.UserContext(), p.OrgID, *req.Published); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "bias_audit.publication", "organisation", p.OrgID, map[string]any{"published": *req.Published})
	o, err := s.Store.OrgGet(c.UserContext(), p.OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"published": *req.Published, "url": s.Cfg.PublicURL + "/audits/" + o.Slug})
}

// biasAuditAlerts lists where an audit's alert went (each admin's email, the chat robot).
func (s *Server) biasAuditAlerts(c *fiber.Ctx) error {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return hireflow.NotFound("bias_audit_not_found", "bias audit")
	}
	list, err := s.Store.AuditAlerts(c.UserContext(), principal(c).OrgID, id)
	return listed(c, "alerts", list, err)
}

// proposeCalibrationBody is the JSON body of proposeCalibration.
type proposeCalibrationBody struct {
	JobID string `json:"job_id"`
}

// proposeCalibration runs a calibration now for ?job= (CalibrationWorkflow): with enough hires
// it writes the proposed weights into a draft of the job's rule set, simulates it with the bias
// gate and stores the evidence; it never publishes.
func (s *Server) proposeCalibration(c *fiber.Ctx) error {
	var req proposeCalibrationBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := uuid.Parse(req.JobID); err != nil {
		return invalid("job_id", "job_id must be a job ID")
	}
	p := principal(c)
	if _, err := s.Store.JobGet(c.UserContext(), p.OrgID, req.JobID); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Minute)
	defer cancel()
	out, err := workflows.RunCalibration(ctx, s.Workflows, s.Cfg.TaskQueue, workflows.CalibrationInput{OrgID: p.OrgID, JobID: req.JobID, UserID: p.UserID})
	if err != nil {
		return err
	}
	if len(out) != 1 {
		return hireflow.Errorf(hireflow.KindConflict, "not_enough_data", "job_id", "no calibration for this job")
	}
	o := out[0]
	switch o.Status {
	case "not_enough_data":
		return hireflow.Errorf(hireflow.KindConflict, "not_enough_data", "job_id",
			"%d hires of this job have a probation outcome; a proposal needs at least %d", o.N, activities.CalibrationMinN).
			ZH("此职位仅有 %d 名新员工有试用期结果，提出权重建议至少需要 %d 名", o.N, activities.CalibrationMinN)
	case "no_positive_correlation":
		return hireflow.Errorf(hireflow.KindConflict, "no_positive_correlation", "job_id",
			"no scoring dimension of this job predicts the probation ratings (n = %d): nothing to propose", o.N).
			ZH("此职位没有任何评分维度与试用期评分正相关（n = %d），无可建议的权重", o.N)
	}
	list, err := s.Store.CalibrationProposals(c.UserContext(), p.OrgID, req.JobID, 1)
	if err != nil {
		return err
	}
	if len(list) == 0 || list[0].ID != o.ProposalID {
		return hireflow.NotFound("proposal_not_found", "calibration proposal")
	}
	return c.Status(fiber.StatusCreated).JSON(list[0])
}

func (s *Server) listCalibrationProposals(c *fiber.Ctx) error {
	f, err := analyticsFilter(c)
	if err != nil {
		return err
	}
	list, err := s.Store.CalibrationProposals(c.UserContext(), principal(c).OrgID, f.JobID, 50)
	return listed(c, "proposals", list, err)
}

// weightsGate simulates the scoring of a version whose weights rule differs from the published
// one over the job's past applications: the groups whose scoring impact ratio falls under 0.8.
// The job is the rule set's own, or the one a calibration proposal for this version named.
func (s *Server) weightsGate(ctx context.Context, orgID, ruleSetID string, version int) ([]string, error) {
	sum, versions, err := s.Store.RuleSetGet(ctx, orgID, ruleSetID)
	if err != nil {
		return nil, err
	}
	var draft, published string
	for _, v := range versions {
		if v.Version == version {
			draft = v.Content.Rules[rules.RuleWeights]
		}
		if v.Version == sum.Published {
			published = v.Content.Rules[rules.RuleWeights]
		}
	}
	if strings.TrimSpace(draft) == "" || draft == published {
		return nil, nil
	}
	job := sum.JobID
	if props, err := s.Store.CalibrationProposals(ctx, orgID, "", 50); err == nil {
		for _, pr := range props {
			if pr.RuleSetID == ruleSetID && pr.DraftVersion == version {
				job = pr.JobID
				break
			}
		}
	}
	if job == "" {
		return nil, nil
	}
	j, err := s.Store.JobGet(ctx, orgID, job)
	if err != nil {
		return nil, err
	}
	prog, err := rules.Compile(rules.RuleWeights, draft)
	if err != nil {
		return nil, err
	}
	var dims []string
	for _, d := range j.Dimensions {
		dims = append(dims, d.Key)
	}
	w, err := prog.Weights(ctx, rules.WeightsEnv{Dimensions: dims})
	if err != nil {
		return nil, hireflow.Errorf(hireflow.KindInvalid, "invalid_weights", "version", "%v", err)
	}
	samples, err := s.Store.WeightsSamples(ctx, orgID, job, 100_000)
	if err != nil {
		return nil, err
	}
	return rules.SimulateWeights(samples, w).Below, nil
}
