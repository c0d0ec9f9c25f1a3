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
	byEmail, byIP, last, err := w.Store.LoginFailures(w.Ctx, "A@b.c", "1.2.3.4", now.Add(-time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, byEmail)
	require.Equal(t, 1, byIP)
	require.WithinDuration(t, now, last, time.Millisecond)
}
