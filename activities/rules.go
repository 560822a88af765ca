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
	return pinned{RuleSet: v.Content, id: app.RuleSetID, version: app.RuleVersion}, nil
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

// decide is the one way an activity evaluates a decision point: compile the pinned rule,
// evaluate it, fall back to a person on any rule error, and record the decision once (its
// rule, version, hash, inputs, outcome and reason) so that "why" has an exact answer. It runs
// in an activity because the inputs are computed from personal data (résumé text, reviews)
// that never enters workflow history. It reports whether the rule failed.
func (a *Activities) decide(ctx context.Context, rc ruleCall) (hireflow.Decision, bool, error) {
	if rc.source == "" {
		rc.source = rules.Defaults[rc.rule]
	}
	d := hireflow.Decision{ApplicationID: rc.ref.ApplicationID, Kind: rc.kind, RuleSetID: rc.setID, RuleVersion: rc.version,
		RuleName: rc.rule, RuleSource: rc.source, Inputs: rc.inputs}
	prog, err := rules.Compile(rc.rule, rc.source)
	if err == nil {
		d.ProgramHash = prog.Hash
		d.Outcome, d.Reason, err = rc.eval(prog)
	}
	failed := err != nil
	if failed {
		// Published rules compiled when saved, so this is an evaluation failure (time, memory or
		// a result outside the decision point's outcomes).
		d.Outcome, d.Reason = rc.fallback, "rule_error: "+err.Error()
	}
	rec, err := a.Store.DecisionRecord(ctx, rc.ref.OrgID, d, rc.step)
	return rec, failed, err
}
