// Package objects stores files in S3 (MinIO): every object is encrypted client-side with its own
// data key (minio/sio, AES-256-GCM) before it leaves the process, and additionally with SSE-S3
// when the server has a KMS key configured.
package objects

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"

	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// Store is the object store.
type Store struct {
	mc     *minio.Client
	bucket string
	box    *seal.Box
	sse    bool
}

// Options configure the connection.
type Options struct {
	Endpoint, AccessKey, SecretKey, Bucket string
	TLS, SSE                               bool
}

// Open connects and makes sure the bucket exists.
func Open(ctx context.Context, o Options, box *seal.Box) (*Store, error) {
	mc, err := minio.New(o.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""), Secure: o.TLS})
	if err != nil {
		return nil, fmt.Errorf("objects: %w", err)
	}
	s := &Store{mc: mc, bucket: o.Bucket, box: box, sse: o.SSE}
	if err := s.EnsureBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Bucket is the bucket name.
func (s *Store) Bucket() string { return s.bucket }

// Client exposes the raw client to tests that must see what is really stored.
func (s *Store) Client() *minio.Client { return s.mc }

// EnsureBucket creates the bucket if it is missing.
func (s *Store) EnsureBucket(ctx context.Context) error {
	ok, err := s.mc.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("objects: unable to reach the object store: %w", err)
	}
	if !ok {
		if err := s.mc.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
			if resp := minio.ToErrorResponse(err); resp.Code != "BucketAlreadyOwnedByYou" {
				return fmt.Errorf("objects: unable to create bucket: %w", err)
			}
		}
	}
	return nil
}

// Prepared is an object encrypted in memory and ready to upload, with its row.
type Prepared struct {
	Row        store.StoredObject
	ciphertext []byte
}

// Prepare encrypts data for storage at key and returns the row describing it. Uploading is a
// separate step so the row and the object can be written in one transaction's lifetime.
func (s *Store) Prepare(orgID, appID, kind, key, contentType string, data []byte) (*Prepared, error) {
	ok, err := s.box.NewObjectKey(key)
	if err != nil {
		return nil, err
	}
	r, err := seal.EncryptReader(bytes.NewReader(data), ok.Key)
	if err != nil {
		return nil, err
	}
	ct, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("objects: unable to encrypt: %w", err)
	}
	sum := sha256.Sum256(data)
	return &Prepared{ciphertext: ct, Row: store.StoredObject{OrgID: orgID, ApplicationID: appID, Kind: kind, Bucket: s.bucket,
		Key: key, ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), KeyEnc: ok.Sealed}}, nil
}

// Upload writes a prepared object. Writing the same key again replaces it (idempotent).
func (s *Store) Upload(ctx context.Context, p *Prepared) error {
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	if s.sse {
		opts.ServerSideEncryption = encrypt.NewSSE()
	}
	_, err := s.mc.PutObject(ctx, s.bucket, p.Row.Key, bytes.NewReader(p.ciphertext), int64(len(p.ciphertext)), opts)
	if err != nil {
		return fmt.Errorf("objects: unable to upload: %w", err)
	}
	return nil
}

// Read returns the decrypted content of a stored object.
func (s *Store) Read(ctx context.Context, o store.StoredObject) ([]byte, error) {
	key, err := s.box.OpenObjectKey(o.KeyEnc, o.Key)
	if err != nil {
		return nil, fmt.Errorf("objects: %s: %w", o.Key, err)
	}
	obj, err := s.mc.GetObject(ctx, o.Bucket, o.Key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("objects: unable to fetch %s: %w", o.Key, err)
	}
	defer obj.Close()
	r, err := seal.DecryptReader(obj, key)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("objects: unable to decrypt %s: %w", o.Key, err)
	}
	return data, nil
}

// Delete removes an object; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.mc.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return fmt.Errorf("objects: unable to delete %s: %w", key, err)
	}
	return nil
}

// Purge removes every version of the object at key (on a versioned bucket a plain delete only
// adds a delete marker) and returns how many versions and markers it removed. A missing key
// removes nothing and is no error.
func (s *Store) Purge(ctx context.Context, key string) (int, error) {
	n := 0
	for o := range s.mc.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true, Recursive: true}) {
		if o.Err != nil {
			return n, fmt.Errorf("objects: unable to list versions of %s: %w", key, o.Err)
		}
		if o.Key != key {
			continue
		}
		if err := s.mc.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: o.VersionID}); err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
			return n, fmt.Errorf("objects: unable to delete %s (version %s): %w", key, o.VersionID, err)
		}
		n++
	}
	return n, nil
}

// Ping checks the object store.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.mc.BucketExists(ctx, s.bucket)
	return err
}
