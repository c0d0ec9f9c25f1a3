package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestProjectVisibilityFollowsTheTree: who may open a project by heading a unit
// above its owner or holders is read from project_reach; moving a holding unit under
// another centre hands the project to that centre's head at once, and the head who
// was above it just lost it; members of the holding unit keep it throughout.
func TestProjectVisibilityFollowsTheTree(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	p := c.Project(t, storetest.ProjectOpts{Owner: &c.sales})
	c.Need(t, storetest.NeedOpts{Project: &p, Holder: &c.training})
	sees := func(u accord.User) bool {
		t.Helper()
		_, err := c.Store.ProjectForViewer(c.Ctx, c.Viewer(t, u), p.ID)
		if err != nil {
			require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "%v", err)
			return false
		}
		return true
	}
	require.True(t, sees(c.corpHead), "the head above the holding unit")
	require.False(t, sees(c.cto))
	require.True(t, sees(c.trainer), "a member of the holding unit")
	require.False(t, sees(c.legalHead))

	_, err := c.Store.MoveUnit(c.Ctx, c.admin.ID, c.training.ID, c.training.Version, c.tech.ID)
	require.NoError(t, err)
	require.False(t, sees(c.corpHead), "no longer above it")
	require.True(t, sees(c.cto), "now above it")
	require.True(t, sees(c.trainer))
	require.True(t, sees(c.opsHead), "above the owner all along")
}
