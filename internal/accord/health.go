package accord

import "slices"

// Health says how a project stands, judged from its requests and escalations. The
// store scores it in SQL (portfolioCTE) from the signals migration 0013 keeps per
// project, so a portfolio of any size is scored in one query:
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
