package activities

import (
	"context"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

type pinned struct {
	rules.RuleSet
	id      string
	version int
	jobID   string
}

func (a *Activities) pinnedRules(ctx context.Context, ref AppRef) (pinned, error) {
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return pinned{}, permanent(err)
	}
	v, err := a.Store.RuleSetVersion(ctx, ref.OrgID, app.RuleSetID, app.RuleVersion)
	if err != nil {
		return pinned{}, permanent(err)
	}
	return pinned{RuleSet: v.Content, id: app.RuleSetID, version: app.RuleVersion, jobID: app.JobID}, nil
}

// ruleCall is one evaluation of a pinned rule, to be recorded as a decision.
type ruleCall struct {
	ref      AppRef
	kind     string // the decision's kind (screening, routing, review, approval_chain)
	step     string // idempotency key of the decision within the application
	rule     string // the rule's name in the rule set
	source   string // the rule's expr source; "" takes rules.Defaults
	setID    string
	version  int
	inputs   map[string]any // non-personal inputs, recorded with the decision
	fallback string         // the outcome when the rule fails: a person decides
	// eval runs the compiled rule and returns the outcome (and a reason to record, if any).
	eval func(*rules.Program) (outcome, reason string, err error)
}

// decide is the one way an activity evaluates a decision point (Decide) and records it once.
// It runs in an activity when the inputs are computed from personal data (résumé text, an
// offer's salary) that never enters workflow history; rules over facts the workflow already
// holds (routing over scores, review aggregation) are decided in the workflow with Decide and
// recorded by RecordStage. It reports whether the rule failed.
func (a *Activities) decide(ctx context.Context, rc ruleCall) (hireflow.Decision, bool, error) {
	d, failed := Decide(hireflow.Decision{ApplicationID: rc.ref.ApplicationID, Kind: rc.kind, RuleSetID: rc.setID, RuleVersion: rc.version,
		RuleName: rc.rule, RuleSource: rc.source, Inputs: rc.inputs}, rc.fallback, rc.eval)
	rec, err := a.Store.DecisionRecord(ctx, rc.ref.OrgID, d, rc.step)
	if err == nil {
		a.Metrics.decision(rc.ref.OrgID, a.jobOf(ctx, rc.ref), rc.kind, d.Outcome, failed, rc.rule)
	}
	return rec, failed, err
}

// Decide evaluates a pinned rule (d.RuleName, d.RuleSource; "" takes rules.Defaults) with eval
// and fills in the program's hash, the outcome and the reason, so that "why" has an exact
// answer. A rule that fails falls back to a person (fallback, with the error as the reason).
// It is pure and deterministic (evaluation is bounded by construction, not by time), so
// workflows call it too. It reports whether the rule failed.
func Decide(d hireflow.Decision, fallback string, eval func(*rules.Program) (outcome, reason string, err error)) (hireflow.Decision, bool) {
	if d.RuleSource == "" {
		d.RuleSource = rules.Defaults[d.RuleName]
	}
	prog, err := rules.Compile(d.RuleName, d.RuleSource)
	if err == nil {
		d.ProgramHash = prog.Hash
		d.Outcome, d.Reason, err = eval(prog)
	}
	if err != nil {
		// Published rules compiled when saved, so this is an evaluation failure (memory, or a
		// result outside the decision point's outcomes).
		d.Outcome, d.Reason = fallback, "rule_error: "+err.Error()
		return d, true
	}
	return d, false
}
