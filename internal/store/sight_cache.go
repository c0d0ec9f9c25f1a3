package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// sightCache keeps each viewer's last project sight (sightOf) with the organisation's
// epoch it was read at. The units a sight names (those a viewer heads, belongs to, or
// does not see through) are read from units and memberships alone, whose every write
// moves that epoch (migration 0047), so a sight kept at the epoch a snapshot reads is
// the one sightOf would read in it. Its bounded count of projects seen (seenAbout,
// few) also follows projects, reach and needs, which the epoch does not: it chooses
// how a statement tests the projects seen, not which are (only which 300 candidates
// a search ranks, past 300 matches, as the plan already did), so an entry is kept a
// minute at most (sightKeptFor) and the count is read again. Reading the sight tested
// every unit: about 2 ms of each search or project list.
type sightCache struct {
	mu      sync.Mutex
	org     int64 // the epoch of the entries kept last: on another, the rest are dropped
	entries map[int64]keptSight
}

type keptSight struct {
	org   int64
	few   int       // the bound it was read with (Store.fewSeen, which a test changes)
	until time.Time // when its count of projects seen is read again
	sight projectSight
}

const (
	// sightCacheLimit bounds the entries; past it, one is dropped to make room.
	sightCacheLimit = 512
	// sightCacheIDs: a sight naming more units than this is not kept (the broad
	// route names every unit its viewer does not see through).
	sightCacheIDs = 2000
	sightKeptFor  = time.Minute
)

// sightIn is v's sight in tx, a read-only transaction whose statements share one
// snapshot (repeatable read, as Search and Projects run): kept at the organisation's
// epoch tx reads, or read and kept. A transaction that has written (its own changes
// to units, not yet moving the epoch) reads it afresh and keeps nothing.
func (s *Store) sightIn(ctx context.Context, tx pgx.Tx, v accord.Viewer) (projectSight, error) {
	few := s.fewSeen
	if v.Roles.Admin {
		sight, _, err := sightOf(ctx, tx, v, few) // reads nothing
		return sight, err
	}
	var org int64
	var unwritten bool
	if err := tx.QueryRow(ctx, `SELECT epoch, pg_current_xact_id_if_assigned() IS NULL FROM org_epoch`).
		Scan(&org, &unwritten); err != nil {
		return projectSight{}, fmt.Errorf("store: organisation's epoch: %w", err)
	}
	now := time.Now()
	if unwritten {
		if sight, ok := s.sights.at(v.User.ID, org, few, now); ok {
			return sight, nil
		}
	}
	sight, readAt, err := sightOf(ctx, tx, v, few)
	if err != nil {
		return projectSight{}, err
	}
	if unwritten {
		s.sights.keep(v.User.ID, keptSight{org: readAt, few: few, until: now.Add(sightKeptFor), sight: sight})
	}
	return sight, nil
}

// at is the sight kept for userID at epoch org and bound few, if it is still fresh
// at now. Its slices are shared: a caller must not change them.
func (c *sightCache) at(userID, org int64, few int, now time.Time) (projectSight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[userID]
	if !ok || e.org != org || e.few != few || !now.Before(e.until) {
		return projectSight{}, false
	}
	return e.sight, true
}

func (c *sightCache) keep(userID int64, e keptSight) {
	if len(e.sight.units)+len(e.sight.headed)+len(e.sight.heads) > sightCacheIDs {
		return
	}
	e.sight.units, e.sight.headed, e.sight.heads = slices.Clone(e.sight.units), slices.Clone(e.sight.headed),
		slices.Clone(e.sight.heads)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || e.org != c.org { // the organisation changed: the others are of no use
		c.entries, c.org = map[int64]keptSight{}, e.org
	}
	if _, ok := c.entries[userID]; !ok && len(c.entries) >= sightCacheLimit {
		for id := range c.entries { // any one
			delete(c.entries, id)
			break
		}
	}
	c.entries[userID] = e
}

// kept reports whether a sight is kept for userID (for tests).
func (c *sightCache) kept(userID int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[userID]
	return ok
}
