package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hireflow/hireflow"
)

// RetentionPolicy is how many days a closed application's personal data is kept, per outcome.
type RetentionPolicy struct {
	RejectedDays  int `json:"rejected_days"`
	WithdrawnDays int `json:"withdrawn_days"`
	ExpiredDays   int `json:"expired_days"`
	DeclinedDays  int `json:"declined_days"`
	CancelledDays int `json:"cancelled_days"`
	RequestDays   int `json:"request_days"`
}

// DefaultRetention applies to organisations that set none.
var DefaultRetention = RetentionPolicy{RejectedDays: 30, WithdrawnDays: 7, ExpiredDays: 30, DeclinedDays: 30, CancelledDays: 30}

// RetentionPolicyGet returns the organisation's policy, or the default.
func (s *Store) RetentionPolicyGet(ctx context.Context, orgID string) (RetentionPolicy, error) {
	p := DefaultRetention
	err := s.db.QueryRow(ctx, `SELECT rejected_days, withdrawn_days, expired_days, declined_days, cancelled_days, request_days
		FROM retention_policies WHERE org_id = $1`, orgID).Scan(&p.RejectedDays, &p.WithdrawnDays, &p.ExpiredDays, &p.DeclinedDays, &p.CancelledDays, &p.RequestDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil
	}
	return p, err
}

// RetentionPolicySet stores the organisation's policy.
func (s *Store) RetentionPolicySet(ctx context.Context, orgID string, p RetentionPolicy) error {
	_, err := s.db.Exec(ctx, `INSERT INTO retention_policies (org_id, rejected_days, withdrawn_days, expired_days, declined_days, cancelled_days, request_days)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET rejected_days = $2, withdrawn_days = $3, expired_days = $4,
			declined_days = $5, cancelled_days = $6, request_days = $7, updated_at = now()`,
		orgID, p.RejectedDays, p.WithdrawnDays, p.ExpiredDays, p.DeclinedDays, p.CancelledDays, p.RequestDays)
	return err
}

// LegalHoldPlace pauses the application's deletion; a second hold is a conflict.
func (s *Store) LegalHoldPlace(ctx context.Context, orgID, appID, userID, reason string) error {
	tag, err := s.db.Exec(ctx, `INSERT INTO legal_holds (org_id, application_id, reason, placed_by)
		SELECT $1, a.id, $4, $3 FROM applications a WHERE a.org_id = $1 AND a.id = $2 AND a.erased_at IS NULL`, orgID, appID, userID, reason)
	if isUniqueViolation(err, "legal_holds_active_idx") {
		return hireflow.Errorf(hireflow.KindConflict, "hold_exists", "", "the application is already under a legal hold").ZH("该申请已处于法律保留状态")
	}
	if err != nil {
		return notFound(err, "application_not_found", "application")
	}
	if tag.RowsAffected() == 0 {
		return hireflow.Errorf(hireflow.KindConflict, "already_erased", "", "the application's personal data is already deleted").ZH("该申请的个人数据已删除")
	}
	return nil
}

// LegalHoldRelease lifts the application's hold.
func (s *Store) LegalHoldRelease(ctx context.Context, orgID, appID, userID string) error {
	tag, err := s.db.Exec(ctx, `UPDATE legal_holds SET released_at = now(), released_by = $3 WHERE org_id = $1 AND application_id = $2 AND released_at IS NULL`, orgID, appID, userID)
	if err != nil {
		return notFound(err, "application_not_found", "application")
	}
	if tag.RowsAffected() == 0 {
		return hireflow.NotFound("hold_not_found", "hold")
	}
	return nil
}

