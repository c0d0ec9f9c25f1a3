package accord

import "time"

// Roles are derived from the org tree and the projects, never assigned by hand,
// except the admin flag.
type Roles struct {
	Admin     bool // maintains the org tree and users
	Head      bool // heads at least one open unit
	Executive bool // heads an open unit that has open sub-units
	Lead      bool // leads at least one project
	KeyPerson bool // named key person on an open request
	StandIn   bool // answers for an absent head today (Viewer.StandingIn)
}

// TakesPartInEscalations reports whether someone with these roles can have
// escalations to find: to decide (executives, heads above a pair), to speak in (heads,
// key people), of their projects (leads), or to look after (admins).
func (r Roles) TakesPartInEscalations() bool {
	return r.Head || r.Lead || r.KeyPerson || r.Executive || r.Admin || r.StandIn
}

// Membership is a user's place in a unit.
type Membership struct {
	UnitID     int64
	UnitName   string
	UnitNameEN string
	IsHead     bool
}

// DisplayName picks the unit's name for a reader of the given language.
func (m Membership) DisplayName(lang string) string { return localName(m.UnitName, m.UnitNameEN, lang) }

// Viewer is the signed-in user as the server sees them on each request.
type Viewer struct {
	User        User
	Roles       Roles
	Memberships []Membership
	Unread      int // unread notifications, for the layout's badge; at most UnreadCap
	// Location is the zone the viewer reads times in: their own choice
	// (User.TimeZone), else the company's. Set by whoever loads the session.
	Location *time.Location
	// StandingIn are the arrangements running now by which they answer for an
	// absent head (see StandIn), each with the units that head heads.
	StandingIn []StandIn
	// AwayWith are the arrangements running now by which someone stands in for them.
	AwayWith []StandIn
	// ArrangementsAhead: an arrangement in which they are the absent head or the
	// stand-in was not over when they were read. Without one there is none to list
	// (their settings need not ask); a viewer kept across requests is kept only while
	// no arrangement of theirs starts or ends.
	ArrangementsAhead bool
}

// UnreadCap bounds the unread count every page reads: counting a busy executive's tens
// of thousands of unread notifications on each request cost milliseconds, and a badge
// past it says "99+" anyway. A count at the cap means "at least this many".
const UnreadCap = 100

// SeesPortfolio reports whether someone with these roles may open the portfolio: the
// executives who answer for it and the administrators who look after Accord.
func (r Roles) SeesPortfolio() bool { return r.Executive || r.Admin }

// MayStartProjects reports whether someone with these roles may start a project: a
// head starts one for a unit they head; an administrator for any.
func (r Roles) MayStartProjects() bool { return r.Head || r.Admin }

// MaySetGoals reports whether someone with these roles may add or change the
// company's goals: executives, who set them, and administrators.
func (r Roles) MaySetGoals() bool { return r.Executive || r.Admin }

// HasInbox reports whether someone with these roles answers requests, so the inbox
// is theirs to visit: heads of units, key people named on open requests, and whoever
// stands in for a head today.
func (r Roles) HasInbox() bool { return r.Head || r.KeyPerson || r.StandIn }
