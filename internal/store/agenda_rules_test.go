package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestAgendaInSQLAgreesWithTheRules builds an organisation where every list of the
// start page holds something for someone — heads with requests to answer, key
// persons with work to deliver, leads with counters, declines, quiet requests and
// promises on either side of the horizon, escalations waiting, spoken to, sent back
// and decided, people who play several parts — and checks, for every person, that
// each list the store returns holds exactly what accord's rules put on it, in the
// order accord.CompareAgendaItems gives, counted right and cut at perKind: at moments
// around midnight, the cadence and the horizon, in several zones.
func TestAgendaInSQLAgreesWithTheRules(t *testing.T) {
	t.Parallel()
	w, storeIn := zonedWorld(t, "America/New_York")
	ctx := w.Ctx
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork) // the day after a 23-hour day
	day := func(offset int) *time.Time {
		d := time.Date(2026, 3, 9+offset, 0, 0, 0, 0, time.UTC)
		return &d
	}
	quiet := now.AddDate(0, 0, -accord.DefaultCadenceDays)

	root := w.Root(t)
	unitA := w.Unit(t, storetest.UnitOpts{NameEN: "A"})
	unitB := w.Unit(t, storetest.UnitOpts{NameEN: "B"})
	vacant := w.Unit(t, storetest.UnitOpts{NameEN: "Vacant"})
	keyA := w.Person(t, storetest.PersonOpts{NameEN: "Key person of A", Units: []accord.Unit{unitA}})
	keyB := w.Person(t, storetest.PersonOpts{NameEN: "Key person of B", Units: []accord.Unit{unitB}})
	headA, headB := w.Head(t, unitA), w.Head(t, unitB)
	p1 := w.Project(t, storetest.ProjectOpts{NameEN: "One"})
	p2 := w.Project(t, storetest.ProjectOpts{NameEN: "Two"})
	p3 := w.Project(t, storetest.ProjectOpts{NameEN: "Three, led by A's head", Owner: &unitA})

	send := func(p accord.Project, holder accord.Unit, tier accord.Tier, due *time.Time, state accord.RequestState,
		at time.Time, key *accord.User) accord.Request {
		t.Helper()
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, Tier: tier, NeededBy: due})
		return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: at, KeyPerson: key})
	}
	hour := func(n int) time.Time { return now.Add(time.Duration(-n) * time.Hour) }
	// Answer: P0 before P1, then the earliest; one handed to A's key person.
	send(p1, unitA, accord.TierImportant, nil, accord.RequestRequested, hour(3), nil)
	send(p1, unitA, accord.TierRequired, nil, accord.RequestRequested, hour(1), nil)
	send(p2, unitA, accord.TierRequired, nil, accord.RequestRequested, hour(2), nil)
	handed := send(p1, unitA, accord.TierImportant, day(20), accord.RequestRequested, hour(4), nil)
	_, err = w.Store.ActOnRequest(ctx, w.Viewer(t, headA), handed.ID, handed.Version, accord.ActionDelegate,
		accord.RequestInput{KeyPersonUserID: &keyA.ID}, hour(4))
	require.NoError(t, err)
	// A's key person also heads C, which is asked three times: their answer list joins
	// a cut list of their own unit's with the one handed to them in A.
	unitC := w.Unit(t, storetest.UnitOpts{NameEN: "C"})
	_, err = w.Store.SetUnitHead(ctx, 0, unitC.ID, unitC.Version, &keyA.ID)
	require.NoError(t, err)
	send(p1, unitC, accord.TierAlternative, nil, accord.RequestRequested, hour(1), nil)
	send(p2, unitC, accord.TierRequired, nil, accord.RequestRequested, hour(5), nil)
	send(p2, unitC, accord.TierImportant, nil, accord.RequestRequested, hour(3), nil)
	// Deliver: by date, undated last; agreed by a head who named nobody.
	send(p1, unitA, accord.TierAlternative, day(5), accord.RequestAgreed, hour(5), &keyA)
	send(p2, unitA, accord.TierRequired, day(2), accord.RequestInProgress, hour(2), &keyA)
	send(p1, unitA, accord.TierRequired, nil, accord.RequestAgreed, hour(6), &keyA)
	send(p2, unitB, accord.TierRequired, day(3), accord.RequestAgreed, hour(1), &keyB)
	send(p1, unitA, accord.TierImportant, day(1), accord.RequestAgreed, hour(1), nil)
	// Next: counters and declines, P0 first; one countered long ago is quiet too.
	send(p1, unitB, accord.TierImportant, nil, accord.RequestCountered, hour(2), nil)
	send(p2, unitB, accord.TierImportant, nil, accord.RequestCountered, quiet.Add(-time.Hour), nil)
	declined := send(p1, unitB, accord.TierRequired, nil, accord.RequestDeclined, hour(3), nil)
	spoken := send(p1, unitA, accord.TierImportant, nil, accord.RequestDeclined, hour(4), nil)
	sentBack := send(p2, unitA, accord.TierAlternative, nil, accord.RequestDeclined, hour(5), nil)
	decided := send(p2, unitB, accord.TierRequired, nil, accord.RequestDeclined, hour(6), nil)
	laterB := send(p2, unitB, accord.TierImportant, nil, accord.RequestDeclined, hour(7), nil)
	laterA := send(p2, unitA, accord.TierRequired, nil, accord.RequestDeclined, hour(8), nil)
	// Three more owed by A, so its statement list is cut where neither the order raised
	// nor the tier alone nor the order stored would cut it: P0s raised last and first,
	// and a P2 raised before every other.
	lastA := send(p1, unitA, accord.TierRequired, nil, accord.RequestDeclined, hour(9), nil)
	firstA := send(p1, unitA, accord.TierRequired, nil, accord.RequestDeclined, hour(10), nil)
	earliestA := send(p1, unitA, accord.TierAlternative, nil, accord.RequestDeclined, hour(11), nil)
	// Stale: quiet exactly the cadence, a second longer, and long since closed.
	send(p1, unitB, accord.TierAlternative, nil, accord.RequestRequested, quiet, nil)
	send(p1, unitB, accord.TierImportant, nil, accord.RequestRequested, quiet.Add(-time.Second), nil)
	send(p1, unitA, accord.TierImportant, nil, accord.RequestDelivered, quiet.AddDate(0, -1, 0), &keyA)
	send(p1, unitA, accord.TierImportant, nil, accord.RequestCancelled, quiet.AddDate(0, -1, 0), nil)
	// A's head leads a project asking B, and asking A itself.
	send(p3, unitB, accord.TierImportant, nil, accord.RequestRequested, quiet.AddDate(0, 0, -3), nil)
	send(p3, unitA, accord.TierImportant, nil, accord.RequestRequested, quiet.AddDate(0, 0, -1), nil)
	// Asked of a unit whose head then left: nobody answers it.
	send(p2, vacant, accord.TierRequired, nil, accord.RequestRequested, hour(1), nil)
	vacant, err = w.Store.Unit(ctx, vacant.ID)
	require.NoError(t, err)
	_, err = w.Store.SetUnitHead(ctx, 0, vacant.ID, vacant.Version, nil)
	require.NoError(t, err)

	// Escalations to the root's head: waiting, spoken to by the holder, sent back,
	// decided; each raised earlier than the one before, so a list by tier runs against
	// the order raised, and the superior has more waiting than a cut list shows.
	for _, r := range []accord.Request{declined, spoken, sentBack, decided, laterB, laterA} {
		w.Escalation(t, storetest.EscalationOpts{Request: &r, At: now.Add(-time.Duration(r.ID) * time.Minute)})
	}
	w.Escalation(t, storetest.EscalationOpts{Request: &lastA, At: now})
	w.Escalation(t, storetest.EscalationOpts{Request: &firstA, At: now.AddDate(0, 0, -10)})
	w.Escalation(t, storetest.EscalationOpts{Request: &earliestA, At: now.AddDate(0, 0, -20)})
	// Passed by A to B, escalated while B held it, then sent back to A by the lead: A
	// owes the statement now (the escalation keeps its request's holder, migration 0060).
	passed := send(p1, unitA, accord.TierRequired, nil, accord.RequestRequested, hour(12), nil)
	passed, err = w.Store.ActOnRequest(ctx, w.Viewer(t, headA), passed.ID, passed.Version, accord.ActionTransfer,
		accord.RequestInput{TransferUnitID: &unitB.ID, Reason: "B 负责"}, hour(12))
	require.NoError(t, err)
	w.Escalation(t, storetest.EscalationOpts{Request: &passed, At: hour(11)})
	lead := w.Viewer(t, accord.User{ID: passed.LeadUserID})
	passed, err = w.Store.Request(ctx, passed.ID)
	require.NoError(t, err)
	_, err = w.Store.ActOnRequest(ctx, lead, passed.ID, passed.Version, accord.ActionTransferBack, accord.RequestInput{},
		hour(10))
	require.NoError(t, err)
	requireNoDrift(t, ctx, w.Store.Pool(), "passed on, escalated and sent back")
	escalationOf := func(r accord.Request) accord.Escalation {
		var id int64
		require.NoError(t, w.Store.Pool().QueryRow(ctx, `SELECT id FROM escalations WHERE request_id = $1`, r.ID).Scan(&id))
		e, err := w.Store.Escalation(ctx, id)
		require.NoError(t, err)
		return e
	}
	require.NoError(t, w.Store.AddStatement(ctx, w.Viewer(t, headA), escalationOf(spoken).ID, "排不开",
		accord.DefaultDecisionWindowDays, now))
	superior := w.Viewer(t, w.Head(t, root))
	for _, d := range []struct {
		r  accord.Request
		in accord.DecisionInput
	}{{sentBack, accord.DecisionInput{Kind: accord.DecideSendBack, Note: "补充材料"}},
		{decided, accord.DecisionInput{Kind: accord.DecideDrop, Note: "不做了"}}} {
		e := escalationOf(d.r)
		_, err := w.Store.Decide(ctx, superior, e.ID, e.Version, d.in, now)
		require.NoError(t, err)
	}

	// Promises of project one to A, around today and the horizon; one of three's.
	for _, c := range []struct {
		p      accord.Project
		due    *time.Time
		status accord.CommitmentStatus
	}{{p1, day(0), ""}, {p1, day(accord.PromiseHorizonDays), ""}, {p1, day(accord.PromiseHorizonDays + 1), ""},
		{p1, day(-3), ""}, {p1, nil, ""}, {p1, day(1), accord.CommitmentKept}, {p1, day(-1), accord.CommitmentBroken},
		{p3, day(2), ""}} {
		w.Commitment(t, storetest.CommitmentOpts{Project: &c.p, Unit: &unitA, DueDate: c.due, Status: c.status})
	}

	world := readAgendaWorld(t, w)
	people := world.users
	require.Contains(t, people, keyB.ID)
	require.Contains(t, people, headB.ID)
	// What accord's rules put on each list of person user at moment at.
	want := func(user int64, at time.Time) map[accord.AgendaKind][]int64 {
		out := map[accord.AgendaKind][]int64{}
		for _, r := range world.requests {
			for _, k := range accord.RequestAgenda(user, r, world.heads[r.HolderUnitID], world.cadence[r.ProjectID], at) {
				out[k] = append(out[k], r.ID)
			}
		}
		for _, e := range world.escalations {
			for _, k := range accord.EscalationAgenda(user, e, world.heads[e.Request.HolderUnitID]) {
				out[k] = append(out[k], e.ID)
			}
		}
		for _, c := range world.commitments {
			if accord.PromiseOnAgenda(user, c, world.leads[c.ProjectID], at) {
				out[accord.AgendaPromise] = append(out[accord.AgendaPromise], c.ID)
			}
		}
		return out
	}
	check := func(st *store.Store, at time.Time, where string) map[accord.AgendaKind]bool {
		t.Helper()
		used := map[accord.AgendaKind]bool{}
		for _, user := range people {
			all, counts, err := st.Agenda(ctx, user, 100, at)
			require.NoError(t, err)
			cut, cutCounts, err := st.Agenda(ctx, user, 2, at)
			require.NoError(t, err)
			require.Equal(t, counts, cutCounts, "user %d, %s", user, where)
			expected := want(user, at)
			for _, kind := range accord.AgendaKinds() {
				list := all[kind]
				var got []int64
				for _, it := range list {
					require.Equal(t, kind, it.Kind)
					got = append(got, it.ID)
				}
				require.ElementsMatch(t, expected[kind], got, "user %d, %s list, %s", user, kind, where)
				require.Equal(t, len(expected[kind]), counts[kind], "user %d, %s count, %s", user, kind, where)
				require.True(t, slices.IsSortedFunc(list, accord.CompareAgendaItems), "user %d, %s order, %s: %v",
					user, kind, where, got)
				require.Equal(t, list[:min(2, len(list))], cut[kind], "user %d, %s cut, %s", user, kind, where)
				used[kind] = used[kind] || len(list) > 0
			}
		}
		return used
	}

	used := check(w.Store, now, "now")
	for _, kind := range accord.AgendaKinds() {
		require.True(t, used[kind], "the world puts something on the %s list", kind)
	}
	for _, zones := range []struct{ session, company string }{{"America/New_York", "America/New_York"},
		{"UTC", "UTC"}, {"Asia/Shanghai", "Asia/Shanghai"}, {"UTC", "Asia/Shanghai"}} {
		st := storeIn(zones.session)
		company, err := time.LoadLocation(zones.company)
		require.NoError(t, err)
		y, m, d := now.In(company).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, company)
		for _, at := range []time.Time{now, now.Add(time.Second), midnight.Add(-time.Second), midnight,
			now.AddDate(0, 0, 1), now.AddDate(0, 0, 3)} {
			at = at.In(company)
			check(st, at, at.String()+", the database in "+zones.session)
		}
	}
}