// LegalHeld reports whether the application is under a legal hold.
func (s *Store) LegalHeld(ctx context.Context, orgID, appID string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM legal_holds WHERE org_id = $1 AND application_id = $2 AND released_at IS NULL`, orgID, appID).Scan(&n)
	return n > 0, err
}

// DueApplication is a closed application whose retention period ended, or whose candidate
// asked for deletion.
type DueApplication struct {
	ApplicationID string
	Reason        string // retention | request
	Rule          string // e.g. "rejected: 30 days"
	Held          bool
}

// RetentionDue lists the organisation's applications due for erasure: closed past their
// outcome's period (not held), and deletion requests past request_days (held ones too, so
// that the candidate hears why not). Hired applications follow the employee archive's rules.
func (s *Store) RetentionDue(ctx context.Context, orgID string, limit int) ([]DueApplication, error) {
	p, err := s.RetentionPolicyGet(ctx, orgID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT a.id, a.status, EXISTS (SELECT 1 FROM legal_holds h WHERE h.application_id = a.id AND h.released_at IS NULL) AS held,
			CASE a.status WHEN 'rejected' THEN $2::int WHEN 'withdrawn' THEN $3::int WHEN 'expired' THEN $4::int WHEN 'declined' THEN $5::int
				WHEN 'cancelled' THEN $6::int ELSE $7::int END AS days
		FROM applications a
		WHERE a.org_id = $1 AND a.erased_at IS NULL
		  AND a.status IN ('rejected','withdrawn','expired','declined','cancelled','deletion_requested')
		  AND a.updated_at + make_interval(days => CASE a.status WHEN 'rejected' THEN $2::int WHEN 'withdrawn' THEN $3::int WHEN 'expired' THEN $4::int
				WHEN 'declined' THEN $5::int WHEN 'cancelled' THEN $6::int ELSE $7::int END) <= now()
		ORDER BY a.updated_at LIMIT $8`, orgID, p.RejectedDays, p.WithdrawnDays, p.ExpiredDays, p.DeclinedDays, p.CancelledDays, p.RequestDays, limit)
	if err != nil {
		return nil, err
	}
	var out []DueApplication
	for rows.Next() {
		var d DueApplication
		var status string
		var days int
		if err := rows.Scan(&d.ApplicationID, &status, &d.Held, &days); err != nil {
			rows.Close()
			return nil, err
		}
		d.Reason, d.Rule = "retention", fmt.Sprintf("%s: %d days", status, days)
		if status == string(hireflow.StatusDeletion) {
			d.Reason, d.Rule = "request", fmt.Sprintf("deletion request: %d days", days)
		} else if d.Held {
			continue
		}
		out = append(out, d)
	}
	rows.Close()
	return out, rows.Err()
}

// ErasedObject is an object whose key was destroyed and which is to be deleted from storage.
type ErasedObject struct {
	Kind, Bucket, Key string
}

// Erasure is what one erasure step destroyed.
type Erasure struct {
	Objects []ErasedObject `json:"-"`
	Counts  map[string]int `json:"counts"`
}

