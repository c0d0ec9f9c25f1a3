package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashAndCheck(t *testing.T) {
	t.Parallel()
	cheap := Params{Time: 1, MemKiB: 1024, Threads: 1}
	h1, err := Hash("correct horse", cheap)
	require.NoError(t, err)
	h2, err := Hash("correct horse", cheap)
	require.NoError(t, err)
	require.NotEqual(t, h1, h2, "salts must differ")
	require.True(t, strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$"))

	ok, err := Check("correct horse", h1)
	require.NoError(t, err)
	require.True(t, ok)

	ok, err = Check("correct horsE", h1)
	require.NoError(t, err)
	require.False(t, ok)

	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1,t=1,p=1$!!$AA"} {
		_, err := Check("x", bad)
		require.ErrorIs(t, err, ErrMalformed, bad)
	}
}
