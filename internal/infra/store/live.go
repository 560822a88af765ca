package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Piece is one piece of a recording uploaded while the candidate speaks.
type Piece struct {
	Seq      int
	ObjectID string
	Bytes    int
	SHA256   []byte
}

// PieceRecord records a piece; a piece already recorded under the same number is kept (the
// upload is idempotent) and reported as found, with its hash so the caller can tell a repeat
// from a different piece.
func (s *Store) PieceRecord(ctx context.Context, orgID, appID, questionID, take string, p Piece) (existing Piece, found bool, err error) {
	tag, err := s.db.Exec(ctx, `INSERT INTO recording_pieces (org_id, application_id, question_id, take, seq, object_id, bytes, sha256)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, orgID, appID, questionID, take, p.Seq, p.ObjectID, p.Bytes, p.SHA256)
	if err != nil {
		return existing, false, err
	}
	if tag.RowsAffected() == 1 {
		return p, false, nil
	}
	err = s.db.QueryRow(ctx, `SELECT seq, object_id, bytes, sha256 FROM recording_pieces
		WHERE org_id = $1 AND application_id = $2 AND question_id = $3 AND take = $4 AND seq = $5`, orgID, appID, questionID, take, p.Seq).
		Scan(&existing.Seq, &existing.ObjectID, &existing.Bytes, &existing.SHA256)
	return existing, true, err
}

// PieceTotals is how many pieces and bytes a take has so far.
func (s *Store) PieceTotals(ctx context.Context, orgID, appID, questionID, take string) (n int, bytes int64, err error) {
	err = s.db.QueryRow(ctx, `SELECT count(*), coalesce(sum(bytes), 0) FROM recording_pieces
		WHERE org_id = $1 AND application_id = $2 AND question_id = $3 AND take = $4`, orgID, appID, questionID, take).Scan(&n, &bytes)
	return n, bytes, err
}

// Pieces are a take's pieces from 0 without a gap (a piece not yet arrived ends the list).
func (s *Store) Pieces(ctx context.Context, orgID, appID, questionID, take string) ([]Piece, error) {
	rows, err := s.db.Query(ctx, `SELECT seq, object_id, bytes, sha256 FROM recording_pieces
		WHERE org_id = $1 AND application_id = $2 AND question_id = $3 AND take = $4 ORDER BY seq`, orgID, appID, questionID, take)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Piece
	for rows.Next() {
		var p Piece
		if err := rows.Scan(&p.Seq, &p.ObjectID, &p.Bytes, &p.SHA256); err != nil {
			return nil, err
		}
		if p.Seq != len(out) {
			break
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// LiveTranscript is what was transcribed of a take while it was recorded.
type LiveTranscript struct {
	Take         string
	Bytes        int64
	PrefixSHA256 []byte
	Until        float64
	Words        json.RawMessage
	// Speaker is the speaker transform fitted from the words up to SpeakerUntil (nil: none yet).
	Speaker      []byte
	SpeakerUntil float64
}

// LiveTranscriptGet returns a take's transcript so far (found false when there is none).
func (s *Store) LiveTranscriptGet(ctx context.Context, orgID, appID, questionID, take string) (LiveTranscript, bool, error) {
	lt := LiveTranscript{Take: take}
	err := s.db.QueryRow(ctx, `SELECT bytes, prefix_sha256, until_s, words, speaker, speaker_until_s FROM live_transcripts
		WHERE org_id = $1 AND application_id = $2 AND question_id = $3 AND take = $4`, orgID, appID, questionID, take).
		Scan(&lt.Bytes, &lt.PrefixSHA256, &lt.Until, &lt.Words, &lt.Speaker, &lt.SpeakerUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return lt, false, nil
	}
	return lt, err == nil, err
}

// LiveTranscriptsOf are every take's transcript of a question, the furthest first.
func (s *Store) LiveTranscriptsOf(ctx context.Context, orgID, appID, questionID string) ([]LiveTranscript, error) {
	rows, err := s.db.Query(ctx, `SELECT take, bytes, prefix_sha256, until_s, words, speaker, speaker_until_s FROM live_transcripts
		WHERE org_id = $1 AND application_id = $2 AND question_id = $3 ORDER BY until_s DESC`, orgID, appID, questionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LiveTranscript
	for rows.Next() {
		var lt LiveTranscript
		if err := rows.Scan(&lt.Take, &lt.Bytes, &lt.PrefixSHA256, &lt.Until, &lt.Words, &lt.Speaker, &lt.SpeakerUntil); err != nil {
			return nil, err
		}
		out = append(out, lt)
	}
	return out, rows.Err()
}

// LiveTranscriptSave stores a take's transcript so far, only moving it forward (a slower,
// older decoding never overwrites a newer one).
func (s *Store) LiveTranscriptSave(ctx context.Context, orgID, appID, questionID string, lt LiveTranscript) error {
	_, err := s.db.Exec(ctx, `INSERT INTO live_transcripts (org_id, application_id, question_id, take, bytes, prefix_sha256, until_s, words, speaker, speaker_until_s)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (application_id, question_id, take) DO UPDATE SET bytes = $5, prefix_sha256 = $6, until_s = $7, words = $8,
			speaker = $9, speaker_until_s = $10, updated_at = now()
		WHERE live_transcripts.until_s < $7`, orgID, appID, questionID, lt.Take, lt.Bytes, lt.PrefixSHA256, lt.Until, lt.Words, lt.Speaker, lt.SpeakerUntil)
	return err
}

// LiveDiscard deletes a question's pieces and transcripts once its answer is scored (or
// every question's, with questionID ""): the pieces' object rows lose their keys and are marked
// deleted, and their object keys are returned for the caller to delete from the object store.
func (s *Store) LiveDiscard(ctx context.Context, orgID, appID, questionID string) ([]string, error) {
	var ids, keys []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM recording_pieces WHERE org_id = $1 AND application_id = $2 AND ($3 = '' OR question_id = $3)
			RETURNING object_id`, orgID, appID, questionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `DELETE FROM live_transcripts WHERE org_id = $1 AND application_id = $2 AND ($3 = '' OR question_id = $3)`, orgID, appID, questionID); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `UPDATE stored_objects SET key_enc = '\x', deleted_at = coalesce(deleted_at, now())
			WHERE org_id = $1 AND id = ANY($2::uuid[]) RETURNING object_key`, orgID, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return rows.Err()
	})
	return keys, err
}

// ObjectDiscard marks an object row deleted and destroys its key (an upload that lost a race).
func (s *Store) ObjectDiscard(ctx context.Context, orgID, id string) error {
	_, err := s.db.Exec(ctx, `UPDATE stored_objects SET key_enc = '\x', deleted_at = coalesce(deleted_at, now()) WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}
