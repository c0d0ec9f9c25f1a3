package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestCalendarInSQLAgreesWithTheRules builds an organisation where every kind of
// calendar item is there for someone — heads, key persons and leads of requests in
// every state, dated by the request or by its need or not at all, escalations
// waiting, sent back and decided, promises open, kept and broken — with dates on
// either side of the span's edges, and checks, for every person at moments around
// midnight in several zones, that the store's calendar holds exactly what accord's
// rules put on it, each item once, with its date or moment.
func TestCalendarInSQLAgreesWithTheRules(t *testing.T) {
	t.Parallel()
	w, storeIn := zonedWorld(t, "America/New_York")
	ctx := w.Ctx
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork)
	day := func(offset int) *time.Time {
		d := time.Date(2026, 3, 9+offset, 0, 0, 0, 0, time.UTC)
		return &d
	}

	root := w.Root(t)
	unitA := w.Unit(t, storetest.UnitOpts{NameEN: "A"})
	unitB := w.Unit(t, storetest.UnitOpts{NameEN: "B"})
	vacant := w.Unit(t, storetest.UnitOpts{NameEN: "Vacant"})
	keyA := w.Person(t, storetest.PersonOpts{NameEN: "Key person of A", Units: []accord.Unit{unitA}})
	headA := w.Head(t, unitA)
	p1 := w.Project(t, storetest.ProjectOpts{NameEN: "One"})
	p2 := w.Project(t, storetest.ProjectOpts{NameEN: "Two"})
	p3 := w.Project(t, storetest.ProjectOpts{NameEN: "Three, led by A's head", Owner: &unitA})

	send := func(p accord.Project, holder accord.Unit, neededBy, due *time.Time, state accord.RequestState, key *accord.User) accord.Request {
		t.Helper()
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, NeededBy: neededBy})
		r := w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: now.Add(-time.Hour), KeyPerson: key})
		if due != nil {
			_, err := w.Store.Pool().Exec(ctx, `UPDATE requests SET due_date = $2 WHERE id = $1`, r.ID, *due)
			require.NoError(t, err)
		}
		return r
	}
	// Every state, dated by the need; the span's edges and just past them.
	for _, st := range accord.RequestStates() {
		if st != accord.RequestDraft {
			send(p1, unitA, day(3), nil, st, nil)
			send(p2, unitB, day(4), nil, st, nil)
		}
	}
	for _, offset := range []int{-accord.CalendarPastDays - 1, -accord.CalendarPastDays, 0,
		accord.CalendarFutureDays, accord.CalendarFutureDays + 1} {
		send(p1, unitA, day(offset), nil, accord.RequestRequested, nil)
	}
	// The request's own date wins over its need's, either way across an edge.
	send(p1, unitB, day(-accord.CalendarPastDays-5), day(2), accord.RequestAgreed, nil)
	send(p2, unitA, day(2), day(accord.CalendarFutureDays+5), accord.RequestInProgress, nil)
	send(p1, unitA, nil, nil, accord.RequestRequested, nil) // no date at all
	// Key persons, and A's head leading a project that asks A itself (once, as owed).
	send(p1, unitA, day(6), nil, accord.RequestAgreed, &keyA)
	send(p2, unitA, day(7), nil, accord.RequestInProgress, &keyA)
	send(p3, unitA, day(8), nil, accord.RequestRequested, nil)
	send(p3, unitB, day(9), nil, accord.RequestCountered, nil)
	// Asked of a unit whose head then left: nobody owes it; its lead still leads it.
	send(p2, vacant, day(1), nil, accord.RequestRequested, nil)
	vacant, err = w.Store.Unit(ctx, vacant.ID)
	require.NoError(t, err)
	_, err = w.Store.SetUnitHead(ctx, 0, vacant.ID, vacant.Version, nil)
	require.NoError(t, err)

	// Escalations to the root's head: waiting (windows moved to either side of the
	// span's edges), sent back and decided.
	var escalations []accord.Escalation
	for range 6 {
		r := send(p1, unitB, day(1), nil, accord.RequestDeclined, nil)
		escalations = append(escalations, w.Escalation(t, storetest.EscalationOpts{Request: &r, At: now.Add(-time.Hour)}))
	}
	from, to := accord.CalendarSpan(now)
	startAt := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, newYork)
	endAt := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, newYork)
	for i, at := range []time.Time{startAt.Add(-time.Second), startAt, endAt.Add(-time.Second), endAt} {
		_, err := w.Store.Pool().Exec(ctx, `UPDATE escalations SET window_due_at = $2 WHERE id = $1`, escalations[i].ID, at)
		require.NoError(t, err)
	}
	superior := w.Viewer(t, w.Head(t, root))
	for i, in := range []accord.DecisionInput{{Kind: accord.DecideSendBack, Note: "补充材料"}, {Kind: accord.DecideDrop, Note: "不做了"}} {
		e, err := w.Store.Escalation(ctx, escalations[4+i].ID)
		require.NoError(t, err)
		_, err = w.Store.Decide(ctx, superior, e.ID, e.Version, in, now)
		require.NoError(t, err)
	}
	r := send(p2, unitA, day(1), nil, accord.RequestDeclined, nil)
	w.Escalation(t, storetest.EscalationOpts{Request: &r, At: now.Add(-time.Hour)}) // an ordinary window

	// Promises, open, kept and broken, undated, and at the span's edges.
	for _, c := range []struct {
		p      accord.Project
		due    *time.Time
		status accord.CommitmentStatus
	}{{p1, day(0), ""}, {p1, day(-accord.CalendarPastDays), ""}, {p1, day(-accord.CalendarPastDays - 1), ""},
		{p1, day(accord.CalendarFutureDays), ""}, {p1, day(accord.CalendarFutureDays + 1), ""}, {p1, nil, ""},
		{p1, day(1), accord.CommitmentKept}, {p1, day(-1), accord.CommitmentBroken}, {p3, day(2), ""}} {
		w.Commitment(t, storetest.CommitmentOpts{Project: &c.p, Unit: &unitA, DueDate: c.due, Status: c.status})
	}

	world := readAgendaWorld(t, w)
	neededBy := map[int64]*time.Time{}
	rows, err := w.Store.Pool().Query(ctx, `SELECT id, needed_by FROM needs`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var d *time.Time
		require.NoError(t, rows.Scan(&id, &d))
		neededBy[id] = d
	}
	require.NoError(t, rows.Err())

	dateIn := func(t time.Time, loc *time.Location) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	// What accord's rules put on person user's calendar at moment at: kind:id → its
	// date or moment.
	want := func(user int64, at time.Time) map[string]string {
		from, to := accord.CalendarSpan(at)
		out := map[string]string{}
		for _, r := range world.requests {
			if r.DueDate == nil {
				r.DueDate = neededBy[r.NeedID]
			}
			if kind, ok := accord.RequestOnCalendar(user, r, world.heads[r.HolderUnitID]); ok && accord.InCalendarSpan(*r.DueDate, from, to) {
				out[fmt.Sprintf("%s:%d", kind, r.ID)] = r.DueDate.Format(time.DateOnly)
			}
		}
		for _, e := range world.escalations {
			if accord.EscalationOnCalendar(user, e) && accord.InCalendarSpan(dateIn(e.WindowDueAt, at.Location()), from, to) {
				out[fmt.Sprintf("decide:%d", e.ID)] = e.WindowDueAt.UTC().Format(time.RFC3339)
			}
		}
		for _, c := range world.commitments {
			if accord.PromiseOnCalendar(user, c, world.leads[c.ProjectID]) && accord.InCalendarSpan(*c.DueDate, from, to) {
				out[fmt.Sprintf("promise:%d", c.ID)] = c.DueDate.Format(time.DateOnly)
			}
		}
		return out
	}
	used := map[accord.CalendarKind]int{}
	check := func(at time.Time, where string, read func(context.Context, int64, time.Time) ([]accord.CalendarItem, error)) {
		t.Helper()
		for _, user := range world.users {
			items, err := read(ctx, user, at)
			require.NoError(t, err)
			got := map[string]string{}
			for _, it := range items {
				key := fmt.Sprintf("%s:%d", it.Kind, it.ID)
				_, dup := got[key]
				require.False(t, dup, "user %d: %s twice, %s", user, key, where)
				switch {
				case it.Day != nil && it.At == nil:
					got[key] = it.Day.Format(time.DateOnly)
				case it.At != nil && it.Day == nil:
					got[key] = it.At.UTC().Format(time.RFC3339)
				default:
					t.Fatalf("user %d: %s has day %v and moment %v", user, key, it.Day, it.At)
				}
				used[it.Kind]++
			}
			require.Equal(t, want(user, at), got, "user %d, %s", user, where)
		}
	}
	check(now, "now", w.Store.CalendarItems)
	for _, k := range []accord.CalendarKind{accord.CalendarOwed, accord.CalendarLed, accord.CalendarDecide, accord.CalendarPromise} {
		require.Positive(t, used[k], "the world puts a %s item on someone's calendar", k)
	}
	require.NotEmpty(t, want(headA.ID, now), "A's head owes and leads")

	for _, zones := range []struct{ session, company string }{{"America/New_York", "America/New_York"},
		{"UTC", "UTC"}, {"Asia/Shanghai", "Asia/Shanghai"}, {"UTC", "Asia/Shanghai"}, {"Asia/Shanghai", "America/New_York"}} {
		st := storeIn(zones.session)
		company, err := time.LoadLocation(zones.company)
		require.NoError(t, err)
		y, m, d := now.In(company).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, company)
		for _, at := range []time.Time{now, midnight.Add(-time.Second), midnight, now.AddDate(0, 0, 1)} {
			at = at.In(company)
			check(at, at.String()+", the database in "+zones.session, st.CalendarItems)
		}
	}
}

// TestCalendarItemsAreCapped: however much a person has, a feed holds at most
// accord.MaxCalendarItems, the earliest first.
func TestCalendarItemsAreCapped(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx := w.Ctx
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	p := w.Project(t, storetest.ProjectOpts{})
	unit := w.Unit(t, storetest.UnitOpts{})
	c := w.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &unit})
	// Copies of one promise, a day apart and past the cap, in one statement.
	_, err := w.Store.Pool().Exec(ctx, `INSERT INTO commitments (project_id, unit_id, what, due_date, status)
		SELECT project_id, unit_id, what, $2::date + (g % 300), 'open' FROM commitments, generate_series(1, $3) g WHERE id = $1`,
		c.ID, now.Format(time.DateOnly), accord.MaxCalendarItems+50)
	require.NoError(t, err)
	items, err := w.Store.CalendarItems(ctx, p.LeadUserID, now)
	require.NoError(t, err)
	require.Len(t, items, accord.MaxCalendarItems)
	for i := 1; i < len(items); i++ {
		require.False(t, items[i].Day.Before(*items[i-1].Day), "earliest first")
	}
}
