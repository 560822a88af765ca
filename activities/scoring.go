package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
		defer keepAlive(ctx)()
		prior := a.livePrior(ctx, in.AppRef, ans.QuestionID, recording)
		r, err := speech.ScoreRecordingAfter(ctx, a.speechFor(ctx, in.AppRef), recording, prior, q, content, heartbeat)
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
		// The pieces and what was transcribed of them served their purpose.
		if keys, err := a.Store.LiveDiscard(ctx, in.OrgID, in.ApplicationID, ans.QuestionID); err == nil {
			for _, k := range keys {
				_ = a.Objects.Delete(ctx, k)
			}
		}
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

// TranscribeLiveName is the activity type of TranscribeLive, on the scoring task queue.
const TranscribeLiveName = "TranscribeLive"

// LiveInput names one take of a recorded answer being uploaded in pieces.
type LiveInput struct {
	AppRef
	QuestionID string
	Take       string
}

// TranscribeLive decodes the next finished stretch of a recording the candidate is still
// making: it joins the take's pieces that have arrived (from the first, without a gap),
// extracts their audio and decodes from where the last stretch ended to the last pause a second
// before the end (speech.LiveStretch), and stores the words so far. Running it again on the
// same pieces changes nothing; a stretch is only ever moved forward.
func (a *Activities) TranscribeLive(ctx context.Context, in LiveInput) error {
	if a.Speech == nil {
		return nil
	}
	pieces, err := a.Store.Pieces(ctx, in.OrgID, in.ApplicationID, in.QuestionID, in.Take)
	if err != nil || len(pieces) == 0 {
		return err
	}
	lt, _, err := a.Store.LiveTranscriptGet(ctx, in.OrgID, in.ApplicationID, in.QuestionID, in.Take)
	if err != nil {
		return err
	}
	var total int64
	for _, p := range pieces {
		total += int64(p.Bytes)
	}
	if total <= lt.Bytes {
		return nil
	}
	var joined bytes.Buffer
	for _, p := range pieces {
		o, err := a.Store.StoredObjectGet(ctx, in.OrgID, p.ObjectID)
		if err != nil {
			return permanent(err)
		}
		b, err := a.Objects.Read(ctx, o)
		if err != nil {
			return err
		}
		joined.Write(b)
	}
	dir, err := os.MkdirTemp("", "hireflow-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "pieces")
	if err := os.WriteFile(file, joined.Bytes(), 0o600); err != nil {
		return err
	}
	prior := speech.Prior{Until: lt.Until, Speaker: lt.Speaker, SpeakerUntil: lt.SpeakerUntil}
	if len(lt.Words) > 0 {
		if err := json.Unmarshal(lt.Words, &prior.Words); err != nil {
			return permanent(err)
		}
	}
	defer keepAlive(ctx)()
	tools := a.speechFor(ctx, in.AppRef)
	next, err := tools.LiveStretch(ctx, file, dir, prior)
	if errors.Is(err, speech.ErrCorrupt) {
		return nil // the pieces so far do not decode yet: the next ones will, or the whole recording will
	}
	if err != nil || next.Until <= lt.Until {
		return err
	}
	sum := sha256.Sum256(joined.Bytes())
	raw, _ := json.Marshal(next.Words)
	return a.Store.LiveTranscriptSave(ctx, in.OrgID, in.ApplicationID, in.QuestionID,
		store.LiveTranscript{Take: in.Take, Bytes: int64(joined.Len()), PrefixSHA256: sum[:], Until: next.Until, Words: raw,
			Speaker: next.Speaker, SpeakerUntil: next.SpeakerUntil})
}

// speechFor is the speech tools for the application's job: with the domain language model of
// its question bank (the English questions and reference points) when one can be built, else
// the generic model.
func (a *Activities) speechFor(ctx context.Context, ref AppRef) speech.Tools {
	tools := *a.Speech
	if a.LM == nil {
		return tools
	}
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return tools
	}
	job, err := a.Store.JobGet(ctx, ref.OrgID, app.JobID)
	if err != nil {
		return tools
	}
	var bank []string
	for _, q := range job.Questions {
		bank = append(append(bank, q.TextEN), q.PointsEN...)
	}
	if path, err := a.LM.For(ctx, bank); err == nil {
		tools.LM = path
	} else if activity.IsActivity(ctx) {
		activity.GetLogger(ctx).Warn("the job's language model could not be built; the generic one decodes", "job", job.ID, "err", err.Error())
	}
	return tools
}

// livePrior is what was transcribed of the recording while it was made: the furthest take whose
// joined pieces the recording begins with. Anything else (no pieces, a different take, a
// damaged transcript) decodes the whole recording.
func (a *Activities) livePrior(ctx context.Context, ref AppRef, questionID string, recording []byte) speech.Prior {
	lts, err := a.Store.LiveTranscriptsOf(ctx, ref.OrgID, ref.ApplicationID, questionID)
	if err != nil {
		return speech.Prior{}
	}
	for _, lt := range lts {
		if lt.Bytes <= 0 || lt.Bytes > int64(len(recording)) {
			continue
		}
		if sum := sha256.Sum256(recording[:lt.Bytes]); !bytes.Equal(sum[:], lt.PrefixSHA256) {
			continue
		}
		p := speech.Prior{Until: lt.Until, Speaker: lt.Speaker, SpeakerUntil: lt.SpeakerUntil}
		if json.Unmarshal(lt.Words, &p.Words) == nil {
			return p
		}
	}
	return speech.Prior{}
}

// keepAlive heartbeats every 15 s until the returned stop is called: building a job's language
// model or decoding a long recording twice (once adapted to the speaker) can take longer than
// the heartbeat timeout between two steps on a busy worker, and a worker that dies stops
// heartbeating, so the answer is retried elsewhere.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, "working")
			}
		}
	}()
	return func() { close(done) }
}
