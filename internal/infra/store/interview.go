package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
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
		var existed bool
		var err error
		if id, existed, err = existingOrNewID(ctx, tx, `SELECT id FROM answers WHERE idempotency_key = $1 AND org_id = $2`, key, orgID); err != nil || existed {
			return err
		}
		if text != "" {
			if textEnc, err = s.sealFor(ctx, tx, orgID, ownerApplication, appID, []byte(text), aad("answers", "text", id)); err != nil {
				return err
			}
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
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id, question_id, kind, language, text_enc, object_id::text FROM answers WHERE org_id = $1 AND id = $2`,
		orgID, answerID).Scan(&a.ID, &a.OrgID, &a.ApplicationID, &a.QuestionID, &a.Kind, &a.Language, &textEnc, &obj)
	if err != nil {
		return a, notFound(err, "answer_not_found", "answer")
	}
	if obj != nil {
		a.ObjectID = *obj
	}
	if textEnc != nil {
		if a.Text, err = s.openStringFor(ctx, a.OrgID, ownerApplication, a.ApplicationID, textEnc, aad("answers", "text", a.ID)); err != nil {
			return a, err
		}
	}
	return a, nil
}

// FeedbackSave stores an interviewer's live-round feedback (once per interviewer and round).
func (s *Store) FeedbackSave(ctx context.Context, orgID, appID string, round int, interviewerID string, ratings map[string]int, rec, comment string, attended bool) error {
	if ratings == nil {
		ratings = map[string]int{}
	}
	_, err := s.db.Exec(ctx, `INSERT INTO interview_feedback (org_id, application_id, round, interviewer_id, ratings, recommendation, comment, attended)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (application_id, round, interviewer_id) DO NOTHING`,
		orgID, appID, round, interviewerID, mustJSON(ratings), rec, comment, attended)
	return err
}

// AnswerCount counts the answers an application gave to a question (retakes included).
func (s *Store) AnswerCount(ctx context.Context, orgID, appID, questionID string) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM answers WHERE org_id = $1 AND application_id = $2 AND question_id = $3`, orgID, appID, questionID).Scan(&n)
	return n, err
}

// AnswerByKey finds an answer by its idempotency key.
func (s *Store) AnswerByKey(ctx context.Context, orgID, key string) (string, bool, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT id FROM answers WHERE org_id = $1 AND idempotency_key = $2`, orgID, key).Scan(&id)
	if err == pgx.ErrNoRows {
		return "", false, nil
	}
	return id, err == nil, err
}

// AnsweredQuestions lists the questions an application answered, with how many answers each.
func (s *Store) AnsweredQuestions(ctx context.Context, orgID, appID string) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT question_id, count(*) FROM answers WHERE org_id = $1 AND application_id = $2 GROUP BY question_id`, orgID, appID)
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

// existingOrNewID returns the id the query finds (existed) or a fresh one for a row to insert
// under it: the first half of every create-once write. The id is known before the insert so
// that sealed columns can be bound to it.
func existingOrNewID(ctx context.Context, tx pgx.Tx, query string, args ...any) (string, bool, error) {
	var id string
	err := tx.QueryRow(ctx, query, args...).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if err != pgx.ErrNoRows {
		return "", false, err
	}
	return id, false, tx.QueryRow(ctx, `SELECT gen_random_uuid()`).Scan(&id)
}
