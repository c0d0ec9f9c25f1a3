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
