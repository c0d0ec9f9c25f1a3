package accord

import (
	"time"
)

// EscalationCause says why a request went up to the shared superior.
type EscalationCause string

// Causes. A request escalates at most once per cause.
const (
	CauseManual   EscalationCause = "manual"   // the lead asked for a decision
	CauseDeclined EscalationCause = "declined" // declined and unresolved for too long
	CauseOverdue  EscalationCause = "overdue"  // past its date and not delivered
	CauseStale    EscalationCause = "stale"    // no activity for twice the cadence
)

// EscalationCauses lists every cause.
func EscalationCauses() []EscalationCause {
	return []EscalationCause{CauseManual, CauseDeclined, CauseOverdue, CauseStale}
}

// MessageID names the cause's translated label.
func (c EscalationCause) MessageID() string { return "cause_" + string(c) }

// EscalationPolicy sets when a stalled request escalates by itself. A nil threshold
// means never (P2 alternatives never escalate automatically).
type EscalationPolicy struct {
	DeclinedDays *int // days a decline may stand unresolved
	OverdueDays  *int // days past the date
	StaleFactor  int  // multiples of the cadence without activity; 0 means never
}

// DefaultEscalationPolicy is the policy for a tier: P0 sooner than P1, P2 never.
func DefaultEscalationPolicy(t Tier) EscalationPolicy {
	days := func(n int) *int { return &n }
	switch t {
	case TierRequired:
		return EscalationPolicy{DeclinedDays: days(3), OverdueDays: days(0), StaleFactor: 2}
	case TierImportant:
		return EscalationPolicy{DeclinedDays: days(7), OverdueDays: days(3), StaleFactor: 2}
	default:
		return EscalationPolicy{}
	}
}

// StalledCauses lists the automatic causes that apply to a request now, given its
// project's cadence and the policy for its tier.
func StalledCauses(r Request, cadenceDays int, p EscalationPolicy, now time.Time) []EscalationCause {
	var out []EscalationCause
	if r.State == RequestDeclined && p.DeclinedDays != nil && r.AnsweredAt != nil &&
		now.Sub(*r.AnsweredAt) >= time.Duration(*p.DeclinedDays)*24*time.Hour {
		out = append(out, CauseDeclined)
	}
	if p.OverdueDays != nil && r.Overdue(now.AddDate(0, 0, -*p.OverdueDays)) {
		out = append(out, CauseOverdue)
	}
	if p.StaleFactor > 0 && r.Stale(now, cadenceDays*p.StaleFactor) {
		out = append(out, CauseStale)
	}
	return out
}

// NextStallCheck is the earliest moment one of the automatic causes not yet
// raised for r could apply under policy pol (StalledCauses), or nil when none
// can until the request, its need or its project changes (a change the triggers of
// migration 0011 answer by asking for a look at the next sweep). A moment at or
// before now means "look again at the next sweep": a cause that applies but could
// not be raised (nobody to route it to) stays due.
func NextStallCheck(r Request, cadenceDays int, pol EscalationPolicy, raised map[EscalationCause]bool) *time.Time {
	switch r.State {
	case RequestDraft, RequestDelivered, RequestCancelled:
		return nil // no cause applies to these states
	}
	var next *time.Time
	earliest := func(t time.Time) {
		if next == nil || t.Before(*next) {
			next = &t
		}
	}
	if !raised[CauseDeclined] && r.State == RequestDeclined && pol.DeclinedDays != nil && r.AnsweredAt != nil {
		earliest(r.AnsweredAt.Add(time.Duration(*pol.DeclinedDays) * 24 * time.Hour))
	}
	if !raised[CauseOverdue] && pol.OverdueDays != nil && r.DueDate != nil {
		// Overdue once the sweep's calendar date, OverdueDays back, is past the due
		// date. That date is read in the time zone of the sweep's clock: start from
		// the earliest midnight anywhere (UTC+14), so a server in any zone is on time.
		y, m, d := r.DueDate.Date()
		earliest(time.Date(y, m, d+1+*pol.OverdueDays, 0, 0, 0, 0, time.UTC).Add(-14 * time.Hour))
	}
	if !raised[CauseStale] && pol.StaleFactor > 0 {
		earliest(r.LastActivityAt.Add(time.Duration(cadenceDays*pol.StaleFactor) * 24 * time.Hour))
	}
	return next
}

// CausesToRaise picks, from the causes a request is stalled for now, what the sweep
// raises: nothing while an escalation of the request still waits for a decision (its
// superior already has the item; a second card for the same request is noise), and
// otherwise the first cause not raised before. A cause left out is raised by a later
// sweep if the request is still stalled for it then: each cause goes up at most once.
func CausesToRaise(stalled []EscalationCause, raised map[EscalationCause]bool, pending bool) []EscalationCause {
	if pending {
		return nil
	}
	for _, cause := range stalled {
		if !raised[cause] {
			return []EscalationCause{cause}
		}
	}
	return nil
}

// DefaultDecisionWindowDays is how many working days a superior has to decide.
const DefaultDecisionWindowDays = 3

// AddWorkingDays returns the moment n working days after start, skipping Saturdays
// and Sundays (public holidays are not modelled). Days are counted on the calendar of
// loc, the company's time zone: Friday 23:30 UTC is already Saturday in Shanghai. The
// result is in loc.
func AddWorkingDays(start time.Time, n int, loc *time.Location) time.Time {
	t := start.In(loc)
	for added := 0; added < n; {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			added++
		}
	}
	return t
}

// WindowElapsed is the share of a decision window used up at now, from 0 to 1.
func WindowElapsed(opened, due, now time.Time) float64 {
	total := due.Sub(opened)
	if total <= 0 {
		return 1
	}
	f := float64(now.Sub(opened)) / float64(total)
	return min(max(f, 0), 1)
}
