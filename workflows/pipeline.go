package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

// pipelineRun runs the pinned pipeline after the invitation: interviews, scoring, routing,
// review, offer with its approval chain, onboarding and probation.
type pipelineRun struct {
	*applicationRun
	answerOf     map[string]string // question → newest answer
	seen         map[string]bool   // answer IDs already handled
	results      map[string]activities.ScoreResult
	pending      int
	samples      map[string][]float64 // dimension → scores (answers and live rounds)
	flags        rules.RoutingFlags
	interviews   bool
	routed       bool
	feedback     map[string]FeedbackUpdate // interviewer → feedback, current round
	reviews      []ReviewUpdate
	draft        *DraftOfferUpdate
	offerOpen    bool
	response     *OfferResponse
	probation    *ProbationUpdate
	probationDue bool
	reviewNeed   int
	next         StageRef // the stage after the current one
	early        string   // first shape: a stage whose human step is accepted before the workflow reaches it
	questions    map[string]QuestionRef
}

func newPipeline(r *applicationRun) *pipelineRun {
	l := &pipelineRun{applicationRun: r, answerOf: map[string]string{}, seen: map[string]bool{}, results: map[string]activities.ScoreResult{},
		samples: map[string][]float64{}, feedback: map[string]FeedbackUpdate{}, questions: map[string]QuestionRef{}}
	l.setQuestions(r.in.Questions)
	return l
}

func (l *pipelineRun) setQuestions(qs []QuestionRef) {
	for _, q := range qs {
		l.questions[q.ID] = q
	}
}

func (l *pipelineRun) stages() []StageRef {
	if len(l.in.Pipeline) > 0 {
		return l.in.Pipeline
	}
	var out []StageRef
	for _, s := range rules.DefaultPipeline {
		out = append(out, StageRef{Kind: s.Stage})
	}
	return out
}

func (l *pipelineRun) run(expires time.Time) error {
	round := 0
	stages := l.stages()
	for i, st := range stages {
		l.next = StageRef{}
		if i+1 < len(stages) {
			l.next = stages[i+1]
		}
		if l.stop != "" {
			return errWithdrawn
		}
		if st.Kind == rules.StageScreen {
			continue
		}
		if !l.when(st.When) {
			continue
		}
		var err error
		switch st.Kind {
		case rules.StageVideoInterview:
			l.interviews = true
			err = l.videoInterview(expires)
		case rules.StageLiveRound:
			l.interviews = true
			round++
			err = l.liveRound(round, st.Params)
		default:
			if err = l.route(st); err == nil && (l.state.Status == hireflow.StatusActive || l.state.Status == hireflow.StatusHired) {
				switch st.Kind {
				case rules.StageReview:
					err = l.review(st.Params)
				case rules.StageOffer:
					err = l.offer()
				case rules.StageOnboard:
					err = l.onboard()
				case rules.StageProbation:
					err = l.probationStage(st.Params)
				}
			}
		}
		if err != nil {
			return err
		}
		if l.state.Status != hireflow.StatusActive && l.state.Status != hireflow.StatusHired {
			return nil // rejected, expired, declined: the stage closed the application
		}
	}
	if err := l.route(StageRef{}); err != nil || l.state.Status != hireflow.StatusActive {
		return err
	}
	if l.state.Stage == hireflow.StageProbation || l.state.Stage == hireflow.StageCompleted {
		return nil
	}
	// A pipeline that ends before onboarding completes the process here.
	return l.close(hireflow.StageCompleted, l.state.Status)
}

// when evaluates a stage condition deterministically over the facts the workflow holds.
func (l *pipelineRun) when(src string) bool {
	if src == "" {
		return true
	}
	// expr's compiler ranges over maps while it builds the environment's types, which
	// workflowcheck reports; the compiled program and its result depend only on src and the
	// facts, and the map builtins a rule can call are ordered (rules/funcs.go).
	ok, err := rules.When(src, rules.PipelineEnv{Screening: string(l.state.ScreenOutcome), Overall: l.state.Overall, Flags: l.flags}) //workflowcheck:ignore
	return err != nil || ok                                                                                                           // a broken condition keeps the stage: a person sees more, never less
}

// ---------------------------------------------------------------- handlers

