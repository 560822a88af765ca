package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

// RuleSetSummary is one rule set of the organisation.
type RuleSetSummary struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	JobID        string    `json:"job_id,omitempty"` // empty: the organisation's default
	Published    int       `json:"published_version"`
	DraftVersion int       `json:"draft_version,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// RuleSetVersionInfo describes one version.
type RuleSetVersionInfo struct {
	Version        int               `json:"version"`
	Status         string            `json:"status"`
	Content        rules.RuleSet     `json:"content"`
	Hashes         map[string]string `json:"hashes"`
	CreatedAt      time.Time         `json:"created_at"`
	PublishedAt    *time.Time        `json:"published_at,omitempty"`
	OverrideReason string            `json:"override_reason,omitempty"`
}

// RuleSetList lists the organisation's rule sets.
func (s *Store) RuleSetList(ctx context.Context, orgID string) ([]RuleSetSummary, error) {
	rows, err := s.db.Query(ctx, `SELECT rs.id, rs.name, coalesce(rs.job_id::text, ''), rs.created_at,
		coalesce((SELECT max(version) FROM rule_set_versions v WHERE v.rule_set_id = rs.id AND v.status = 'published'), 0),
		coalesce((SELECT max(version) FROM rule_set_versions v WHERE v.rule_set_id = rs.id AND v.status = 'draft'), 0)
		FROM rule_sets rs WHERE rs.org_id = $1 ORDER BY rs.created_at DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list rule sets: %w", err)
	}
	defer rows.Close()
	out := []RuleSetSummary{}
	for rows.Next() {
		var r RuleSetSummary
		if err := rows.Scan(&r.ID, &r.Name, &r.JobID, &r.CreatedAt, &r.Published, &r.DraftVersion); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleSetGet returns a rule set with its versions, newest first.
func (s *Store) RuleSetGet(ctx context.Context, orgID, id string) (RuleSetSummary, []RuleSetVersionInfo, error) {
	var r RuleSetSummary
	err := s.db.QueryRow(ctx, `SELECT id, name, coalesce(job_id::text, ''), created_at FROM rule_sets WHERE org_id = $1 AND id = $2`, orgID, id).
		Scan(&r.ID, &r.Name, &r.JobID, &r.CreatedAt)
	if err != nil {
		return r, nil, notFound(err, "ruleset_not_found", "rule set")
	}
	rows, err := s.db.Query(ctx, `SELECT version, status, rules, pipeline, hashes, created_at, published_at, override_reason
		FROM rule_set_versions WHERE org_id = $1 AND rule_set_id = $2 ORDER BY version DESC`, orgID, id)
	if err != nil {
		return r, nil, err
	}
	defer rows.Close()
	var vs []RuleSetVersionInfo
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return r, nil, err
		}
		if v.Status == "published" && v.Version > r.Published {
			r.Published = v.Version
		}
		if v.Status == "draft" {
			r.DraftVersion = v.Version
		}
		v.Content.Name = r.Name
		vs = append(vs, v)
	}
	return r, vs, rows.Err()
}

func scanVersion(row pgx.Row) (RuleSetVersionInfo, error) {
	var v RuleSetVersionInfo
	var rb, pb, hb []byte
	if err := row.Scan(&v.Version, &v.Status, &rb, &pb, &hb, &v.CreatedAt, &v.PublishedAt, &v.OverrideReason); err != nil {
		return v, err
	}
	if err := json.Unmarshal(rb, &v.Content.Rules); err != nil {
		return v, err
	}
	if pb != nil {
		if err := json.Unmarshal(pb, &v.Content.Pipeline); err != nil {
			return v, err
		}
	}
	_ = json.Unmarshal(hb, &v.Hashes)
	return v, nil
}

// RuleSetVersion returns one version of a rule set.
func (s *Store) RuleSetVersion(ctx context.Context, orgID, id string, version int) (RuleSetVersionInfo, error) {
	v, err := scanVersion(s.db.QueryRow(ctx, `SELECT version, status, rules, pipeline, hashes, created_at, published_at, override_reason
		FROM rule_set_versions WHERE org_id = $1 AND rule_set_id = $2 AND version = $3`, orgID, id, version))
	if err != nil {
		return v, notFound(err, "version_not_found", "rule set version")
	}
	return v, nil
}

