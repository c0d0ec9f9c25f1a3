package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"accord/internal/accord"
)

// The periodic sweep reads only the requests due for a look, through the partial
// indexes on requests.remind_at and requests.escalate_at (migration 0011), in batches
// of sweepBatch rows, each in its own transaction: the first sweep after a backlog
// neither holds locks on every open request at once nor builds one huge transaction.
// Rows are locked FOR UPDATE SKIP LOCKED, so two instances sweeping at once split the
// work instead of waiting on (or deadlocking with) each other; a row another
// transaction holds is looked at by the next sweep.
const sweepBatch = 2000

// sweepCursor walks the due rows in (due moment, id) order; it starts before
// '-infinity', where every new or changed request waits.
type sweepCursor struct {
	at pgtype.Timestamptz
	id int64
}

func newSweepCursor() sweepCursor {
	return sweepCursor{at: pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}}
}

// sweepTx begins a sweep batch: JIT compilation would cost seconds for statements
// that run in milliseconds.
func sweepTx(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SET LOCAL jit = off`)
	return err
}

// SweepEscalations raises an escalation for every request stalled under its project's
// policy (accord.Project.EscalationPolicy), once per cause, routed to the shared
// superior. Several instances may sweep at once: they lock disjoint rows, and the
// unique (request, cause) index would turn a second insert into a no-op anyway. It
// returns how many escalations it raised.
//
// Only requests whose escalate_at has come are read; each leaves with the moment a
// cause not yet raised could first apply (accord.NextStallCheck), so a request already
// escalated, or not yet stalled, costs nothing until then.
func (s *Store) SweepEscalations(ctx context.Context, now time.Time, windowDays int) (int, error) {
	raised := 0
	cur := newSweepCursor()
	for {
		var n, batchRaised int
		err := s.WithTx(ctx, func(tx pgx.Tx) error {
			var err error
			n, batchRaised, err = sweepEscalationBatch(ctx, tx, now, windowDays, &cur)
			return err
		})
		if err != nil {
			return raised, fmt.Errorf("store: sweep escalations: %w", err)
		}
		raised += batchRaised
		if n < sweepBatch {
			return raised, nil
		}
	}
}

// escalationCandidate is a due request and what the sweep decided for it.
type escalationCandidate struct {
	r       accord.Request
	owning  int64
	causes  []accord.EscalationCause // to raise now
	recheck *time.Time
	keep    bool               // leave escalate_at as it is: due at the next sweep
	was     pgtype.Timestamptz // escalate_at as read
}

// sweepEscalationBatch handles up to sweepBatch due requests after cur, moves cur
// past them and returns how many it read and how many escalations it raised.
func sweepEscalationBatch(ctx context.Context, tx pgx.Tx, now time.Time, windowDays int, cur *sweepCursor) (int, int, error) {
	if err := sweepTx(ctx, tx); err != nil {
		return 0, 0, err
	}
	// Lock first, read after, in two statements. A statement that locks a row another
	// transaction has just committed a change to sees that row's new version but the
	// other tables as they were when it began: a decision committed meanwhile would
	// still read as pending, and the NULL moment written back would hide the request
	// from every later sweep. The second statement starts after the locks are held.
	var ids []int64
	locked, err := tx.Query(ctx, `SELECT r.id FROM requests r
		WHERE r.escalate_at <= $1 AND (r.escalate_at, r.id) > ($2, $3)
		ORDER BY r.escalate_at, r.id LIMIT $4
		FOR UPDATE SKIP LOCKED`, now, cur.at, cur.id, sweepBatch)
	if err != nil {
		return 0, 0, err
	}
	if ids, err = pgx.CollectRows(locked, pgx.RowTo[int64]); err != nil {
		return 0, 0, err
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+`, p.cadence_days, p.p0_declined_days, p.p0_overdue_days,
			p.p1_declined_days, p.p1_overdue_days, p.stale_factor, p.owning_unit_id, r.escalate_at,
			ARRAY(SELECT e.cause FROM escalations e WHERE e.request_id = r.id),
			EXISTS (SELECT 1 FROM escalations e WHERE e.request_id = r.id AND e.status IN ('open', 'sent_back'))`+requestFrom+`
		WHERE r.id = ANY ($1)
		ORDER BY r.escalate_at, r.id`, ids)
	if err != nil {
		return 0, 0, err
	}
	var found []escalationCandidate
	for rows.Next() {
		var c escalationCandidate
		var p accord.Project
		o := &p.EscalationOverrides
		var had []accord.EscalationCause
		var pending bool
		c.r, err = scanRequest(rows, &p.CadenceDays, &o.P0DeclinedDays, &o.P0OverdueDays, &o.P1DeclinedDays,
			&o.P1OverdueDays, &o.StaleFactor, &c.owning, &c.was, &had, &pending)
		if err != nil {
			rows.Close()
			return 0, 0, err
		}
		done := map[accord.EscalationCause]bool{}
		for _, cause := range had {
			done[cause] = true
		}
		pol := p.EscalationPolicy(c.r.Tier)
		stalled := accord.StalledCauses(c.r, p.CadenceDays, pol, now)
		c.causes = accord.CausesToRaise(stalled, done, pending)
		// Computed as if the causes due now were raised; those that cannot be
		// (nobody to route to) put the moment back to now below.
		for _, cause := range c.causes {
			done[cause] = true
		}
		switch {
		case pending:
			// Looked at again when the waiting escalation is decided (Decide resets
			// escalate_at), not on every sweep meanwhile.
			c.recheck = nil
		case len(stalled) > len(c.causes) && anyUnraised(stalled, done):
			// Another cause already applies: the next sweep raises it once this one
			// is decided, so look again then.
			c.recheck = nil
		default:
			c.recheck = accord.NextStallCheck(c.r, p.CadenceDays, pol, done)
		}
		found = append(found, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if len(found) == 0 {
		return 0, 0, nil
	}
	last := found[len(found)-1]
	cur.at, cur.id = last.was, last.r.ID

	superiors, err := batchSuperiors(ctx, tx, found)
	if err != nil {
		return 0, 0, err
	}
	var reqIDs, projIDs, users, units []int64
	var causes []string
	var partyDecides []bool
	byRequest := map[int64]*escalationCandidate{}
	for i := range found {
		c := &found[i]
		if len(c.causes) == 0 {
			continue
		}
		sup, ok := superiors[superiorKeyOf(*c)]
		if !ok {
			// Nobody above both units has a head: nothing to route to yet. Look
			// again next time, as the sweep always has.
			c.keep = true
			continue
		}
		byRequest[c.r.ID] = c
		for _, cause := range c.causes {
			reqIDs, projIDs, causes = append(reqIDs, c.r.ID), append(projIDs, c.r.ProjectID), append(causes, string(cause))
			users, units = append(users, sup.HeadUserID), append(units, sup.UnitID)
			partyDecides = append(partyDecides, sup.HeadIsParty)
		}
	}
	raised := 0
	if len(reqIDs) > 0 {
		rows, err := tx.Query(ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id,
				party_decides, window_opened_at, window_due_at, created_at)
			SELECT x.request_id, x.project_id, x.cause, x.user_id, x.unit_id, x.party_decides, $6, $7, $6
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $8::boolean[])
				AS x (request_id, project_id, cause, user_id, unit_id, party_decides)
			ON CONFLICT (request_id, cause) WHERE NOT direct DO NOTHING RETURNING id, request_id, assigned_user_id, cause`,
			reqIDs, projIDs, causes, users, units, now, accord.AddWorkingDays(now, windowDays, now.Location()), partyDecides)
		if err != nil {
			return 0, 0, err
		}
		type inserted struct {
			id, request, superior int64
			cause                 accord.EscalationCause
		}
		list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (inserted, error) {
			var x inserted
			err := row.Scan(&x.id, &x.request, &x.superior, &x.cause)
			return x, err
		})
		if err != nil {
			return 0, 0, err
		}
		for _, x := range list {
			if err := escalationRaised(ctx, tx, 0, x.id, byRequest[x.request].r, x.superior, x.cause, "", now); err != nil {
				return 0, 0, err
			}
			raised++
		}
	}
	if err := storeEscalationRechecks(ctx, tx, found); err != nil {
		return 0, 0, err
	}
	return len(found), raised, nil
}

