package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
)

// BoardFilter narrows a job's candidate board. EmailIndex finds a candidate by the keyed
// blind index of their email (no plaintext is scanned); zero values do not filter.
type BoardFilter struct {
	Stage, Status, Source, Language string
	EmailIndex                      []byte
	From, To                        time.Time // applied in [From, To)
	MinScore                        *float64  // the mean overall interview score
}

// BoardCard is one application on the board.
type BoardCard struct {
	ApplicationID string
	Stage         hireflow.Stage
	Status        hireflow.Status
	Source        string
	Language      string
	AppliedAt     time.Time
	UpdatedAt     time.Time
	Score         *float64
	CandidateName string // only for roles that see it; "" when it cannot be opened
	candID        string
	nameEnc       []byte
}

// Board is one page of a job's applications (newest first) with the count at each stage for
// the same filter (without its stage), so the columns show what the filter leaves.
func (s *Store) Board(ctx context.Context, orgID, jobID string, f BoardFilter, limit, offset int, withName bool) ([]BoardCard, map[string]int, error) {
	where := `a.org_id = $1 AND a.job_id = $2
		AND ($3::text IS NULL OR a.status = $3) AND ($4::text IS NULL OR a.source = $4) AND ($5::text IS NULL OR a.language = $5)
		AND ($6::bytea IS NULL OR c.email_hash = $6) AND ($7::timestamptz IS NULL OR a.created_at >= $7) AND ($8::timestamptz IS NULL OR a.created_at < $8)
		AND ($9::float8 IS NULL OR (SELECT avg(sc.overall) FROM answer_scores sc WHERE sc.application_id = a.id) >= $9)`
	args := []any{orgID, jobID, nilIfEmpty(f.Status), sourceArg(f.Source), nilIfEmpty(f.Language), nilBytes(f.EmailIndex), nilTime(f.From), nilTime(f.To), f.MinScore}
	counts, err := s.stageCounts(ctx, `SELECT a.stage, count(*) FROM applications a JOIN candidates c ON c.id = a.candidate_id WHERE `+where+` GROUP BY a.stage`, args...)
	if err != nil {
		return nil, nil, err
	}
	cards, err := listOf(ctx, s.db, "board", func(r pgx.Row) (BoardCard, error) {
		var b BoardCard
		var candID string
		var nameEnc []byte
		if err := r.Scan(&b.ApplicationID, &b.Stage, &b.Status, &b.Source, &b.Language, &b.AppliedAt, &b.UpdatedAt, &b.Score, &candID, &nameEnc); err != nil {
			return b, err
		}
		if withName {
			b.candID, b.nameEnc = candID, nameEnc
		}
		return b, nil
	}, `SELECT a.id, a.stage, a.status, a.source, a.language, a.created_at, a.updated_at,
			(SELECT avg(sc.overall) FROM answer_scores sc WHERE sc.application_id = a.id), c.id, c.name_enc
		FROM applications a JOIN candidates c ON c.id = a.candidate_id
		WHERE `+where+` AND ($10::text IS NULL OR a.stage = $10)
		ORDER BY a.created_at DESC, a.id LIMIT $11 OFFSET $12`, append(args, nilIfEmpty(f.Stage), limit, offset)...)
	for i := range cards {
		if cards[i].nameEnc != nil {
			cards[i].CandidateName = s.nameOrBlank(ctx, orgID, cards[i].candID, cards[i].nameEnc)
		}
	}
	return cards, counts, err
}

func nilBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// stageCounts runs a query of (stage, count) rows into a map.
func (s *Store) stageCounts(ctx context.Context, query string, args ...any) (map[string]int, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: stage counts: %w", err)
	}
	counts := map[string]int{}
	var stage string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&stage, &n}, func() error {
		counts[stage] = n
		return nil
	})
	return counts, err
}

// nameOrBlank opens a candidate's name for a list; a name that cannot be opened (its key
// destroyed by a deletion) is left out, and the item still shows.
func (s *Store) nameOrBlank(ctx context.Context, orgID, candID string, nameEnc []byte) string {
	name, err := s.openStringFor(ctx, orgID, ownerCandidate, candID, nameEnc, aad("candidates", "name", candID))
	if err != nil {
		return ""
	}
	return name
}
