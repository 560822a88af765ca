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
