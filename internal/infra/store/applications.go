package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// NewApplication is everything the apply endpoint stores in one transaction.
type NewApplication struct {
	ID          string
	OrgID       string
	JobID       string
	RuleSetID   string
	RuleVersion int
	Name        string
	Email       string
	Phone       string
	Language    string
	Source      string // where the candidate came from (?source=), '' when not given
	ResumeText  string
	Object      StoredObject
	// Groups is the candidate's voluntary self-identification for bias audits (may be nil).
	Groups map[string]string
}

// StoredObject is the row describing one encrypted object.
type StoredObject struct {
	ID            string
	OrgID         string
	ApplicationID string
	Kind          string
	Bucket        string
	Key           string
	ContentType   string
	Size          int64
	SHA256        string
	KeyEnc        []byte
}

func aad(table, column, id string) string { return table + "." + column + ":" + id }

// ApplicationCreate stores the candidate (found by email within the organisation, or new),
// the application and its résumé object. upload runs inside the transaction, so a failed upload
// leaves no rows and a failed insert leaves no application.
func (s *Store) ApplicationCreate(ctx context.Context, in NewApplication, upload func(context.Context) error) (hireflow.Application, error) {
	var a hireflow.Application
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		emailIdx := s.box.EmailIndex(in.Email)
		var candID string
		err := tx.QueryRow(ctx, `SELECT id FROM candidates WHERE org_id = $1 AND email_hash = $2 AND deleted_at IS NULL`,
			in.OrgID, emailIdx).Scan(&candID)
		if err == pgx.ErrNoRows {
			if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()`).Scan(&candID); err != nil {
				return err
			}
			// The candidate's contact is sealed under the candidate's own data key.
			var phone, name, email []byte
			if in.Phone != "" {
				if phone, err = s.sealFor(ctx, tx, in.OrgID, ownerCandidate, candID, []byte(in.Phone), aad("candidates", "phone", candID)); err != nil {
					return err
				}
			}
			if name, err = s.sealFor(ctx, tx, in.OrgID, ownerCandidate, candID, []byte(in.Name), aad("candidates", "name", candID)); err != nil {
				return err
			}
			if email, err = s.sealFor(ctx, tx, in.OrgID, ownerCandidate, candID, []byte(in.Email), aad("candidates", "email", candID)); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO candidates (id, org_id, email_hash, name_hash, name_enc, email_enc, phone_enc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				candID, in.OrgID, emailIdx, s.box.NameIndex(in.Name), name, email, phone)
		}
		if err != nil {
			return fmt.Errorf("store: unable to store candidate: %w", err)
		}
		resume, err := s.sealFor(ctx, tx, in.OrgID, ownerApplication, in.ID, []byte(in.ResumeText), aad("applications", "resume_text", in.ID))
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO applications (id, org_id, job_id, candidate_id, stage, status, rule_set_id, rule_version, workflow_id, language, resume_text_enc, source)
			VALUES ($1, $2, $3, $4, 'applied', 'active', $5, $6, $7, $8, $9, $10)
			RETURNING id, org_id, job_id, candidate_id, stage, status, rule_set_id, rule_version, workflow_id, language, created_at, updated_at`,
			in.ID, in.OrgID, in.JobID, candID, in.RuleSetID, in.RuleVersion, hireflow.WorkflowIDForApplication(in.ID), in.Language,
			resume, in.Source).
			Scan(&a.ID, &a.OrgID, &a.JobID, &a.CandidateID, &a.Stage, &a.Status, &a.RuleSetID, &a.RuleVersion, &a.WorkflowID, &a.Language, &a.CreatedAt, &a.UpdatedAt)
		if isUniqueViolation(err, "applications_org_id_job_id_candidate_id_key") {
			return hireflow.Errorf(hireflow.KindConflict, "already_applied", "email",
				"an application with this email already exists for this job").ZH("该邮箱已申请过此职位")
		}
		if err != nil {
			return fmt.Errorf("store: unable to create application: %w", err)
		}
		o := in.Object
		_, err = tx.Exec(ctx, `INSERT INTO stored_objects (org_id, application_id, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, in.OrgID, in.ID, o.Kind, o.Bucket, o.Key, o.ContentType, o.Size, o.SHA256, o.KeyEnc)
		if err != nil {
			return fmt.Errorf("store: unable to record object: %w", err)
		}
		if len(in.Groups) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO application_groups (application_id, org_id, groups_enc, consented_at) VALUES ($1, $2, $3, now())`,
				in.ID, in.OrgID, s.sealGroups(in.ID, in.Groups)); err != nil {
				return fmt.Errorf("store: unable to store self-identification: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO application_events (org_id, application_id, stage, status, event_key) VALUES ($1, $2, 'applied', 'active', 'applied')`,
			in.OrgID, in.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id)
			VALUES ($1, 'candidate', $2, 'application.create', 'application', $3)`, in.OrgID, candID, in.ID); err != nil {
			return err
		}
		return upload(ctx)
	})
	return a, err
}

// ApplicationDiscard removes an application that never started (its workflow could not be
// started), with everything created with it. The audit log keeps the attempt.
func (s *Store) ApplicationDiscard(ctx context.Context, orgID, appID string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var candID string
		if err := tx.QueryRow(ctx, `SELECT candidate_id FROM applications WHERE org_id = $1 AND id = $2`, orgID, appID).Scan(&candID); err != nil {
			return notFound(err, "application_not_found", "application")
		}
		for _, q := range []string{
			`DELETE FROM stored_objects WHERE org_id = $1 AND application_id = $2`,
			`DELETE FROM application_groups WHERE org_id = $1 AND application_id = $2`,
			`DELETE FROM application_events WHERE org_id = $1 AND application_id = $2`,
			`DELETE FROM applications WHERE org_id = $1 AND id = $2`,
			`DELETE FROM data_keys WHERE org_id = $1 AND owner_type = 'application' AND owner_id = $2`,
		} {
			if _, err := tx.Exec(ctx, q, orgID, appID); err != nil {
				return fmt.Errorf("store: unable to discard application: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM candidates c WHERE c.org_id = $1 AND c.id = $2
			AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.candidate_id = c.id)`, orgID, candID)
		return err
	})
}

