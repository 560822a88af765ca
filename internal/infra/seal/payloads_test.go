package seal

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

type commonpbPayload = commonpb.Payload

func TestPayloadCodecRoundTripAndPassThrough(t *testing.T) {
	c, err := NewPayloadCodec(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
	in := map[string]any{"ApplicationID": "a1", "Round": 2.0}
	p, err := dc.ToPayload(in)
	require.NoError(t, err)
	require.Equal(t, PayloadEncoding, string(p.Metadata[converter.MetadataEncoding]))
	require.NotContains(t, string(p.Data), "ApplicationID", "the payload is ciphertext")
	var back map[string]any
	require.NoError(t, dc.FromPayload(p, &back))
	require.Equal(t, in, back)
	// A payload recorded before the codec (plain JSON) still decodes.
	plain, err := converter.GetDefaultDataConverter().ToPayload(in)
	require.NoError(t, err)
	back = nil
	require.NoError(t, dc.FromPayload(plain, &back))
	require.Equal(t, in, back)
	// Another key cannot read it; a flipped byte is refused.
	other, _ := NewPayloadCodec(bytes.Repeat([]byte{8}, 32))
	_, err = other.Decode(p2(p))
	require.ErrorIs(t, err, ErrOpen)
	p.Data[len(p.Data)-1] ^= 1
	_, err = c.Decode(p2(p))
	require.ErrorIs(t, err, ErrOpen)
}

func p2(p *commonpbPayload) []*commonpbPayload { return []*commonpbPayload{p} }

// Rotation: payloads name their key; a codec with a new current key and the old one kept
// reads both; dropping the old key makes its payloads unreadable; switched off, Encode leaves
// payloads plain and Decode still reads encrypted ones.
func TestPayloadCodecRotationAndSwitch(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	before, err := NewPayloadCodec(oldKey)
	require.NoError(t, err)
	plain, err := converter.GetDefaultDataConverter().ToPayload("application 42")
	require.NoError(t, err)
	enc, err := before.Encode(p2(plain))
	require.NoError(t, err)
	require.Equal(t, before.KeyID(), string(enc[0].Metadata[PayloadKeyID]))

	rotated, err := NewPayloadCodecKeys(newKey, [][]byte{oldKey}, true)
	require.NoError(t, err)
	require.NotEqual(t, before.KeyID(), rotated.KeyID())
	dec, err := rotated.Decode(enc)
	require.NoError(t, err)
	require.Equal(t, plain.Data, dec[0].Data, "the old key still decrypts")
	enc2, err := rotated.Encode(p2(plain))
	require.NoError(t, err)
	require.Equal(t, rotated.KeyID(), string(enc2[0].Metadata[PayloadKeyID]), "new payloads use the new key")

	only, err := NewPayloadCodecKeys(newKey, nil, true)
	require.NoError(t, err)
	_, err = only.Decode(enc)
	require.ErrorIs(t, err, ErrOpen, "a dropped key no longer reads")
	// A key id swapped onto another key's ciphertext is refused (the id is bound to the data).
	forged := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(PayloadEncoding), PayloadKeyID: []byte(rotated.KeyID())}, Data: enc[0].Data}
	_, err = rotated.Decode(p2(forged))
	require.ErrorIs(t, err, ErrOpen)

	off, err := NewPayloadCodecKeys(newKey, [][]byte{oldKey}, false)
	require.NoError(t, err)
	out, err := off.Encode(p2(plain))
	require.NoError(t, err)
	require.Equal(t, plain, out[0], "switched off: payloads stay as they are")
	dec, err = off.Decode(enc)
	require.NoError(t, err)
	require.Equal(t, plain.Data, dec[0].Data, "and the encrypted ones still read")
	_, err = NewPayloadCodecKeys([]byte("short"), nil, true)
	require.Error(t, err)
}
