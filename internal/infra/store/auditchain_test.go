package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestAuditChainNamesTheFirstTamperedRow: rows written through the store chain by hash; the
// log refuses UPDATE and DELETE; a row changed behind the trigger's back (as a superuser with
// triggers off) is named by AuditVerify, as is a row removed, a forged checkpoint, and a
// chain recomputed from scratch past a signed checkpoint.
func TestAuditChainNamesTheFirstTamperedRow(t *testing.T) {
	cfg := testenv.Config(t, nil)
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	box, err := seal.New(cfg.DataKey, cfg.HashKey)
	require.NoError(t, err)
	// Each case in its own transaction, rolled back.
	run := func(name string, tamper func(tx pgx.Tx, s *store.Store, org string, ids []int64), want string) {
		t.Run(name, func(t *testing.T) {
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			defer tx.Rollback(context.Background()) //nolint:errcheck
			s := store.NewInTx(tx, box)
			org, err := s.OrgCreate(ctx, "ac-"+strings.ReplaceAll(name, " ", "-"), "Audit Chain")
			require.NoError(t, err)
			for i := 0; i < 5; i++ {
				require.NoError(t, s.Audit(ctx, org.ID, "user", "u1", "candidate.read", "application", "a", map[string]any{"i": i, "名": "值"}))
			}
			var ids []int64
			rows, err := tx.Query(ctx, `SELECT id FROM audit_log WHERE org_id = $1 ORDER BY seq`, org.ID)
			require.NoError(t, err)
			for rows.Next() {
				var id int64
				require.NoError(t, rows.Scan(&id))
				ids = append(ids, id)
			}
			require.NoError(t, rows.Err())
			require.Len(t, ids, 5)
			v, err := s.AuditVerify(ctx, org.ID)
			require.NoError(t, err)
			require.Nil(t, v.Broken, "an untouched chain verifies")
			require.Equal(t, int64(5), v.Rows)
			tamper(tx, s, org.ID, ids)
			v, err = s.AuditVerify(ctx, org.ID)
			require.NoError(t, err)
			if want == "" {
				require.Nil(t, v.Broken)
				return
			}
			require.NotNil(t, v.Broken)
			require.Contains(t, v.Broken.Reason, want)
			if v.Broken.ID != 0 {
				require.Equal(t, ids[2], v.Broken.ID, "the first broken row is named")
			}
		})
	}
	run("refused", func(tx pgx.Tx, _ *store.Store, org string, ids []int64) {
		_, err := tx.Exec(ctx, `SAVEPOINT s`)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `UPDATE audit_log SET action = 'x' WHERE id = $1`, ids[2])
		require.ErrorContains(t, err, "append-only")
		_, err = tx.Exec(ctx, `ROLLBACK TO SAVEPOINT s`)
		require.NoError(t, err)
	}, "")
	run("changed", func(tx pgx.Tx, _ *store.Store, org string, ids []int64) {
		_, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `UPDATE audit_log SET detail = '{"i": 99}' WHERE id = $1`, ids[2])
		require.NoError(t, err)
	}, "content does not match")
	run("removed", func(tx pgx.Tx, _ *store.Store, org string, ids []int64) {
		_, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `DELETE FROM audit_log WHERE id = $1`, ids[1])
		require.NoError(t, err)
	}, "missing")
	run("rewritten", func(tx pgx.Tx, s *store.Store, org string, ids []int64) {
		_, err := s.AuditCheckpoint(ctx, org)
		require.NoError(t, err)
		// Someone without the key changes row 3 and recomputes every hash after it.
		_, err = tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `UPDATE audit_log SET detail = '{"i": 99}' WHERE id = $1`, ids[2])
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `DO $$ DECLARE r audit_log; h bytea := '\x'; BEGIN
			FOR r IN SELECT * FROM audit_log WHERE org_id = '`+org+`' ORDER BY seq LOOP
				UPDATE audit_log SET prev_hash = h, hash = digest(h || convert_to(audit_row_text(r), 'UTF8'), 'sha256') WHERE id = r.id RETURNING hash INTO h;
			END LOOP; END $$`)
		require.NoError(t, err)
	}, "rewritten")
	run("forged checkpoint", func(tx pgx.Tx, _ *store.Store, org string, ids []int64) {
		_, err := tx.Exec(ctx, `INSERT INTO audit_checkpoints (org_id, seq, hash, signature) SELECT org_id, seq, hash, '\x00' FROM audit_log WHERE id = $1`, ids[4])
		require.NoError(t, err)
	}, "forged")
}
