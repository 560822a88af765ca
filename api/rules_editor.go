package api

import (
	"encoding/json"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow/rules"
)

// The rules editor: every decision point of a rule set as text, checked by the compiler as it
// is typed (line, column and reason), with its fields and functions beside it, the difference
// from the published version, the simulation over past applications with the bias gate's
// verdict, and publishing (past a failing gate only with a recorded reason).

// checkRuleSet compiles a rule set without saving it: 200 {ok:true}, or 422 with every error.
func (s *Server) checkRuleSet(c *fiber.Ctx) error {
	if _, _, err := readCompiledRuleSet(c); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}

// ruleEnvironment lists every decision point's fields and functions.
func (s *Server) ruleEnvironment(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"rules": rules.Describe()})
}

type ruleEditorView struct {
	ID, Name                  string
	Published, Draft, Editing int // version numbers (0: none)
	Rules                     []ruleField
	PipelineJSON              string
	Diff                      string
	CanWrite, CanPublish      bool
}

type ruleField struct {
	rules.RuleInfo
	Source string
}

// ruleSetsPage lists the organisation's rule sets.
func (s *Server) ruleSetsPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.rules", "/console/rulesets")
	if err != nil {
		return err
	}
	list, err := s.Store.RuleSetList(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	d.Console.RuleSets = list
	return s.render(c, fiber.StatusOK, "rulesets.html", d)
}

// ruleEditorPage shows one rule set's newest version (the draft, else the published one) for
// editing; roles that may only read see it without the editing controls.
func (s *Server) ruleEditorPage(c *fiber.Ctx) error {
	p := principal(c)
	id, err := ruleSetParam(c)
	if err != nil {
		return err
	}
	d, err := s.consoleData(c, "nav.rules", "/console/rulesets")
	if err != nil {
		return err
	}
	r, versions, err := s.Store.RuleSetGet(c.UserContext(), p.OrgID, id)
	if err != nil {
		return err
	}
	v := &ruleEditorView{ID: r.ID, Name: r.Name, Published: r.Published, Draft: r.DraftVersion,
		CanWrite: slices.Contains(policy[actRulesWrite], p.Role), CanPublish: slices.Contains(policy[actRulesPublish], p.Role)}
	var editing, published *rules.RuleSet
	for i := range versions {
		if versions[i].Version == r.DraftVersion {
			editing = &versions[i].Content
		}
		if versions[i].Version == r.Published {
			published = &versions[i].Content
		}
	}
	v.Editing = r.DraftVersion
	if editing == nil {
		editing, v.Editing = published, r.Published
	}
	if editing == nil {
		editing = &rules.RuleSet{Rules: map[string]string{}}
	}
	for _, info := range rules.Describe() {
		v.Rules = append(v.Rules, ruleField{RuleInfo: info, Source: editing.Rules[info.Name]})
	}
	pipe, _ := json.Marshal(editing.Pipeline)
	v.PipelineJSON = string(pipe)
	if published != nil && r.DraftVersion > 0 && editing != published {
		v.Diff = rules.Diff(*published, *editing, "v"+itoa(r.Published)+" (published)", "v"+itoa(r.DraftVersion)+" (draft)")
	}
	d.Console.RuleEditor = v
	d.Title = r.Name
	return s.render(c, fiber.StatusOK, "ruleeditor.html", d)
}

// tryApproval evaluates an approval-chain rule (as typed, not saved) for a sample offer: the
// steps it gives, or the compiler's or the evaluation's reason.
func (s *Server) tryApproval(c *fiber.Ctx) error {
	var req struct {
		Rule  string      `json:"rule"`
		Offer rules.Offer `json:"offer"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := maxText("rule", req.Rule, 4000); err != nil {
		return err
	}
	prog, err := rules.Compile(rules.RuleApproval, req.Rule)
	if err != nil {
		if ce, ok := err.(*rules.CompileError); ok {
			return ruleErrors([]*rules.CompileError{ce})
		}
		return err
	}
	steps, err := prog.ApprovalChain(c.UserContext(), rules.ApprovalEnv{Offer: req.Offer})
	if err != nil {
		return invalid("rule", "%s", err.Error())
	}
	return c.JSON(fiber.Map{"steps": steps})
}
