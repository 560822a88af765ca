package activities

import (
	"context"
	"slices"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/rules"
)

// Timings are the waits of screening and the invitation.
type Timings struct {
	InviteReminderAfter time.Duration
	InviteExpiresAfter  time.Duration
	RejectionDelay      time.Duration
	HoldSLA             time.Duration
}

// StepTimings are the waits of the steps after the invitation.
type StepTimings struct {
	FeedbackSLA       time.Duration // live-round feedback reminder, then escalation
	ReviewSLA         time.Duration
	ApprovalSLA       time.Duration
	OfferExpiresAfter time.Duration
	ProbationLength   time.Duration
	ProbationSLA      time.Duration // manager reminder for the evaluation
}

// QuestionRef is a question of the job's bank: IDs and kinds only.
type QuestionRef struct {
	ID         string
	Kind       string // video | text
	Dimensions []string
}

// StageRef is one pinned pipeline stage: kind, parameters and `when` condition.
type StageRef struct {
	Kind   string
	When   string
	Params map[string]string
}

// Plan is what an application's workflow needs to know of its job and pinned rule set: IDs,
// kinds, numbers and durations only.
type Plan struct {
	Timings   Timings
	Steps     StepTimings
	Stages    []string // the pipeline's stage kinds in order
	Pipeline  []StageRef
	Questions []QuestionRef
	Weights   map[string]float64 // dimension → weight
	// Rules are the pinned routing and review-aggregation rules ("" is the default), which the
	// workflow evaluates itself: their inputs are facts it already holds.
	Rules map[string]string
}

// Defaults are the deployment's waits, used where neither the job nor its rule set names one.
type Defaults struct {
	Timings Timings
	Steps   StepTimings
}

// BeginResult is the plan and, when the pipeline screens, the screening decision.
type BeginResult struct {
	Plan     Plan
	Screened bool
	Screen   ScreenResult
}

// BeginApplication is the first activity of an application: it resolves the plan from the job
// and the pinned rule set (durations and weights rules included) and, when the pipeline has a
// screen stage, evaluates the screening rule. It decides nothing about the stage and sends
// nothing: the workflow does both.
func (a *Activities) BeginApplication(ctx context.Context, in AppRef) (BeginResult, error) {
	rs, err := a.pinnedRules(ctx, in)
	if err != nil {
		return BeginResult{}, err
	}
	job, err := a.Store.JobGet(ctx, in.OrgID, rs.jobID)
	if err != nil {
		return BeginResult{}, permanent(err)
	}
	res := BeginResult{Plan: a.plan(ctx, in, job, rs)}
	res.Plan.Rules = map[string]string{rules.RuleRouting: rs.Rules[rules.RuleRouting], rules.RuleReview: rs.Rules[rules.RuleReview]}
	if res.Plan.hasStage(rules.StageScreen) {
		res.Screened = true
		in.Shape = ShapeWorkflowRecords
		if res.Screen, err = a.ScreenApplication(ctx, ScreenInput{AppRef: in}); err != nil {
			return res, err
		}
		// The decision happened: an event at the stage the application has (the funnel's
		// "screened"); the workflow records where it leads.
		if err := a.Store.ApplicationEvent(ctx, in.OrgID, in.ApplicationID, "screened"); err != nil {
			return res, err
		}
	}
	return res, nil
}

// hasStage reports whether the pipeline has a stage kind (an empty one is the default, which
// has every stage).
func (p Plan) hasStage(kind string) bool {
	return len(p.Stages) == 0 || slices.Contains(p.Stages, kind)
}

