package api

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

func ruleSetParam(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if _, err := uuid.Parse(id); err != nil {
		return "", hireflow.NotFound("ruleset_not_found", "rule set")
	}
	return id, nil
}

func (s *Server) listRuleSets(c *fiber.Ctx) error {
	rs, err := s.Store.RuleSetList(c.UserContext(), principal(c).OrgID)
	return listed(c, "rulesets", rs, err)
}

func (s *Server) getRuleSet(c *fiber.Ctx) error {
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	r, versions, err := s.Store.RuleSetGet(c.UserContext(), principal(c).OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ruleset": r, "versions": versions})
}

func (s *Server) getRuleSetVersion(c *fiber.Ctx) error {
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	v, err := strconv.Atoi(c.Params("version"))
	if err != nil || v < 1 {
		return hireflow.NotFound("version_not_found", "rule set version")
	}
	info, err := s.Store.RuleSetVersion(c.UserContext(), principal(c).OrgID, id, v)
	if err != nil {
		return err
	}
	if c.Query("format") == "yaml" {
		b, err := rules.MarshalYAML(info.Content)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
		return c.Send(b)
	}
	return c.JSON(info)
}

// readRuleSet accepts the content as JSON or as the YAML file format.
// readCompiledRuleSet reads the body's rule set and compiles every rule and the pipeline; all
// errors come back at once (422).
func readCompiledRuleSet(c *fiber.Ctx) (rules.RuleSet, *rules.Compiled, error) {
	rs, err := readRuleSet(c)
	if err != nil {
		return rs, nil, err
	}
	compiled, errs := rules.CompileSet(rs)
	if len(errs) > 0 {
		return rs, compiled, ruleErrors(errs)
	}
	return rs, compiled, nil
}

func readRuleSet(c *fiber.Ctx) (rules.RuleSet, error) {
	ct := c.Get(fiber.HeaderContentType)
	if strings.Contains(ct, "yaml") {
		if err := checkText("", string(c.Body())); err != nil {
			return rules.RuleSet{}, err
		}
		rs, err := rules.ParseYAML(c.Body())
		if err != nil {
			return rs, hireflow.Errorf(hireflow.KindBadRequest, "invalid_yaml", "", "%s", trimErr(err))
		}
		// YAML escapes ("\0") can still make a NUL: check the parsed strings as JSON bodies are.
		b, err := json.Marshal(rs)
		if err != nil {
			return rs, hireflow.Errorf(hireflow.KindBadRequest, "invalid_yaml", "", "the rule set cannot be read")
		}
		if err := checkJSON(b); err != nil {
			return rs, err
		}
		return rs, nil
	}
	var rs rules.RuleSet
	if err := decodeJSON(c, &rs); err != nil {
		return rs, err
	}
	if rs.Rules == nil {
		rs.Rules = map[string]string{}
	}
	return rs, nil
}

// saveDraft compiles every rule and the pipeline; all errors come back at once (422).
func (s *Server) saveDraft(c *fiber.Ctx) error {
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	_, compiled, err := readCompiledRuleSet(c)
	if err != nil {
		return err
	}
	v, err := s.Store.RuleSetSaveDraft(c.UserContext(), principal(c), id, compiled)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"version": v, "status": "draft", "hashes": compiled.Hashes, "pipeline": compiled.Set.Pipeline})
}

func (s *Server) diffRuleSet(c *fiber.Ctx) error {
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	from, err1 := strconv.Atoi(c.Query("from"))
	to, err2 := strconv.Atoi(c.Query("to"))
	if err1 != nil || err2 != nil {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "from", "from and to must be version numbers")
	}
	org := principal(c).OrgID
	a, err := s.Store.RuleSetVersion(c.UserContext(), org, id, from)
	if err != nil {
		return err
	}
	b, err := s.Store.RuleSetVersion(c.UserContext(), org, id, to)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"from": from, "to": to, "diff": rules.Diff(a.Content, b.Content, "v"+c.Query("from"), "v"+c.Query("to"))})
}

type simulateRequest struct {
	Version int       `json:"version"` // 0: the draft
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
}

