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
// change what that statement reads moves the stamp in its own transaction (migration
// 0045 says which, and how they are kept from racing), so a matching stamp means
// nothing the viewer holds has changed since, on any server. A viewer in a stand-in
// arrangement running at the time is not kept (put).
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
	// arranged: an arrangement of theirs runs at the time it was read, even one that
	// StandingIn leaves out (its absent head deactivated, who may come back).
	arranged bool
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
	if !ok || !e.holdsAt(now) {
		return -1
	}
	return e.stamp
}

func (e cachedViewer) holdsAt(now time.Time) bool {
	return (e.from.IsZero() || !now.Before(e.from)) && (e.until.IsZero() || now.Before(e.until))
}

// keptFor is the viewer kept for user u under stamp, if it holds at now, with the user
// row and unread count read now. Stamp and clock are checked together: another
// request may have replaced the entry since heldStamp. Callers may change what they
// are given.
func (c *viewerCache) keptFor(u accord.User, stamp int64, unread int, now time.Time) (accord.Viewer, bool) {
	c.mu.Lock()
	e, ok := c.entries[u.ID]
	c.mu.Unlock()
	if !ok || e.stamp != stamp || !e.holdsAt(now) {
		return accord.Viewer{}, false
	}
	v := cloneViewer(e.viewer)
	v.User, v.Unread = u, unread
	return v, true
}

// put keeps e for userID, unless its viewer is in a stand-in arrangement running at
// the time: what that shows of the other person (their name, the units they head,
// whether they are active) moves no stamp of theirs, so such a viewer is read whole
// on every request.
func (c *viewerCache) put(userID int64, e cachedViewer) {
	if e.arranged || len(e.viewer.StandingIn) > 0 || len(e.viewer.AwayWith) > 0 {
		c.mu.Lock()
		delete(c.entries, userID)
		c.mu.Unlock()
		return
	}
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
