package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one row of the audit log as staff read it.
type AuditEntry struct {
	Seq         int64          `json:"seq"`
	At          time.Time      `json:"at"`
	ActorType   string         `json:"actor_type"`
	ActorID     string         `json:"actor_id"`
	Action      string         `json:"action"`
	SubjectType string         `json:"subject_type"`
	SubjectID   string         `json:"subject_id"`
	Detail      map[string]any `json:"detail"`
}

// AuditFilter narrows the log: an action (exact, or a prefix ending in "."), an actor, a
// subject (an application's ID, say), and rows before a sequence number (paging).
type AuditFilter struct {
	Action, ActorID, SubjectID string
	Before                     int64
}

// AuditLog reads the organisation's audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, orgID string, f AuditFilter, limit int) ([]AuditEntry, error) {
	return listOf(ctx, s.db, "audit log", func(r pgx.Row) (AuditEntry, error) {
		var e AuditEntry
		var detail []byte
		if err := r.Scan(&e.Seq, &e.At, &e.ActorType, &e.ActorID, &e.Action, &e.SubjectType, &e.SubjectID, &detail); err != nil {
			return e, err
		}
		return e, json.Unmarshal(detail, &e.Detail)
	}, `SELECT seq, at, actor_type, actor_id, action, subject_type, subject_id, detail FROM audit_log
		WHERE org_id = $1 AND ($2::text IS NULL OR action = $2 OR (right($2, 1) = '.' AND starts_with(action, $2)))
			AND ($3::text IS NULL OR actor_id = $3) AND ($4::text IS NULL OR subject_id = $4) AND ($5::bigint IS NULL OR seq < $5)
		ORDER BY seq DESC LIMIT $6`, orgID, nilIfEmpty(f.Action), nilIfEmpty(f.ActorID), nilIfEmpty(f.SubjectID), nilInt(f.Before), limit)
}

func nilInt(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
