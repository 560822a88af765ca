package workflows

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/mail"
	"github.com/hireflow/hireflow/rules"
)

// maxOffers bounds how many offers one application may go through (approval rejected → redraft).
const maxOffers = 3

// lifecycle runs the pinned pipeline after the invitation: interviews, scoring, routing,
// review, offer with its approval chain, onboarding and probation.
type lifecycle struct {
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
	early        string   // a stage whose human step is accepted before the workflow reaches it
	questions    map[string]QuestionRef
}

func newLifecycle(r *applicationRun) *lifecycle {
	l := &lifecycle{applicationRun: r, answerOf: map[string]string{}, seen: map[string]bool{}, results: map[string]activities.ScoreResult{},
		samples: map[string][]float64{}, feedback: map[string]FeedbackUpdate{}, questions: map[string]QuestionRef{}}
	for _, q := range r.in.Questions {
		l.questions[q.ID] = q
	}
	return l
}

func (l *lifecycle) stages() []StageRef {
	if len(l.in.Pipeline) > 0 {
		return l.in.Pipeline
	}
	var out []StageRef
	for _, s := range rules.DefaultPipeline {
		out = append(out, StageRef{Kind: s.Stage})
	}
	return out
}

func (l *lifecycle) run(expires time.Time) error {
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
func (l *lifecycle) when(src string) bool {
	if src == "" {
		return true
	}
	// expr's compiler ranges over maps while it builds the environment's types, which
	// workflowcheck reports; the compiled program and its result depend only on src and the
	// facts, and the map builtins a rule can call are ordered (rules/funcs.go).
	ok, err := rules.When(src, rules.PipelineEnv{Screening: string(l.state.ScreenOutcome), Overall: l.state.Overall, Flags: l.flags}) //workflowcheck:ignore
	return err != nil || ok // a broken condition keeps the stage: a person sees more, never less
}

// ---------------------------------------------------------------- handlers

func (l *lifecycle) registerHandlers() error {
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, SignalAnswerSubmitted)
		for {
			var s AnswerSignal
			ch.Receive(ctx, &s)
			l.onAnswer(s)
		}
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

func (l *lifecycle) ack() UpdateAck { return UpdateAck{Stage: l.state.Stage, Status: l.state.Status} }

// ---------------------------------------------------------------- video interview

func (l *lifecycle) onAnswer(s AnswerSignal) {
	q, ok := l.questions[s.QuestionID]
	if !ok || s.AnswerID == "" || l.seen[s.AnswerID] || l.state.Stage == hireflow.StageExpired {
		return
	}
	l.seen[s.AnswerID] = true
	if prev, ok := l.answerOf[s.QuestionID]; ok {
		delete(l.results, prev) // a retake replaces the earlier answer
	}
	l.answerOf[s.QuestionID] = s.AnswerID
	l.state.Answers = len(l.answerOf)
	if l.state.Stage == hireflow.StageInvited {
		l.state.Stage = hireflow.StageInterview
	}
	// Scoring starts as soon as the answer arrives, on the scoring worker's own task queue.
	sctx := workflow.WithActivityOptions(l.ctx, workflow.ActivityOptions{
		TaskQueue: l.in.ScoringQueue, StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{activities.ErrTypePermanent, "corrupt_media"}},
	})
	l.pending++
	var weights map[string]float64
	for _, d := range q.Dimensions {
		if w, ok := l.in.Weights[d]; ok {
			if weights == nil {
				weights = map[string]float64{}
			}
			weights[d] = w
		}
	}
	f := workflow.ExecuteActivity(sctx, activities.ScoreAnswerName, activities.ScoreInput{AppRef: l.ref, AnswerID: s.AnswerID,
		QuestionID: s.QuestionID, Dimensions: q.Dimensions, Weights: weights})
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		var res activities.ScoreResult
		if err := f.Get(ctx, &res); err != nil {
			// A scoring failure goes to a person, never to an automatic reject.
			res = activities.ScoreResult{AnswerID: s.AnswerID, Flags: rules.RoutingFlags{ScoringFailed: true}}
		}
		if l.answerOf[s.QuestionID] == s.AnswerID {
			l.results[s.AnswerID] = res
		}
		l.pending--
		l.state.Scored = len(l.results)
	})
}

