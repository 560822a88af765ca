package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// Answer is one interview answer; Text is decrypted for activities only.
type Answer struct {
	ID, OrgID, ApplicationID, QuestionID, Kind, Language, Text, ObjectID string
}

// AnswerCreate stores an answer once per idempotency key and returns its id and whether it was new.
func (s *Store) AnswerCreate(ctx context.Context, orgID, appID, questionID, kind, lang, text, objectID, key string) (string, bool, error) {
	var id string
	var textEnc []byte
	created := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id FROM answers WHERE idempotency_key = $1 AND org_id = $2`, key, orgID).Scan(&id)
		if err == nil {
			return nil
		}
		if err != pgx.ErrNoRows {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()`).Scan(&id); err != nil {
			return err
		}
		if text != "" {
			textEnc = s.box.SealString(text, aad("answers", "text", id))
		}
		_, err = tx.Exec(ctx, `INSERT INTO answers (id, org_id, application_id, question_id, kind, language, text_enc, object_id, idempotency_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, orgID, appID, questionID, kind, lang, textEnc, nilIfEmpty(objectID), key)
		if err != nil {
			return fmt.Errorf("store: unable to store answer: %w", err)
		}
		created = true
		return nil
	})
	return id, created, err
}

// AnswerGet loads an answer with its text decrypted.
func (s *Store) AnswerGet(ctx context.Context, orgID, answerID string) (Answer, error) {
	var a Answer
	var textEnc []byte
	var obj *string
	err := s.pool.QueryRow(ctx, `SELECT id, org_id, application_id, question_id, kind, language, text_enc, object_id::text FROM answers WHERE org_id = $1 AND id = $2`,
		orgID, answerID).Scan(&a.ID, &a.OrgID, &a.ApplicationID, &a.QuestionID, &a.Kind, &a.Language, &textEnc, &obj)
	if err != nil {
		return a, notFound(err, "answer_not_found", "answer")
	}
	if obj != nil {
		a.ObjectID = *obj
	}
	if textEnc != nil {
		if a.Text, err = s.box.OpenString(textEnc, aad("answers", "text", a.ID)); err != nil {
			return a, err
		}
	}
	return a, nil
}

// AnswerScoreSave stores a scorer's result for an answer (idempotent).
func (s *Store) AnswerScoreSave(ctx context.Context, orgID, appID, answerID string, scores map[string]float64, overall float64, flags, report any, scorer string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO answer_scores (answer_id, org_id, application_id, scores, overall, flags, report, scorer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (answer_id) DO UPDATE SET scores = $4, overall = $5, flags = $6, report = $7, scorer = $8`,
		answerID, orgID, appID, mustJSON(scores), overall, mustJSON(flags), mustJSON(report), scorer)
	return err
}

// FeedbackSave stores an interviewer's live-round feedback (once per interviewer and round).
func (s *Store) FeedbackSave(ctx context.Context, orgID, appID string, round int, interviewerID string, ratings map[string]int, rec, comment string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO interview_feedback (org_id, application_id, round, interviewer_id, ratings, recommendation, comment)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application_id, round, interviewer_id) DO NOTHING`,
		orgID, appID, round, interviewerID, mustJSON(ratings), rec, comment)
	return err
}

// ReviewRow is one stored review.
type ReviewRow struct {
	ReviewerID string
	Rating     float64
	Decision   string
	ReasonCode string
	Note       string
}

// ReviewSave stores a review; a second save by the same reviewer only adds the note.
func (s *Store) ReviewSave(ctx context.Context, orgID, appID string, r ReviewRow) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO reviews (org_id, application_id, reviewer_id, rating, decision, reason_code, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (application_id, reviewer_id) DO UPDATE SET note = CASE WHEN EXCLUDED.note <> '' THEN EXCLUDED.note ELSE reviews.note END`,
		orgID, appID, r.ReviewerID, r.Rating, r.Decision, r.ReasonCode, r.Note)
	return err
}