const appColumns = `a.id, a.org_id, a.job_id, a.candidate_id, a.stage, a.status, a.rule_set_id, a.rule_version,
	a.workflow_id, a.language, a.created_at, a.updated_at, c.name_enc, c.email_enc`

// sealedContact is a candidate's sealed name and email, opened once the rows are read (an
// owner-keyed column needs a query of its own).
type sealedContact struct {
	name, email []byte
}

func (s *Store) scanApp(row pgx.Row) (hireflow.Application, sealedContact, error) {
	var a hireflow.Application
	var sc sealedContact
	err := row.Scan(&a.ID, &a.OrgID, &a.JobID, &a.CandidateID, &a.Stage, &a.Status, &a.RuleSetID, &a.RuleVersion,
		&a.WorkflowID, &a.Language, &a.CreatedAt, &a.UpdatedAt, &sc.name, &sc.email)
	return a, sc, err
}

// openContact fills the application's candidate name and email.
func (s *Store) openContact(ctx context.Context, a *hireflow.Application, sc sealedContact) error {
	var err error
	if a.CandidateName, err = s.openStringFor(ctx, a.OrgID, ownerCandidate, a.CandidateID, sc.name, aad("candidates", "name", a.CandidateID)); err != nil {
		return fmt.Errorf("store: candidate %s: %w", a.CandidateID, err)
	}
	if a.CandidateEmail, err = s.openStringFor(ctx, a.OrgID, ownerCandidate, a.CandidateID, sc.email, aad("candidates", "email", a.CandidateID)); err != nil {
		return fmt.Errorf("store: candidate %s: %w", a.CandidateID, err)
	}
	return nil
}

