package store

import (
	"context"
)

// StoredObjectGet loads an object row by id.
func (s *Store) StoredObjectGet(ctx context.Context, orgID, id string) (StoredObject, error) {
	var o StoredObject
	var app *string
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id::text, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc
		FROM stored_objects WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, orgID, id).
		Scan(&o.ID, &o.OrgID, &app, &o.Kind, &o.Bucket, &o.Key, &o.ContentType, &o.Size, &o.SHA256, &o.KeyEnc)
	if err != nil {
		return o, notFound(err, "object_not_found", "object")
	}
	if app != nil {
		o.ApplicationID = *app
	}
	return o, nil
}

// ObjectRecord stores the row of an uploaded object (outside the apply transaction).
func (s *Store) ObjectRecord(ctx context.Context, o StoredObject) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `INSERT INTO stored_objects (org_id, application_id, kind, bucket, object_key, content_type, size_bytes, sha256, key_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (bucket, object_key) DO UPDATE SET size_bytes = EXCLUDED.size_bytes RETURNING id`,
		o.OrgID, nilIfEmpty(o.ApplicationID), o.Kind, o.Bucket, o.Key, o.ContentType, o.Size, o.SHA256, o.KeyEnc).Scan(&id)
	return id, err
}
