package store

import (
	"context"
	"encoding/json"
)

// AnswerScoreSave stores a scorer's result for an answer (idempotent).
func (s *Store) AnswerScoreSave(ctx context.Context, orgID, appID, answerID string, scores map[string]float64, overall float64, flags, report any, scorer string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO answer_scores (answer_id, org_id, application_id, scores, overall, flags, report, scorer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (answer_id) DO UPDATE SET scores = $4, overall = $5, flags = $6, report = $7, scorer = $8`,
		answerID, orgID, appID, mustJSON(scores), overall, mustJSON(flags), mustJSON(report), scorer)
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
	rows, err := s.db.Query(ctx, `SELECT a.id, a.question_id, a.kind, coalesce(sc.overall, 0), coalesce(sc.scores, '{}'), coalesce(sc.report, '{}'),
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
