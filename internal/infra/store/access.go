package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SubjectData is everything held about one application's candidate, decrypted, for the
// candidate's own copy (the right of access: PIPL art. 45, GDPR art. 15). Staff who looked
// at the data are named by role only.
type SubjectData struct {
	Candidate struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Phone string `json:"phone,omitempty"`
	} `json:"candidate"`
	Application struct {
		ID         string    `json:"id"`
		Job        string    `json:"job"`
		Employer   string    `json:"employer"`
		AppliedAt  time.Time `json:"applied_at"`
		Stage      string    `json:"stage"`
		Status     string    `json:"status"`
		Language   string    `json:"language"`
		Source     string    `json:"source,omitempty"`
		ResumeText string    `json:"resume_text,omitempty"`
	} `json:"application"`
	Stages    []SubjectEvent    `json:"stages"`
	Decisions []SubjectDecision `json:"decisions"` // filled by the caller, explained
	Answers   []SubjectAnswer   `json:"answers"`
	Feedback  []SubjectFeedback `json:"interview_feedback"`
	Offers    []SubjectOffer    `json:"offers"`
	Consents  []SubjectConsent  `json:"consents"`
	Reads     []SubjectRead     `json:"who_accessed"`
	Files     []StoredObject    `json:"-"`
}

// SubjectEvent is one stage the application entered.
type SubjectEvent struct {
	Stage  string    `json:"stage"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// SubjectDecision is one decision about the application, as explained to people.
type SubjectDecision struct {
	Kind        string    `json:"kind"`
	Outcome     string    `json:"outcome"`
	Explanation string    `json:"explanation,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Automated   bool      `json:"automated"`
	At          time.Time `json:"at"`
}

// SubjectAnswer is one interview answer with its scores and transcript.
type SubjectAnswer struct {
	ID         string             `json:"id"`
	QuestionID string             `json:"question_id"`
	Kind       string             `json:"kind"`
	Language   string             `json:"language"`
	Text       string             `json:"text,omitempty"`
	Transcript string             `json:"transcript,omitempty"`
	Overall    *float64           `json:"overall_score,omitempty"`
	Scores     map[string]float64 `json:"scores,omitempty"`
	Scorer     string             `json:"scorer,omitempty"`
	File       string             `json:"file,omitempty"` // the recording's name in the archive
	At         time.Time          `json:"at"`
}

// SubjectFeedback is a live-round assessment (the interviewer is not named).
type SubjectFeedback struct {
	Round          int            `json:"round"`
	Ratings        map[string]int `json:"ratings"`
	Recommendation string         `json:"recommendation"`
	Comment        string         `json:"comment,omitempty"`
	At             time.Time      `json:"at"`
}

// SubjectOffer is one offer made (or drafted and approved) to the candidate.
type SubjectOffer struct {
	Position  string    `json:"position"`
	Salary    float64   `json:"salary"`
	Currency  string    `json:"currency"`
	StartDate string    `json:"start_date"`
	Status    string    `json:"status"`
	At        time.Time `json:"at"`
}

// SubjectConsent is one consent the candidate gave.
type SubjectConsent struct {
	Purpose   string    `json:"purpose"`
	Notice    string    `json:"notice_version"`
	HumanOnly bool      `json:"human_only"`
	At        time.Time `json:"at"`
}

