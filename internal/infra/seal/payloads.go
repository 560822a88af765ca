package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// PayloadEncoding marks a Temporal payload this codec encrypted.
const PayloadEncoding = "binary/encrypted-hireflow-v1"

// PayloadKeyID is the payload metadata naming the key a payload was encrypted under.
const PayloadKeyID = "encryption-key-id"

// PayloadCodec encrypts every Temporal payload (workflow inputs and results, activity
// arguments and results, signals, updates, queries, memos) with AES-256-GCM under a key derived
// from a configured secret, so a history read from the Temporal server or its database shows
// ciphertext. Each payload names its key's id in its metadata; older keys stay for decoding
// (rotation: new payloads use the current key, histories written under an old one still read).
// With encryption switched off, Encode leaves payloads as they are and Decode still reads the
// ones encrypted before. Payloads without its encoding (histories recorded before, search
// attributes) pass through unchanged. The Temporal UI reads histories through the codec server
// (converter.NewPayloadCodecHTTPHandler on the operations listener).
type PayloadCodec struct {
	encrypt bool
	current string
	keys    map[string]cipher.AEAD
	order   []string // current first: payloads without a key id (the first format) try each
}

// NewPayloadCodec encrypts under a key derived from secret (the data key by default).
func NewPayloadCodec(secret []byte) (*PayloadCodec, error) {
	return NewPayloadCodecKeys(secret, nil, true)
}

// NewPayloadCodecKeys encrypts under current (when encrypt) and decrypts under current and
// each of old. Each secret is 32 bytes; the payload key is HMAC-SHA256(secret, label), so the
// columns' key is never used for payloads as it is.
func NewPayloadCodecKeys(current []byte, old [][]byte, encrypt bool) (*PayloadCodec, error) {
	c := &PayloadCodec{encrypt: encrypt, keys: map[string]cipher.AEAD{}}
	for i, secret := range append([][]byte{current}, old...) {
		if len(secret) != 32 {
			return nil, fmt.Errorf("seal: payload key %d must be 32 bytes", i)
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("hireflow temporal payloads v1"))
		key := mac.Sum(nil)
		idMac := hmac.New(sha256.New, key)
		idMac.Write([]byte("key id"))
		id := hex.EncodeToString(idMac.Sum(nil)[:6])
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := c.keys[id]; dup {
			continue
		}
		if i == 0 {
			c.current = id
		}
		c.keys[id] = aead
		c.order = append(c.order, id)
	}
	return c, nil
}

// KeyID is the id of the key new payloads are encrypted under.
func (c *PayloadCodec) KeyID() string { return c.current }

var _ converter.PayloadCodec = (*PayloadCodec)(nil)

// Encode encrypts each payload whole (metadata and data), bound to its key id.
func (c *PayloadCodec) Encode(in []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if !c.encrypt {
		return in, nil
	}
	aead := c.keys[c.current]
	out := make([]*commonpb.Payload, len(in))
	for i, p := range in {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(PayloadEncoding), PayloadKeyID: []byte(c.current)},
			Data: aead.Seal(nonce, nonce, plain, []byte(PayloadEncoding+c.current))}
	}
	return out, nil
}

// Decode decrypts what Encode produced (under any known key) and leaves every other payload as
// it is. A payload under a key no longer configured is ErrOpen.
func (c *PayloadCodec) Decode(in []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(in))
	for i, p := range in {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != PayloadEncoding {
			out[i] = p
			continue
		}
		plain, err := c.open(p)
		if err != nil {
			return nil, err
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, err
		}
		out[i] = &orig
	}
	return out, nil
}

func (c *PayloadCodec) open(p *commonpb.Payload) ([]byte, error) {
	id, named := p.GetMetadata()[PayloadKeyID]
	try := c.order
	aad := func(string) []byte { return []byte(PayloadEncoding) } // the first format: no key id
	if named {
		if _, ok := c.keys[string(id)]; !ok {
			return nil, ErrOpen
		}
		try = []string{string(id)}
		aad = func(id string) []byte { return []byte(PayloadEncoding + id) }
	}
	for _, k := range try {
		aead := c.keys[k]
		ns := aead.NonceSize()
		if len(p.Data) < ns+aead.Overhead() {
			return nil, ErrOpen
		}
		if plain, err := aead.Open(nil, p.Data[:ns], p.Data[ns:], aad(k)); err == nil {
			return plain, nil
		}
	}
	return nil, ErrOpen
}
