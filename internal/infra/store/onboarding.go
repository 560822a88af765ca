package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

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
	err := s.db.QueryRow(ctx, `SELECT inputs FROM decisions WHERE org_id = $1 AND application_id = $2 AND step_key = 'routing'`, orgID, appID).Scan(&inputs)
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
	rows, err := s.db.Query(ctx, `SELECT report->'highlights' FROM answer_scores WHERE org_id = $1 AND application_id = $2 AND report ? 'highlights'`, orgID, appID)
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
	rows, err = s.db.Query(ctx, `SELECT note, rating FROM reviews WHERE org_id = $1 AND application_id = $2 ORDER BY created_at`, orgID, appID)
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
	rows, err = s.db.Query(ctx, `SELECT comment FROM interview_feedback WHERE org_id = $1 AND application_id = $2 AND comment <> '' ORDER BY created_at`, orgID, appID)
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
		var existed bool
		var err error
		if id, existed, err = existingOrNewID(ctx, tx, `SELECT id FROM employees WHERE org_id = $1 AND application_id = $2`, orgID, appID); err != nil || existed {
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
	if err := s.db.QueryRow(ctx, `SELECT id, form_enc FROM employees WHERE org_id = $1 AND application_id = $2`, orgID, appID).Scan(&id, &enc); err != nil {
		return "", nil, notFound(err, "employee_not_found", "employee")
	}
	pt, err := s.box.Open(enc, aad("employees", "form", id))
	if err != nil {
		return "", nil, err
	}
	form := map[string]string{}
	return id, form, json.Unmarshal(pt, &form)
}

// EmployeeFormSave replaces the onboarding form of an employee (sealed, bound to the row).
func (s *Store) EmployeeFormSave(ctx context.Context, orgID, appID string, form map[string]string) error {
	id, _, err := s.EmployeeForm(ctx, orgID, appID)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `UPDATE employees SET form_enc = $3 WHERE org_id = $1 AND id = $2`, orgID, id,
		s.box.Seal(mustJSON(form), aad("employees", "form", id)))
	return err
}
