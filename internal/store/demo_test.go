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

// demoBundle is the demo organisation as the demo loader builds it, for the loader's
// own test. Every other store test builds its own world with storetest.
type demoBundle struct {
	st    *store.Store
	ctx   context.Context
	users map[string]accord.User // demo users by email
}

// setupDemo runs t in parallel on its own database with the demo organisation loaded.
func setupDemo(t *testing.T) demoBundle {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Demo()))
	b := demoBundle{st: st, ctx: ctx, users: map[string]accord.User{}}
	rows, _, err := st.Users(ctx, store.UserFilter{Limit: 100})
	require.NoError(t, err)
	for _, r := range rows {
		b.users[r.Email] = r.User
	}
	return b
}

// project is the demo project named nameEN, as the administrator lists it.
func (b demoBundle) project(t *testing.T, nameEN string) accord.Project {
	t.Helper()
	admin, err := b.st.Viewer(b.ctx, b.users["admin@accord.demo"].ID)
	require.NoError(t, err)
	list, _, err := b.st.Projects(b.ctx, admin, store.ProjectFilter{Limit: 50})
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
	b := setupDemo(t)
	smart := b.project(t, "Smart service upgrade")
	require.Equal(t, int64(20_000_000), *smart.ExpectedAmount)
	require.Equal(t, "客户满意度提升至行业前三", smart.GoalTitle)
	require.Equal(t, "Customer satisfaction in the industry's top three", smart.GoalTitleEN)

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
	require.Zero(t, overdue, "nothing is sent yet: no promise is due")
}
