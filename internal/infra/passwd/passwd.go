// Package passwd hashes staff passwords with argon2id (PHC string format).
package passwd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const (
	memoryKiB = 19 * 1024
	time      = 2
	threads   = 1
	keyLen    = 32
)

// MinLength is the shortest password accepted.
const MinLength = 10

var b64 = base64.RawStdEncoding

// Hash returns the PHC-formatted argon2id hash of password.
func Hash(password string) (string, error) {
	if len(password) < MinLength {
		return "", fmt.Errorf("passwd: a password needs at least %d characters", MinLength)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, time, memoryKiB, threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, time, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMismatch is returned for a wrong password or a malformed hash.
var ErrMismatch = errors.New("passwd: password does not match")

// Verify checks password against a hash made by Hash (parameters are read from the hash).
func Verify(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ErrMismatch
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return ErrMismatch
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// Dummy is a valid hash to verify against when a user does not exist, so that sign-in takes
// the same time either way.
var Dummy, _ = Hash("hireflow-dummy-password")
