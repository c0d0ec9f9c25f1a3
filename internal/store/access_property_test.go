package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

// TestProjectVisibilityAgreesWithTheRule builds random organisations — trees of
// units at any depth, heads and vacant posts, people in several units, closed units,
// projects owned anywhere asking anyone — and checks, for every person, that the
// projects the store lists for them (authorisation inside the SQL) are exactly those
// accord.MayViewProject admits.
func TestProjectVisibilityAgreesWithTheRule(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := store.New(pgtest.NewPool(t, pgtest.Empty()))
			rng := rand.New(rand.NewPCG(seed, 2026))
			w := buildWorld(t, ctx, st, rng)
			for _, userID := range w.users {
				v, err := st.Viewer(ctx, userID)
				require.NoError(t, err)
				pv := w.viewer(t, ctx, st, v)
				var want []int64
				for _, p := range w.projects {
					if accord.MayViewProject(pv, w.reach(t, ctx, st, p)) {
						want = append(want, p)
					}
				}
				// Both ways a narrow sight tests the projects: every one here sees few.
				for _, fewSeen := range []int{1 << 30, -1} {
					st.SetFewSeen(fewSeen)
					listed, _, err := st.Projects(ctx, v, store.ProjectFilter{Limit: 1000})
					require.NoError(t, err)
					var got []int64
					for _, p := range listed {
						got = append(got, p.ID)
					}
					sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
					require.Equal(t, want, got, "user %d, few seen up to %d", userID, fewSeen)
				}
			}
		})
	}
}

type world struct {
	units    []int64
	users    []int64
	projects []int64
}

// buildWorld makes a random organisation with projects asking any of its units, then
// closes a few units.
func buildWorld(t *testing.T, ctx context.Context, st *store.Store, rng *rand.Rand) world {
	t.Helper()
	w := buildOrg(t, ctx, st, rng)
	w.addProjects(t, ctx, st, rng)
	w.closeSomeUnits(t, ctx, st, rng)
	return w
}

// buildOrg makes a random tree of twelve units at any depth, nine people (perhaps an
// administrator among them) in up to two units each, and a head for about two units
// in three, the rest vacant.
func buildOrg(t *testing.T, ctx context.Context, st *store.Store, rng *rand.Rand) world {
	t.Helper()
	var w world
	root, err := st.CreateUnit(ctx, 0, accord.UnitInput{Name: "总部"})
	require.NoError(t, err)
	w.units = append(w.units, root.ID)
	for i := range 11 {
		u, err := st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprint("部门", i), ParentID: w.units[rng.IntN(len(w.units))]})
		require.NoError(t, err)
		w.units = append(w.units, u.ID)
	}
	for i := range 9 {
		u, err := st.CreateUser(ctx, 0, accord.NewUser{Email: fmt.Sprintf("p%d@world.test", i), Name: fmt.Sprint("人", i),
			IsAdmin: i == 8 && rng.IntN(2) == 0}, "not-a-hash")
		require.NoError(t, err)
		w.users = append(w.users, u.ID)
		for range rng.IntN(3) {
			require.NoError(t, st.AddMembership(ctx, 0, u.ID, w.units[rng.IntN(len(w.units))]))
		}
	}
	for _, id := range w.units {
		if rng.IntN(3) == 0 {
			continue // a vacant post
		}
		u, err := st.Unit(ctx, id)
		require.NoError(t, err)
		head := w.users[rng.IntN(len(w.users))]
		_, err = st.SetUnitHead(ctx, 0, id, u.Version, &head)
		require.NoError(t, err)
	}
	return w
}

// addProjects adds six projects, owned and led by anyone, each asking up to three
// units.
func (w *world) addProjects(t *testing.T, ctx context.Context, st *store.Store, rng *rand.Rand) {
	t.Helper()
	for i := range 6 {
		lead := w.users[rng.IntN(len(w.users))]
		in := accord.ProjectInput{Name: fmt.Sprint("项目", i), LeadUserID: lead, OwningUnitID: w.units[rng.IntN(len(w.units))]}
		in.Normalize()
		p, err := st.CreateProject(ctx, 0, in)
		require.NoError(t, err)
		w.projects = append(w.projects, p.ID)
		for j := range rng.IntN(4) {
			holder := w.units[rng.IntN(len(w.units))]
			_, err := st.CreateNeed(ctx, lead, p.ID, accord.NeedInput{Title: fmt.Sprint("需求", j), HolderUnitID: &holder,
				Tier: accord.TierImportant})
			require.NoError(t, err)
		}
	}
}

// closeSomeUnits closes one subtree below the root whole — one with units below its
// top where the tree has such — and about one other unit in four, deepest first (a
// unit is made after its parent), as a unit closes only once nothing open is below
// it. Heads no longer see through the units they head that closed, nor through them
// to the units below; members stay.
func (w world) closeSomeUnits(t *testing.T, ctx context.Context, st *store.Store, rng *rand.Rand) {
	t.Helper()
	units := make([]accord.Unit, 0, len(w.units))
	var parents []int64
	for _, id := range w.units {
		u, err := st.Unit(ctx, id)
		require.NoError(t, err)
		units = append(units, u)
		if u.Depth() >= 2 && !slices.Contains(parents, u.Path[u.Depth()-1]) {
			parents = append(parents, u.Path[u.Depth()-1])
		}
	}
	top := w.units[1+rng.IntN(len(w.units)-1)]
	if len(parents) > 0 {
		top = parents[rng.IntN(len(parents))]
	}
	for _, u := range slices.Backward(units[1:]) {
		if !slices.Contains(u.Path, top) && rng.IntN(4) != 0 {
			continue
		}
		_, _ = st.CloseUnit(ctx, 0, u.ID, u.Version) // a unit with open children stays open
	}
}

// viewer reads what accord.MayViewProject needs to know of v: every unit they belong
// to and the open units they head.
func (w world) viewer(t *testing.T, ctx context.Context, st *store.Store, v accord.Viewer) accord.ProjectViewer {
	t.Helper()
	pv := accord.ProjectViewer{UserID: v.User.ID, Admin: v.Roles.Admin, MemberOf: map[int64]bool{}, Heads: map[int64]bool{}}
	rows, err := st.Pool().Query(ctx, `SELECT unit_id FROM memberships WHERE user_id = $1`, v.User.ID)
	require.NoError(t, err)
	member, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	for _, id := range member {
		pv.MemberOf[id] = true
	}
	rows, err = st.Pool().Query(ctx, `SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL`, v.User.ID)
	require.NoError(t, err)
	heads, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	for _, id := range heads {
		pv.Heads[id] = true
	}
	return pv
}

// reach reads a project's lead and the paths of the units it touches.
func (w world) reach(t *testing.T, ctx context.Context, st *store.Store, projectID int64) accord.ProjectReach {
	t.Helper()
	var r accord.ProjectReach
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT lead_user_id FROM projects WHERE id = $1`, projectID).Scan(&r.LeadUserID))
	rows, err := st.Pool().Query(ctx, `SELECT u.path FROM units u WHERE u.id = (SELECT owning_unit_id FROM projects WHERE id = $1)
		OR u.id IN (SELECT holder_unit_id FROM needs WHERE project_id = $1)`, projectID)
	require.NoError(t, err)
	r.UnitPaths, err = pgx.CollectRows(rows, pgx.RowTo[[]int64])
	require.NoError(t, err)
	return r
}
