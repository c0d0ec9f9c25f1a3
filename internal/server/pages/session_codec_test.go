package pages

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/stretchr/testify/require"
)

func TestSessionCodecKeepsTypesAndReadsGobSessions(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 12, 4, 21, 30, 0, 0, time.UTC)
	values := map[string]any{sessionUserKey: int64(42), flashKey: "已保存", ssoStartedKey: int64(1_796_000_000)}

	b, err := sessionCodec{}.Encode(deadline, values)
	require.NoError(t, err)
	gotDeadline, got, err := sessionCodec{}.Decode(b)
	require.NoError(t, err)
	require.True(t, deadline.Equal(gotDeadline))
	require.Equal(t, values, got, "an int64 comes back an int64, not a float")

	// A session saved by scs's gob codec before the change still signs its owner in.
	old, err := scs.GobCodec{}.Encode(deadline, values)
	require.NoError(t, err)
	gotDeadline, got, err = sessionCodec{}.Decode(old)
	require.NoError(t, err)
	require.True(t, deadline.Equal(gotDeadline))
	require.Equal(t, values, got)

	// A value of another type is refused when saved, not lost when read.
	_, err = sessionCodec{}.Encode(deadline, map[string]any{"n": 3})
	require.ErrorContains(t, err, `session value "n" is a int`)

	_, _, err = sessionCodec{}.Decode([]byte(sessionCodecMark + "{not json"))
	require.Error(t, err)
}