func (l *lifecycle) interviewComplete() bool {
	if len(l.answerOf) < len(l.in.Questions) || l.pending > 0 {
		return false
	}
	for _, q := range sortedKeys(l.answerOf) {
		if _, ok := l.results[l.answerOf[q]]; !ok {
			return false
		}
	}
	return true
}

func (l *lifecycle) videoInterview(expires time.Time) error {
	if len(l.in.Questions) == 0 {
		return nil
	}
	// One reminder if the interview is not complete by the reminder time, then the deadline.
	remindAt := workflow.Now(l.ctx).Add(l.in.Timings.InviteReminderAfter)
	if remindAt.Before(expires) {
		timedOut, err := l.wait(remindAt.Sub(workflow.Now(l.ctx)), l.interviewComplete)
		if err != nil {
			return err
		}
		if timedOut {
			l.state.Reminders++
			if err := l.exec(a.NotifyCandidate, activities.CandidateNoticeInput{AppRef: l.ref, Kind: mail.KindInterviewReminder,
				Key: "1", WithLink: true, LinkTTL: expires.Sub(workflow.Now(l.ctx)), Detail: expires.UTC().Format("2006-01-02 15:04 UTC")}, nil); err != nil {
				return err
			}
		}
	}
	if !l.interviewComplete() {
		timedOut, err := l.wait(expires.Sub(workflow.Now(l.ctx)), l.interviewComplete)
		if err != nil {
			return err
		}
		if timedOut {
			return l.close(hireflow.StageExpired, hireflow.StatusExpired)
		}
	}
	// Combine the answers' dimension scores (question order keeps this deterministic).
	for _, q := range l.in.Questions {
		res := l.results[l.answerOf[q.ID]]
		for _, d := range sortedKeys(res.Scores) {
			l.samples[d] = append(l.samples[d], res.Scores[d])
		}
		f := res.Flags
		l.flags.LowConfidence = l.flags.LowConfidence || f.LowConfidence
		l.flags.TooShort = l.flags.TooShort || f.TooShort
		l.flags.MostlySilence = l.flags.MostlySilence || f.MostlySilence
		l.flags.ScoringFailed = l.flags.ScoringFailed || f.ScoringFailed
	}
	return nil
}

// ---------------------------------------------------------------- live rounds

func (l *lifecycle) validateFeedback(f FeedbackUpdate) error {
	if l.state.Stage != hireflow.StageLiveRound || f.Round != l.state.Round {
		return temporal.NewApplicationError(fmt.Sprintf("live round %d is not waiting for feedback", f.Round), "not_in_round")
	}
	if f.Role != hireflow.RoleInterviewer && f.Role != hireflow.RoleHiringManager {
		return temporal.NewApplicationError("only interviewers and hiring managers give interview feedback", "role_not_allowed")
	}
	if _, dup := l.feedback[f.InterviewerID]; dup || f.InterviewerID == "" {
		return temporal.NewApplicationError("this interviewer already gave feedback for this round", "duplicate_feedback")
	}
	if len(f.Ratings) == 0 {
		return temporal.NewApplicationError("ratings are required", "ratings_required")
	}
	for _, d := range sortedKeys(f.Ratings) {
		if _, known := l.in.Weights[d]; !known && len(l.in.Weights) > 0 {
			return temporal.NewApplicationError(fmt.Sprintf("unknown dimension %q", d), "unknown_dimension")
		}
		if v := f.Ratings[d]; v < 1 || v > 5 {
			return temporal.NewApplicationError(fmt.Sprintf("rating for %s must be 1 to 5", d), "rating_out_of_range")
		}
	}
	switch f.Recommendation {
	case "advance", "hold", "reject":
	default:
		return temporal.NewApplicationError("recommendation must be advance, hold or reject", "invalid_recommendation")
	}
	return nil
}