// Offer is a drafted offer.
type Offer struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id"`
	Position      string    `json:"position"`
	Salary        float64   `json:"salary"`
	Currency      string    `json:"currency"`
	BandMin       float64   `json:"band_min"`
	BandMax       float64   `json:"band_max"`
	Level         int       `json:"level"`
	Department    string    `json:"department"`
	StartDate     time.Time `json:"start_date"`
	ExpiresAt     time.Time `json:"expires_at"`
	Status        string    `json:"status"`
}

// OfferCreate stores a draft offer.
func (s *Store) OfferCreate(ctx context.Context, p hireflow.Principal, o Offer) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `INSERT INTO offers (org_id, application_id, position, salary, currency, band_min, band_max, level, department, start_date, expires_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, p.OrgID, o.ApplicationID, o.Position, o.Salary, o.Currency,
		o.BandMin, o.BandMax, o.Level, o.Department, o.StartDate, o.ExpiresAt, nilIfEmpty(p.UserID)).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store: unable to store offer: %w", err)
	}
	return id, nil
}

// OfferDiscard removes a draft the workflow refused.
func (s *Store) OfferDiscard(ctx context.Context, orgID, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM offers WHERE org_id = $1 AND id = $2 AND status = 'draft'`, orgID, id)
	return err
}

