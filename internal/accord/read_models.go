package accord

import "time"

// Read models: what the store reads back for a list or a page, shaped by the question
// the page asks, in accord so the store, both faces and web/ui share one type per
// concept rather than copying fields between look-alikes.

// QueueEntry is a request's place in its holding unit's queue.
type QueueEntry struct {
	Position int
	Of       int
	Effort   float64 // total effort of the unit's open queue
}

// GoalRollup is one company goal with the health of the projects in the viewer's
// scope that serve it, itself or through a KPI below it. The rollup of projects that
// serve no goal has a zero Goal.
type GoalRollup struct {
	Goal        Goal
	Projects    int
	Counts      map[Health]int
	Value       map[Health]int64 // expected amounts; meaningful when Currency is set
	Currency    string           // "" when the projects use several currencies
	Escalations int
	Top         []GoalProject // the worst few, worst first
}

// More is how many of the goal's projects its rollup does not name.
func (g GoalRollup) More() int { return max(g.Projects-len(g.Top), 0) }

// GoalProject is a project named in a goal's rollup.
type GoalProject struct {
	ID     int64         `json:"id"`
	Name   string        `json:"name"`
	NameEN string        `json:"name_en"`
	Status ProjectStatus `json:"status"`
	Health Health        `json:"health"`
}

// LedgerRequest is a request on a unit's page: asked of it, or asked by it of another
// unit (then Unit is that unit).
type LedgerRequest struct {
	ID            int64
	State         RequestState
	DueDate       *time.Time
	NeedTitle     string
	NeedTitleEN   string
	Tier          Tier
	EffortDays    float64
	ProjectID     int64
	ProjectName   string
	ProjectNameEN string
	UnitID        int64
	UnitName      string
	UnitNameEN    string
}

// LedgerPromise is a promise made to a unit, with the project that made it.
type LedgerPromise struct {
	Commitment
	ProjectName   string
	ProjectNameEN string
}

// APIToken is a personal API token as listed: never its secret, which is shown once.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string // the secret's first characters, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// UnitLedger is what a unit's page shows about its work with other units.
// Each list names only what the viewer may open; its Shown count says how many of
// its Count that is.
type UnitLedger struct {
	Queue          []LedgerRequest // asked of the unit, open, in queue order
	QueueShown     int
	QueueCount     int
	QueueAsked     float64         // effort waiting for the unit's answer
	QueueCommitted float64         // effort the unit agreed to or is working on
	Asks           []LedgerRequest // the unit's projects asking other units, open
	AsksShown      int
	AsksCount      int
	Promises       []LedgerPromise // open and overdue first
	PromisesShown  int
	PromisesKept   int
	PromisesBroken int
	PromisesOpen   int
	PromisesLate   int      // open and past their due date
	Thanks         []Thanks // newest first
	ThanksShown    int
	ThanksCount    int
	Balance        []UnitBalance // the biggest exchanges first
	BalanceCount   int           // the units the unit exchanged with, listed or not
	BalanceLogged  bool          // some of that exchange is effort logged in progress
}

// UnitBalance is the give and take between a unit and one other unit across every
// project: effort one logged on the other's requests, the effort it committed to
// (agreed, in progress or delivered), and the requests it delivered.
type UnitBalance struct {
	UnitID            int64   `json:"unit_id"`
	Name              string  `json:"name"`
	NameEN            string  `json:"name_en"`
	GivenDays         float64 `json:"given_days"`
	GivenCommitted    float64 `json:"given_committed"`
	GivenDelivered    int     `json:"given_delivered"`
	ReceivedDays      float64 `json:"received_days"`
	ReceivedCommitted float64 `json:"received_committed"`
	ReceivedDelivered int     `json:"received_delivered"`
}

// TrackerRow is one request on a project's tracker with its latest progress.
type TrackerRow struct {
	Request
	Latest *ProgressEntry
	// PhaseOf names the need this request's need is a phase of, if it is one.
	PhaseOf        *int64
	PhaseOfTitle   string
	PhaseOfTitleEN string
	// Phases are the requests of the phases split from this request's need, not
	// cancelled: they roll up into this line.
	Phases []PhaseLine
}

// DisplayPhaseOf names the need the request's need is a phase of, in lang.
func (t TrackerRow) DisplayPhaseOf(lang string) string {
	return localName(t.PhaseOfTitle, t.PhaseOfTitleEN, lang)
}

// UserRow is a user with their units, for the admin list.
type UserRow struct {
	User
	Units []Membership
}
