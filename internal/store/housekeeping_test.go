package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHousekeeping(t *testing.T) {
	b := setup(t)
	now := time.Now()
	_, err := b.st.Pool().Exec(b.ctx, `INSERT INTO sessions (token, data, expiry) VALUES ('old', '', $1), ('live', '', $2)`,
		now.Add(-time.Minute), now.Add(time.Hour))
	require.NoError(t, err)
	n, err := b.st.DeleteExpiredSessions(b.ctx, now)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)

	require.NoError(t, b.st.RecordLoginFailure(b.ctx, "a@b.c", "1.2.3.4", now.Add(-25*time.Hour)))
	require.NoError(t, b.st.RecordLoginFailure(b.ctx, "a@b.c", "1.2.3.4", now))
	n, err = b.st.ClearOldLoginFailures(b.ctx, now.Add(-24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	byEmail, byIP, last, err := b.st.LoginFailures(b.ctx, "A@b.c", "1.2.3.4", now.Add(-time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, byEmail)
	require.Equal(t, 1, byIP)
	require.WithinDuration(t, now, last, time.Millisecond)
}