// OfferGet loads an offer.
func (s *Store) OfferGet(ctx context.Context, orgID, id string) (Offer, error) {
	var o Offer
	err := s.pool.QueryRow(ctx, `SELECT id, application_id, position, salary::float8, currency, band_min::float8, band_max::float8, level, department, start_date, expires_at, status
		FROM offers WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&o.ID, &o.ApplicationID, &o.Position, &o.Salary, &o.Currency, &o.BandMin, &o.BandMax,
		&o.Level, &o.Department, &o.StartDate, &o.ExpiresAt, &o.Status)
	if err != nil {
		return o, notFound(err, "offer_not_found", "offer")
	}
	return o, nil
}

// OfferLatest returns the newest offer of an application.
func (s *Store) OfferLatest(ctx context.Context, orgID, appID string) (Offer, error) {
	var id string
	if err := s.pool.QueryRow(ctx, `SELECT id FROM offers WHERE org_id = $1 AND application_id = $2 ORDER BY created_at DESC LIMIT 1`, orgID, appID).Scan(&id); err != nil {
		return Offer{}, notFound(err, "offer_not_found", "offer")
	}
	return s.OfferGet(ctx, orgID, id)
}

// OfferSetStatus moves an offer (idempotent).
func (s *Store) OfferSetStatus(ctx context.Context, orgID, id, status, reason string) error {
	_, err := s.pool.Exec(ctx, `UPDATE offers SET status = $3, response_reason = CASE WHEN $4 <> '' THEN $4 ELSE response_reason END,
		decided_at = coalesce(decided_at, now()) WHERE org_id = $1 AND id = $2`, orgID, id, status, reason)
	return err
}

// ApprovalDecisionSave records one approver's decision.
func (s *Store) ApprovalDecisionSave(ctx context.Context, orgID, offerID string, step int, approver, userID, decision, delegateTo, reason string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO approval_decisions (org_id, offer_id, step, approver, user_id, decision, delegate_to, reason_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, orgID, offerID, step, approver, nilIfEmpty(userID), decision, delegateTo, reason)
	return err
}

// UserGet returns a staff user of the organisation.
func (s *Store) UserGet(ctx context.Context, orgID, id string) (hireflow.User, error) {
	var u hireflow.User
	err := s.pool.QueryRow(ctx, `SELECT id, org_id, email, display_name, role, created_at FROM users WHERE org_id = $1 AND id = $2 AND disabled_at IS NULL`, orgID, id).
		Scan(&u.ID, &u.OrgID, &u.Email, &u.DisplayName, &u.Role, &u.CreatedAt)
	if err != nil {
		return u, notFound(err, "user_not_found", "user")
	}
	return u, nil
}

// Profile is the interview profile kept in the employee archive.
type Profile struct {
	Overall      float64            `json:"overall"`
	Dimensions   map[string]float64 `json:"dimensions"`
	Highlights   []string           `json:"highlights"`
	ReviewNotes  []string           `json:"review_notes"`
	Feedback     []string           `json:"interviewer_comments"`
	ReviewRating float64            `json:"review_rating"`
}

// ApplicationProfile gathers scores, reviewer notes and interviewer comments of an application.
func (s *Store) ApplicationProfile(ctx context.Context, orgID, appID string) (Profile, error) {
	p := Profile{Dimensions: map[string]float64{}, Highlights: []string{}, ReviewNotes: []string{}, Feedback: []string{}}
	var inputs []byte
	err := s.pool.QueryRow(ctx, `SELECT inputs FROM decisions WHERE org_id = $1 AND application_id = $2 AND step_key = 'routing'`, orgID, appID).Scan(&inputs)
	if err == nil {
		var in struct {
			Scores  map[string]float64 `json:"scores"`
			Overall float64            `json:"overall"`
		}
		_ = json.Unmarshal(inputs, &in)
		p.Overall, p.Dimensions = in.Overall, in.Scores
		if p.Dimensions == nil {
			p.Dimensions = map[string]float64{}
		}
	} else if err != pgx.ErrNoRows {
		return p, err
	}
	rows, err := s.pool.Query(ctx, `SELECT report->'highlights' FROM answer_scores WHERE org_id = $1 AND application_id = $2 AND report ? 'highlights'`, orgID, appID)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return p, err
		}
		var hs []string
		_ = json.Unmarshal(b, &hs)
		p.Highlights = append(p.Highlights, hs...)
	}
	rows.Close()
	rows, err = s.pool.Query(ctx, `SELECT note, rating FROM reviews WHERE org_id = $1 AND application_id = $2 ORDER BY created_at`, orgID, appID)
	if err != nil {
		return p, err
	}
	n := 0
	for rows.Next() {
		var note string
		var rating float64
		if err := rows.Scan(&note, &rating); err != nil {
			rows.Close()
			return p, err
		}
		if note != "" {
			p.ReviewNotes = append(p.ReviewNotes, note)
		}
		p.ReviewRating += rating
		n++
	}
	rows.Close()
	if n > 0 {
		p.ReviewRating /= float64(n)
	}
	rows, err = s.pool.Query(ctx, `SELECT comment FROM interview_feedback WHERE org_id = $1 AND application_id = $2 AND comment <> '' ORDER BY created_at`, orgID, appID)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return p, err
		}
		p.Feedback = append(p.Feedback, c)
	}
	return p, rows.Err()
}

// EmployeeCreate adds the hire to the employee archive once per application.
func (s *Store) EmployeeCreate(ctx context.Context, orgID, appID, offerID, position string, start time.Time, profile Profile, form map[string]string) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id FROM employees WHERE org_id = $1 AND application_id = $2`, orgID, appID).Scan(&id)
		if err == nil {
			return nil
		}
		if err != pgx.ErrNoRows {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()`).Scan(&id); err != nil {
			return err
		}
		formEnc := s.box.Seal(mustJSON(form), aad("employees", "form", id))
		_, err = tx.Exec(ctx, `INSERT INTO employees (id, org_id, application_id, candidate_id, offer_id, position, start_date, profile, form_enc)
			SELECT $1, $2, $3, a.candidate_id, $4, $5, $6, $7, $8 FROM applications a WHERE a.org_id = $2 AND a.id = $3`,
			id, orgID, appID, offerID, position, start, mustJSON(profile), formEnc)
		return err
	})
	return id, err
}

// EmployeeForm returns the prefilled onboarding form of an employee.
func (s *Store) EmployeeForm(ctx context.Context, orgID, appID string) (string, map[string]string, error) {
	var id string
	var enc []byte
	if err := s.pool.QueryRow(ctx, `SELECT id, form_enc FROM employees WHERE org_id = $1 AND application_id = $2`, orgID, appID).Scan(&id, &enc); err != nil {
		return "", nil, notFound(err, "employee_not_found", "employee")
	}
	pt, err := s.box.Open(enc, aad("employees", "form", id))
	if err != nil {
		return "", nil, err
	}
	form := map[string]string{}
	return id, form, json.Unmarshal(pt, &form)
}

// WebhookSet configures the organisation's HR-system webhook.
func (s *Store) WebhookSet(ctx context.Context, orgID, url, secret string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO org_webhooks (org_id, url, secret_enc) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET url = $2, secret_enc = $3`, orgID, url, s.box.SealString(secret, aad("org_webhooks", "secret", orgID)))
	return err
}

