package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow/internal/infra/seal"
)

// Owners of data keys.
const (
	ownerApplication = "application"
	ownerCandidate   = "candidate"
)

// ownerBox returns the box sealing an owner's columns under its own data key, creating the
// key when create is set. A destroyed key (erasure) answers nil: what it sealed is gone.
func (s *Store) ownerBox(ctx context.Context, q querier, orgID, ownerType, ownerID string, create bool) (*seal.Box, error) {
	keyAAD := aad("data_keys", ownerType, ownerID)
	var enc []byte
	err := q.QueryRow(ctx, `SELECT key_enc FROM data_keys WHERE owner_type = $1 AND owner_id = $2`, ownerType, ownerID).Scan(&enc)
	if errors.Is(err, pgx.ErrNoRows) && create {
		fresh := s.box.Seal(seal.NewDataKey(), keyAAD)
		err = q.QueryRow(ctx, `INSERT INTO data_keys (owner_type, owner_id, org_id, key_enc) VALUES ($1, $2, $3, $4)
			ON CONFLICT (owner_type, owner_id) DO UPDATE SET owner_type = EXCLUDED.owner_type RETURNING key_enc`, ownerType, ownerID, orgID, fresh).Scan(&enc)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: data key: %w", err)
	}
	if len(enc) == 0 {
		return nil, nil // destroyed
	}
	key, err := s.box.Open(enc, keyAAD)
	if err != nil {
		return nil, fmt.Errorf("store: data key %s %s: %w", ownerType, ownerID, err)
	}
	return s.box.WithKey(key)
}

// sealFor seals a column under its owner's data key (creating the key).
func (s *Store) sealFor(ctx context.Context, q querier, orgID, ownerType, ownerID string, plaintext []byte, where string) ([]byte, error) {
	b, err := s.ownerBox(ctx, q, orgID, ownerType, ownerID, true)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("store: the %s's data key was destroyed", ownerType)
	}
	return b.Seal(plaintext, where), nil
}

// openFor opens a column sealed under the master key (older rows) or its owner's data key; an
// erased column or a destroyed key opens to nothing.
func (s *Store) openFor(ctx context.Context, orgID, ownerType, ownerID string, ciphertext []byte, where string) ([]byte, error) {
	if !seal.OwnerSealed(ciphertext) {
		return s.box.Open(ciphertext, where)
	}
	b, err := s.ownerBox(ctx, s.db, orgID, ownerType, ownerID, false)
	if err != nil || b == nil {
		return nil, err
	}
	return b.Open(ciphertext, where)
}

func (s *Store) openStringFor(ctx context.Context, orgID, ownerType, ownerID string, ciphertext []byte, where string) (string, error) {
	b, err := s.openFor(ctx, orgID, ownerType, ownerID, ciphertext, where)
	return string(b), err
}

// destroyKey destroys an owner's data key (the first step of its erasure).
func destroyKey(ctx context.Context, tx pgx.Tx, ownerType, ownerID string) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE data_keys SET key_enc = '\x', destroyed_at = now() WHERE owner_type = $1 AND owner_id = $2 AND destroyed_at IS NULL`, ownerType, ownerID)
	return tag.RowsAffected(), err
}