// RuleSetSaveDraft stores content as the rule set's draft (replacing an existing draft) and
// returns its version number.
func (s *Store) RuleSetSaveDraft(ctx context.Context, p hireflow.Principal, id string, c *rules.Compiled) (int, error) {
	var version int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT true FROM rule_sets WHERE org_id = $1 AND id = $2 FOR UPDATE`, p.OrgID, id).Scan(&exists); err != nil {
			return notFound(err, "ruleset_not_found", "rule set")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rule_set_versions WHERE rule_set_id = $1 AND status = 'draft'`, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO rule_set_versions (rule_set_id, version, org_id, status, rules, pipeline, hashes, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, 'draft', $3, $4, $5, $6 FROM rule_set_versions WHERE rule_set_id = $1
			RETURNING version`, id, p.OrgID, mustJSON(c.Set.Rules), mustJSON(c.Set.Pipeline), mustJSON(c.Hashes), nilIfEmpty(p.UserID)).Scan(&version); err != nil {
			return fmt.Errorf("store: unable to save draft: %w", err)
		}
		actorType, actor := "user", p.UserID
		if actor == "" { // a calibration the schedule proposed
			actorType, actor = "system", "calibration"
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
			VALUES ($1, $2, $3, 'ruleset.draft', 'rule_set', $4, $5)`, p.OrgID, actorType, actor, id, mustJSON(map[string]any{"version": version}))
		return err
	})
	return version, err
}

// RuleSetPublish publishes a draft. The simulation report and any override reason are kept
// with the version and in the audit log.
func (s *Store) RuleSetPublish(ctx context.Context, p hireflow.Principal, id string, version int, overrideReason string, report any) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE rule_set_versions SET status = 'published', published_at = now(), published_by = $4,
			override_reason = $5, simulation = $6 WHERE org_id = $1 AND rule_set_id = $2 AND version = $3 AND status = 'draft'`,
			p.OrgID, id, version, nilIfEmpty(p.UserID), overrideReason, mustJSON(report))
		if err != nil {
			return fmt.Errorf("store: unable to publish: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return hireflow.Errorf(hireflow.KindConflict, "not_a_draft", "version", "version %d is not a draft of this rule set", version).
				ZH("版本 %d 不是此规则集的草稿", version)
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
			VALUES ($1, 'user', $2, 'ruleset.publish', 'rule_set', $3, $4)`, p.OrgID, p.UserID, id,
			mustJSON(map[string]any{"version": version, "override_reason": overrideReason}))
		return err
	})
}