// WebhookGet returns the organisation's webhook, if any.
func (s *Store) WebhookGet(ctx context.Context, orgID string) (url, secret string, ok bool, err error) {
	var enc []byte
	err = s.pool.QueryRow(ctx, `SELECT url, secret_enc FROM org_webhooks WHERE org_id = $1`, orgID).Scan(&url, &enc)
	if err == pgx.ErrNoRows {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	secret, err = s.box.OpenString(enc, aad("org_webhooks", "secret", orgID))
	return url, secret, err == nil, err
}

// WebhookDelivered reports whether an event was already delivered.
func (s *Store) WebhookDelivered(ctx context.Context, key string) (bool, error) {
	var at *time.Time
	err := s.pool.QueryRow(ctx, `SELECT delivered_at FROM webhook_deliveries WHERE idempotency_key = $1`, key).Scan(&at)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return at != nil, err
}

// WebhookRecord records a delivery attempt.
func (s *Store) WebhookRecord(ctx context.Context, orgID, key, event string, status int, delivered bool) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO webhook_deliveries (org_id, idempotency_key, event, status_code, attempts, delivered_at)
		VALUES ($1, $2, $3, $4, 1, CASE WHEN $5 THEN now() END)
		ON CONFLICT (idempotency_key) DO UPDATE SET status_code = $4, attempts = webhook_deliveries.attempts + 1,
		delivered_at = coalesce(webhook_deliveries.delivered_at, CASE WHEN $5 THEN now() END)`, orgID, key, event, status, delivered)
	return err
}

// ProbationSave stores the probation outcome next to the interview score.
func (s *Store) ProbationSave(ctx context.Context, orgID, appID, managerID, outcome string, rating int) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO probation_evaluations (application_id, org_id, manager_id, outcome, rating, interview_overall)
		VALUES ($1, $2, $3, $4, $5, (SELECT (inputs->>'overall')::float8 FROM decisions WHERE application_id = $1 AND step_key = 'routing'))
		ON CONFLICT (application_id) DO NOTHING`, appID, orgID, nilIfEmpty(managerID), outcome, rating)
	return err
}

// ApplicationSetHumanOnly records the candidate's refusal of solely automated decisions.
func (s *Store) ApplicationSetHumanOnly(ctx context.Context, orgID, appID string) error {
	_, err := s.pool.Exec(ctx, `UPDATE applications SET human_only = true WHERE org_id = $1 AND id = $2`, orgID, appID)
	return err
}

// ApplicationHumanOnly reports the candidate's choice.
func (s *Store) ApplicationHumanOnly(ctx context.Context, orgID, appID string) (bool, error) {
	var b bool
	err := s.pool.QueryRow(ctx, `SELECT human_only FROM applications WHERE org_id = $1 AND id = $2`, orgID, appID).Scan(&b)
	return b, err
}

// CandidatePhone returns the candidate's phone (for the onboarding form).
func (s *Store) CandidatePhone(ctx context.Context, orgID, appID string) (string, error) {
	var candID string
	var enc []byte
	if err := s.pool.QueryRow(ctx, `SELECT c.id, c.phone_enc FROM applications a JOIN candidates c ON c.id = a.candidate_id WHERE a.org_id = $1 AND a.id = $2`, orgID, appID).
		Scan(&candID, &enc); err != nil {
		return "", err
	}
	if enc == nil {
		return "", nil
	}
	return s.box.OpenString(enc, aad("candidates", "phone", candID))
}

// AnswerCount counts the answers an application gave to a question (retakes included).
func (s *Store) AnswerCount(ctx context.Context, orgID, appID, questionID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM answers WHERE org_id = $1 AND application_id = $2 AND question_id = $3`, orgID, appID, questionID).Scan(&n)
	return n, err
}

// AnswerByKey finds an answer by its idempotency key.
func (s *Store) AnswerByKey(ctx context.Context, orgID, key string) (string, bool, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT id FROM answers WHERE org_id = $1 AND idempotency_key = $2`, orgID, key).Scan(&id)
	if err == pgx.ErrNoRows {
		return "", false, nil
	}
	return id, err == nil, err
}