func (l *lifecycle) liveRound(round int, params map[string]string) error {
	need := param(params, "interviewers", 1)
	l.feedback = map[string]FeedbackUpdate{}
	l.state.Round, l.state.Feedback = round, 0
	l.setStage(hireflow.StageLiveRound, hireflow.StatusActive)
	done := func() bool { return len(l.feedback) >= need }
	key := "round" + strconv.Itoa(round)
	if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: mail.KindFeedbackRequest, Key: key,
		Roles: []hireflow.Role{hireflow.RoleInterviewer}}, nil); err != nil {
		return err
	}
	if err := l.slaWait(done, l.in.Lifecycle.FeedbackSLA, mail.KindFeedbackReminder, key, []hireflow.Role{hireflow.RoleInterviewer}, "interview feedback"); err != nil {
		return err
	}
	for _, id := range sortedKeys(l.feedback) {
		f := l.feedback[id]
		for _, d := range sortedKeys(f.Ratings) {
			l.samples[d] = append(l.samples[d], float64(f.Ratings[d]-1)*25) // 1..5 → 0..100
		}
	}
	return nil
}

// slaWait waits for done with a reminder after one SLA period and an escalation to the
// recruiters after the second; then it waits without further timers.
func (l *lifecycle) slaWait(done func() bool, sla time.Duration, reminder, key string, roles []hireflow.Role, what string) error {
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
			in = activities.StaffNoticeInput{AppRef: l.ref, Kind: mail.KindEscalation, Key: key, Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: what}
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

// ---------------------------------------------------------------- scoring and routing

// combine turns the samples into per-dimension scores and the weighted overall.
func (l *lifecycle) combine() (map[string]float64, float64) {
	scores := map[string]float64{}
	num, den := 0.0, 0.0
	for _, d := range sortedKeys(l.samples) {
		xs := l.samples[d]
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		s := math.Round(sum/float64(len(xs))*10) / 10
		scores[d] = s
		w, ok := l.in.Weights[d]
		if !ok {
			if len(l.in.Weights) > 0 {
				continue
			}
			w = 1
		}
		num += w * s
		den += w
	}
	overall := 0.0
	if den > 0 {
		overall = math.Round(num/den*10) / 10
	}
	return scores, overall
}

// route runs once, when the interviews are over and before the next stage (next).
func (l *lifecycle) route(next StageRef) error {
	if l.routed || !l.interviews {
		return nil
	}
	l.routed = true
	scores, overall := l.combine()
	l.state.Overall = overall
	l.state.Flags = flagNames(l.flags)
	var res activities.RouteResult
	// The review request goes out from the routing activity, before this workflow hears the
	// outcome: accept reviews from that moment.
	if next.Kind == rules.StageReview {
		l.early, l.reviewNeed = rules.StageReview, param(next.Params, "required", 1)
	}
	if err := l.exec(a.RouteApplication, activities.RouteInput{AppRef: l.ref, Scores: scores, Overall: overall,
		Flags: l.flags, HumanOnly: l.state.HumanOnly, NotifyReviewers: next.Kind == rules.StageReview,
		ConfirmInterview: len(l.answerOf) > 0}, &res); err != nil {
		return err
	}
	if res.Outcome != "advance" {
		l.early, l.reviews = "", nil
	}
	return l.follow(res.Outcome)
}

// follow acts on advance / hold / reject: a hold waits for a recruiter's decision.
func (l *lifecycle) follow(outcome string) error {
	switch outcome {
	case "advance":
		return nil
	case "hold":
		l.setStage(hireflow.StageHold, hireflow.StatusActive)
		if err := l.awaitRecruiter(); err != nil {
			return err
		}
		if l.decision.Outcome == hireflow.ScreenPass {
			return nil
		}
	}
	return l.reject()
}

func flagNames(f rules.RoutingFlags) []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.LowConfidence, "low_confidence"}, {f.TooShort, "too_short"}, {f.MostlySilence, "mostly_silence"}, {f.ScoringFailed, "scoring_failed"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

// ---------------------------------------------------------------- review

func (l *lifecycle) validateReview(u ReviewUpdate) error {
	if (l.state.Stage != hireflow.StageReview && l.early != rules.StageReview) || len(l.reviews) >= l.reviewNeed {
		return temporal.NewApplicationError("the application is not in review", "not_in_review")
	}
	switch u.Role {
	case hireflow.RoleHiringManager, hireflow.RoleInterviewer, hireflow.RoleRecruiter:
	default:
		return temporal.NewApplicationError("your role does not review applications", "role_not_allowed")
	}
	for _, r := range l.reviews {
		if r.ReviewerID == u.ReviewerID {
			return temporal.NewApplicationError("you already reviewed this application", "duplicate_review")
		}
	}
	if u.Rating < 1 || u.Rating > 5 || math.IsNaN(u.Rating) {
		return temporal.NewApplicationError("rating must be 1 to 5", "rating_out_of_range")
	}
	switch u.Decision {
	case "advance", "hold":
	case "reject":
		if !contains(ReasonCodes, u.ReasonCode) {
			return temporal.NewApplicationError(fmt.Sprintf("a rejection needs a reason code: one of %v", ReasonCodes), "reason_required")
		}
	default:
		return temporal.NewApplicationError("decision must be advance, hold or reject", "invalid_decision")
	}
	return nil
}

func (l *lifecycle) review(params map[string]string) error {
	need := param(params, "required", 1)
	if l.early != rules.StageReview {
		l.reviews = nil
	}
	l.reviewNeed, l.early = need, ""
	l.setStage(hireflow.StageReview, hireflow.StatusActive)
	if !l.interviews {
		// Without interviews there was no routing to send the review request.
		if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: mail.KindReviewRequest, Key: "review",
			Roles: []hireflow.Role{hireflow.RoleHiringManager}}, nil); err != nil {
			return err
		}
	}
	done := func() bool { return len(l.reviews) >= need }
	if err := l.slaWait(done, l.in.Lifecycle.ReviewSLA, mail.KindReviewReminder, "review", []hireflow.Role{hireflow.RoleHiringManager}, "review"); err != nil {
		return err
	}
	in := activities.ReviewsInput{AppRef: l.ref, Required: need}
	for _, r := range l.reviews {
		in.Reviews = append(in.Reviews, activities.ReviewRecord{ReviewerID: r.ReviewerID, Role: string(r.Role), Rating: r.Rating,
			Decision: r.Decision, ReasonCode: r.ReasonCode})
	}
	var res activities.RouteResult
	// RecordReviews moves the application to the offer stage in PostgreSQL: a recruiter may
	// draft from that moment.
	if l.next.Kind == rules.StageOffer {
		l.early = rules.StageOffer
	}
	if err := l.exec(a.RecordReviews, in, &res); err != nil {
		return err
	}
	if res.Outcome != "advance" {
		l.early, l.draft = "", nil
	}
	return l.follow(res.Outcome)
}