// SubjectRead is one access to the candidate's data: the role, what was done, when.
type SubjectRead struct {
	Role   string    `json:"role"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// SubjectAccess gathers an application's data for its candidate. Erased data is simply absent.
func (s *Store) SubjectAccess(ctx context.Context, orgID, appID string) (SubjectData, error) {
	var d SubjectData
	var candID string
	var nameEnc, emailEnc, phoneEnc, resumeEnc []byte
	a := &d.Application
	err := s.db.QueryRow(ctx, `SELECT a.id, j.title, o.name, a.created_at, a.stage, a.status, a.language, a.source, a.resume_text_enc,
			c.id, c.name_enc, c.email_enc, c.phone_enc
		FROM applications a JOIN organisations o ON o.id = a.org_id JOIN jobs j ON j.id = a.job_id JOIN candidates c ON c.id = a.candidate_id
		WHERE a.org_id = $1 AND a.id = $2`, orgID, appID).
		Scan(&a.ID, &a.Job, &a.Employer, &a.AppliedAt, &a.Stage, &a.Status, &a.Language, &a.Source, &resumeEnc, &candID, &nameEnc, &emailEnc, &phoneEnc)
	if err != nil {
		return d, notFound(err, "application_not_found", "application")
	}
	open := func(owner, ownerID string, enc []byte, table, column, id string) (string, error) {
		if len(enc) == 0 {
			return "", nil
		}
		return s.openStringFor(ctx, orgID, owner, ownerID, enc, aad(table, column, id))
	}
	if d.Candidate.Name, err = open(ownerCandidate, candID, nameEnc, "candidates", "name", candID); err != nil {
		return d, err
	}
	if d.Candidate.Email, err = open(ownerCandidate, candID, emailEnc, "candidates", "email", candID); err != nil {
		return d, err
	}
	if d.Candidate.Phone, err = open(ownerCandidate, candID, phoneEnc, "candidates", "phone", candID); err != nil {
		return d, err
	}
	if a.ResumeText, err = open(ownerApplication, appID, resumeEnc, "applications", "resume_text", appID); err != nil {
		return d, err
	}
	if d.Stages, err = listOf(ctx, s.db, "events", func(r pgx.Row) (SubjectEvent, error) {
		var e SubjectEvent
		return e, r.Scan(&e.Stage, &e.Status, &e.At)
	}, `SELECT stage, status, at FROM application_events WHERE org_id = $1 AND application_id = $2 ORDER BY at, id`, orgID, appID); err != nil {
		return d, err
	}
	type answerRow struct {
		SubjectAnswer
		textEnc  []byte
		report   []byte
		objectID *string
	}
	rows, err := listOf(ctx, s.db, "answers", func(r pgx.Row) (answerRow, error) {
		var x answerRow
		var scores []byte
		var overall *float64
		err := r.Scan(&x.ID, &x.QuestionID, &x.Kind, &x.Language, &x.textEnc, &x.objectID, &x.At, &overall, &scores, &x.report, &x.Scorer)
		if err == nil && overall != nil {
			x.Overall = overall
			_ = json.Unmarshal(scores, &x.Scores)
		}
		return x, err
	}, `SELECT a.id, a.question_id, a.kind, a.language, a.text_enc, a.object_id::text, a.created_at,
			sc.overall, sc.scores, sc.report, coalesce(sc.scorer, '')
		FROM answers a LEFT JOIN answer_scores sc ON sc.answer_id = a.id
		WHERE a.org_id = $1 AND a.application_id = $2 ORDER BY a.created_at`, orgID, appID)
	if err != nil {
		return d, err
	}
	d.Answers = make([]SubjectAnswer, 0, len(rows))
	for _, x := range rows {
		if x.Text, err = open(ownerApplication, appID, x.textEnc, "answers", "text", x.ID); err != nil {
			return d, err
		}
		var rep struct {
			Transcript string `json:"transcript"`
		}
		_ = json.Unmarshal(x.report, &rep)
		x.Transcript = rep.Transcript
		if x.objectID != nil {
			x.File = *x.objectID // the caller renames it to the file's name in the archive
		}
		d.Answers = append(d.Answers, x.SubjectAnswer)
	}
	if d.Feedback, err = listOf(ctx, s.db, "feedback", func(r pgx.Row) (SubjectFeedback, error) {
		var x SubjectFeedback
		var ratings []byte
		err := r.Scan(&x.Round, &ratings, &x.Recommendation, &x.Comment, &x.At)
		if err == nil {
			_ = json.Unmarshal(ratings, &x.Ratings)
		}
		return x, err
	}, `SELECT round, ratings, recommendation, comment, created_at FROM interview_feedback
		WHERE org_id = $1 AND application_id = $2 ORDER BY created_at`, orgID, appID); err != nil {
		return d, err
	}
	if d.Offers, err = listOf(ctx, s.db, "offers", func(r pgx.Row) (SubjectOffer, error) {
		var x SubjectOffer
		var start time.Time
		err := r.Scan(&x.Position, &x.Salary, &x.Currency, &start, &x.Status, &x.At)
		x.StartDate = start.Format("2006-01-02")
		return x, err
	}, `SELECT position, salary::float8, currency, start_date, status, created_at FROM offers
		WHERE org_id = $1 AND application_id = $2 AND status NOT IN ('draft', 'approving', 'rejected', 'timed_out') ORDER BY created_at`, orgID, appID); err != nil {
		return d, err
	}
	if d.Consents, err = listOf(ctx, s.db, "consents", func(r pgx.Row) (SubjectConsent, error) {
		var x SubjectConsent
		return x, r.Scan(&x.Purpose, &x.Notice, &x.HumanOnly, &x.At)
	}, `SELECT purpose, notice_version, human_only, created_at FROM consents WHERE org_id = $1 AND application_id = $2 ORDER BY created_at`, orgID, appID); err != nil {
		return d, err
	}
	if d.Reads, err = listOf(ctx, s.db, "reads", func(r pgx.Row) (SubjectRead, error) {
		var x SubjectRead
		return x, r.Scan(&x.Role, &x.Action, &x.At)
	}, `SELECT CASE WHEN l.actor_type = 'user' THEN coalesce(u.role, 'staff') ELSE l.actor_type END, l.action, l.at
		FROM audit_log l LEFT JOIN users u ON l.actor_type = 'user' AND u.id::text = l.actor_id AND u.org_id = l.org_id
		WHERE l.org_id = $1 AND l.subject_id = $2 AND (l.action LIKE 'candidate.%' OR l.action LIKE 'export.%')
		ORDER BY l.at LIMIT 10000`, orgID, appID); err != nil {
		return d, err
	}
	if d.Files, err = listOf(ctx, s.db, "objects", func(r pgx.Row) (StoredObject, error) {
		var o StoredObject
		o.ApplicationID = appID
		return o, r.Scan(&o.ID, &o.OrgID, &o.Kind, &o.Bucket, &o.Key, &o.ContentType, &o.Size, &o.SHA256, &o.KeyEnc)
	}, `SELECT id, org_id, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc FROM stored_objects
		WHERE org_id = $1 AND application_id = $2 AND deleted_at IS NULL AND kind IN ('resume', 'answer') ORDER BY created_at`, orgID, appID); err != nil {
		return d, fmt.Errorf("store: objects of %s: %w", appID, err)
	}
	return d, nil
}
