package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/store/storetest"
)

func TestHousekeeping(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	_, err := w.Store.Pool().Exec(w.Ctx, `INSERT INTO sessions (token, data, expiry) VALUES ('old', '', $1), ('live', '', $2)`,
		now.Add(-time.Minute), now.Add(time.Hour))
	require.NoError(t, err)
	n, err := w.Store.DeleteExpiredSessions(w.Ctx, now)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)

	require.NoError(t, w.Store.RecordLoginFailure(w.Ctx, "a@b.c", "1.2.3.4", now.Add(-25*time.Hour)))
	require.NoError(t, w.Store.RecordLoginFailure(w.Ctx, "a@b.c", "1.2.3.4", now))
	n, err = w.Store.ClearOldLoginFailures(w.Ctx, now.Add(-24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	require.NoError(t, w.Store.RecordLoginFailure(w.Ctx, "other@b.c", "1.2.3.4", now))
	require.NoError(t, w.Store.RecordLoginFailure(w.Ctx, "a@b.c", "5.6.7.8", now))
	c, err := w.Store.LoginFailures(w.Ctx, "A@b.c", "1.2.3.4", now.Add(-time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, c.Account, "from both addresses")
	require.Equal(t, 1, c.AccountAddress)
	require.Equal(t, 2, c.AddressSpray, "two accounts failed from 1.2.3.4")
	require.WithinDuration(t, now, c.Last, time.Millisecond)
}
