package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestSightKeptOnlyWhileTheOrganisationStands: a viewer's project sight is kept
// between their lists and searches (store.sightIn) only while the organisation's
// epoch stands. A division's head who sees a team's project through the division, and
// a member of the team who sees it as a member, stop seeing it — in the list and in
// search — once they no longer head the division or belong to the team, though their
// sights were kept from the views before and the change was made by a statement of
// its own.
func TestSightKeptOnlyWhileTheOrganisationStands(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	division := w.Unit(t, storetest.UnitOpts{})
	team := w.Unit(t, storetest.UnitOpts{Parent: &division})
	p := w.Project(t, storetest.ProjectOpts{Owner: &team, Name: "远望项目", NameEN: "Far sight"})
	head := w.Viewer(t, w.Head(t, division))
	member := w.Viewer(t, w.Person(t, storetest.PersonOpts{Units: []accord.Unit{team}}))
	listed := func(v accord.Viewer) bool {
		t.Helper()
		list, _, err := w.Store.Projects(ctx, v, store.ProjectFilter{Limit: 50})
		require.NoError(t, err)
		for _, x := range list {
			if x.ID == p.ID {
				return true
			}
		}
		return false
	}
	found := func(v accord.Viewer) bool {
		t.Helper()
		q, err := accord.ParseSearchQuery("远望", "")
		require.NoError(t, err)
		res, err := w.Store.Search(ctx, v, q, 0, 20)
		require.NoError(t, err)
		for _, h := range res.Hits {
			if h.Kind == accord.SearchProjects && h.ID == p.ID {
				return true
			}
		}
		return false
	}
	for _, who := range []struct {
		name   string
		v      accord.Viewer
		change string
	}{
		{"the division's head", head, `UPDATE units SET head_user_id = NULL WHERE id = $1`},
		{"the team's member", member, `DELETE FROM memberships WHERE user_id = $2 AND unit_id = $1`},
	} {
		for range 2 { // read, then kept
			require.True(t, listed(who.v), "%s sees the team's project", who.name)
			require.True(t, found(who.v), "%s finds it", who.name)
			require.True(t, w.Store.SightKept(who.v.User.ID), "%s: their sight is kept", who.name)
		}
		if who.v.User.ID == member.User.ID {
			_, err := pool.Exec(ctx, who.change, team.ID, member.User.ID)
			require.NoError(t, err)
		} else {
			_, err := pool.Exec(ctx, who.change, division.ID)
			require.NoError(t, err)
		}
		require.False(t, listed(who.v), "%s, changed: the project is not listed", who.name)
		require.False(t, found(who.v), "%s, changed: nor found", who.name)
	}
}
