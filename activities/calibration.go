package activities

import (
	"context"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// CalibrationMinN is the fewest hires with a probation outcome a correlation is shown for and
// a proposal is made from.
const CalibrationMinN = 30

// CalibrationInput names an organisation, optionally one job, and who asked.
type CalibrationInput struct {
	OrgID   string
	JobID   string `json:",omitempty"` // empty: every job with probation outcomes
	Trigger string // schedule | on_demand
	UserID  string `json:",omitempty"` // the person who asked (on demand)
}

// CalibrationOutcome is what calibration did for one job: a proposal written into a draft,
// or why not (not_enough_data, no_positive_correlation).
type CalibrationOutcome struct {
	JobID        string
	Status       string // proposed | not_enough_data | no_positive_correlation
	N            int
	ProposalID   string `json:",omitempty"`
	RuleSetID    string `json:",omitempty"`
	DraftVersion int    `json:",omitempty"`
	BelowGate    int    // groups under 0.8 in the draft's simulation
}

// ProposeCalibration correlates each scoring dimension of a job's hires with their probation
// ratings and, with enough data, writes the proposed weights into a draft version of the
// job's rule set (on top of an existing draft, or of the published version), simulates the
// draft's scoring over the job's past applications with the bias gate, and stores the
// proposal with its evidence. Nothing is published: a person publishes the draft. Only counts
// and weights leave the activity.
func (a *Activities) ProposeCalibration(ctx context.Context, in CalibrationInput) ([]CalibrationOutcome, error) {
	jobs := []string{in.JobID}
	if in.JobID == "" {
		var err error
		if jobs, err = a.Store.CalibrationJobs(ctx, in.OrgID); err != nil {
			return nil, err
		}
	}
	var out []CalibrationOutcome
	for _, job := range jobs {
		o, err := a.proposeForJob(ctx, in, job)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (a *Activities) proposeForJob(ctx context.Context, in CalibrationInput, job string) (CalibrationOutcome, error) {
	o := CalibrationOutcome{JobID: job}
	j, err := a.Store.JobGet(ctx, in.OrgID, job)
	if err != nil {
		return o, permanent(err)
	}
	// The job family's hires are pooled (jobs of a family share what predicts success there).
	family := j.Family
	if family == "" {
		family = j.Title
	}
	samples, err := a.Store.CalibrationSamples(ctx, in.OrgID, "", family)
	if err != nil {
		return o, err
	}
	cal := rules.Calibrate(samples, CalibrationMinN)
	cal.Family = family
	o.N = cal.N
	if cal.N < CalibrationMinN {
		o.Status = "not_enough_data"
		return o, nil
	}
	// Only the job's own dimensions can be weighted in its rule set.
	var dims []string
	for _, d := range j.Dimensions {
		dims = append(dims, d.Key)
	}
	cal.Proposed = rules.RestrictWeights(cal.Proposed, dims)
	if len(cal.Proposed) == 0 {
		o.Status = "no_positive_correlation"
		return o, nil
	}
	rsID, err := a.Store.JobRuleSet(ctx, in.OrgID, job)
	if err != nil {
		return o, permanent(err)
	}
	sum, versions, err := a.Store.RuleSetGet(ctx, in.OrgID, rsID)
	if err != nil {
		return o, err
	}
	base := sum.DraftVersion
	if base == 0 {
		base = sum.Published
	}
	var content rules.RuleSet
	for _, v := range versions {
		if v.Version == base {
			content = v.Content
		}
	}
	content.Rules = cloneRules(content.Rules)
	content.Rules[rules.RuleWeights] = rules.WeightsRule(cal.Proposed)
	compiled, errs := rules.CompileSet(content)
	if len(errs) > 0 {
		return o, permanent(errs[0])
	}
	weights, err := compiled.Programs[rules.RuleWeights].Weights(ctx, rules.WeightsEnv{Dimensions: dims})
	if err != nil {
		return o, permanent(err)
	}
	history, err := a.Store.WeightsSamples(ctx, in.OrgID, job, 100_000)
	if err != nil {
		return o, err
	}
	sim := rules.SimulateWeights(history, weights)
	actor := hireflow.Principal{OrgID: in.OrgID, UserID: in.UserID}
	v, err := a.Store.RuleSetSaveDraft(ctx, actor, rsID, compiled)
	if err != nil {
		return o, err
	}
	id, err := a.Store.CalibrationProposalSave(ctx, in.OrgID, store.CalibrationProposal{JobID: job, RuleSetID: rsID, DraftVersion: v,
		Evidence: cal, Simulation: &sim, Trigger: in.Trigger, CreatedBy: in.UserID})
	if err != nil {
		return o, err
	}
	o.Status, o.ProposalID, o.RuleSetID, o.DraftVersion, o.BelowGate = "proposed", id, rsID, v, len(sim.Below)
	return o, nil
}

func cloneRules(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