// ApplicationGet returns one application; personal fields only when withPII.
func (s *Store) ApplicationGet(ctx context.Context, orgID, id string, withPII bool) (hireflow.Application, error) {
	a, sc, err := s.scanApp(s.db.QueryRow(ctx, `SELECT `+appColumns+` FROM applications a JOIN candidates c ON c.id = a.candidate_id
		WHERE a.org_id = $1 AND a.id = $2`, orgID, id))
	if err != nil {
		return a, notFound(err, "application_not_found", "application")
	}
	if withPII {
		err = s.openContact(ctx, &a, sc)
	}
	return a, err
}

// ApplicationList lists applications, optionally for one job, newest first.
func (s *Store) ApplicationList(ctx context.Context, orgID, jobID string, limit int, withPII bool) ([]hireflow.Application, error) {
	rows, err := s.db.Query(ctx, `SELECT `+appColumns+` FROM applications a JOIN candidates c ON c.id = a.candidate_id
		WHERE a.org_id = $1 AND ($2 = '' OR a.job_id::text = $2) ORDER BY a.created_at DESC LIMIT $3`, orgID, jobID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list applications: %w", err)
	}
	out := []hireflow.Application{}
	var sealed []sealedContact
	for rows.Next() {
		a, sc, err := s.scanApp(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
		sealed = append(sealed, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if withPII {
		for i := range out {
			if err := s.openContact(ctx, &out[i], sealed[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ApplicationSetStage moves an open application (active or hired) and records the transition
// once per eventKey, in one statement. A closed application (rejected, withdrawn, …) never moves
// again, even when a concurrent activity commits later.
func (s *Store) ApplicationSetStage(ctx context.Context, orgID, appID string, stage hireflow.Stage, status hireflow.Status, eventKey string) error {
	_, err := s.db.Exec(ctx, `WITH up AS (
			UPDATE applications SET stage = $3, status = $4, updated_at = now()
			WHERE org_id = $1 AND id = $2 AND status IN ('active', 'hired')
			AND NOT EXISTS (SELECT 1 FROM application_events WHERE application_id = $2 AND event_key = $5)
			RETURNING 1)
		INSERT INTO application_events (org_id, application_id, stage, status, event_key)
		SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM up)
		ON CONFLICT (application_id, event_key) DO NOTHING`, orgID, appID, stage, status, eventKey)
	if err != nil {
		return fmt.Errorf("store: unable to record stage: %w", err)
	}
	return nil
}

// ScreeningInput is what the screening activity needs: résumé text and the pinned rule.
type ScreeningInput struct {
	ResumeText   string
	Requirements hireflow.Requirements
	RuleSetID    string
	RuleVersion  int
	RuleSource   string
}

// ApplicationScreeningInput loads the résumé text and the rule version the application pinned.
func (s *Store) ApplicationScreeningInput(ctx context.Context, orgID, appID string) (ScreeningInput, error) {
	var in ScreeningInput
	var textEnc, req []byte
	err := s.db.QueryRow(ctx, `SELECT a.resume_text_enc, j.requirements, a.rule_set_id, a.rule_version, v.rules->>'screening'
		FROM applications a JOIN jobs j ON j.id = a.job_id
		JOIN rule_set_versions v ON v.rule_set_id = a.rule_set_id AND v.version = a.rule_version
		WHERE a.org_id = $1 AND a.id = $2`, orgID, appID).Scan(&textEnc, &req, &in.RuleSetID, &in.RuleVersion, &in.RuleSource)
	if err != nil {
		return in, notFound(err, "application_not_found", "application")
	}
	if textEnc == nil {
		return in, hireflow.Errorf(hireflow.KindGone, "resume_deleted", "", "the résumé text was deleted")
	}
	if in.ResumeText, err = s.openStringFor(ctx, orgID, ownerApplication, appID, textEnc, aad("applications", "resume_text", appID)); err != nil {
		return in, fmt.Errorf("store: application %s: %w", appID, err)
	}
	if err := json.Unmarshal(req, &in.Requirements); err != nil {
		return in, err
	}
	return in, nil
}

// DecisionRecord stores a decision once per (application, step); a retry returns the first.
func (s *Store) DecisionRecord(ctx context.Context, orgID string, d hireflow.Decision, stepKey string) (hireflow.Decision, error) {
	var decidedBy *string
	if d.DecidedBy != "" {
		decidedBy = &d.DecidedBy
	}
	var ruleSetID *string
	if d.RuleSetID != "" {
		ruleSetID = &d.RuleSetID
	}
	rec, err := scanDecision(s.db.QueryRow(ctx, `INSERT INTO decisions (org_id, application_id, step_key, kind, rule_set_id, rule_version, rule_name, rule_source, program_hash, inputs, outcome, reason, decided_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (application_id, step_key) DO NOTHING
		RETURNING `+decisionColumns, orgID, d.ApplicationID, stepKey, d.Kind, ruleSetID, d.RuleVersion, d.RuleName, d.RuleSource,
		d.ProgramHash, mustJSON(d.Inputs), d.Outcome, d.Reason, decidedBy))
	if err == nil {
		return rec, nil
	}
	if err != pgx.ErrNoRows {
		return d, fmt.Errorf("store: unable to record decision: %w", err)
	}
	// An earlier attempt recorded it: return that one.
	return scanDecision(s.db.QueryRow(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE org_id = $1 AND application_id = $2 AND step_key = $3`,
		orgID, d.ApplicationID, stepKey))
}

const decisionColumns = `id, application_id, kind, coalesce(rule_set_id::text, ''), coalesce(rule_version, 0), rule_name, rule_source,
	program_hash, inputs, outcome, reason, coalesce(decided_by::text, ''), created_at`

func scanDecision(row pgx.Row) (hireflow.Decision, error) {
	var d hireflow.Decision
	var inputs []byte
	if err := row.Scan(&d.ID, &d.ApplicationID, &d.Kind, &d.RuleSetID, &d.RuleVersion, &d.RuleName, &d.RuleSource,
		&d.ProgramHash, &inputs, &d.Outcome, &d.Reason, &d.DecidedBy, &d.CreatedAt); err != nil {
		return d, err
	}
	return d, json.Unmarshal(inputs, &d.Inputs)
}

// DecisionList returns an application's decisions in order.
func (s *Store) DecisionList(ctx context.Context, orgID, appID string) ([]hireflow.Decision, error) {
	return listOf(ctx, s.db, "decisions", scanDecision, `SELECT `+decisionColumns+` FROM decisions WHERE org_id = $1 AND application_id = $2 ORDER BY created_at, id`, orgID, appID)
}

// listOf runs a query and scans every row with scan (an empty list, never nil).
func listOf[T any](ctx context.Context, db querier, what string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if out == nil {
		out = []T{}
	}
	return out, err
}

// ObjectForApplication returns the newest object of a kind for an application.
func (s *Store) ObjectForApplication(ctx context.Context, orgID, appID, kind string) (StoredObject, error) {
	var o StoredObject
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc
		FROM stored_objects WHERE org_id = $1 AND application_id = $2 AND kind = $3 AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1`,
		orgID, appID, kind).Scan(&o.ID, &o.OrgID, &o.ApplicationID, &o.Kind, &o.Bucket, &o.Key, &o.ContentType, &o.Size, &o.SHA256, &o.KeyEnc)
	if err != nil {
		return o, notFound(err, "object_not_found", "object")
	}
	return o, nil
}

// Contact is what an email to a candidate needs; it exists only inside activities.
type Contact struct {
	OrgID      string
	OrgName    string
	BrandLine  string
	Color      string
	LogoURL    string
	JobTitle   string
	JobTitleZH string
	Name       string
	Email      string
	Language   string
	Stage      hireflow.Stage
	Status     hireflow.Status
	UpdatedAt  time.Time
}

// ApplicationContact loads the candidate's contact and the branding for emails and pages.
func (s *Store) ApplicationContact(ctx context.Context, orgID, appID string) (Contact, error) {
	var c Contact
	var candID string
	var nameEnc, emailEnc []byte
	err := s.db.QueryRow(ctx, `SELECT o.id, o.name, o.brand_line, o.color, o.logo_url, j.title, j.title_zh, c.id, c.name_enc, c.email_enc, a.language, a.stage, a.status, a.updated_at
		FROM applications a JOIN organisations o ON o.id = a.org_id JOIN jobs j ON j.id = a.job_id JOIN candidates c ON c.id = a.candidate_id
		WHERE a.org_id = $1 AND a.id = $2`, orgID, appID).
		Scan(&c.OrgID, &c.OrgName, &c.BrandLine, &c.Color, &c.LogoURL, &c.JobTitle, &c.JobTitleZH, &candID, &nameEnc, &emailEnc, &c.Language, &c.Stage, &c.Status, &c.UpdatedAt)
	if err != nil {
		return c, notFound(err, "application_not_found", "application")
	}
	if c.Name, err = s.openStringFor(ctx, orgID, ownerCandidate, candID, nameEnc, aad("candidates", "name", candID)); err != nil {
		return c, err
	}
	if c.Email, err = s.openStringFor(ctx, orgID, ownerCandidate, candID, emailEnc, aad("candidates", "email", candID)); err != nil {
		return c, err
	}
	return c, nil
}

// CandidatePhone returns the candidate's phone (for the onboarding form).
func (s *Store) CandidatePhone(ctx context.Context, orgID, appID string) (string, error) {
	var candID string
	var enc []byte
	if err := s.db.QueryRow(ctx, `SELECT c.id, c.phone_enc FROM applications a JOIN candidates c ON c.id = a.candidate_id WHERE a.org_id = $1 AND a.id = $2`, orgID, appID).
		Scan(&candID, &enc); err != nil {
		return "", err
	}
	if enc == nil {
		return "", nil
	}
	return s.openStringFor(ctx, orgID, ownerCandidate, candID, enc, aad("candidates", "phone", candID))
}

// InboxItem is an application waiting at a stage for a person.
type InboxItem struct {
	ApplicationID string
	Stage         hireflow.Stage
	JobTitle      string
	Since         time.Time // when it entered the stage
	CandidateName string    // only when asked for (roles that see contact)
	candID        string
	nameEnc       []byte
	keyEnc        []byte
}

// Inbox lists the organisation's open applications at the given stages, the longest waiting
// first (at most limit), with the count at each stage.
func (s *Store) Inbox(ctx context.Context, orgID string, stages []string, limit int, withName bool) ([]InboxItem, map[string]int, error) {
	counts, err := s.stageCounts(ctx, `SELECT stage, count(*) FROM applications WHERE org_id = $1 AND stage = ANY($2) AND status IN ('active', 'hired')
		GROUP BY stage`, orgID, stages)
	if err != nil {
		return nil, nil, err
	}
	items, err := listOf(ctx, s.db, "inbox", func(r pgx.Row) (InboxItem, error) {
		var it InboxItem
		var candID string
		var nameEnc, keyEnc []byte
		if err := r.Scan(&it.ApplicationID, &it.Stage, &it.JobTitle, &it.Since, &candID, &nameEnc, &keyEnc); err != nil {
			return it, err
		}
		if withName {
			it.candID, it.nameEnc, it.keyEnc = candID, nameEnc, keyEnc
		}
		return it, nil
	}, `WITH page AS MATERIALIZED (SELECT a.id, a.stage, a.job_id, a.updated_at, a.candidate_id FROM applications a
			WHERE a.org_id = $1 AND a.stage = ANY($2) AND a.status IN ('active', 'hired') ORDER BY a.updated_at, a.id LIMIT $3)
		SELECT p.id, p.stage, j.title, p.updated_at, c.id, c.name_enc, k.key_enc FROM page p
		JOIN jobs j ON j.id = p.job_id JOIN candidates c ON c.id = p.candidate_id
		LEFT JOIN data_keys k ON k.owner_type = 'candidate' AND k.owner_id = c.id
		ORDER BY p.updated_at, p.id`, orgID, stages, limit)
	for i := range items {
		if items[i].nameEnc != nil {
			items[i].CandidateName = s.nameWithKey(items[i].candID, items[i].nameEnc, items[i].keyEnc)
		}
	}
	return items, counts, err
}
