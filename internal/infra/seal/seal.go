// Package seal owns encryption at rest: AES-256-GCM for personal columns (bound to their row),
// minio/sio (DARE, AES-256-GCM) for objects with a per-object data key sealed by the master key,
// and keyed hashes for tokens and blind indexes.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"golang.org/x/text/unicode/norm"
	"io"
	"strings"

	"github.com/minio/sio"
)

const version1 byte = 1

// ErrOpen is returned when ciphertext cannot be authenticated (wrong key, row or tampering).
var ErrOpen = errors.New("seal: unable to open ciphertext")

// Box seals and opens data with the deployment's master key.
type Box struct {
	aead    cipher.AEAD
	hashKey []byte
	version byte // version1: the master key; version2: an owner's data key (WithKey)
}

// New builds a Box from a 32-byte data key and a 32-byte hash key.
func New(dataKey, hashKey []byte) (*Box, error) {
	if len(dataKey) != 32 || len(hashKey) != 32 {
		return nil, errors.New("seal: keys must be 32 bytes")
	}
	block, err := aes.NewCipher(dataKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, hashKey: append([]byte(nil), hashKey...), version: version1}, nil
}

// Seal encrypts plaintext; aad binds it to its place (e.g. "candidates.email:<id>") so a
// ciphertext copied to another row does not open.
func (b *Box) Seal(plaintext []byte, aad string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+b.aead.Overhead())
	out = append(out, b.version)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(aad))
}

// SealString is Seal for strings.
func (b *Box) SealString(s, aad string) []byte { return b.Seal([]byte(s), aad) }

// Open decrypts what Seal produced for the same aad. An empty ciphertext is a column whose
// value was erased (Seal never produces one): it opens to nothing.
func (b *Box) Open(ciphertext []byte, aad string) ([]byte, error) {
	if len(ciphertext) == 0 {
		return nil, nil
	}
	ns := b.aead.NonceSize()
	if len(ciphertext) < 1+ns+b.aead.Overhead() || ciphertext[0] != b.version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, ciphertext[1:1+ns], ciphertext[1+ns:], []byte(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// OpenString is Open for strings.
func (b *Box) OpenString(ciphertext []byte, aad string) (string, error) {
	pt, err := b.Open(ciphertext, aad)
	return string(pt), err
}

// Hash is a keyed hash (HMAC-SHA256) with a domain label, for tokens and blind indexes.
func (b *Box) Hash(domain, value string) []byte {
	m := hmac.New(sha256.New, b.hashKey)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// EmailIndex is the blind index of an email address: equal for equal addresses, not reversible.
func (b *Box) EmailIndex(email string) []byte {
	return b.Hash("email", strings.ToLower(strings.TrimSpace(email)))
}

// NameIndex is the keyed blind index of a person's name: compared after NFKC (full-width
// letters as half-width), case folding and collapsing spaces, so "Li  Wei" finds "li wei".
func (b *Box) NameIndex(name string) []byte {
	return b.Hash("name", strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(name))), " "))
}

// ObjectKey is a fresh data key for one object, and that key sealed for storage.
type ObjectKey struct {
	Key    [32]byte
	Sealed []byte
}

// NewObjectKey makes a random data key for the object stored at objectKey.
func (b *Box) NewObjectKey(objectKey string) (ObjectKey, error) {
	var k ObjectKey
	if _, err := rand.Read(k.Key[:]); err != nil {
		return k, err
	}
	k.Sealed = b.Seal(k.Key[:], "object:"+objectKey)
	return k, nil
}

// OpenObjectKey recovers an object's data key.
func (b *Box) OpenObjectKey(sealed []byte, objectKey string) ([32]byte, error) {
	var k [32]byte
	pt, err := b.Open(sealed, "object:"+objectKey)
	if err != nil || len(pt) != 32 {
		return k, ErrOpen
	}
	copy(k[:], pt)
	return k, nil
}

func sioConfig(key [32]byte) sio.Config {
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20, Key: key[:],
		CipherSuites: []byte{sio.AES_256_GCM}}
}

// EncryptReader streams src encrypted with the object's key (DARE 2.0, AES-256-GCM).
func EncryptReader(src io.Reader, key [32]byte) (io.Reader, error) {
	r, err := sio.EncryptReader(src, sioConfig(key))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return r, nil
}

// DecryptReader streams the plaintext of an object encrypted by EncryptReader.
func DecryptReader(src io.Reader, key [32]byte) (io.Reader, error) {
	r, err := sio.DecryptReader(src, sioConfig(key))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return r, nil
}

// EncryptedSize is the stored size of a plaintext of n bytes.
func EncryptedSize(n int64) (int64, error) {
	s, err := sio.EncryptedSize(uint64(n))
	return int64(s), err
}

// RandomToken returns a URL-safe random token of 32 bytes (256 bits).
func RandomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	return base64URL(b)
}

// version2 marks a ciphertext sealed under an owner's own data key (an application's or a
// candidate's) rather than the master key: destroying that key makes it unreadable.
const version2 byte = 2

// NewDataKey returns a fresh 32-byte data key.
func NewDataKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	return k
}

// WithKey returns a Box that seals with the given data key (ciphertexts marked version 2) and
// keeps the master box's hash key.
func (b *Box) WithKey(key []byte) (*Box, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, hashKey: b.hashKey, version: version2}, nil
}

// OwnerSealed reports whether a ciphertext was sealed under an owner's data key.
func OwnerSealed(ciphertext []byte) bool { return len(ciphertext) > 0 && ciphertext[0] == version2 }
