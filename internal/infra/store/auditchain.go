package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// AuditBreak is the first row where an organisation's audit chain does not hold.
type AuditBreak struct {
	ID     int64  `json:"id"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// AuditVerification is what recomputing an organisation's audit chain found.
type AuditVerification struct {
	OrgID       string      `json:"org_id"`
	Rows        int64       `json:"rows"`
	Checkpoints int         `json:"checkpoints"`
	Broken      *AuditBreak `json:"broken,omitempty"`
}

func checkpointValue(orgID string, seq int64, hash []byte) string {
	return orgID + "|" + strconv.FormatInt(seq, 10) + "|" + hex.EncodeToString(hash)
}

// AuditVerify recomputes the organisation's audit chain in order: every row's sequence number
// follows the one before (no row removed), its prev_hash is the previous row's hash, and its
// hash is SHA-256(prev_hash || its canonical text) (no row changed); then every checkpoint's
// signature and the row it pins. It names the first row where the chain breaks.
func (s *Store) AuditVerify(ctx context.Context, orgID string) (AuditVerification, error) {
	v := AuditVerification{OrgID: orgID}
	rows, err := s.db.Query(ctx, `SELECT a.id, a.seq, a.prev_hash, a.hash, audit_row_text(a) FROM audit_log a WHERE a.org_id = $1 ORDER BY a.seq`, orgID)
	if err != nil {
		return v, fmt.Errorf("store: audit verify: %w", err)
	}
	defer rows.Close()
	hashes := map[int64][]byte{}
	var lastSeq int64
	var last []byte
	for rows.Next() {
		var id, seq int64
		var prev, hash []byte
		var text string
		if err := rows.Scan(&id, &seq, &prev, &hash, &text); err != nil {
			return v, err
		}
		v.Rows++
		if v.Broken != nil {
			continue
		}
		sum := sha256.Sum256(append(append([]byte{}, prev...), text...))
		switch {
		case seq != lastSeq+1:
			v.Broken = &AuditBreak{ID: id, Seq: seq, Reason: fmt.Sprintf("rows %d to %d of the chain are missing", lastSeq+1, seq-1)}
		case !bytes.Equal(prev, last):
			v.Broken = &AuditBreak{ID: id, Seq: seq, Reason: "its link to the row before does not match that row's hash"}
		case !bytes.Equal(sum[:], hash):
			v.Broken = &AuditBreak{ID: id, Seq: seq, Reason: "its content does not match its hash (the row was changed)"}
		}
		lastSeq, last = seq, hash
		hashes[seq] = hash
	}
	if err := rows.Err(); err != nil {
		return v, err
	}
	cps, err := s.db.Query(ctx, `SELECT seq, hash, signature FROM audit_checkpoints WHERE org_id = $1 ORDER BY seq`, orgID)
	if err != nil {
		return v, err
	}
	defer cps.Close()
	for cps.Next() {
		var seq int64
		var hash, sig []byte
		if err := cps.Scan(&seq, &hash, &sig); err != nil {
			return v, err
		}
		v.Checkpoints++
		if v.Broken != nil {
			continue
		}
		if !bytes.Equal(sig, s.box.Hash("audit_checkpoint", checkpointValue(orgID, seq, hash))) {
			v.Broken = &AuditBreak{Seq: seq, Reason: "a checkpoint's signature does not match (the checkpoint was forged)"}
		} else if got, ok := hashes[seq]; !ok || !bytes.Equal(got, hash) {
			v.Broken = &AuditBreak{Seq: seq, Reason: "the chain differs from its signed checkpoint (the log was rewritten)"}
		}
	}
	return v, cps.Err()
}

// AuditCheckpoint signs the organisation's chain head (nothing when the log is empty or the
// head is signed already) and returns its sequence number.
func (s *Store) AuditCheckpoint(ctx context.Context, orgID string) (int64, error) {
	var seq int64
	var hash []byte
	err := s.db.QueryRow(ctx, `SELECT seq, hash FROM audit_log WHERE org_id = $1 ORDER BY seq DESC LIMIT 1`, orgID).Scan(&seq, &hash)
	if err != nil {
		return 0, notFound(err, "audit_log_empty", "audit log")
	}
	_, err = s.db.Exec(ctx, `INSERT INTO audit_checkpoints (org_id, seq, hash, signature) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		orgID, seq, hash, s.box.Hash("audit_checkpoint", checkpointValue(orgID, seq, hash)))
	return seq, err
}

// AuditOrgs are the organisations with an audit log.
func (s *Store) AuditOrgs(ctx context.Context) ([]string, error) {
	return listOf(ctx, s.db, "organisations", func(r pgx.Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, `SELECT id FROM organisations ORDER BY created_at, id`)
}
