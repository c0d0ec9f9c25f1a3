package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestSessionCacheKeepsNoReadThatANoticeOverlapped: a read that began before a notice
// (its write may have committed after the read's snapshot) is not kept, whoever the
// notice named; one that began after is. The cache serves only once an echo came back,
// while the last one back was sent within the grace, and a notice it cannot read
// forgets all.
func TestSessionCacheKeepsNoReadThatANoticeOverlapped(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c := newSessionCache(2)
	session := func(user int64) cachedSession {
		return cachedSession{data: []byte("d"), expiry: now.Add(time.Hour), probe: SessionProbe{user: accord.User{ID: user}}}
	}
	_, generation, ok := c.find("a", now)
	require.False(t, ok)
	c.keep("a", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "not listening: nothing is kept")

	c.listen(true)
	_, generation, _ = c.find("a", now)
	c.keep("a", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "listening, but no echo has come back yet")
	c.heardEcho(now)
	_, generation, _ = c.find("a", now)
	c.heardNotice("99") // about someone else, while the read ran
	c.keep("a", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "a notice came while the read ran")

	_, generation, _ = c.find("a", now)
	c.keep("a", session(1), generation, now)
	c.keep("b", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.True(t, ok)
	require.False(t, func() bool { _, _, ok := c.find("a", now.Add(listenerGrace)); return ok }(),
		"no echo sent within the grace has come back")
	c.heardNotice("7,1")
	for _, token := range []string{"a", "b"} {
		_, _, ok = c.find(token, now)
		require.False(t, ok, "person 1's sessions are forgotten: %s", token)
	}
	require.Empty(t, c.byUser)

	_, generation, _ = c.find("a", now)
	c.keep("a", session(1), generation, now)
	c.keep("b", session(2), generation, now)
	c.keep("c", session(3), generation, now) // over the limit: another goes
	require.Len(t, c.entries, 2)
	require.Len(t, c.byUser, 2)
	c.heardNotice("not ids")
	require.Empty(t, c.entries, "a notice that cannot be read forgets everyone")

	_, generation, _ = c.find("a", now)
	c.keep("a", cachedSession{data: []byte("d"), expiry: now.Add(sessionExpiryMargin / 2), probe: SessionProbe{user: accord.User{ID: 1}}}, generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "about to expire: read again")
}