// ApplicationEraseContent destroys an application's content in one transaction: every
// object's data key first (crypto-shredding: the ciphertext in storage and in any backup is
// unreadable from here on), then the résumé text, typed answers, reports with transcripts,
// interviewers' comments, reviewers' notes, the candidate's interview reasons and proposed
// times, self-identification, the résumé facts in screening decisions, and the links. What
// stays: decisions and their outcomes, scores, stages and events (no personal data), the
// pseudonymised analytics. The candidate's contact is erased by ApplicationEraseContact.
func (s *Store) ApplicationEraseContent(ctx context.Context, orgID, appID string) (Erasure, error) {
	er := Erasure{Counts: map[string]int{}}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// One round trip for the whole erasure, in order: the application's data key first
		// (every column it sealed, in any copy, is unreadable), the objects' keys, then each
		// personal column.
		b := &pgx.Batch{}
		b.Queue(`UPDATE data_keys SET key_enc = '\x', destroyed_at = now() WHERE owner_type = $1 AND owner_id = $2 AND destroyed_at IS NULL`,
			ownerApplication, appID).Exec(func(tag pgconn.CommandTag) error {
			er.Counts["data_keys"] = int(tag.RowsAffected())
			return nil
		})
		b.Queue(`UPDATE stored_objects SET key_enc = '\x', deleted_at = coalesce(deleted_at, now())
			WHERE org_id = $1 AND application_id = $2 AND key_enc <> '\x' RETURNING kind, bucket, object_key`, orgID, appID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var o ErasedObject
				if err := rows.Scan(&o.Kind, &o.Bucket, &o.Key); err != nil {
					return err
				}
				er.Objects = append(er.Objects, o)
			}
			er.Counts["object_keys"] = len(er.Objects)
			return rows.Err()
		})
		for _, st := range []struct{ name, sql string }{
			{"resume_text", `UPDATE applications SET resume_text_enc = NULL WHERE org_id = $1 AND id = $2 AND resume_text_enc IS NOT NULL`},
			{"typed_answers", `UPDATE answers SET text_enc = NULL WHERE org_id = $1 AND application_id = $2 AND text_enc IS NOT NULL`},
			{"reports", `UPDATE answer_scores s SET report = '{}' FROM answers a WHERE a.id = s.answer_id AND a.org_id = $1 AND a.application_id = $2 AND s.report <> '{}'`},
			{"feedback_comments", `UPDATE interview_feedback SET comment = '' WHERE org_id = $1 AND application_id = $2 AND comment <> ''`},
			{"review_notes", `UPDATE reviews SET note = '' WHERE org_id = $1 AND application_id = $2 AND note <> ''`},
			{"interview_notes", `UPDATE interviews SET note = '', preferences = '[]' WHERE org_id = $1 AND application_id = $2 AND (note <> '' OR preferences <> '[]')`},
			{"self_identification", `UPDATE application_groups SET sex = '', age_band = '', region = '', race_ethnicity = '', groups_enc = NULL
				WHERE org_id = $1 AND application_id = $2 AND (groups_enc IS NOT NULL OR sex <> '' OR age_band <> '' OR region <> '' OR race_ethnicity <> '')`},
			{"screening_inputs", `UPDATE decisions SET inputs = '{}' WHERE org_id = $1 AND application_id = $2 AND kind = 'screening' AND inputs <> '{}'`},
			{"links", `DELETE FROM candidate_tokens WHERE org_id = $1 AND application_id = $2`},
			{"live_transcripts", `DELETE FROM live_transcripts WHERE org_id = $1 AND application_id = $2`},
			{"recording_pieces", `DELETE FROM recording_pieces WHERE org_id = $1 AND application_id = $2`},
		} {
			b.Queue(st.sql, orgID, appID).Exec(func(tag pgconn.CommandTag) error {
				er.Counts[st.name] = int(tag.RowsAffected())
				return nil
			})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("store: erase application %s: %w", appID, err)
		}
		return nil
	})
	return er, err
}

