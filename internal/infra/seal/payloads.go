package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// PayloadEncoding marks a Temporal payload this codec encrypted.
const PayloadEncoding = "binary/encrypted-hireflow-v1"

// PayloadCodec encrypts every Temporal payload (workflow inputs and results, activity
// arguments and results, signals, updates, queries, memos) with AES-256-GCM under a key derived
// from the data key, so a history read from the Temporal server or its database shows
// ciphertext. Payloads without its encoding (histories recorded before, search attributes)
// pass through unchanged. The Temporal UI reads histories through the codec server
// (converter.NewPayloadCodecHTTPHandler on the operations listener).
type PayloadCodec struct {
	aead cipher.AEAD
}

// NewPayloadCodec derives the payload key from the data key (HMAC-SHA256 with a label, so
// the columns' key is never used for payloads).
func NewPayloadCodec(dataKey []byte) (*PayloadCodec, error) {
	if len(dataKey) != 32 {
		return nil, fmt.Errorf("seal: the data key must be 32 bytes")
	}
	mac := hmac.New(sha256.New, dataKey)
	mac.Write([]byte("hireflow temporal payloads v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &PayloadCodec{aead: aead}, nil
}

var _ converter.PayloadCodec = (*PayloadCodec)(nil)

// Encode encrypts each payload whole (metadata and data).
func (c *PayloadCodec) Encode(in []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(in))
	for i, p := range in {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, c.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(PayloadEncoding)},
			Data: c.aead.Seal(nonce, nonce, plain, []byte(PayloadEncoding))}
	}
	return out, nil
}

// Decode decrypts what Encode produced and leaves every other payload as it is.
func (c *PayloadCodec) Decode(in []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(in))
	for i, p := range in {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != PayloadEncoding {
			out[i] = p
			continue
		}
		ns := c.aead.NonceSize()
		if len(p.Data) < ns+c.aead.Overhead() {
			return nil, ErrOpen
		}
		plain, err := c.aead.Open(nil, p.Data[:ns], p.Data[ns:], []byte(PayloadEncoding))
		if err != nil {
			return nil, ErrOpen
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, err
		}
		out[i] = &orig
	}
	return out, nil
}