// simulation re-evaluates a version's screening rule over recorded inputs of the rule set's
// past applications in the window (default: the last 365 days).
func (s *Server) simulation(ctx context.Context, p hireflow.Principal, id string, req simulateRequest) (*rules.SimReport, int, error) {
	r, versions, err := s.Store.RuleSetGet(ctx, p.OrgID, id)
	if err != nil {
		return nil, 0, err
	}
	v := req.Version
	if v == 0 {
		v = r.DraftVersion
	}
	var content *rules.RuleSet
	for i := range versions {
		if versions[i].Version == v {
			content = &versions[i].Content
		}
	}
	if content == nil {
		return nil, 0, hireflow.Errorf(hireflow.KindNotFound, "version_not_found", "version", "no version %d (and no draft) to simulate", v)
	}
	prog, err := rules.CompileScreening(content.Rules[rules.RuleScreening])
	if err != nil {
		return nil, 0, ruleErrors([]*rules.CompileError{err.(*rules.CompileError)})
	}
	to := req.To
	if to.IsZero() {
		to = time.Now()
	}
	from := req.From
	if from.IsZero() {
		from = to.AddDate(-1, 0, 0)
	}
	if !from.Before(to) {
		return nil, 0, hireflow.Errorf(hireflow.KindInvalid, "invalid_window", "from", "from must be before to")
	}
	recs, err := s.Store.SimulationInputs(ctx, p.OrgID, id, from, to, 1_000_000)
	if err != nil {
		return nil, 0, err
	}
	rep, err := rules.SimulateScreening(ctx, prog, recs)
	return rep, v, err
}

func (s *Server) simulateRuleSet(c *fiber.Ctx) error {
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	var req simulateRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	start := time.Now()
	rep, v, err := s.simulation(c.UserContext(), principal(c), id, req)
	if err != nil {
		return err
	}
	summary := rep.Summary
	if lang(c) == "zh" {
		summary = rep.SummaryZH
	}
	return c.JSON(fiber.Map{"version": v, "report": rep, "summary": summary, "seconds": time.Since(start).Seconds()})
}

type publishRequest struct {
	Version        int    `json:"version"`
	OverrideReason string `json:"override_reason"`
}

// publishRuleSet publishes a draft after a bias gate: if any group's impact ratio falls below
// 0.8 under the draft, publishing needs an override reason, which the audit log keeps.
func (s *Server) publishRuleSet(c *fiber.Ctx) error {
	id, req, err := idRequest[publishRequest](c, ruleSetParam)
	if err != nil {
		return err
	}
	p := principal(c)
	rep, v, err := s.simulation(c.UserContext(), p, id, simulateRequest{Version: req.Version})
	if err != nil {
		return err
	}
	// A new weights rule (a calibration proposal, or one written by hand) is gated on the
	// scoring rates it gives the job's past applications, as the screening rule is on its own.
	scoring, err := s.weightsGate(c.UserContext(), p.OrgID, id, v)
	if err != nil {
		return err
	}
	rep.BelowGate = append(rep.BelowGate, scoring...)
	reason := strings.TrimSpace(req.OverrideReason)
	if len(rep.BelowGate) > 0 && len(reason) < 10 {
		return &hireflow.Error{Kind: hireflow.KindConflict, Code: "bias_gate", Field: "override_reason",
			Message:   "under this version some groups' impact ratio falls below 0.8 (" + strings.Join(rep.BelowGate, ", ") + "); publishing needs an override reason of at least 10 characters",
			MessageZH: "此版本下部分群体的影响比低于 0.8（" + strings.Join(rep.BelowGate, "，") + "）；发布需要填写至少 10 个字的理由",
			Details:   rep}
	}
	if len(reason) > 2000 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "override_reason", "the reason is longer than 2000 characters")
	}
	if len(rep.BelowGate) == 0 {
		reason = ""
	}
	if err := s.Store.RuleSetPublish(c.UserContext(), p, id, v, reason, rep); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"version": v, "status": "published", "report": rep})
}

// migrateApplicationBody is the JSON body of migrateApplication.
type migrateApplicationBody struct {
	Version int `json:"version"`
}

func (s *Server) migrateApplication(c *fiber.Ctx) error {
	id, err := appIDParam(c)
	if err != nil {
		return err
	}
	var req migrateApplicationBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	from, err := s.Store.ApplicationMigrate(c.UserContext(), principal(c), id, req.Version)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"application_id": id, "from_version": from, "to_version": req.Version})
}

// createDefaultRuleSet makes the organisation's default rule set (version 1, published); new
// jobs start from it.
func (s *Server) createDefaultRuleSet(c *fiber.Ctx) error {
	rs, compiled, err := readCompiledRuleSet(c)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(rs.Name)
	if name == "" {
		name = "Organisation default"
	}
	if len([]rune(name)) > 200 {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "name", "the name is longer than 200 characters")
	}
	id, err := s.Store.RuleSetCreate(c.UserContext(), principal(c), "", name, compiled)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "version": 1, "status": "published"})
}