func (l *pipelineRun) registerHandlers() error {
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalAnswerSubmitted)
		for {
			var s AnswerSignal
			ch.Receive(ctx, &s)
			l.onAnswer(s)
		}
	})
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalInvitationOpened)
		for {
			ch.Receive(ctx, nil)
			l.onInvitationOpened(ctx)
		}
	})
	onSignal(l.ctx, SignalConsentGiven, func(ctx workflow.Context, s ConsentSignal) {
		l.notify(ctx, activities.CandidateNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeConsent, Key: s.NoticeVersion,
			Detail: workflow.Now(ctx).UTC().Format("2006-01-02 15:04 UTC")})
	})
	onSignal(l.ctx, SignalLinkRenewal, func(ctx workflow.Context, s LinkRenewalSignal) {
		l.notify(ctx, activities.CandidateNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeNewLink, Key: s.Bucket,
			WithLink: true, LinkTTL: s.TTL, RevokeOld: true})
	})
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalOfferResponse)
		for {
			var s OfferResponse
			ch.Receive(ctx, &s)
			// The API lets candidates answer once the chain approved (the child records that
			// before the parent hears of it), so keep an answer that arrives in between.
			if l.offerOpen && l.response == nil {
				l.response = &s
			}
		}
	})
	reg := func(name string, fn, validator any) error {
		return workflow.SetUpdateHandlerWithOptions(l.ctx, name, fn, workflow.UpdateHandlerOptions{Validator: validator})
	}
	if err := reg(UpdateInterviewFeedback, func(ctx workflow.Context, f FeedbackUpdate) (UpdateAck, error) {
		l.feedback[f.InterviewerID] = f
		l.state.Feedback = len(l.feedback)
		return l.ack(), nil
	}, func(ctx workflow.Context, f FeedbackUpdate) error { return l.validateFeedback(f) }); err != nil {
		return err
	}
	if err := reg(UpdateReview, func(ctx workflow.Context, u ReviewUpdate) (UpdateAck, error) {
		l.reviews = append(l.reviews, u)
		l.state.Reviews = len(l.reviews)
		return l.ack(), nil
	}, func(ctx workflow.Context, u ReviewUpdate) error { return l.validateReview(u) }); err != nil {
		return err
	}
	if err := reg(UpdateDraftOffer, func(ctx workflow.Context, u DraftOfferUpdate) (UpdateAck, error) {
		l.draft = &u
		return l.ack(), nil
	}, func(ctx workflow.Context, u DraftOfferUpdate) error {
		if (l.state.Stage != hireflow.StageOffer && l.early != rules.StageOffer) || l.offerOpen || l.draft != nil {
			return temporal.NewApplicationError("the application is not waiting for an offer draft", "not_awaiting_offer")
		}
		if u.OfferID == "" || u.UserID == "" {
			return temporal.NewApplicationError("offer and user are required", "invalid_offer")
		}
		return nil
	}); err != nil {
		return err
	}
	return reg(UpdateProbationEvaluation, func(ctx workflow.Context, u ProbationUpdate) (UpdateAck, error) {
		l.probation = &u
		return l.ack(), nil
	}, func(ctx workflow.Context, u ProbationUpdate) error {
		if l.state.Stage != hireflow.StageProbation || l.probation != nil || !l.probationDue {
			return temporal.NewApplicationError("no probation evaluation is due", "not_awaiting_probation")
		}
		if u.Role != hireflow.RoleHiringManager && u.Role != hireflow.RoleRecruiter {
			return temporal.NewApplicationError("only a hiring manager or recruiter evaluates probation", "role_not_allowed")
		}
		if u.Outcome != "pass" && u.Outcome != "extend" && u.Outcome != "fail" {
			return temporal.NewApplicationError("outcome must be pass, extend or fail", "invalid_outcome")
		}
		if u.Rating < 1 || u.Rating > 5 {
			return temporal.NewApplicationError("rating must be 1 to 5", "rating_out_of_range")
		}
		return nil
	})
}

// onSignal handles every signal of one name, in order, in a goroutine of its own.
func onSignal[T any](ctx workflow.Context, name string, fn func(workflow.Context, T)) {
	workflow.Go(ctx, func(gctx workflow.Context) {
		ch := workflow.GetSignalChannel(gctx, name)
		for {
			var v T
			ch.Receive(gctx, &v)
			fn(gctx, v)
		}
	})
}

// notify sends a candidate notice from a signal's goroutine (ctx is that goroutine's). A
// notice that cannot be sent is logged: it must not stop the application.
func (l *pipelineRun) notify(ctx workflow.Context, in activities.CandidateNoticeInput) {
	if err := workflow.ExecuteActivity(ctx, a.NotifyCandidate, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("notice not sent", "kind", in.Kind, "err", err.Error())
	}
}

func (l *pipelineRun) ack() UpdateAck { return UpdateAck{Stage: l.state.Stage, Status: l.state.Status} }

// slaWait waits for done with a reminder after one SLA period and an escalation to the
// recruiters after the second; then it waits without further timers.
func (l *pipelineRun) slaWait(done func() bool, sla time.Duration, reminder, key string, roles []hireflow.Role, what string) error {
	for n := 1; n <= 2 && !done(); n++ {
		timedOut, err := l.wait(sla, done)
		if err != nil {
			return err
		}
		if !timedOut {
			break
		}
		in := activities.StaffNoticeInput{AppRef: l.ref, Kind: reminder, Key: key, Roles: roles}
		if n == 2 {
			in = activities.StaffNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeEscalation, Key: key, Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: what}
		}
		if err := l.exec(a.NotifyStaff, in, nil); err != nil {
			return err
		}
	}
	if err := workflow.Await(l.ctx, func() bool { return l.stop != "" || done() }); err != nil {
		return err
	}
	if l.stop != "" {
		return errWithdrawn
	}
	return nil
}

// ---------------------------------------------------------------- helpers

func param(params map[string]string, key string, def int) int {
	if v, err := strconv.Atoi(params[key]); err == nil && v > 0 {
		return v
	}
	return def
}

func sortedKeys[V any](m map[string]V) []string { return workflow.DeterministicKeys(m) }
