package seal

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func testBox(t *testing.T) *Box {
	b, err := New(bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 32))
	require.NoError(t, err)
	return b
}

func TestSealOpen(t *testing.T) {
	b := testBox(t)
	ct := b.SealString("张三 zhang@example.com", "candidates.email:1")
	require.NotContains(t, string(ct), "zhang")
	pt, err := b.OpenString(ct, "candidates.email:1")
	require.NoError(t, err)
	require.Equal(t, "张三 zhang@example.com", pt)

	t.Run("WrongRow", func(t *testing.T) {
		_, err := b.Open(ct, "candidates.email:2")
		require.ErrorIs(t, err, ErrOpen)
	})
	t.Run("Tampered", func(t *testing.T) {
		bad := append([]byte(nil), ct...)
		bad[len(bad)-1] ^= 1
		_, err := b.Open(bad, "candidates.email:1")
		require.ErrorIs(t, err, ErrOpen)
	})
	t.Run("Short", func(t *testing.T) {
		_, err := b.Open([]byte{1, 2}, "x")
		require.ErrorIs(t, err, ErrOpen)
	})
}

func TestEmailIndexNormalises(t *testing.T) {
	b := testBox(t)
	require.Equal(t, b.EmailIndex(" A@Example.com"), b.EmailIndex("a@example.com"))
	require.NotEqual(t, b.EmailIndex("a@example.com"), b.EmailIndex("b@example.com"))
	require.NotEqual(t, b.Hash("token", "x"), b.Hash("email", "x"))
}

func TestObjectRoundTrip(t *testing.T) {
	b := testBox(t)
	k, err := b.NewObjectKey("org/x/resume")
	require.NoError(t, err)
	plain := bytes.Repeat([]byte("résumé text "), 10000)
	enc, err := EncryptReader(bytes.NewReader(plain), k.Key)
	require.NoError(t, err)
	ct, err := io.ReadAll(enc)
	require.NoError(t, err)
	size, err := EncryptedSize(int64(len(plain)))
	require.NoError(t, err)
	require.EqualValues(t, size, len(ct))
	require.False(t, bytes.Contains(ct, []byte("résumé")))

	key, err := b.OpenObjectKey(k.Sealed, "org/x/resume")
	require.NoError(t, err)
	dec, err := DecryptReader(bytes.NewReader(ct), key)
	require.NoError(t, err)
	got, err := io.ReadAll(dec)
	require.NoError(t, err)
	require.Equal(t, plain, got)

	_, err = b.OpenObjectKey(k.Sealed, "org/y/resume")
	require.ErrorIs(t, err, ErrOpen)
}

func TestRandomToken(t *testing.T) {
	a, b := RandomToken(), RandomToken()
	require.NotEqual(t, a, b)
	require.Len(t, a, 43)
}
