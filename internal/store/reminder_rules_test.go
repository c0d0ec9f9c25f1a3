package store_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestStaleRemindersAgreeWithTheRules builds a request in each situation the sweep
// tells apart — every state, a key person named or not, a vacant post, quiet on
// either side of the cadence — sweeps once, and checks that the reminders the store
// added are exactly those accord.StaleReminderTo and StaleReminderDue give for every
// request: in New York just after daylight saving began, and with the database in UTC
// for a company in Shanghai.
func TestStaleRemindersAgreeWithTheRules(t *testing.T) {
	t.Parallel()
	for _, zones := range []struct{ session, company string }{{"America/New_York", "America/New_York"},
		{"UTC", "Asia/Shanghai"}} {
		t.Run(zones.session+" for "+zones.company, func(t *testing.T) {
			t.Parallel()
			company, err := time.LoadLocation(zones.company)
			require.NoError(t, err)
			staleRemindersAgree(t, zones.session, time.Date(2026, 3, 9, 10, 0, 0, 0, company))
		})
	}
}

func staleRemindersAgree(t *testing.T, session string, now time.Time) {
	w, _ := zonedWorld(t, session)
	ctx := w.Ctx
	quiet := now.AddDate(0, 0, -accord.DefaultCadenceDays)
	long := quiet.AddDate(0, 0, -3)

	holder := w.Unit(t, storetest.UnitOpts{NameEN: "Holder"})
	head := w.Head(t, holder)
	key := w.Person(t, storetest.PersonOpts{NameEN: "Key person", Units: []accord.Unit{holder}})
	vacant := w.Unit(t, storetest.UnitOpts{NameEN: "Vacant"})
	p := w.Project(t, storetest.ProjectOpts{NameEN: "Fortnightly"})
	daily := w.Project(t, storetest.ProjectOpts{NameEN: "Daily", Edit: func(in *accord.ProjectInput) { in.CadenceDays = 1 }})
	lead := accord.User{ID: p.LeadUserID}

	act := func(r accord.Request, v accord.User, a accord.RequestAction, in accord.RequestInput, at time.Time) accord.Request {
		t.Helper()
		r, err := w.Store.ActOnRequest(ctx, w.Viewer(t, v), r.ID, r.Version, a, in, at)
		require.NoError(t, err)
		return r
	}
	nobody := accord.User{}
	situations := []struct {
		name  string
		build func() accord.Request
		want  accord.User // nobody: no reminder
	}{
		{"requested, quiet", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestRequested, long, nil) }, head},
		{"requested, handed to the key person", func() accord.Request {
			r := requestAt(t, w, p, holder, accord.RequestRequested, long, nil)
			return act(r, head, accord.ActionDelegate, accord.RequestInput{KeyPersonUserID: &key.ID}, long)
		}, key},
		{"agreed, nobody named", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestAgreed, long, nil) }, head},
		{"agreed, the key person named", func() accord.Request {
			return requestAt(t, w, p, holder, accord.RequestAgreed, long, &key)
		}, key},
		{"in progress", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestInProgress, long, &key) }, key},
		{"countered", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestCountered, long, nil) }, lead},
		{"countered after a hand-over", func() accord.Request {
			r := requestAt(t, w, p, holder, accord.RequestRequested, long, nil)
			r = act(r, head, accord.ActionDelegate, accord.RequestInput{KeyPersonUserID: &key.ID}, long)
			return act(r, key, accord.ActionCounter, accord.RequestInput{CounterScope: "先做一期"}, long)
		}, lead},
		{"declined", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestDeclined, long, nil) }, nobody},
		{"delivered", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestDelivered, long, &key) }, nobody},
		{"cancelled", func() accord.Request { return requestAt(t, w, p, holder, accord.RequestCancelled, long, nil) }, nobody},
		{"asked of a post since vacated", func() accord.Request {
			return requestAt(t, w, p, vacant, accord.RequestRequested, long, nil)
		}, nobody},
		{"active today", func() accord.Request {
			return requestAt(t, w, p, holder, accord.RequestRequested, now.Add(-time.Hour), nil)
		}, nobody},
		{"quiet exactly the cadence", func() accord.Request {
			return requestAt(t, w, p, holder, accord.RequestRequested, quiet, nil)
		}, nobody},
		{"quiet a second longer", func() accord.Request {
			return requestAt(t, w, p, holder, accord.RequestRequested, quiet.Add(-time.Second), nil)
		}, head},
		{"a daily project, quiet exactly a day", func() accord.Request {
			return requestAt(t, w, daily, holder, accord.RequestRequested, now.AddDate(0, 0, -1), nil)
		}, nobody},
		{"a daily project, quiet a second longer", func() accord.Request {
			return requestAt(t, w, daily, holder, accord.RequestRequested, now.AddDate(0, 0, -1).Add(-time.Second), nil)
		}, head},
	}
	names := map[int64]string{}
	want := map[int64]int64{}
	for _, s := range situations {
		r := s.build()
		names[r.ID] = s.name
		if s.want.ID != 0 {
			want[r.ID] = s.want.ID
		}
	}
	u, err := w.Store.Unit(ctx, vacant.ID)
	require.NoError(t, err)
	_, err = w.Store.SetUnitHead(ctx, 0, u.ID, u.Version, nil)
	require.NoError(t, err)

	added, err := w.Store.SweepStale(ctx, now)
	require.NoError(t, err)
	got := reminders(t, w)
	require.Equal(t, int64(len(got)), added)
	byName := func(m map[int64]int64) map[string]int64 {
		out := map[string]int64{}
		for id, to := range m {
			out[names[id]] = to
		}
		return out
	}
	require.Equal(t, byName(want), byName(got), "each situation reminds whom it should")

	ruled := map[int64]int64{}
	for id := range names {
		r, err := w.Store.Request(ctx, id)
		require.NoError(t, err)
		h, err := w.Store.Unit(ctx, r.HolderUnitID)
		require.NoError(t, err)
		var holderHead int64
		if h.HeadUserID != nil {
			holderHead = *h.HeadUserID
		}
		pr, err := w.Store.Project(ctx, r.ProjectID)
		require.NoError(t, err)
		if to := accord.StaleReminderTo(r, holderHead); to != 0 && accord.StaleReminderDue(r, pr.CadenceDays, now) {
			ruled[id] = to
		}
	}
	require.Equal(t, byName(ruled), byName(got), "the sweep reminds whom accord's rules name")
}

// requestAt sends a need of p held by holder at at and moves it to state, naming key
// on agreeing.
func requestAt(t *testing.T, w *storetest.World, p accord.Project, holder accord.Unit, state accord.RequestState,
	at time.Time, key *accord.User) accord.Request {
	t.Helper()
	n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: at, KeyPerson: key})
}

// reminders maps each request reminded to the one person reminded of it.
func reminders(t *testing.T, w *storetest.World) map[int64]int64 {
	t.Helper()
	rows, err := w.Store.Pool().Query(w.Ctx, `SELECT request_id, user_id FROM notifications WHERE kind = 'reminder'`)
	require.NoError(t, err)
	out := map[int64]int64{}
	var request, user int64
	_, err = pgx.ForEachRow(rows, []any{&request, &user}, func() error {
		require.NotContains(t, out, request, "one reminder per request")
		out[request] = user
		return nil
	})
	require.NoError(t, err)
	return out
}
