package accord

import (
	"slices"
	"time"
)

// Health says how a project stands, judged from its requests and escalations
// (HealthOf states the rule):
//   - blocked: a P0 request declined or past its date, or an escalation waiting for
//     a superior's decision;
//   - at risk: a request declined, past its date or stale (no activity within the
//     project's cadence), or its latest progress entry says the risk is high;
//   - on track: none of these.
type Health string

// Health levels, from worst to best.
const (
	HealthBlocked Health = "blocked"
	HealthAtRisk  Health = "at_risk"
	HealthOnTrack Health = "on_track"
)

// Healths lists the levels from worst to best.
func Healths() []Health { return []Health{HealthBlocked, HealthAtRisk, HealthOnTrack} }

// Valid reports whether h is a known level.
func (h Health) Valid() bool { return slices.Contains(Healths(), h) }

// MessageID names the level's translated label.
func (h Health) MessageID() string { return "health_" + string(h) }

// Troubled reports whether something is wrong: the project's value is at stake
// rather than expected.
func (h Health) Troubled() bool { return h != HealthOnTrack }

// HealthSignals are what a project's health is judged from: the signals migration
// 0013 keeps per project (project_signals), where an open request is one sent and not
// yet delivered or cancelled (SentOpenStates), and the project's cadence.
type HealthSignals struct {
	Declined       int        // requests declined
	P0Declined     int        // of them, for P0 needs
	NextDue        *time.Time // the earliest date of an open request; nil when none has one
	P0NextDue      *time.Time // the same among P0 needs
	OldestActivity *time.Time // the least recent activity of an open request; nil when none is open
	HighRisk       int        // open requests whose latest progress entry says the risk is high
	Escalations    int        // escalations waiting for a superior's decision (open or sent back)
	CadenceDays    int        // how long a request may go without activity
}

// HealthOf judges a project's health at now from its signals. A date is past once
// now's calendar day is later; a request is stale when its last activity is more than
// CadenceDays calendar days before now, counted in now's zone as PostgreSQL counts
// make_interval(days => …) in the session's. The store scores a whole portfolio in
// one query with this rule written in SQL (store.portfolioSev; the store passes now in
// the session's zone); TestHealthInSQLAgreesWithHealthOf compares the two.
func HealthOf(s HealthSignals, now time.Time) Health {
	today := dateOf(now)
	past := func(d *time.Time) bool { return d != nil && dateOf(*d).Before(today) }
	switch {
	case s.P0Declined > 0 || past(s.P0NextDue) || s.Escalations > 0:
		return HealthBlocked
	case s.Declined > 0 || past(s.NextDue) || s.HighRisk > 0 ||
		(s.OldestActivity != nil && s.OldestActivity.Before(quietSince(now, s.CadenceDays))):
		return HealthAtRisk
	}
	return HealthOnTrack
}

// quietSince is the moment before which a request's last activity leaves it quiet
// for more than days at now: days calendar days earlier in now's zone, as PostgreSQL
// subtracts make_interval(days => days) in the session's zone (a day across a
// daylight-saving change lasts 23 or 25 hours).
func quietSince(now time.Time, days int) time.Time { return now.AddDate(0, 0, -days) }