// anyUnraised reports whether one of causes is not in raised.
func anyUnraised(causes []accord.EscalationCause, raised map[accord.EscalationCause]bool) bool {
	for _, cause := range causes {
		if !raised[cause] {
			return true
		}
	}
	return false
}

// superiorKey is what routing depends on: the two units and the project's lead.
type superiorKey struct{ owning, holder, lead int64 }

func superiorKeyOf(c escalationCandidate) superiorKey {
	return superiorKey{c.owning, c.r.HolderUnitID, c.r.LeadUserID}
}

// batchSuperiors finds the decider of each (owning unit, holder unit, lead) that has
// a cause to raise, by accord.SharedSuperior over the paths and filled posts read in
// one statement; a key with nobody to route to is missing from the map.
func batchSuperiors(ctx context.Context, tx pgx.Tx, found []escalationCandidate) (map[superiorKey]accord.Superior, error) {
	seen := map[superiorKey]bool{}
	var keys []superiorKey
	var owning, holders []int64
	for _, c := range found {
		key := superiorKeyOf(c)
		if len(c.causes) == 0 || seen[key] {
			continue
		}
		seen[key] = true
		keys = append(keys, key)
		owning, holders = append(owning, key.owning), append(holders, key.holder)
	}
	out := map[superiorKey]accord.Superior{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT x.i, ou.path, hu.path, `+fmt.Sprintf(filledPosts, "ou.path || hu.path")+`
		FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS x (owning, holder, i)
		JOIN units ou ON ou.id = x.owning JOIN units hu ON hu.id = x.holder`, owning, holders)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var pathA, pathB, unitIDs, headIDs []int64
		if err := rows.Scan(&i, &pathA, &pathB, &unitIDs, &headIDs); err != nil {
			return nil, err
		}
		key := keys[i-1]
		sup, err := accord.SharedSuperior(pathA, pathB, headsMap(unitIDs, headIDs), accord.Parties{key.lead})
		if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[key] = sup
	}
	return out, rows.Err()
}

// storeEscalationRechecks writes each candidate's next moment where it moved.
func storeEscalationRechecks(ctx context.Context, tx pgx.Tx, found []escalationCandidate) error {
	var ids []int64
	var at []pgtype.Timestamptz
	for _, c := range found {
		if c.keep {
			continue
		}
		next := pgtype.Timestamptz{}
		if c.recheck != nil {
			next = pgtype.Timestamptz{Time: *c.recheck, Valid: true}
		}
		if next.Valid && c.was.Valid && c.was.InfinityModifier == pgtype.Finite && next.Time.Equal(c.was.Time) {
			continue
		}
		ids, at = append(ids, c.r.ID), append(at, next)
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE requests r SET escalate_at = x.at
		FROM unnest($1::bigint[], $2::timestamptz[]) AS x (id, at) WHERE r.id = x.id`, ids, at)
	return err
}
