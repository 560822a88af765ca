package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

const jobColumns = `j.id, j.org_id, j.title, j.title_zh, j.description, j.location, j.status, j.requirements,
	j.dimensions, j.questions, j.timings, j.created_at, rs.id, v.version, v.rules->>'screening', v.pipeline, j.family, j.offer_terms`

// jobFrom joins a job to its rule set's newest published version.
const jobFrom = `FROM jobs j
	JOIN rule_sets rs ON rs.job_id = j.id
	JOIN LATERAL (SELECT version, rules, pipeline FROM rule_set_versions
		WHERE rule_set_id = rs.id AND status = 'published' ORDER BY version DESC LIMIT 1) v ON true`

func scanJob(row pgx.Row) (hireflow.Job, error) {
	var j hireflow.Job
	var req, dims, qs, tim, pipe, offer []byte
	err := row.Scan(&j.ID, &j.OrgID, &j.Title, &j.TitleZH, &j.Description, &j.Location, &j.Status, &req,
		&dims, &qs, &tim, &j.CreatedAt, &j.RuleSetID, &j.RuleVersion, &j.ScreeningRule, &pipe, &j.Family, &offer)
	if err != nil {
		return j, err
	}
	if pipe != nil {
		var stages []rules.StageSpec
		if err := json.Unmarshal(pipe, &stages); err != nil {
			return j, fmt.Errorf("store: corrupt pipeline of job %s: %w", j.ID, err)
		}
		j.Stages = rules.StageKinds(stages)
		for _, st := range stages {
			j.Pipeline = append(j.Pipeline, hireflow.PipelineStage{Kind: st.Stage, When: st.When, Params: st.Params})
		}
	}
	for _, x := range []struct {
		b []byte
		v any
	}{{req, &j.Requirements}, {dims, &j.Dimensions}, {qs, &j.Questions}, {tim, &j.Timings}, {offer, &j.Offer}} {
		if err := json.Unmarshal(x.b, x.v); err != nil {
			return j, fmt.Errorf("store: corrupt job %s: %w", j.ID, err)
		}
	}
	return j, nil
}

// JobCreate stores a validated job with its rule set at version 1, published.
func (s *Store) JobCreate(ctx context.Context, p hireflow.Principal, j *hireflow.Job, c *rules.Compiled) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO jobs (org_id, title, title_zh, description, location, requirements, dimensions, questions, timings, created_by, family, offer_terms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, status, created_at`,
			p.OrgID, j.Title, j.TitleZH, j.Description, j.Location, mustJSON(j.Requirements), mustJSON(j.Dimensions),
			mustJSON(j.Questions), mustJSON(j.Timings), p.UserID, j.Family, mustJSON(j.Offer)).Scan(&j.ID, &j.Status, &j.CreatedAt)
		if err != nil {
			return fmt.Errorf("store: unable to create job: %w", err)
		}
		j.OrgID = p.OrgID
		if err := tx.QueryRow(ctx, `INSERT INTO rule_sets (org_id, job_id, name) VALUES ($1, $2, $3) RETURNING id`,
			p.OrgID, j.ID, j.Title).Scan(&j.RuleSetID); err != nil {
			return fmt.Errorf("store: unable to create rule set: %w", err)
		}
		j.RuleVersion = 1
		_, err = tx.Exec(ctx, `INSERT INTO rule_set_versions (rule_set_id, version, org_id, status, rules, pipeline, hashes, created_by, published_at, published_by)
			VALUES ($1, 1, $2, 'published', $3, $4, $5, $6, now(), $6)`, j.RuleSetID, p.OrgID,
			mustJSON(c.Set.Rules), mustJSON(c.Set.Pipeline), mustJSON(c.Hashes), p.UserID)
		if err != nil {
			return fmt.Errorf("store: unable to publish rule set: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id)
			VALUES ($1, 'user', $2, 'job.create', 'job', $3)`, p.OrgID, p.UserID, j.ID)
		return err
	})
}

// JobGet returns a job of the organisation.
func (s *Store) JobGet(ctx context.Context, orgID, id string) (hireflow.Job, error) {
	j, err := scanJob(s.db.QueryRow(ctx, `SELECT `+jobColumns+` `+jobFrom+` WHERE j.org_id = $1 AND j.id = $2`, orgID, id))
	if err != nil {
		return j, notFound(err, "job_not_found", "job")
	}
	return j, nil
}

// JobGetOpen returns an open job by id alone: the public apply endpoint learns the
// organisation from the job. A practice organisation's jobs are never open to the public.
func (s *Store) JobGetOpen(ctx context.Context, id string) (hireflow.Job, error) {
	j, err := scanJob(s.db.QueryRow(ctx, `SELECT `+jobColumns+` `+jobFrom+` WHERE j.id = $1 AND j.status = 'open'
		AND NOT EXISTS (SELECT 1 FROM organisations po WHERE po.id = j.org_id AND po.practice_of IS NOT NULL)`, id))
	if err != nil {
		return j, notFound(err, "job_not_found", "job")
	}
	return j, nil
}

// JobList lists the organisation's jobs, newest first.
func (s *Store) JobList(ctx context.Context, orgID string, limit int) ([]hireflow.Job, error) {
	return listOf(ctx, s.db, "jobs", scanJob, `SELECT `+jobColumns+` `+jobFrom+` WHERE j.org_id = $1 ORDER BY j.created_at DESC LIMIT $2`, orgID, limit)
}

// OrgDefaultRules returns the newest published content of the organisation's default rule set.
func (s *Store) OrgDefaultRules(ctx context.Context, orgID string) (rules.RuleSet, bool, error) {
	var rs rules.RuleSet
	var rb, pb []byte
	err := s.db.QueryRow(ctx, `SELECT v.rules, v.pipeline FROM rule_sets r JOIN rule_set_versions v ON v.rule_set_id = r.id
		WHERE r.org_id = $1 AND r.job_id IS NULL AND v.status = 'published' ORDER BY v.version DESC LIMIT 1`, orgID).Scan(&rb, &pb)
	if err == pgx.ErrNoRows {
		return rs, false, nil
	}
	if err != nil {
		return rs, false, err
	}
	if err := json.Unmarshal(rb, &rs.Rules); err != nil {
		return rs, false, err
	}
	if pb != nil {
		_ = json.Unmarshal(pb, &rs.Pipeline)
	}
	return rs, true, nil
}
