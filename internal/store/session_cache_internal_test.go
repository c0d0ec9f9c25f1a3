package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestSessionCacheKeepsNoReadThatANoticeOverlapped: a read that began before a notice
// (its write may have committed after the read's snapshot) is not kept, whoever the
// notice named; one that began after is. The cache serves only while its listener
// heard from PostgreSQL within the grace, and a notice it cannot read forgets all.
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

	c.listen(true, now)
	_, generation, _ = c.find("a", now)
	c.heardNotice("99", now) // about someone else, while the read ran
	c.keep("a", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "a notice came while the read ran")

	_, generation, _ = c.find("a", now)
	c.keep("a", session(1), generation, now)
	c.keep("b", session(1), generation, now)
	_, _, ok = c.find("a", now)
	require.True(t, ok)
	require.False(t, func() bool { _, _, ok := c.find("a", now.Add(listenerGrace)); return ok }(),
		"the listener has not been heard from within the grace")
	c.heardNotice("7,1", now)
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
	c.heardNotice("not ids", now)
	require.Empty(t, c.entries, "a notice that cannot be read forgets everyone")

	_, generation, _ = c.find("a", now)
	c.keep("a", cachedSession{data: []byte("d"), expiry: now.Add(sessionExpiryMargin / 2), probe: SessionProbe{user: accord.User{ID: 1}}}, generation, now)
	_, _, ok = c.find("a", now)
	require.False(t, ok, "about to expire: read again")
}
