package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow/rules"
)

// CalibrationJobs are the organisation's jobs with at least one probation outcome (those a
// scheduled calibration looks at).
func (s *Store) CalibrationJobs(ctx context.Context, orgID string) ([]string, error) {
	return listOf(ctx, s.db, "calibration jobs", func(r pgx.Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT DISTINCT a.job_id FROM probation_evaluations p JOIN applications a ON a.id = p.application_id
		WHERE p.org_id = $1 ORDER BY 1`, orgID)
}

// JobRuleSet is the rule set a job's new applications are pinned to: the job's own, else the
// one its latest application used, else the organisation's default.
func (s *Store) JobRuleSet(ctx context.Context, orgID, jobID string) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT id FROM (
			SELECT id, 0 AS pref FROM rule_sets WHERE org_id = $1 AND job_id = $2
			UNION ALL SELECT rule_set_id, 1 FROM (SELECT rule_set_id FROM applications WHERE org_id = $1 AND job_id = $2
				ORDER BY created_at DESC LIMIT 1) l
			UNION ALL SELECT id, 2 FROM rule_sets WHERE org_id = $1 AND job_id IS NULL) c
		ORDER BY pref LIMIT 1`, orgID, jobID).Scan(&id)
	return id, notFound(err, "ruleset_not_found", "rule set")
}

// WeightsSamples are the job's scored applications: each dimension's mean answer score, the
// job family and the self-identified groups (opened here, for the weights simulation only).
func (s *Store) WeightsSamples(ctx context.Context, orgID, jobID string, limit int) ([]rules.WeightsSample, error) {
	rows, err := s.db.Query(ctx, `SELECT sc.application_id, coalesce(nullif(j.family, ''), j.title), d.key, avg(d.value::float8),
			g.groups_enc, coalesce(g.sex, ''), coalesce(g.age_band, ''), coalesce(g.region, ''), coalesce(g.race_ethnicity, '')
		FROM (SELECT application_id, scores FROM answer_scores WHERE org_id = $1 AND application_id IN (
				SELECT id FROM applications WHERE org_id = $1 AND job_id = $2 ORDER BY created_at DESC LIMIT $3)) sc
		JOIN applications a ON a.id = sc.application_id JOIN jobs j ON j.id = a.job_id
		CROSS JOIN LATERAL jsonb_each_text(sc.scores) d
		LEFT JOIN application_groups g ON g.application_id = sc.application_id
		GROUP BY sc.application_id, j.family, j.title, d.key, g.groups_enc, g.sex, g.age_band, g.region, g.race_ethnicity
		ORDER BY sc.application_id, d.key`, orgID, jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: weights samples: %w", err)
	}
	defer rows.Close()
	var out []rules.WeightsSample
	current := ""
	for rows.Next() {
		var app, family, dim string
		var v float64
		var g groupColumns
		if err := rows.Scan(&app, &family, &dim, &v, &g.sealed, &g.sex, &g.age, &g.region, &g.race); err != nil {
			return nil, err
		}
		if app != current {
			groups, err := s.openGroups(app, g)
			if err != nil {
				return nil, err
			}
			out = append(out, rules.WeightsSample{Scores: map[string]float64{}, Groups: groups, Family: family})
			current = app
		}
		out[len(out)-1].Scores[dim] = v
	}
	return out, rows.Err()
}

// CalibrationProposal is a calibration written into a draft rule set version, with its
// evidence (the correlations and proposed weights) and the draft's simulation.
type CalibrationProposal struct {
	ID           string             `json:"id"`
	JobID        string             `json:"job_id"`
	RuleSetID    string             `json:"rule_set_id"`
	DraftVersion int                `json:"draft_version"`
	Evidence     rules.Calibration  `json:"evidence"`
	Simulation   *rules.AuditReport `json:"simulation"`
	Trigger      string             `json:"trigger"`
	CreatedBy    string             `json:"created_by,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
}

// CalibrationProposalSave stores a proposal and records it in the audit log.
func (s *Store) CalibrationProposalSave(ctx context.Context, orgID string, p CalibrationProposal) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO calibration_proposals (org_id, job_id, rule_set_id, draft_version, evidence, simulation, trigger, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, orgID, p.JobID, p.RuleSetID, p.DraftVersion, mustJSON(p.Evidence),
			mustJSON(p.Simulation), p.Trigger, nilIfEmpty(p.CreatedBy)).Scan(&id); err != nil {
			return fmt.Errorf("store: unable to store the proposal: %w", err)
		}
		actorType, actor := "user", p.CreatedBy
		if actor == "" {
			actorType, actor = "system", "calibration"
		}
		below := 0
		if p.Simulation != nil {
			below = len(p.Simulation.Below)
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
			VALUES ($1, $2, $3, 'calibration.proposed', 'rule_set', $4, $5)`, orgID, actorType, actor, p.RuleSetID,
			mustJSON(map[string]any{"proposal": id, "job": p.JobID, "draft_version": p.DraftVersion, "n": p.Evidence.N,
				"weights": p.Evidence.Proposed, "below_gate": below}))
		return err
	})
	return id, err
}

// CalibrationProposals lists the organisation's proposals (of a job, when given), newest first.
func (s *Store) CalibrationProposals(ctx context.Context, orgID, jobID string, limit int) ([]CalibrationProposal, error) {
	return listOf(ctx, s.db, "calibration proposals", func(r pgx.Row) (CalibrationProposal, error) {
		var p CalibrationProposal
		var ev, sim []byte
		if err := r.Scan(&p.ID, &p.JobID, &p.RuleSetID, &p.DraftVersion, &ev, &sim, &p.Trigger, &p.CreatedBy, &p.CreatedAt); err != nil {
			return p, err
		}
		if err := json.Unmarshal(ev, &p.Evidence); err != nil {
			return p, err
		}
		if sim != nil {
			if err := json.Unmarshal(sim, &p.Simulation); err != nil {
				return p, err
			}
		}
		return p, nil
	}, `SELECT id, job_id, rule_set_id, draft_version, evidence, simulation, trigger, coalesce(created_by::text, ''), created_at
		FROM calibration_proposals WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2) ORDER BY created_at DESC LIMIT $3`,
		orgID, nilIfEmpty(jobID), limit)
}
