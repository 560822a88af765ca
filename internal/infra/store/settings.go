package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hireflow/hireflow"
	"github.com/jackc/pgx/v5"
)

// OrgTimings returns the organisation's default timings (zero where it names none).
func (s *Store) OrgTimings(ctx context.Context, orgID string) (hireflow.Timings, error) {
	var t hireflow.Timings
	var raw []byte
	if err := s.db.QueryRow(ctx, `SELECT default_timings FROM organisations WHERE id = $1`, orgID).Scan(&raw); err != nil {
		return t, err
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, fmt.Errorf("store: organisation timings: %w", err)
	}
	return t, nil
}

// OrgSetTimings replaces the organisation's default timings.
func (s *Store) OrgSetTimings(ctx context.Context, orgID string, t hireflow.Timings) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `UPDATE organisations SET default_timings = $2 WHERE id = $1`, orgID, raw)
	return err
}

// OrgLLMScoring reports whether the organisation allows its answers to be scored by the
// deployment's large-language-model adapter.
func (s *Store) OrgLLMScoring(ctx context.Context, orgID string) (bool, error) {
	var on bool
	err := s.db.QueryRow(ctx, `SELECT llm_scoring FROM organisations WHERE id = $1`, orgID).Scan(&on)
	return on, err
}

// OrgSetLLMScoring turns the large-language-model scoring on or off for the organisation.
func (s *Store) OrgSetLLMScoring(ctx context.Context, orgID string, on bool) error {
	_, err := s.db.Exec(ctx, `UPDATE organisations SET llm_scoring = $2 WHERE id = $1`, orgID, on)
	return err
}

// Department is one department of an organisation and the user who manages it.
type Department struct {
	Name      string `json:"name"`
	ManagerID string `json:"manager_id,omitempty"`
}

// Departments lists the organisation's departments by name.
func (s *Store) Departments(ctx context.Context, orgID string) ([]Department, error) {
	return listOf(ctx, s.db, "departments", func(r pgx.Row) (Department, error) {
		var d Department
		return d, r.Scan(&d.Name, &d.ManagerID)
	}, `SELECT name, coalesce(manager_id::text, '') FROM departments WHERE org_id = $1 ORDER BY name`, orgID)
}

// DepartmentsSet replaces the organisation's departments in one transaction. A manager must be
// an active member of the organisation (badManager is the index of the first that is not).
func (s *Store) DepartmentsSet(ctx context.Context, orgID string, ds []Department) (badManager int, err error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return -1, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `DELETE FROM departments WHERE org_id = $1`, orgID); err != nil {
		return -1, err
	}
	for i, d := range ds {
		if d.ManagerID != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND id::text = $2 AND disabled_at IS NULL)`,
				orgID, d.ManagerID).Scan(&ok); err != nil {
				return -1, err
			}
			if !ok {
				return i, hireflow.Errorf(hireflow.KindInvalid, "manager_not_found", fmt.Sprintf("departments[%d].manager_id", i), "the manager must be an active member of the organisation").ZH("部门经理必须是本组织的在职成员")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO departments (org_id, name, manager_id) VALUES ($1, $2, nullif($3, '')::uuid)`,
			orgID, d.Name, d.ManagerID); err != nil {
			return -1, err
		}
	}
	return -1, tx.Commit(ctx)
}

// DepartmentManager returns the active manager of a department ("" when it has none).
func (s *Store) DepartmentManager(ctx context.Context, orgID, name string) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT d.manager_id::text FROM departments d JOIN users u ON u.id = d.manager_id
		WHERE d.org_id = $1 AND d.name = $2 AND u.disabled_at IS NULL`, orgID, name).Scan(&id)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return id, err
}
