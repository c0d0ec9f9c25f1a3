package ui

import (
	"time"

	"accord/internal/accord"
)

// SameUntil is the first moment from which the escalation's page, drawn at v.Now,
// would be drawn otherwise with nothing else changed: the next day (in v.Now's zone,
// which the window is counted in, and in loc, the reader's), the decision
// window's words or bar moving on, one of the viewer's comments closing to
// correction, or turn, the next moment a stand-in arrangement starts or ends (who may
// be mentioned; the zero time for none). A page kept past it would be out of date
// (pages/rendered_pages.go).
func (v EscalationView) SameUntil(turn time.Time, loc *time.Location) time.Time {
	until := nextDay(v.Now, loc)
	if !turn.IsZero() {
		until = minTime(until, turn)
	}
	e := v.Escalation
	if e.Status != accord.EscalationDecided && e.Status != accord.EscalationSentBack {
		until = firstChange(v.Now, until, func(at time.Time) escWindowLook {
			return escWindowLook{left: escWorkingDaysLeft(at, e.WindowDueAt), overdue: escOverdue(e, at),
				percent: escElapsedPercent(e, at)}
		})
	}
	for _, c := range v.Conversation.Comments {
		if accord.MayEditComment(c, v.Conversation.ViewerID, v.Now) {
			until = minTime(until, c.CreatedAt.Add(accord.CommentEditWindow))
		}
	}
	return until
}

// escWindowLook is what the decision window shows that depends on the clock.
type escWindowLook struct {
	left    int
	overdue bool
	percent int
}

// firstChange is the first moment in (from, bound) at which look differs from its
// value at from, or bound if it never does. No part of what look returns may come back
// to its value at from once it has left it within (from, bound) (a count that only
// moves one way, words that never repeat): then one comparison at bound tells whether
// anything changed, and halving finds where. Within one calendar day of from's zone
// the window's working days left only fall (across a weekend's first midnight they can
// rise, which is why callers bound it by the next day).
func firstChange[T comparable](from, bound time.Time, look func(time.Time) T) time.Time {
	was := look(from)
	// The last moment served, not bound itself: from bound on (the next day) the rule
	// above no longer holds.
	last := bound.Add(-time.Nanosecond)
	if !last.After(from) || look(last) == was {
		return bound
	}
	lo, hi := from, last // look(lo) == was, look(hi) != was
	for hi.Sub(lo) > time.Nanosecond {
		mid := lo.Add(hi.Sub(lo) / 2)
		if look(mid) == was {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// nextDay is the earlier of the next midnight in at's zone and in loc, the reader's.
func nextDay(at time.Time, loc *time.Location) time.Time {
	return minTime(nextMidnight(at, at.Location()), nextMidnight(at, loc))
}

// nextMidnight is the start of the day after at's, in loc.
func nextMidnight(at time.Time, loc *time.Location) time.Time {
	at = at.In(loc)
	y, m, d := at.Date()
	if next := time.Date(y, m, d+1, 0, 0, 0, 0, loc); next.After(at) {
		return next
	}
	// A midnight the clocks skip (time.Date may then answer an hour early): the day
	// starts when they change.
	_, end := at.ZoneBounds()
	return end
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// SameUntil is the first moment from which the inbox, drawn at v.Now, would be drawn
// otherwise with nothing else changed: the next day, in v.Now's zone and in loc, the
// reader's (the stand-in banner tells whether an arrangement runs today; the viewer's
// own arrangements are read again on every request).
func (v InboxView) SameUntil(loc *time.Location) time.Time {
	return nextDay(v.Now, loc)
}

// SameUntil is the first moment from which a unit's page, drawn at v.Today, would be
// drawn otherwise with nothing else changed: the next day in v.Today's zone, the
// company's, when more promises may be overdue. (The reader's zone only names the
// days thanks were given on, which the clock does not change.)
func (v DepartmentView) SameUntil() time.Time {
	return nextMidnight(v.Today, v.Today.Location())
}

// SameUntil is the first moment from which the escalation list, drawn at v.Now, would
// be drawn otherwise with nothing else changed: the next day, in v.Now's zone and in
// loc, the reader's, or a row's age, window or overdue mark moving on (each only moves
// one way within a day).
func (v EscalationQueueView) SameUntil(loc *time.Location) time.Time {
	until := nextDay(v.Now, loc)
	for _, row := range v.Rows {
		e := row.Escalation
		until = firstChange(v.Now, until, func(at time.Time) escRowLook {
			look := escRowLook{ageDays: escAgeDays(e.CreatedAt, at), overdue: escOverdue(e, at)}
			if v.showsTimeLeft() {
				look.left = escWorkingDaysLeft(at, e.WindowDueAt)
			}
			return look
		})
	}
	return until
}

// escRowLook is what an escalation list's row shows that depends on the clock.
type escRowLook struct {
	ageDays int
	left    int
	overdue bool
}

// SameUntil is the first moment from which the start page, drawn at v.Today, would
// be drawn otherwise with nothing else changed: the next day, in v.Today's zone and in
// loc, the reader's; quiet, the moment a request of the viewer's projects goes quiet
// for the agenda (the zero time for none); or what an item shows of the clock moving
// on (agendaMeta).
func (v HomeView) SameUntil(loc *time.Location, quiet time.Time) time.Time {
	until := nextDay(v.Today, loc)
	if !quiet.IsZero() {
		until = minTime(until, quiet)
	}
	for kind, items := range v.Agenda {
		for _, a := range items {
			until = firstChange(v.Today, until, func(at time.Time) agendaLook { return agendaLookOf(kind, a, at) })
		}
	}
	return until
}

// agendaLook is what an agenda item shows of the clock: none of it comes back to a
// value once it has left it.
type agendaLook struct {
	since, leftDays, leftHours int
	late, overdue              bool
}

// agendaLookOf is what agendaMeta shows of the clock at at for item a of kind: how
// long ago, the time left, or whether it is overdue.
func agendaLookOf(kind accord.AgendaKind, a accord.AgendaItem, at time.Time) agendaLook {
	switch kind {
	case accord.AgendaDecide:
		days, hours, late := timeLeftParts(a.At, at)
		if days >= 2 {
			hours = 0 // shown in days
		}
		return agendaLook{leftDays: days, leftHours: hours, late: late}
	case accord.AgendaDeliver, accord.AgendaPromise:
		return agendaLook{overdue: agendaOverdue(a, at)}
	}
	return agendaLook{since: wholeDaysSince(a.At, at)}
}

// SameUntil is the first moment from which the portfolio, drawn at v.Today, would be
// drawn otherwise with nothing written: the next day, in v.Today's zone (the
// company's, which dates its overdue marks) and in loc, the reader's, or quiet, when
// the clock alone changes what was read (store.PortfolioRead.Quiet; zero for never).
func (v PortfolioView) SameUntil(loc *time.Location, quiet time.Time) time.Time {
	until := nextDay(v.Today, loc)
	if !quiet.IsZero() {
		until = minTime(until, quiet)
	}
	return until
}

// SameUntil is the first moment from which the search page, drawn at v.Now, would be
// drawn otherwise with nothing written: a dated hit's "3 hours ago" turning to 4, or
// the next day, in v.Now's zone and in loc, the reader's.
func (v SearchView) SameUntil(loc *time.Location) time.Time {
	until := nextDay(v.Now, loc)
	for _, h := range v.Results.Hits {
		if h.Dated() {
			until = minTime(until, agoChangesAt(v.Now, h.At))
		}
	}
	return until
}