// StoredObjectGet loads an object row by id.
func (s *Store) StoredObjectGet(ctx context.Context, orgID, id string) (StoredObject, error) {
	var o StoredObject
	var app *string
	err := s.pool.QueryRow(ctx, `SELECT id, org_id, application_id::text, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc
		FROM stored_objects WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, orgID, id).
		Scan(&o.ID, &o.OrgID, &app, &o.Kind, &o.Bucket, &o.Key, &o.ContentType, &o.Size, &o.SHA256, &o.KeyEnc)
	if err != nil {
		return o, notFound(err, "object_not_found", "object")
	}
	if app != nil {
		o.ApplicationID = *app
	}
	return o, nil
}

// ObjectRecord stores the row of an uploaded object (outside the apply transaction).
func (s *Store) ObjectRecord(ctx context.Context, o StoredObject) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `INSERT INTO stored_objects (org_id, application_id, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (bucket, object_key) DO UPDATE SET size_bytes = EXCLUDED.size_bytes RETURNING id`,
		o.OrgID, nilIfEmpty(o.ApplicationID), o.Kind, o.Bucket, o.Key, o.ContentType, o.Size, o.SHA256, o.KeyEnc).Scan(&id)
	return id, err
}

// ConsentRecord stores a consent once per application, purpose and notice version.
func (s *Store) ConsentRecord(ctx context.Context, orgID, appID, purpose, version string, humanOnly bool) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO consents (org_id, application_id, purpose, notice_version, human_only)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, purpose, notice_version) DO UPDATE SET human_only = consents.human_only OR EXCLUDED.human_only`,
		orgID, appID, purpose, version, humanOnly)
	return err
}

// ConsentGiven reports whether the application consented to a purpose (any notice version).
func (s *Store) ConsentGiven(ctx context.Context, orgID, appID, purpose string) (bool, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM consents WHERE org_id = $1 AND application_id = $2 AND purpose = $3`, orgID, appID, purpose).Scan(&n)
	return n > 0, err
}

// AnsweredQuestions lists the questions an application answered, with how many answers each.
func (s *Store) AnsweredQuestions(ctx context.Context, orgID, appID string) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT question_id, count(*) FROM answers WHERE org_id = $1 AND application_id = $2 GROUP BY question_id`, orgID, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			return nil, err
		}
		out[q] = n
	}
	return out, rows.Err()
}

// EmployeeFormSave replaces the onboarding form of an employee (sealed, bound to the row).
func (s *Store) EmployeeFormSave(ctx context.Context, orgID, appID string, form map[string]string) error {
	id, _, err := s.EmployeeForm(ctx, orgID, appID)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `UPDATE employees SET form_enc = $3 WHERE org_id = $1 AND id = $2`, orgID, id,
		s.box.Seal(mustJSON(form), aad("employees", "form", id)))
	return err
}

// AnswerReport is one answer with its score and report, for the staff report page.
type AnswerReport struct {
	AnswerID, QuestionID, Kind string
	Overall                    float64
	Scores                     map[string]float64
	Report                     json.RawMessage
	Scorer                     string
	HasRecording               bool
}

// AnswerReports lists an application's answers with their scores, in answer order.
func (s *Store) AnswerReports(ctx context.Context, orgID, appID string) ([]AnswerReport, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.question_id, a.kind, coalesce(sc.overall, 0), coalesce(sc.scores, '{}'), coalesce(sc.report, '{}'),
		coalesce(sc.scorer, ''), a.object_id IS NOT NULL
		FROM answers a LEFT JOIN answer_scores sc ON sc.answer_id = a.id WHERE a.org_id = $1 AND a.application_id = $2 ORDER BY a.created_at`, orgID, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnswerReport
	for rows.Next() {
		var r AnswerReport
		var scores []byte
		if err := rows.Scan(&r.AnswerID, &r.QuestionID, &r.Kind, &r.Overall, &scores, &r.Report, &r.Scorer, &r.HasRecording); err != nil {
			return nil, err
		}
		_ = json.Unmarshal(scores, &r.Scores)
		out = append(out, r)
	}
	return out, rows.Err()
}
