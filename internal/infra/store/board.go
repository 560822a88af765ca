package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
)

// BoardFilter narrows a job's candidate board. EmailIndex finds a candidate by the keyed
// blind index of their email (no plaintext is scanned); zero values do not filter.
type BoardFilter struct {
	Stage, Status, Source, Language string
	EmailIndex                      []byte
	NameIndex                       []byte    // the keyed index of a whole name (seal.Box.NameIndex)
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
	keyEnc        []byte
}

// Board is one page of a job's applications (newest first) with the count at each stage for
// the same filter (without its stage), so the columns show what the filter leaves.
func (s *Store) Board(ctx context.Context, orgID, jobID string, f BoardFilter, limit, offset int, withName bool) ([]BoardCard, map[string]int, error) {
	// Only the filters given become conditions (so each query gets a plan for its own shape,
	// walking the (org, job, created) index in order rather than sorting every row of a large
	// job); the person's email is consulted only for a search; the score is the application's
	// own column (kept by a trigger).
	args := []any{orgID, jobID}
	where := `a.org_id = $1 AND a.job_id = $2`
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if f.Status != "" {
		add("a.status = ?", f.Status)
	}
	if v := sourceArg(f.Source); v != nil {
		add("a.source = ?", v)
	}
	if f.Language != "" {
		add("a.language = ?", f.Language)
	}
	if len(f.EmailIndex) > 0 {
		add("a.candidate_id = (SELECT c.id FROM candidates c WHERE c.org_id = $1 AND c.email_hash = ?)", f.EmailIndex)
	}
	if len(f.NameIndex) > 0 {
		add("a.candidate_id IN (SELECT c.id FROM candidates c WHERE c.org_id = $1 AND c.name_hash = ?)", f.NameIndex)
	}
	if !f.From.IsZero() {
		add("a.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		add("a.created_at < ?", f.To)
	}
	if f.MinScore != nil {
		add("a.mean_score >= ?", *f.MinScore)
	}
	counts, err := s.stageCounts(ctx, `SELECT a.stage, count(*) FROM applications a WHERE `+where+` GROUP BY a.stage`, args...)
	if err != nil {
		return nil, nil, err
	}
	if f.Stage != "" {
		add("a.stage = ?", f.Stage)
	}
	args = append(args, limit, offset)
	n := len(args)
	cards, err := listOf(ctx, s.db, "board", func(r pgx.Row) (BoardCard, error) {
		var b BoardCard
		var candID string
		var nameEnc, keyEnc []byte
		if err := r.Scan(&b.ApplicationID, &b.Stage, &b.Status, &b.Source, &b.Language, &b.AppliedAt, &b.UpdatedAt, &b.Score, &candID, &nameEnc, &keyEnc); err != nil {
			return b, err
		}
		if withName {
			b.candID, b.nameEnc, b.keyEnc = candID, nameEnc, keyEnc
		}
		return b, nil
	}, // The page is cut from the applications alone, then its 50 rows joined to the people and
		// their keys: a generic plan cannot then join every row of a large job before the sort.
		`WITH page AS MATERIALIZED (SELECT a.id, a.stage, a.status, a.source, a.language, a.created_at, a.updated_at, a.mean_score, a.candidate_id
			FROM applications a WHERE `+where+`
			ORDER BY a.created_at DESC, a.id LIMIT $`+strconv.Itoa(n-1)+` OFFSET $`+strconv.Itoa(n)+`)
		SELECT p.id, p.stage, p.status, p.source, p.language, p.created_at, p.updated_at, p.mean_score, c.id, c.name_enc, k.key_enc
		FROM page p JOIN candidates c ON c.id = p.candidate_id
		LEFT JOIN data_keys k ON k.owner_type = 'candidate' AND k.owner_id = c.id
		ORDER BY p.created_at DESC, p.id`, args...)
	for i := range cards {
		if cards[i].nameEnc != nil {
			cards[i].CandidateName = s.nameWithKey(cards[i].candID, cards[i].nameEnc, cards[i].keyEnc)
		}
	}
	return cards, counts, err
}

// nameWithKey opens a candidate's name for a list with the key row read in the same query (no
// query per card); a name that cannot be opened (its key destroyed) is left out.
func (s *Store) nameWithKey(candID string, nameEnc, keyEnc []byte) string {
	where := aad("candidates", "name", candID)
	if !seal.OwnerSealed(nameEnc) {
		b, err := s.box.Open(nameEnc, where)
		if err != nil {
			return ""
		}
		return string(b)
	}
	if len(keyEnc) == 0 {
		return ""
	}
	key, err := s.box.Open(keyEnc, aad("data_keys", ownerCandidate, candID))
	if err != nil {
		return ""
	}
	box, err := s.box.WithKey(key)
	if err != nil {
		return ""
	}
	b, err := box.Open(nameEnc, where)
	if err != nil {
		return ""
	}
	return string(b)
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

// ApprovingOffer is an offer in its approval chain (for the approvers' inbox).
type ApprovingOffer struct {
	OfferID, ApplicationID, JobTitle string
	Since                            time.Time
}

// ApprovingOffers lists the organisation's offers in approval, the longest waiting first.
func (s *Store) ApprovingOffers(ctx context.Context, orgID string, limit int) ([]ApprovingOffer, error) {
	return listOf(ctx, s.db, "approving offers", func(r pgx.Row) (ApprovingOffer, error) {
		var o ApprovingOffer
		return o, r.Scan(&o.OfferID, &o.ApplicationID, &o.JobTitle, &o.Since)
	}, `SELECT o.id, o.application_id, j.title, o.created_at FROM offers o JOIN applications a ON a.id = o.application_id JOIN jobs j ON j.id = a.job_id
		WHERE o.org_id = $1 AND o.status = 'approving' ORDER BY o.created_at LIMIT $2`, orgID, limit)
}
