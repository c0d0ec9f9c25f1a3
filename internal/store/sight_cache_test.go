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
// epoch stands. A head who sees a project through the unit they head stops seeing it,
// in the list and in search, once they no longer head it — their sight was kept from
// the views before, and a change to the units, even by a statement of its own, ends it.
func TestSightKeptOnlyWhileTheOrganisationStands(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx := w.Ctx
	division := w.Unit(t, storetest.UnitOpts{})
	team := w.Unit(t, storetest.UnitOpts{Parent: &division})
	p := w.Project(t, storetest.ProjectOpts{Owner: &team, Name: "远望项目", NameEN: "Far sight"})
	head := w.Viewer(t, w.Head(t, division))
	listed := func() bool {
		t.Helper()
		list, _, err := w.Store.Projects(ctx, head, store.ProjectFilter{Limit: 50})
		require.NoError(t, err)
		for _, x := range list {
			if x.ID == p.ID {
				return true
			}
		}
		return false
	}
	found := func() bool {
		t.Helper()
		q, err := accord.ParseSearchQuery("远望", "")
		require.NoError(t, err)
		res, err := w.Store.Search(ctx, head, q, 0, 20)
		require.NoError(t, err)
		for _, h := range res.Hits {
			if h.Kind == accord.SearchProjects && h.ID == p.ID {
				return true
			}
		}
		return false
	}
	for range 2 { // read, then kept
		require.True(t, listed(), "the division's head sees its team's project")
		require.True(t, found(), "and finds it")
	}
	_, err := w.Store.Pool().Exec(ctx, `UPDATE units SET head_user_id = NULL WHERE id = $1`, division.ID)
	require.NoError(t, err)
	require.False(t, listed(), "no longer its head: the project is not listed")
	require.False(t, found(), "nor found")
}