// RuleSetCreate makes a rule set (for a job, or the organisation default when jobID is "")
// with its first version published.
func (s *Store) RuleSetCreate(ctx context.Context, p hireflow.Principal, jobID, name string, c *rules.Compiled) (string, error) {
	var id string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var job *string
		if jobID != "" {
			job = &jobID
		}
		err := tx.QueryRow(ctx, `INSERT INTO rule_sets (org_id, job_id, name) VALUES ($1, $2, $3) RETURNING id`, p.OrgID, job, name).Scan(&id)
		if isUniqueViolation(err, "rule_sets_org_default") {
			return hireflow.Errorf(hireflow.KindConflict, "default_exists", "", "the organisation already has a default rule set; import into it as a draft")
		}
		if err != nil {
			return fmt.Errorf("store: unable to create rule set: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO rule_set_versions (rule_set_id, version, org_id, status, rules, pipeline, hashes, created_by, published_at, published_by)
			VALUES ($1, 1, $2, 'published', $3, $4, $5, $6, now(), $6)`, id, p.OrgID, mustJSON(c.Set.Rules), mustJSON(c.Set.Pipeline), mustJSON(c.Hashes), nilIfEmpty(p.UserID))
		return err
	})
	return id, err
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SimulationInputs loads the recorded screening inputs of the rule set's applications decided
// in [from, to), with the candidates' self-identified groups where given.
func (s *Store) SimulationInputs(ctx context.Context, orgID, ruleSetID string, from, to time.Time, limit int) ([]rules.Recorded, error) {
	rows, err := s.db.Query(ctx, `SELECT d.application_id, a.job_id, d.inputs, d.outcome,
		g.groups_enc, coalesce(g.sex, ''), coalesce(g.age_band, ''), coalesce(g.region, ''), coalesce(g.race_ethnicity, '')
		FROM decisions d JOIN applications a ON a.id = d.application_id
		LEFT JOIN application_groups g ON g.application_id = d.application_id
		WHERE d.org_id = $1 AND d.step_key = 'screening' AND a.rule_set_id = $2 AND d.created_at >= $3 AND d.created_at < $4
		ORDER BY d.created_at LIMIT $5`, orgID, ruleSetID, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to load recorded inputs: %w", err)
	}
	defer rows.Close()
	var out []rules.Recorded
	var inputs []byte
	var g groupColumns
	for rows.Next() {
		var r rules.Recorded
		if err := rows.Scan(&r.ApplicationID, &r.JobID, &inputs, &r.Outcome, &g.sealed, &g.sex, &g.age, &g.region, &g.race); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(inputs, &r.Env); err != nil {
			return nil, fmt.Errorf("store: decision of %s has unreadable inputs: %w", r.ApplicationID, err)
		}
		if r.Groups, err = s.openGroups(r.ApplicationID, g); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ApplicationMigrate re-pins an application to another published version of its rule set.
func (s *Store) ApplicationMigrate(ctx context.Context, p hireflow.Principal, appID string, version int) (int, error) {
	var from int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var ruleSetID string
		if err := tx.QueryRow(ctx, `SELECT rule_set_id, rule_version FROM applications WHERE org_id = $1 AND id = $2 FOR UPDATE`, p.OrgID, appID).
			Scan(&ruleSetID, &from); err != nil {
			return notFound(err, "application_not_found", "application")
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM rule_set_versions WHERE rule_set_id = $1 AND version = $2`, ruleSetID, version).Scan(&status); err != nil || status != "published" {
			return hireflow.Errorf(hireflow.KindInvalid, "version_not_published", "version", "version %d of the application's rule set is not published", version)
		}
		if _, err := tx.Exec(ctx, `UPDATE applications SET rule_version = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, p.OrgID, appID, version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
			VALUES ($1, 'user', $2, 'application.migrate_rules', 'application', $3, $4)`, p.OrgID, p.UserID, appID,
			mustJSON(map[string]any{"from_version": from, "to_version": version}))
		return err
	})
	return from, err
}

// ApplicationGroupsSet stores a candidate's voluntary self-identification for bias audits,
// given under its own consent, sealed.
func (s *Store) ApplicationGroupsSet(ctx context.Context, orgID, appID, sex, ageBand, region, race string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO application_groups (application_id, org_id, groups_enc, consented_at)
		VALUES ($1, $2, $3, now()) ON CONFLICT (application_id) DO UPDATE SET groups_enc = $3, consented_at = now(),
			sex = '', age_band = '', region = '', race_ethnicity = ''`,
		appID, orgID, s.sealGroups(appID, map[string]string{"sex": sex, "age_band": ageBand, "region": region, "race_ethnicity": race}))
	return err
}

// groupColumns is a row of application_groups as read: sealed (from now on) or the plain
// columns of rows written before sealing.
type groupColumns struct {
	sealed                 []byte
	sex, age, region, race string
}

func (s *Store) sealGroups(appID string, g map[string]string) []byte {
	b, _ := json.Marshal(g) // a map of strings always marshals
	return s.box.Seal(b, aad("application_groups", "groups", appID))
}

// openGroups answers an application's groups under the category names of rules.AuditRecord.
func (s *Store) openGroups(appID string, g groupColumns) (map[string]string, error) {
	out := map[string]string{"sex": g.sex, "age_band": g.age, "region": g.region, "race_ethnicity": g.race}
	if g.sealed == nil {
		return out, nil
	}
	b, err := s.box.Open(g.sealed, aad("application_groups", "groups", appID))
	if err != nil {
		return nil, fmt.Errorf("store: self-identification of %s cannot be opened: %w", appID, err)
	}
	var sealed map[string]string
	if err := json.Unmarshal(b, &sealed); err != nil {
		return nil, err
	}
	for k := range out {
		out[k] = sealed[k]
	}
	return out, nil
}