// plan resolves a job's waits (the job's own, then the rule set's durations rule, then the
// deployment's), its pipeline, questions and weights (the rule set's weights rule, else the
// job's). A durations or weights rule that fails at run time leaves the next source in place.
func (a *Activities) plan(ctx context.Context, ref AppRef, job hireflow.Job, rs pinned) Plan {
	d, t := a.Defaults, job.Timings
	// The organisation's defaults sit between the rule set's and the deployment's; unreadable
	// ones leave the deployment's in place.
	o, _ := a.Store.OrgTimings(ctx, ref.OrgID)
	p := Plan{Stages: job.Stages, Weights: map[string]float64{}, Timings: Timings{
		InviteReminderAfter: t.InviteReminderAfter.Or(o.InviteReminderAfter.Or(d.Timings.InviteReminderAfter)),
		InviteExpiresAfter:  t.InviteExpiresAfter.Or(o.InviteExpiresAfter.Or(d.Timings.InviteExpiresAfter)),
		RejectionDelay:      t.RejectionDelay.Or(o.RejectionDelay.Or(d.Timings.RejectionDelay)),
		HoldSLA:             t.HoldSLA.Or(o.HoldSLA.Or(d.Timings.HoldSLA)),
	}}
	if p.Timings.InviteExpiresAfter > 0 && p.Timings.InviteReminderAfter >= p.Timings.InviteExpiresAfter {
		p.Timings.InviteReminderAfter = p.Timings.InviteExpiresAfter / 2
	}
	var ruled map[string]time.Duration
	if src := rs.Rules[rules.RuleDurations]; src != "" {
		if prog, err := rules.Compile(rules.RuleDurations, src); err == nil {
			ruled, _ = prog.Durations(ctx, rules.DurationsEnv{})
		}
	}
	pick := func(own hireflow.Duration, key string, org hireflow.Duration, def time.Duration) time.Duration {
		if own != 0 {
			return own.D()
		}
		if v, ok := ruled[key]; ok {
			return v
		}
		return org.Or(def)
	}
	p.Steps = StepTimings{
		FeedbackSLA:       pick(t.FeedbackSLA, "feedback_sla", o.FeedbackSLA, d.Steps.FeedbackSLA),
		ReviewSLA:         pick(t.ReviewSLA, "review_sla", o.ReviewSLA, d.Steps.ReviewSLA),
		ApprovalSLA:       pick(t.ApprovalSLA, "approval_sla", o.ApprovalSLA, d.Steps.ApprovalSLA),
		OfferExpiresAfter: pick(t.OfferExpiresAfter, "offer_expires_after", o.OfferExpiresAfter, d.Steps.OfferExpiresAfter),
		ProbationLength:   pick(t.ProbationLength, "probation_length", o.ProbationLength, d.Steps.ProbationLength),
		ProbationSLA:      pick(t.ProbationSLA, "probation_sla", o.ProbationSLA, d.Steps.ProbationSLA),
	}
	pipe := job.Pipeline
	if len(pipe) == 0 {
		for _, st := range rules.DefaultPipeline {
			pipe = append(pipe, hireflow.PipelineStage{Kind: st.Stage})
		}
	}
	for _, st := range pipe {
		p.Pipeline = append(p.Pipeline, StageRef{Kind: st.Kind, When: st.When, Params: st.Params})
	}
	var dims []string
	for _, dim := range job.Dimensions {
		p.Weights[dim.Key] = dim.Weight
		dims = append(dims, dim.Key)
	}
	if src := rs.Rules[rules.RuleWeights]; src != "" {
		if prog, err := rules.Compile(rules.RuleWeights, src); err == nil {
			req := job.Requirements
			env := rules.WeightsEnv{Dimensions: dims, Job: rules.JobFacts{Must: req.MustSkills, Nice: req.NiceSkills, MinYears: req.MinYears,
				Education: req.Education, EducationRank: resume.EducationRank(req.Education), Languages: req.Languages}}
			if w, err := prog.Weights(ctx, env); err == nil && len(w) > 0 {
				p.Weights = w
			}
		}
	}
	intense := a.intense(ctx, ref, job, rs)
	for _, q := range job.Questions {
		if q.HighIntensity && !intense {
			continue // the team's recent overtime does not call for it (the intensity rule)
		}
		qd := q.Dimensions
		if len(qd) == 0 {
			qd = dims
		}
		p.Questions = append(p.Questions, QuestionRef{ID: q.ID, Kind: q.Kind, Dimensions: qd})
	}
	return p
}

// intense evaluates the rule set's intensity rule (or the default) over the team's overtime
// in the last 28 days of rosters, when the job has high-intensity questions at all, and
// records the decision with its inputs (the API shows the application the same questions).
// A rule that cannot be evaluated leaves them out: the interview is never harder by accident.
// An earlier attempt's recorded decision stands (BeginApplication may be retried).
func (a *Activities) intense(ctx context.Context, ref AppRef, job hireflow.Job, rs pinned) bool {
	has := false
	for _, q := range job.Questions {
		has = has || q.HighIntensity
	}
	if !has {
		return false
	}
	src := rs.Rules[rules.RuleIntensity]
	if src == "" {
		src = rules.Defaults[rules.RuleIntensity]
	}
	prog, err := rules.Compile(rules.RuleIntensity, src)
	if err != nil {
		return false
	}
	size, hours, days, err := a.Store.TeamOvertime(ctx, job.OrgID, time.Now().AddDate(0, 0, -28))
	if err != nil {
		return false
	}
	team := rules.TeamLoad{Size: size, OvertimeHours: hours, OvertimeDays: days}
	if size > 0 {
		team.OvertimeHoursPerPerson = hours / float64(size)
	}
	req := job.Requirements
	ok, err := prog.Intense(ctx, rules.IntensityEnv{Team: team, Job: rules.JobFacts{Must: req.MustSkills, Nice: req.NiceSkills, MinYears: req.MinYears,
		Education: req.Education, EducationRank: resume.EducationRank(req.Education), Languages: req.Languages}})
	outcome := "skip"
	if err == nil && ok {
		outcome = "ask"
	}
	d, rerr := a.Store.DecisionRecord(ctx, ref.OrgID, hireflow.Decision{ApplicationID: ref.ApplicationID, Kind: "intensity", RuleSetID: rs.id,
		RuleVersion: rs.version, RuleName: rules.RuleIntensity, RuleSource: src,
		Inputs: map[string]any{"team": map[string]any{"size": team.Size, "overtime_hours": team.OvertimeHours,
			"overtime_hours_per_person": team.OvertimeHoursPerPerson, "overtime_days": team.OvertimeDays}}, Outcome: outcome}, "intensity")
	if rerr != nil {
		return false
	}
	return d.Outcome == "ask"
}
