package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

// testBundle is the demo organisation, for the tests still written against it. New
// tests build their own world with storetest.
type testBundle struct {
	st    *store.Store
	ctx   context.Context
	units map[string]accord.Unit // demo units by English name
	users map[string]accord.User // demo users by email
}

// setup runs t in parallel on its own database with the demo organisation loaded.
func setup(t *testing.T) testBundle {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Demo()))
	b := testBundle{st: st, ctx: ctx, units: map[string]accord.Unit{}, users: map[string]accord.User{}}
	units, err := st.Units(ctx)
	require.NoError(t, err)
	for _, u := range units {
		b.units[u.NameEN] = u
	}
	rows, _, err := st.Users(ctx, store.UserFilter{Limit: 100})
	require.NoError(t, err)
	for _, r := range rows {
		b.users[r.Email] = r.User
	}
	return b
}

// kinds lists a demo user's notifications, newest first, as "kind:need title".
func kinds(t *testing.T, b testBundle, email string) []string {
	t.Helper()
	return notificationKinds(t, b.st, b.users[email].ID)
}

// sendSmart sends every need of the Smart service upgrade and returns its requests by
// holding unit's English name.
func sendSmart(t *testing.T, b testBundle, now time.Time) map[string]accord.Request {
	t.Helper()
	smart := b.project(t, "Smart service upgrade")
	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	sent, err := b.st.SendNeeds(b.ctx, b.users["aftersales@accord.demo"].ID, smart.ID, ids, "请支持", now)
	require.NoError(t, err)
	out := map[string]accord.Request{}
	for _, r := range sent {
		out[r.HolderNameEN] = r
	}
	return out
}

func (b testBundle) viewer(t *testing.T, email string) accord.Viewer {
	t.Helper()
	v, err := b.st.Viewer(b.ctx, b.users[email].ID)
	require.NoError(t, err)
	return v
}

func (b testBundle) project(t *testing.T, nameEN string) accord.Project {
	t.Helper()
	list, _, err := b.st.Projects(b.ctx, b.viewer(t, "admin@accord.demo"), store.ProjectFilter{Limit: 50})
	require.NoError(t, err)
	for _, p := range list {
		if p.NameEN == nameEN {
			return p
		}
	}
	t.Fatalf("no project %q", nameEN)
	return accord.Project{}
}

// TestDemoWorkbookIsComplete checks the demo loader's Smart service upgrade as the
// store reads it back: the tests of other packages and the browser journeys rely on it.
func TestDemoWorkbookIsComplete(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	require.Equal(t, int64(20_000_000), *smart.ExpectedAmount)
	require.Equal(t, "客户满意度提升至行业前三", smart.GoalTitle)

	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	var titles []string
	for _, n := range needs {
		titles = append(titles, n.TitleEN)
	}
	// Tier first, then needed-by date.
	require.Equal(t, []string{"Customer data analytics", "CRM system development", "Train 200 service advisers",
		"Launch promotion", "External training vendor (backup)"}, titles)
	require.Equal(t, needs[2].ID, *needs[4].BacksUpNeedID, "the vendor backs up training")
	require.Nil(t, needs[4].HolderUnitID)

	plans, err := b.st.UnitPlans(b.ctx, smart.ID)
	require.NoError(t, err)
	var order []string
	for _, p := range plans {
		order = append(order, p.UnitNameEN+":"+string(p.Stance))
	}
	require.Equal(t, []string{"Training:ally", "Data:winnable", "Marketing:neutral", "IT:opposed"}, order)

	commitments, err := b.st.Commitments(b.ctx, smart.ID)
	require.NoError(t, err)
	require.Len(t, commitments, 2)
	overdue := 0
	for _, c := range commitments {
		if c.Overdue(time.Now()) {
			overdue++
		}
	}
	require.Equal(t, 1, overdue, "the thank-you to Training is overdue")
}
