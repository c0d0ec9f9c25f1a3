package store_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/store"
)

// TestOpenTurnsJITOff: pools opened by Accord run without PostgreSQL's JIT unless the
// URL asks for it.
func TestOpenTurnsJITOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plain := pgtest.NewDB(t, pgtest.Empty())
	asked, err := url.Parse(plain)
	require.NoError(t, err)
	q := asked.Query()
	q.Set("jit", "on")
	asked.RawQuery = q.Encode()
	for _, c := range []struct{ url, want string }{
		{plain, "off"},
		{asked.String(), "on"},
	} {
		pool, err := store.Open(ctx, c.url, nil)
		require.NoError(t, err)
		var jit string
		require.NoError(t, pool.QueryRow(ctx, "SHOW jit").Scan(&jit))
		pool.Close()
		require.Equal(t, c.want, jit, c.url)
	}
}
