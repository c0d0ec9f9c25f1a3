package accord

import (
	"slices"
	"time"
)

// A person's calendar feed: the dates Accord holds them to, for their own calendar
// app (internal/calendar writes it as iCalendar). What is on it is the start page's
// parties and states, over a wider span of dates; the store applies these rules in
// SQL (store.CalendarItems) and TestCalendarInSQLAgreesWithTheRules compares them.

// CalendarKind is why an item is on a person's calendar.
type CalendarKind string

// Calendar kinds.
const (
	CalendarOwed    CalendarKind = "owed"    // a request their unit (as its head) or they (as key person) owe, by its date
	CalendarLed     CalendarKind = "led"     // a request of a project they lead, needed by its date
	CalendarDecide  CalendarKind = "decide"  // an escalation waiting for their decision, by the window's end
	CalendarPromise CalendarKind = "promise" // an open promise of a project they lead, by its date
)

// AuditCalendarFeed is the audit log's name for a person's calendar feed.
const AuditCalendarFeed AuditEntity = "calendar_feed"

// The span of a feed, around today in the company's zone: what fell due recently
// (still open, so still owed) and the year ahead. MaxCalendarItems caps one feed
// whatever the data: a calendar app gains nothing from more.
const (
	CalendarPastDays   = 30
	CalendarFutureDays = 365
	MaxCalendarItems   = 1000
)

// CalendarSpan is the first and last day a feed made at now covers, as dates (UTC
// midnight) of now's calendar: now is read in the company's zone.
func CalendarSpan(now time.Time) (from, to time.Time) {
	today := dateOf(now)
	return today.AddDate(0, 0, -CalendarPastDays), today.AddDate(0, 0, CalendarFutureDays)
}

// CalendarItem is one date on a person's calendar. ID is a request's (owed, led), an
// escalation's (decide) or a commitment's (promise).
type CalendarItem struct {
	Kind          CalendarKind
	ID            int64
	ProjectID     int64
	Title         string // the need, or what was promised
	TitleEN       string
	ProjectName   string
	ProjectNameEN string
	// The unit on the other side: the asking project's unit for a request owed, the
	// holding unit for a request led or an escalation, the unit promised to.
	UnitName   string
	UnitNameEN string
	// Day is the date an owed or led request is needed by, or a promise is due (a
	// date, at UTC midnight); At is the moment a decision window ends.
	Day *time.Time
	At  *time.Time
}

// RequestOnCalendar reports whether request r, whose holding unit is headed by
// holderHead (0 when vacant), is on person userID's calendar, and why: it is sent and
// still open, has a date (its own, else its need's, in r.DueDate), and they owe it as
// the holder's head or key person (owed) or else lead its project (led). Each request
// is on it once. Whoever it puts there may open the request (MayViewRequest: the
// holder's side answers for it, the lead sees the project).
func RequestOnCalendar(userID int64, r Request, holderHead int64) (CalendarKind, bool) {
	if userID == 0 || r.DueDate == nil || !slices.Contains(SentOpenStates(), r.State) {
		return "", false
	}
	switch {
	case holderHead == userID || (r.KeyPersonUserID != nil && *r.KeyPersonUserID == userID):
		return CalendarOwed, true
	case r.LeadUserID == userID:
		return CalendarLed, true
	}
	return "", false
}

// EscalationOnCalendar reports whether escalation e is on person userID's calendar:
// when it is on their start page's decide list (EscalationAgenda), at the end of its
// decision window.
func EscalationOnCalendar(userID int64, e Escalation) bool {
	return slices.Contains(EscalationAgenda(userID, e, 0), AgendaDecide)
}

// PromiseOnCalendar reports whether promise c, made by a project led by lead, is on
// person userID's calendar: the start page's promise list (PromiseOnAgenda) without
// its horizon, as every promise is within it on its own due date.
func PromiseOnCalendar(userID int64, c Commitment, lead int64) bool {
	return c.DueDate != nil && PromiseOnAgenda(userID, c, lead, *c.DueDate)
}

// InCalendarSpan reports whether a day (a date, at UTC midnight) falls in a feed's
// span (CalendarSpan).
func InCalendarSpan(day, from, to time.Time) bool {
	d := dateOf(day)
	return !d.Before(from) && !d.After(to)
}

// CalendarFeed is a person's private calendar address as Accord keeps it: never the
// secret, which is shown once when made.
type CalendarFeed struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
