package password

import (
	"context"
	"strings"
	"testing"
	"time"

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

func TestHasherBoundsConcurrentWork(t *testing.T) {
	t.Parallel()
	cheap := Params{Time: 1, MemKiB: 1024, Threads: 1}
	h := NewHasher(cheap, 1)
	encoded, err := h.Hash(context.Background(), "correct horse")
	require.NoError(t, err)
	require.True(t, h.Current(encoded))

	// With the only slot taken, a check waits, and gives up when its request ends.
	release, err := h.acquire(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = h.Check(ctx, "correct horse", encoded)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// Freed, the slot serves the next check.
	release()
	ok, err := h.Check(context.Background(), "correct horse", encoded)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestHasherKnowsOutdatedHashes(t *testing.T) {
	t.Parallel()
	old, err := Hash("correct horse", Params{Time: 1, MemKiB: 1024, Threads: 1})
	require.NoError(t, err)
	h := NewHasher(Params{Time: 2, MemKiB: 2048, Threads: 1}, 2)
	require.False(t, h.Current(old), "made with other parameters")
	require.False(t, h.Current("not a hash"))
	ok, err := h.Check(context.Background(), "correct horse", old)
	require.NoError(t, err)
	require.True(t, ok, "an outdated hash still checks")
	fresh, err := h.Hash(context.Background(), "correct horse")
	require.NoError(t, err)
	require.True(t, h.Current(fresh))
	require.True(t, strings.HasPrefix(fresh, "$argon2id$v=19$m=2048,t=2,p=1$"))
}
