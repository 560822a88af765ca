package workflows

import (
	"fmt"
	"strconv"
	"time"

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

func (l *pipelineRun) liveRound(round int, params map[string]string) error {
	need := param(params, "interviewers", 1)
	l.feedback = map[string]FeedbackUpdate{}
	l.state.Round, l.state.Feedback = round, 0
	l.setStage(hireflow.StageLiveRound, hireflow.StatusActive)
	done := func() bool { return len(l.feedback) >= need }
	key := "round" + strconv.Itoa(round)
	if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeFeedbackRequest, Key: key,
		Roles: []hireflow.Role{hireflow.RoleInterviewer}}, nil); err != nil {
		return err
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