// ---------------------------------------------------------------- offer

func (l *lifecycle) offer() error {
	l.setStage(hireflow.StageOffer, hireflow.StatusActive)
	l.early = ""
	for l.state.Offers < maxOffers {
		if l.state.Offers > 0 {
			l.draft = nil
		}
		l.offerOpen, l.response = false, nil
		drafted := func() bool { return l.draft != nil }
		if err := l.slaWait(drafted, l.in.Lifecycle.ReviewSLA, mail.KindOfferDraftReminder, "offer"+strconv.Itoa(l.state.Offers),
			[]hireflow.Role{hireflow.RoleRecruiter}, "offer draft"); err != nil {
			return err
		}
		l.state.Offers++
		l.state.OfferID, l.offerOpen = l.draft.OfferID, true
		// The approval chain runs as a child workflow; cancelling the parent's context (withdrawal)
		// cancels it too.
		cctx, cancel := workflow.WithCancel(l.ctx)
		child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
			WorkflowID: "approval/" + l.draft.OfferID, ParentClosePolicy: enums.PARENT_CLOSE_POLICY_TERMINATE}),
			ApprovalWorkflow, ApprovalInput{OrgID: l.in.OrgID, ApplicationID: l.in.ApplicationID, OfferID: l.draft.OfferID,
				SLA: l.in.Lifecycle.ApprovalSLA, MaxReminders: 2})
		var ar ApprovalResult
		var childErr error
		childDone := false
		workflow.Go(l.ctx, func(ctx workflow.Context) {
			childErr = child.Get(ctx, &ar)
			childDone = true
		})
		if err := workflow.Await(l.ctx, func() bool { return childDone || l.stop != "" }); err != nil {
			cancel()
			return err
		}
		if l.stop != "" {
			cancel()
			return errWithdrawn
		}
		cancel()
		if childErr != nil {
			return childErr
		}
		l.state.ApprovalOutcome = ar.Outcome
		if ar.Outcome != "approved" {
			l.offerOpen, l.response = false, nil
			continue // the recruiter may draft another offer
		}
		// The candidate accepts or declines before the offer expires.
		timedOut, err := l.wait(l.in.Lifecycle.OfferExpiresAfter, func() bool { return l.response != nil })
		if err != nil {
			return err
		}
		in := activities.CloseInput{AppRef: l.ref, OfferID: l.state.OfferID}
		switch {
		case timedOut:
			in.Stage, in.Status, in.Notice, in.OfferStatus = hireflow.StageExpired, hireflow.StatusExpired, mail.KindOfferExpired, "expired"
		case !l.response.Accept:
			in.Stage, in.Status, in.Notice, in.OfferStatus, in.ReasonCode = hireflow.StageDeclined, hireflow.StatusDeclined, mail.KindOfferDeclined, "declined", l.response.ReasonCode
		default:
			l.offerOpen = false
			return nil // accepted: onboarding records it
		}
		l.offerOpen = false
		return l.closeWith(in)
	}
	return l.close(hireflow.StageCancelled, hireflow.StatusCancelled)
}

