package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
)

// ScoreInput asks the scoring worker to score one answer.
type ScoreInput struct {
	AppRef
	AnswerID   string
	QuestionID string
	Dimensions []string
	Weights    map[string]float64 `json:",omitempty"` // the rule set's weights of these dimensions: the answer's overall
	// Enter is the stage the workflow moved to when this answer arrived (the first answer of a
	// candidate who never opened the page moves invited → interview), recorded with the score.
	Enter *StageChange `json:",omitempty"`
}

// ScoreResult is one answer's per-dimension scores and flags.
type ScoreResult struct {
	AnswerID string
	Scores   map[string]float64
	Overall  float64
	Flags    rules.RoutingFlags
}

// ScoreAnswerName is the activity type the scoring worker registers on its own task queue.
const ScoreAnswerName = "ScoreAnswer"

// ScoreAnswer scores a typed answer with the offline content scorer and stores the result. A
// recorded answer needs the speech pipeline of the scoring worker; without it the answer is
// flagged for a person, never scored silently.
func (a *Activities) ScoreAnswer(ctx context.Context, in ScoreInput) (ScoreResult, error) {
	ans, err := a.Store.AnswerGet(ctx, in.OrgID, in.AnswerID)
	if err != nil {
		return ScoreResult{}, permanent(err)
	}
	started := time.Now()
	defer func() { a.Metrics.scored(in.OrgID, a.jobOf(ctx, in.AppRef), ans.Kind, time.Since(started).Seconds()) }()
	res := ScoreResult{AnswerID: in.AnswerID, Scores: map[string]float64{}}
	q := a.question(ctx, in.AppRef, ans)
	q.Dims, q.Weights = in.Dimensions, in.Weights
	content, err := a.contentScorer(ctx, in.AppRef, &q)
	if err != nil {
		return res, err
	}
	if ans.Kind == "video" && a.Speech != nil {
		// The I/O is here; the pipeline (internal/analysis/speech) only turns bytes into a report.
		var recording []byte
		if ans.ObjectID != "" {
			o, err := a.Store.StoredObjectGet(ctx, in.OrgID, ans.ObjectID)
			if err != nil {
				return res, err
			}
			if recording, err = a.Objects.Read(ctx, o); err != nil {
				return res, err
			}
		}
		heartbeat := func(step string) {
			if activity.IsActivity(ctx) {
				activity.RecordHeartbeat(ctx, step)
			}
		}
		r, err := speech.ScoreRecording(ctx, *a.Speech, recording, q, content, heartbeat)
		if errors.Is(err, speech.ErrCorrupt) {
			return res, temporal.NewNonRetryableApplicationError(err.Error(), "corrupt_media", nil)
		}
		if err != nil {
			return res, err
		}
		if err := a.Store.AnswerScoreSave(ctx, in.OrgID, in.ApplicationID, in.AnswerID, r.Content.Scores, r.Content.Overall, r.Flags, r, speech.Method); err != nil {
			return res, err
		}
		res.Scores, res.Overall, res.Flags = r.Content.Scores, r.Content.Overall, r.Flags
		res.Flags.NeedsReview = len(r.Content.Review) > 0
	} else if ans.Kind == "video" {
		res.Flags.ScoringFailed = true
		if err := a.Store.AnswerScoreSave(ctx, in.OrgID, in.ApplicationID, in.AnswerID, res.Scores, 0, res.Flags,
			map[string]any{"note": "no speech scorer configured: a person reviews this answer"}, "none"); err != nil {
			return res, err
		}
	} else {
		q.Text = ans.Text
		out, err := content.Score(ctx, q)
		if err != nil {
			return res, err
		}
		res.Scores, res.Overall, res.Flags.TooShort = out.Scores, out.Overall, out.TooShort
		res.Flags.NeedsReview = len(out.Review) > 0
		if err := a.Store.AnswerScoreSave(ctx, in.OrgID, in.ApplicationID, in.AnswerID, out.Scores, out.Overall, res.Flags, out, scorerName(out)); err != nil {
			return res, err
		}
	}
	enter := in.Enter
	if in.legacy() {
		enter = &StageChange{Stage: hireflow.StageInterview, Status: hireflow.StatusActive, EventKey: "interview"}
	}
	if enter != nil {
		return res, a.enter(ctx, in.AppRef, *enter)
	}
	return res, nil
}

// contentScorer is the scorer of the answer's text: the deployment's language-model adapter when
// the organisation turned it on (told the candidate's name, so that it never leaves), else the
// configured or the offline scorer.
func (a *Activities) contentScorer(ctx context.Context, ref AppRef, q *scoring.Answer) (scoring.Scorer, error) {
	var content scoring.Scorer = scoring.Offline{}
	if a.Content != nil {
		content = a.Content
	}
	if a.LLM == nil {
		return content, nil
	}
	on, err := a.Store.OrgLLMScoring(ctx, ref.OrgID)
	if err != nil {
		return nil, err
	}
	if !on {
		return content, nil
	}
	c, err := a.Store.ApplicationContact(ctx, ref.OrgID, ref.ApplicationID)
	if err != nil {
		return nil, permanent(err)
	}
	q.Redact = []string{c.Name}
	l := *a.LLM
	l.Fallback = content
	return l, nil
}

// question is the question the answer replies to and its reference points, in the answer's
// language (empty if unknown).
func (a *Activities) question(ctx context.Context, ref AppRef, ans store.Answer) scoring.Answer {
	out := scoring.Answer{Lang: ans.Language}
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return out
	}
	job, err := a.Store.JobGet(ctx, ref.OrgID, app.JobID)
	if err != nil {
		return out
	}
	for _, q := range job.Questions {
		if q.ID == ans.QuestionID {
			out.Question, out.Points = q.TextEN, q.PointsEN
			if ans.Language == "zh" && q.TextZH != "" {
				out.Question, out.Points = q.TextZH, q.PointsZH
			}
			if len(out.Points) == 0 {
				out.Points = append(q.PointsEN, q.PointsZH...)
			}
		}
	}
	return out
}

// scorerName is the short name stored with a score: the offline scorer's version, or the
// external scorer's method.
func scorerName(r scoring.Result) string {
	if strings.HasPrefix(r.Method, scoring.Version) {
		return scoring.Version
	}
	if len(r.Method) > 80 {
		return r.Method[:80]
	}
	return r.Method
}
