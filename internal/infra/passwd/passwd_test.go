package passwd

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery")
	require.NoError(t, err)
	require.Contains(t, h, "$argon2id$")
	require.NoError(t, Verify(h, "correct horse battery"))
	require.ErrorIs(t, Verify(h, "correct horse batterY"), ErrMismatch)
	require.ErrorIs(t, Verify("garbage", "x"), ErrMismatch)
	require.ErrorIs(t, Verify("$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA", "x"), ErrMismatch, "absurd parameters are refused")
	_, err = Hash("short")
	require.Error(t, err)
}
