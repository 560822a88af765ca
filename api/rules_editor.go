package api

import (
	"encoding/json"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/hireflow/hireflow"

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
	ApproversJSON             string // the designer's approver choices: [value, label] pairs
	CatalogJSON               string // the pipeline diagram's stage choices: [kind, label, params...]
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
	shown := editing.Pipeline
	if len(shown) == 0 {
		shown = rules.DefaultPipeline // what a rule set without one runs
	}
	pipe, _ := json.Marshal(shown)
	v.PipelineJSON = string(pipe)
	if v.ApproversJSON, err = s.approverChoices(c); err != nil {
		return err
	}
	v.CatalogJSON = stageCatalogJSON(d.Lang)
	if published != nil && r.DraftVersion > 0 && editing != published {
		v.Diff = rules.Diff(*published, *editing, "v"+itoa(r.Published)+" (published)", "v"+itoa(r.DraftVersion)+" (draft)")
	}
	d.Console.RuleEditor = v
	d.Title = r.Name
	return s.render(c, fiber.StatusOK, "ruleeditor.html", d)
}

// tryApprovalBody is the JSON body of tryApproval.
type tryApprovalBody struct {
	Rule  string      `json:"rule"`
	Offer rules.Offer `json:"offer"`
}

// tryApproval evaluates an approval-chain rule (as typed, not saved) for a sample offer: the
// steps it gives, or the compiler's or the evaluation's reason.
func (s *Server) tryApproval(c *fiber.Ctx) error {
	var req tryApprovalBody
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
	labelled, err := s.labelChain(c, req.Offer.Department, steps)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"steps": steps, "named": labelled})
}

// approverChoices is what an approval step may name, labelled for the reader: the roles, the
// offer department's manager, then each active manager, recruiter and admin by name.
func (s *Server) approverChoices(c *fiber.Ctx) (string, error) {
	l := lang(c)
	out := [][2]string{}
	for _, r := range rules.ApproverRoles {
		out = append(out, [2]string{r, translateValue(l, "role.", r) + " (" + translate(l, "ad.any_with_role") + ")"})
	}
	out = append(out, [2]string{rules.DepartmentManager, translate(l, "chain.dept_manager")})
	users, err := s.Store.UserList(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return "", err
	}
	for _, u := range users {
		if !u.Disabled && (u.Role == hireflow.RoleHiringManager || u.Role == hireflow.RoleRecruiter || u.Role == hireflow.RoleAdmin) {
			out = append(out, [2]string{"user:" + u.ID, u.DisplayName + " · " + translateValue(l, "role.", string(u.Role))})
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// stageCatalogJSON lists the stages a pipeline may use with their names and parameters.
func stageCatalogJSON(l string) string {
	type stage struct {
		Kind   string   `json:"kind"`
		Label  string   `json:"label"`
		Params []string `json:"params"`
		SLA    string   `json:"sla,omitempty"` // the timing that bounds a person's wait at it
	}
	sla := map[string]string{rules.StageScreen: "hold_sla", rules.StageLiveRound: "feedback_sla", rules.StageReview: "review_sla",
		rules.StageOffer: "approval_sla", rules.StageProbation: "probation_sla"}
	var out []stage
	for _, k := range rules.StageCatalog {
		out = append(out, stage{Kind: k, Label: translateValue(l, "pipe.stage.", k), Params: rules.StageParams(k), SLA: sla[k]})
	}
	b, _ := json.Marshal(out)
	return string(b)
}