// ---------------------------------------------------------------- onboarding and probation

func (l *lifecycle) onboard() error {
	if l.state.OfferID == "" {
		return nil // no offer stage in this pipeline
	}
	var res activities.OnboardResult
	if err := l.exec(a.OnboardEmployee, activities.OnboardInput{AppRef: l.ref, OfferID: l.state.OfferID}, &res); err != nil {
		return err
	}
	// Onboarding is immediate; the search attributes go straight to what the next months are.
	stage := hireflow.StageOnboarding
	if l.next.Kind == rules.StageProbation {
		stage = hireflow.StageProbation
	}
	l.setStage(stage, hireflow.StatusHired)
	return nil
}

func (l *lifecycle) probationStage(params map[string]string) error {
	length := l.in.Lifecycle.ProbationLength
	if days := param(params, "days", 0); days > 0 {
		length = time.Duration(days) * 24 * time.Hour
	}
	l.state.Stage = hireflow.StageProbation
	// The probation period itself: only a stop signal ends it early.
	if _, err := l.wait(length, nil); err != nil {
		return err
	}
	l.probationDue = true // before the email: the manager may answer it at once
	if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: mail.KindProbationRequest, Key: "probation",
		Roles: []hireflow.Role{hireflow.RoleHiringManager}}, nil); err != nil {
		return err
	}
	done := func() bool { return l.probation != nil }
	if err := l.slaWait(done, l.in.Lifecycle.ProbationSLA, mail.KindProbationReminder, "probation", []hireflow.Role{hireflow.RoleHiringManager}, "probation evaluation"); err != nil {
		return err
	}
	p := l.probation
	if err := l.exec(a.RecordProbation, activities.ProbationInput{AppRef: l.ref, ManagerID: p.ManagerID, Outcome: p.Outcome, Rating: p.Rating}, nil); err != nil {
		return err
	}
	// No search-attribute upsert here (one billable action per hire): a finished hire is found as
	// ExecutionStatus="Completed" AND HireflowStatus="hired"; its stage attribute stays
	// "probation", PostgreSQL records "completed" and the probation outcome.
	l.state.Stage = hireflow.StageCompleted
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
