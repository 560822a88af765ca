package workflows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

// onInvitationOpened starts the interview stage when the candidate opens the link (before any
// answer) and records it; the API only reports the page view. Histories before this signal
// existed never contain it, so replaying them is unchanged.
// ctx is the signal goroutine's own context.
func (l *pipelineRun) onInvitationOpened(ctx workflow.Context) {
	if l.state.Stage != hireflow.StageInvited {
		return
	}
	l.state.Stage = hireflow.StageInterview
	if err := workflow.ExecuteActivity(ctx, a.RecordStage, activities.StageInput{AppRef: l.ref, Stage: hireflow.StageInterview,
		Status: hireflow.StatusActive, EventKey: "interview"}).Get(ctx, nil); err != nil {
		workflow.GetLogger(l.ctx).Warn("stage not recorded", "err", err.Error())
	}
}

func (l *pipelineRun) onAnswer(s AnswerSignal) {
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
	var enter *activities.StageChange
	if l.state.Stage == hireflow.StageInvited {
		// The candidate answered without opening the page (an API client): the first answer's
		// scoring records the interview stage with its score.
		l.state.Stage = hireflow.StageInterview
		if l.recordsStage() {
			enter = &activities.StageChange{Stage: hireflow.StageInterview, Status: hireflow.StatusActive, EventKey: "interview"}
		}
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
		QuestionID: s.QuestionID, Dimensions: q.Dimensions, Weights: weights, Enter: enter})
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

func (l *pipelineRun) interviewComplete() bool {
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

func (l *pipelineRun) videoInterview(expires time.Time) error {
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
			if err := l.exec(a.NotifyCandidate, activities.CandidateNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeInterviewReminder,
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
		// Only results of scorers that can ask for a person carry it: replaying a history
		// recorded before it existed takes the same path.
		l.flags.NeedsReview = l.flags.NeedsReview || f.NeedsReview
	}
	return nil
}

func (l *pipelineRun) validateFeedback(f FeedbackUpdate) error {
	if l.state.Stage != hireflow.StageLiveRound || f.Round != l.state.Round {
		return temporal.NewApplicationError(fmt.Sprintf("live round %d is not waiting for feedback", f.Round), "not_in_round")
	}
	if f.Role != hireflow.RoleInterviewer && f.Role != hireflow.RoleHiringManager {
		return temporal.NewApplicationError("only interviewers and hiring managers give interview feedback", "role_not_allowed")
	}
	if _, dup := l.feedback[f.InterviewerID]; dup || f.InterviewerID == "" {
		return temporal.NewApplicationError("this interviewer already gave feedback for this round", "duplicate_feedback")
	}
	if f.NoShow && len(f.Ratings) > 0 {
		return temporal.NewApplicationError("a no-show is given without ratings", "ratings_for_no_show")
	}
	if len(f.Ratings) == 0 && !f.NoShow {
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

// VersionLiveRoundBooking marks the live round that books the interview against the rosters
// (SchedulingWorkflow) and records the live_round stage; histories without it replay the round
// that only waited for feedback.
const VersionLiveRoundBooking = "live-round-booking"

func (l *pipelineRun) liveRound(round int, params map[string]string) error {
	need := param(params, "interviewers", 1)
	l.feedback = map[string]FeedbackUpdate{}
	l.state.Round, l.state.Feedback = round, 0
	key := "round" + strconv.Itoa(round)
	booking := l.recordsStage() && workflow.GetVersion(l.ctx, VersionLiveRoundBooking, workflow.DefaultVersion, 1) == 1
	if !booking {
		l.setStage(hireflow.StageLiveRound, hireflow.StatusActive)
		return l.awaitFeedback(round, need, key, true)
	}
	if err := l.enter(activities.StageInput{Stage: hireflow.StageLiveRound, Status: hireflow.StatusActive, EventKey: "live_round:" + strconv.Itoa(round)}); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		res, err := l.scheduleRound(round, need, params)
		if err != nil {
			return err
		}
		// Without rosters people arrange the round, and the feedback request goes out now; a
		// booked round's panel was asked after the interview.
		if err := l.awaitFeedback(round, need, key, res.Status != InterviewHeld); err != nil {
			return err
		}
		if res.Status != InterviewHeld || !l.allNoShow() {
			return nil
		}
		// The candidate did not come: the stage's no_show rule reschedules (once by default)
		// or rejects.
		if params["no_show"] == "reject" || attempt > param(params, "no_show_reschedules", 1) {
			l.state.Feedback = 0
			return l.reject()
		}
		l.feedback = map[string]FeedbackUpdate{}
		l.state.Feedback = 0
		key = "round" + strconv.Itoa(round) + "-retry" + strconv.Itoa(attempt)
	}
}

func (l *pipelineRun) allNoShow() bool {
	if len(l.feedback) == 0 {
		return false
	}
	for _, id := range sortedKeys(l.feedback) {
		if !l.feedback[id].NoShow {
			return false
		}
	}
	return true
}

// awaitFeedback waits for the round's feedback with the SLA's reminders and keeps the ratings.
func (l *pipelineRun) awaitFeedback(round, need int, key string, request bool) error {
	done := func() bool { return len(l.feedback) >= need }
	if request {
		if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeFeedbackRequest, Key: key,
			Roles: []hireflow.Role{hireflow.RoleInterviewer}}, nil); err != nil {
			return err
		}
	}
	if err := l.slaWait(done, l.in.Steps.FeedbackSLA, hireflow.NoticeFeedbackReminder, key, []hireflow.Role{hireflow.RoleInterviewer}, "interview feedback"); err != nil {
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

// scheduleRound runs the round's SchedulingWorkflow as a child and waits for it; a withdrawal
// cancels it (it frees the time and sends the cancellation).
func (l *pipelineRun) scheduleRound(round, need int, params map[string]string) (SchedulingResult, error) {
	var required []string
	for _, id := range strings.Split(params["panel"], ",") {
		if id = strings.TrimSpace(id); id != "" {
			required = append(required, id)
		}
	}
	cctx, cancel := workflow.WithCancel(l.ctx)
	defer cancel()
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
		WorkflowID: hireflow.WorkflowIDForInterview(l.in.ApplicationID, round), ParentClosePolicy: enums.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		// Listed with the organisation's workflows (audits, history scans); IDs only.
		TypedSearchAttributes: temporal.NewSearchAttributes(SAOrg.ValueSet(l.in.OrgID))}),
		SchedulingWorkflow, SchedulingInput{OrgID: l.in.OrgID, ApplicationID: l.in.ApplicationID, Round: round,
			DurationMin: param(params, "duration_minutes", 45), Need: need, Required: required})
	var res SchedulingResult
	var childErr error
	childDone := false
	workflow.Go(l.ctx, func(ctx workflow.Context) {
		childErr = child.Get(ctx, &res)
		childDone = true
	})
	if err := workflow.Await(l.ctx, func() bool { return childDone || l.stop != "" }); err != nil {
		return res, err
	}
	if l.stop != "" {
		cancel()
		// Let the child free the time before the application closes.
		_ = workflow.Await(l.ctx, func() bool { return childDone })
		return res, errWithdrawn
	}
	return res, childErr
}
