package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// sightCache keeps each viewer's last project sight (sightOf) with the organisation's
// epoch it was read at. What a sight names (the units a viewer heads, belongs to, or
// does not see through) is read from units and memberships alone, whose every write
// moves that epoch (migration 0047), so a sight kept at the epoch a statement's
// snapshot reads is the one sightOf would read there. Its count of projects seen
// (seenAbout, few) also follows projects and needs, but only chooses how a statement
// tests the projects seen, never which: a stale count can cost time, not content.
// Reading the sight cost a search or a project list about 1 ms (every unit tested).
type sightCache struct {
	mu      sync.Mutex
	entries map[int64]keptSight
}

type keptSight struct {
	org   int64
	few   int // the bound it was read with (Store.fewSeen, which a test changes)
	sight projectSight
}

// sightCacheLimit bounds the entries (a sight names up to a few hundred units): past
// it, one is dropped to make room.
const sightCacheLimit = 512

// sightIn is v's sight in tx, a transaction whose statements share one snapshot
// (repeatable read): kept at the organisation's epoch tx reads, or read and kept.
func (s *Store) sightIn(ctx context.Context, tx pgx.Tx, v accord.Viewer) (projectSight, error) {
	if v.Roles.Admin {
		return sightOf(ctx, tx, v, s.fewSeen) // nothing to read
	}
	var org int64
	if err := tx.QueryRow(ctx, `SELECT epoch FROM org_epoch`).Scan(&org); err != nil {
		return projectSight{}, fmt.Errorf("store: organisation's epoch: %w", err)
	}
	few := s.fewSeen
	if sight, ok := s.sights.at(v.User.ID, org, few); ok {
		return sight, nil
	}
	sight, err := sightOf(ctx, tx, v, few)
	if err != nil {
		return projectSight{}, err
	}
	s.sights.keep(v.User.ID, keptSight{org: org, few: few, sight: sight})
	return sight, nil
}

func (c *sightCache) at(userID, org int64, few int) (projectSight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[userID]
	return e.sight, ok && e.org == org && e.few == few
}

func (c *sightCache) keep(userID int64, e keptSight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[int64]keptSight{}
	}
	if _, ok := c.entries[userID]; !ok && len(c.entries) >= sightCacheLimit {
		for id := range c.entries { // any one
			delete(c.entries, id)
			break
		}
	}
	c.entries[userID] = e
}