// ApplicationEraseContact erases the candidate's name, email, phone and blind index when no
// other application of theirs keeps personal data, and marks the application erased.
func (s *Store) ApplicationEraseContact(ctx context.Context, orgID, appID string) (Erasure, error) {
	er := Erasure{Counts: map[string]int{}}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var candID string
		rows, err := tx.Query(ctx, `UPDATE candidates c SET name_enc = '\x', email_enc = '\x', phone_enc = NULL, email_hash = gen_random_bytes(32), name_hash = NULL, deleted_at = now()
			FROM applications a WHERE a.org_id = $1 AND a.id = $2 AND c.id = a.candidate_id AND c.deleted_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM applications o WHERE o.candidate_id = c.id AND o.id <> a.id AND o.erased_at IS NULL) RETURNING c.id`, orgID, appID)
		if err != nil {
			return fmt.Errorf("store: erase contact: %w", err)
		}
		for rows.Next() {
			if err := rows.Scan(&candID); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if candID != "" {
			er.Counts["contact"] = 1
			// And the candidate's data key: their contact in any copy is unreadable.
			if _, err := destroyKey(ctx, tx, ownerCandidate, candID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE applications SET erased_at = coalesce(erased_at, now()) WHERE org_id = $1 AND id = $2`, orgID, appID)
		return err
	})
	return er, err
}

// DeletionProof is the record of one erasure.
type DeletionProof struct {
	ApplicationID string         `json:"application_id"`
	Reason        string         `json:"reason"`
	Rule          string         `json:"rule"`
	Erased        map[string]any `json:"erased"`
	Digest        string         `json:"digest"`
	CompletedAt   time.Time      `json:"completed_at"`
}

// DeletionProofWrite records the proof (once) with the SHA-256 of its canonical JSON, and the
// audit log's entry for it.
func (s *Store) DeletionProofWrite(ctx context.Context, orgID string, p DeletionProof) (DeletionProof, error) {
	body := mustJSON(map[string]any{"application_id": p.ApplicationID, "reason": p.Reason, "rule": p.Rule, "erased": p.Erased})
	sum := sha256.Sum256(body)
	p.Digest = hex.EncodeToString(sum[:])
	tag, err := s.db.Exec(ctx, `INSERT INTO deletion_proofs (org_id, application_id, reason, rule, erased, digest) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (application_id) DO NOTHING`, orgID, p.ApplicationID, p.Reason, p.Rule, mustJSON(p.Erased), p.Digest)
	if err != nil {
		return p, err
	}
	if tag.RowsAffected() == 1 {
		if err := s.Audit(ctx, orgID, "system", "retention", "application.erased", "application", p.ApplicationID,
			map[string]any{"reason": p.Reason, "rule": p.Rule, "digest": p.Digest}); err != nil {
			return p, err
		}
	}
	return s.DeletionProofGet(ctx, orgID, p.ApplicationID)
}

// DeletionProofGet reads an application's proof of deletion.
func (s *Store) DeletionProofGet(ctx context.Context, orgID, appID string) (DeletionProof, error) {
	var p DeletionProof
	var erased []byte
	err := s.db.QueryRow(ctx, `SELECT application_id, reason, rule, erased, digest, completed_at FROM deletion_proofs WHERE org_id = $1 AND application_id = $2`, orgID, appID).
		Scan(&p.ApplicationID, &p.Reason, &p.Rule, &erased, &p.Digest, &p.CompletedAt)
	if err != nil {
		return p, notFound(err, "proof_not_found", "application")
	}
	return p, json.Unmarshal(erased, &p.Erased)
}

// OrgIDs lists every organisation (the retention schedule runs per organisation).
func (s *Store) OrgIDs(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ErasedObjectKeys lists the storage keys of the application's objects whose data keys were
// destroyed (the objects to delete from storage; deleting twice is harmless).
func (s *Store) ErasedObjectKeys(ctx context.Context, orgID, appID string) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT object_key FROM stored_objects WHERE org_id = $1 AND application_id = $2 AND key_enc = '\x' ORDER BY object_key`, orgID, appID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// FieldOverride is one organisation's change to the visibility matrix.
type FieldOverride struct {
	Role  string `json:"role"`
	Field string `json:"field"`
	Level string `json:"level"`
}

// FieldVisibility returns the organisation's overrides.
func (s *Store) FieldVisibility(ctx context.Context, orgID string) ([]FieldOverride, error) {
	if s.vis == nil {
		return s.fieldVisibility(ctx, orgID)
	}
	s.vis.mu.Lock()
	e, ok := s.vis.m[orgID]
	s.vis.mu.Unlock()
	if ok && time.Since(e.at) < FieldVisibilityTTL {
		return e.rows, nil
	}
	rows, err := s.fieldVisibility(ctx, orgID)
	if err == nil {
		s.vis.mu.Lock()
		s.vis.m[orgID] = visibilityEntry{at: time.Now(), rows: rows}
		s.vis.mu.Unlock()
	}
	return rows, err
}

// FieldVisibilityTTL is how long a process keeps an organisation's overrides: a change made
// through this process applies at once, one made through another within this time.
const FieldVisibilityTTL = 5 * time.Second

type visibilityCache struct {
	mu sync.Mutex
	m  map[string]visibilityEntry
}

type visibilityEntry struct {
	at   time.Time
	rows []FieldOverride
}

func (s *Store) fieldVisibility(ctx context.Context, orgID string) ([]FieldOverride, error) {
	rows, err := s.db.Query(ctx, `SELECT role, field, level FROM field_visibility WHERE org_id = $1 ORDER BY role, field`, orgID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FieldOverride, error) {
		var o FieldOverride
		err := r.Scan(&o.Role, &o.Field, &o.Level)
		return o, err
	})
}

// FieldVisibilitySet replaces the organisation's overrides, in one transaction.
func (s *Store) FieldVisibilitySet(ctx context.Context, orgID, userID string, overrides []FieldOverride) error {
	if s.vis != nil {
		defer func() {
			s.vis.mu.Lock()
			delete(s.vis.m, orgID)
			s.vis.mu.Unlock()
		}()
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM field_visibility WHERE org_id = $1`, orgID); err != nil {
			return err
		}
		for _, o := range overrides {
			if _, err := tx.Exec(ctx, `INSERT INTO field_visibility (org_id, role, field, level, updated_by) VALUES ($1, $2, $3, $4, $5)`,
				orgID, o.Role, o.Field, o.Level, userID); err != nil {
				return fmt.Errorf("store: field visibility: %w", err)
			}
		}
		return nil
	})
}

// Assigned reports whether a staff member takes part in an application: asked by email for a
// step of it (feedback, review, approval, probation, an interview invitation), on one of its
// interview panels, the author of its feedback, review or an approval decision — or, for the
// steps this product gives to a role rather than to people, holding that role while the
// application is there: hiring managers from review on, interviewers in a live round that has
// no booked panel.
func (s *Store) Assigned(ctx context.Context, orgID, appID, userID string) (bool, error) {
	var ok bool
	err := s.db.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM applications a JOIN users u ON u.org_id = a.org_id AND u.id = $3 WHERE a.org_id = $1 AND a.id = $2 AND (
			(u.role = 'hiring_manager' AND a.stage IN ('review','offer','onboarding','probation','completed'))
			OR (u.role = 'interviewer' AND a.stage = 'live_round' AND NOT EXISTS (SELECT 1 FROM interviews i JOIN interview_slots s ON s.interview_id = i.id
				WHERE i.application_id = a.id AND s.kind = 'booking' AND s.released_at IS NULL))))
		OR EXISTS (SELECT 1 FROM emails WHERE org_id = $1 AND application_id = $2 AND recipient_user_id = $3)
		OR EXISTS (SELECT 1 FROM interview_slots s JOIN interviews i ON i.id = s.interview_id WHERE i.org_id = $1 AND i.application_id = $2 AND s.user_id = $3)
		OR EXISTS (SELECT 1 FROM interview_feedback WHERE org_id = $1 AND application_id = $2 AND interviewer_id = $3)
		OR EXISTS (SELECT 1 FROM reviews WHERE org_id = $1 AND application_id = $2 AND reviewer_id = $3)
		OR EXISTS (SELECT 1 FROM approval_decisions d JOIN offers o ON o.id = d.offer_id WHERE o.org_id = $1 AND o.application_id = $2 AND d.user_id = $3)`,
		orgID, appID, userID).Scan(&ok)
	if isBadUUID(err) {
		return false, nil
	}
	return ok, err
}

// AssignedApplications lists the applications a staff member takes part in (see Assigned).
func (s *Store) AssignedApplications(ctx context.Context, orgID, userID string) (map[string]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT a.id FROM applications a JOIN users u ON u.org_id = a.org_id AND u.id = $2 WHERE a.org_id = $1 AND (
			(u.role = 'hiring_manager' AND a.stage IN ('review','offer','onboarding','probation','completed'))
			OR (u.role = 'interviewer' AND a.stage = 'live_round' AND NOT EXISTS (SELECT 1 FROM interviews i JOIN interview_slots s ON s.interview_id = i.id
				WHERE i.application_id = a.id AND s.kind = 'booking' AND s.released_at IS NULL)))
		UNION SELECT application_id FROM emails WHERE org_id = $1 AND recipient_user_id = $2 AND application_id IS NOT NULL
		UNION SELECT i.application_id FROM interview_slots s JOIN interviews i ON i.id = s.interview_id WHERE i.org_id = $1 AND s.user_id = $2
		UNION SELECT application_id FROM interview_feedback WHERE org_id = $1 AND interviewer_id = $2
		UNION SELECT application_id FROM reviews WHERE org_id = $1 AND reviewer_id = $2
		UNION SELECT o.application_id FROM approval_decisions d JOIN offers o ON o.id = d.offer_id WHERE o.org_id = $1 AND d.user_id = $2`, orgID, userID)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
