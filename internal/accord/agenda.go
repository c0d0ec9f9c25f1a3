package accord

import (
	"cmp"
	"slices"
	"time"
)

// AgendaKind is one list on a person's start page: what they must act on.
type AgendaKind string

// Agenda lists, each for the role that can have items in it.
const (
	AgendaAnswer    AgendaKind = "answer"    // head, key person: requests waiting for my answer
	AgendaDeliver   AgendaKind = "deliver"   // key person: agreed or started requests I must deliver
	AgendaStatement AgendaKind = "statement" // head: escalations on my units' requests still without our statement
	AgendaNext      AgendaKind = "next"      // lead: counter-proposals to answer and declined requests to rethink
	AgendaStale     AgendaKind = "stale"     // lead: requests on my projects with no activity within the cadence
	AgendaDecide    AgendaKind = "decide"    // superior: escalations waiting for my decision
	AgendaPromise   AgendaKind = "promise"   // lead: open promises of my projects due within two weeks, or overdue
)

// AgendaKinds lists every list.
func AgendaKinds() []AgendaKind {
	return []AgendaKind{AgendaAnswer, AgendaDeliver, AgendaStatement, AgendaNext, AgendaStale, AgendaDecide, AgendaPromise}
}

// AgendaApplies reports whether list kind belongs on the start page of someone with
// roles r, whose list holds count items: when their roles can put items in it, or
// when it holds some anyway. Being an administrator applies to no list: an
// administrator gets the administration, not the lists of roles they do not hold.
func AgendaApplies(r Roles, kind AgendaKind, count int) bool {
	if count > 0 {
		return true
	}
	switch kind {
	case AgendaDecide:
		return r.Executive
	case AgendaAnswer, AgendaStatement:
		return r.Head
	case AgendaDeliver:
		return r.KeyPerson
	case AgendaNext, AgendaStale, AgendaPromise:
		return r.Lead
	}
	return false
}

// PromiseHorizonDays is how far ahead the start page lists promises coming due.
const PromiseHorizonDays = 14

// AgendaItem is one thing that needs the person today. ID is a request's, an
// escalation's (decide, statement) or a commitment's (promise), by Kind.
type AgendaItem struct {
	Kind          AgendaKind
	ID            int64
	ProjectID     int64
	Title         string // the need, or what was promised
	TitleEN       string
	ProjectName   string
	ProjectNameEN string
	UnitName      string // the holding unit, or the unit promised to
	UnitNameEN    string
	State         string // the request's state, the escalation's status, or the commitment's status
	Tier          Tier
	At            time.Time  // sent, answered, last active, raised, or the decision window's end
	DueDate       *time.Time // the request's or the promise's date
}

// The agenda's rules say which lists an item is on for one person, and in what order
// each list runs. The store applies them in SQL, so a start page is one query
// (store.Agenda); TestAgendaInSQLAgreesWithTheRules compares the two.

// RequestAgenda lists the lists request r is on for person userID, whose project's
// cadence is cadenceDays, at now. holderHead heads the holding unit (0 when the post
// is vacant). The person owes:
//   - answer: the holder's answer (r is requested) as its head or its key person;
//   - deliver: the work (r is agreed or in progress) as its key person;
//   - next: the next step (r is countered or declined) as its project's lead;
//   - stale: a nudge (r is sent and open, and its last activity is more than
//     cadenceDays calendar days before now, counted in now's zone) as its lead.
//
// Being an administrator puts nothing on anyone's agenda.
func RequestAgenda(userID int64, r Request, holderHead int64, cadenceDays int, now time.Time) []AgendaKind {
	if userID == 0 {
		return nil
	}
	lead := r.LeadUserID == userID
	keyPerson := r.KeyPersonUserID != nil && *r.KeyPersonUserID == userID
	var out []AgendaKind
	if r.State == RequestRequested && (holderHead == userID || keyPerson) {
		out = append(out, AgendaAnswer)
	}
	if keyPerson && (r.State == RequestAgreed || r.State == RequestInProgress) {
		out = append(out, AgendaDeliver)
	}
	if lead && (r.State == RequestCountered || r.State == RequestDeclined) {
		out = append(out, AgendaNext)
	}
	if lead && slices.Contains(SentOpenStates(), r.State) && r.LastActivityAt.Before(quietSince(now, cadenceDays)) {
		out = append(out, AgendaStale)
	}
	return out
}

// EscalationAgenda lists the lists escalation e is on for person userID, where
// holderHead heads the holding unit (0 when vacant): statement when they head it and
// the holder's side has yet to speak (Escalation.StatementOwedBy), decide when it
// waits for their decision (MayCause EventDecide). A lead owing a statement finds it
// on the escalation's page, not here.
func EscalationAgenda(userID int64, e Escalation, holderHead int64) []AgendaKind {
	if userID == 0 {
		return nil
	}
	p := EscalationParty{Superior: e.AssignedUserID == userID, HolderHead: holderHead == userID}
	var out []AgendaKind
	if p.HolderHead && e.StatementOwedBy(p) {
		out = append(out, AgendaStatement)
	}
	if MayCause(e.Status, EventDecide, p) {
		out = append(out, AgendaDecide)
	}
	return out
}

// PromiseOnAgenda reports whether promise c, made by a project led by lead, is on
// person userID's promise list at now: they lead it, it is open, and it is due
// within PromiseHorizonDays of now's calendar day, or overdue.
func PromiseOnAgenda(userID int64, c Commitment, lead int64, now time.Time) bool {
	return userID != 0 && userID == lead && c.Status == CommitmentOpen && c.DueDate != nil &&
		!dateOf(*c.DueDate).After(dateOf(now).AddDate(0, 0, PromiseHorizonDays))
}

// CompareAgendaItems orders two items of one list: by tier first where the person
// answers or decides what comes next (answer, next, statement); a deliverable by its
// date, undated last; then the earliest At (sent, answered, last active, raised, the
// window's end, the promise's date), then by ID. Items of different lists order by
// kind.
func CompareAgendaItems(a, b AgendaItem) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	switch a.Kind {
	case AgendaAnswer, AgendaNext, AgendaStatement:
		if c := cmp.Compare(slices.Index(Tiers(), a.Tier), slices.Index(Tiers(), b.Tier)); c != 0 {
			return c
		}
	case AgendaDeliver:
		if c := compareDatesUndatedLast(a.DueDate, b.DueDate); c != 0 {
			return c
		}
	}
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// compareDatesUndatedLast orders dates by day, nil after every date.
func compareDatesUndatedLast(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return dateOf(*a).Compare(dateOf(*b))
}