// agendaWorld is everything accord's agenda rules read, as the store keeps it.
type agendaWorld struct {
	users       []int64
	requests    []accord.Request
	escalations []accord.Escalation
	commitments []accord.Commitment
	heads       map[int64]int64 // unit → its head, 0 when vacant
	leads       map[int64]int64 // project → its lead
	cadence     map[int64]int   // project → its cadence
}

func readAgendaWorld(t *testing.T, w *storetest.World) agendaWorld {
	t.Helper()
	ctx, pool := w.Ctx, w.Store.Pool()
	ids := func(sql string) []int64 {
		t.Helper()
		rows, err := pool.Query(ctx, sql)
		require.NoError(t, err)
		out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		require.NoError(t, err)
		return out
	}
	aw := agendaWorld{users: ids(`SELECT id FROM users ORDER BY id`), heads: map[int64]int64{}, leads: map[int64]int64{},
		cadence: map[int64]int{}}
	for _, id := range ids(`SELECT id FROM requests ORDER BY id`) {
		r, err := w.Store.Request(ctx, id)
		require.NoError(t, err)
		aw.requests = append(aw.requests, r)
	}
	for _, id := range ids(`SELECT id FROM escalations ORDER BY id`) {
		e, err := w.Store.Escalation(ctx, id)
		require.NoError(t, err)
		aw.escalations = append(aw.escalations, e)
	}
	for _, id := range ids(`SELECT id FROM commitments ORDER BY id`) {
		c, err := w.Store.Commitment(ctx, id)
		require.NoError(t, err)
		aw.commitments = append(aw.commitments, c)
	}
	for _, id := range ids(`SELECT id FROM units ORDER BY id`) {
		u, err := w.Store.Unit(ctx, id)
		require.NoError(t, err)
		if u.HeadUserID != nil {
			aw.heads[id] = *u.HeadUserID
		}
	}
	for _, id := range ids(`SELECT id FROM projects ORDER BY id`) {
		p, err := w.Store.Project(ctx, id)
		require.NoError(t, err)
		aw.leads[id], aw.cadence[id] = p.LeadUserID, p.CadenceDays
	}
	return aw
}
