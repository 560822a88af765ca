// Package store is hireflow's PostgreSQL store. Every query is scoped by organisation, uses
// $n parameters only, and personal columns are sealed before they reach the database.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
)

// Store wraps the pool and the sealing box.
type Store struct {
	db   querier       // the pool, or one transaction (NewInTx)
	pool *pgxpool.Pool // nil in a transaction's store
	box  *seal.Box
	vis  *visibilityCache // the organisations' field-visibility overrides, briefly (nil in a transaction's store)
}

// querier is what the queries need; *pgxpool.Pool and pgx.Tx both have it (a transaction's
// Begin is a savepoint, so inTx works inside one too).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// NewInTx is a store whose every query runs in tx: tests roll it back at cleanup.
func NewInTx(tx pgx.Tx, box *seal.Box) *Store { return &Store{db: tx, box: box} }

// Open connects to PostgreSQL.
func Open(ctx context.Context, url string, box *seal.Box) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: invalid database URL: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: unable to connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: unable to reach PostgreSQL: %w", err)
	}
	return &Store{db: pool, pool: pool, box: box, vis: &visibilityCache{m: map[string]visibilityEntry{}}}, nil
}

// Close releases the pool.
func (s *Store) Close() {
	if s.pool != nil {
		s.pool.Close()
	}
}

// Ping checks the database.
func (s *Store) Ping(ctx context.Context) error {
	if s.pool == nil {
		return s.db.QueryRow(ctx, "SELECT 1").Scan(new(int))
	}
	return s.pool.Ping(ctx)
}

// Pool exposes the pool to tests and the bench.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Box exposes the sealing box to the layers that encrypt objects.
func (s *Store) Box() *seal.Box { return s.box }

func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: unable to commit: %w", err)
	}
	return nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}

func isBadUUID(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "22P02"
}

func notFound(err error, code, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) || isBadUUID(err) {
		return hireflow.NotFound(code, what)
	}
	return fmt.Errorf("store: unable to fetch %s: %w", what, err)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Audit appends to the audit log (append-only, enforced by a trigger).
func (s *Store) Audit(ctx context.Context, orgID, actorType, actorID, action, subjectType, subjectID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := s.db.Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, orgID, actorType, actorID, action, subjectType, subjectID, mustJSON(detail))
	if err != nil {
		return fmt.Errorf("store: unable to write audit log: %w", err)
	}
	return nil
}

// CopyTable is rows for one table, written with COPY (benches and tests that load volume).
type CopyTable struct {
	Table   string
	Columns []string
	Rows    [][]any
}

// Copy writes each table's rows with COPY, in order (parents before children).
func (s *Store) Copy(ctx context.Context, tables ...CopyTable) error {
	for _, t := range tables {
		if _, err := s.db.CopyFrom(ctx, pgx.Identifier{t.Table}, t.Columns, pgx.CopyFromRows(t.Rows)); err != nil {
			return fmt.Errorf("store: copy %s: %w", t.Table, err)
		}
	}
	return nil
}
