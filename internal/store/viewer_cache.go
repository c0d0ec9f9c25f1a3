package store

import (
	"slices"
	"sync"
	"time"

	"accord/internal/accord"
)

// viewerCache keeps the viewers this server has read, each with the stamp that guarded
// it (migration 0045). Every request reads the viewer's stamp with their user row and
// unread count; the rest of the viewer, whose roles, units and arrangements took four
// fifths of the signed-in floor's database work, is read again only when the stamp
// moved or the clock left the stretch over which the viewer's arrangements hold. The
// stamp and the cached viewer were read in one statement, and every write that can
// change what that statement reads moves the stamp in its own transaction, so a
// matching stamp means nothing the viewer holds has changed since, on any server:
// the cache never serves what the database no longer says.
type viewerCache struct {
	mu      sync.Mutex
	entries map[int64]cachedViewer
	// limit bounds the entries (about a kilobyte each): past it, an entry is dropped
	// to make room, and is read again when its person next comes.
	limit int
}

// viewerCacheLimit holds a large company's active people in a few megabytes.
const viewerCacheLimit = 20000

type cachedViewer struct {
	stamp  int64
	viewer accord.Viewer // Unread and Location are not kept: read or set per request
	// from and until bound the clock over which the viewer's stand-in arrangements
	// are as read: no arrangement of theirs starts, ends or was ended in between. A
	// zero bound is open.
	from, until time.Time
}

func newViewerCache(limit int) *viewerCache {
	return &viewerCache{entries: map[int64]cachedViewer{}, limit: limit}
}

// heldStamp is the stamp of the viewer kept for userID if it holds at now, else -1,
// which no stamp equals.
func (c *viewerCache) heldStamp(userID int64, now time.Time) int64 {
	c.mu.Lock()
	e, ok := c.entries[userID]
	c.mu.Unlock()
	if !ok || (!e.from.IsZero() && now.Before(e.from)) || (!e.until.IsZero() && !now.Before(e.until)) {
		return -1
	}
	return e.stamp
}

// get returns a copy of the viewer kept for userID under stamp: callers may change
// what they are given.
func (c *viewerCache) get(userID, stamp int64) (accord.Viewer, bool) {
	c.mu.Lock()
	e, ok := c.entries[userID]
	c.mu.Unlock()
	if !ok || e.stamp != stamp {
		return accord.Viewer{}, false
	}
	return cloneViewer(e.viewer), true
}

// keptFor is the viewer kept for user u, with the user row and unread count read now,
// if it is kept under stamp and holds at now.
func (c *viewerCache) keptFor(u accord.User, stamp int64, unread int, now time.Time) (accord.Viewer, bool) {
	if c.heldStamp(u.ID, now) != stamp {
		return accord.Viewer{}, false
	}
	v, ok := c.get(u.ID, stamp)
	if !ok {
		return accord.Viewer{}, false
	}
	v.User, v.Unread = u, unread
	return v, true
}

func (c *viewerCache) put(userID int64, e cachedViewer) {
	e.viewer = cloneViewer(e.viewer)
	e.viewer.Unread, e.viewer.Location = 0, nil
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[userID]; !ok && len(c.entries) >= c.limit {
		for id := range c.entries { // an arbitrary one: map order
			delete(c.entries, id)
			break
		}
	}
	c.entries[userID] = e
}

func cloneViewer(v accord.Viewer) accord.Viewer {
	v.Memberships = slices.Clone(v.Memberships)
	v.StandingIn = cloneStandIns(v.StandingIn)
	v.AwayWith = cloneStandIns(v.AwayWith)
	return v
}

func cloneStandIns(list []accord.StandIn) []accord.StandIn {
	list = slices.Clone(list)
	for i := range list {
		list[i].Units = slices.Clone(list[i].Units)
		if list[i].EndedAt != nil {
			at := *list[i].EndedAt
			list[i].EndedAt = &at
		}
	}
	return list
}
