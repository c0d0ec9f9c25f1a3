package scale_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/scale"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestSeedSmall seeds a hundredth of the benchmark's organisation into an empty
// database and checks what `make bench` relies on: the counts, a six-level tree with
// every unit headed by one of its members, leads who belong to their owning units,
// requests in every state, and that a second seed is refused.
func TestSeedSmall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDB(t, pgtest.Empty()))
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	size := scale.Small()
	var bar bytes.Buffer
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	counts, err := scale.Seed(ctx, pool, size, scale.Options{PasswordParams: pgtest.CheapPasswords(), Now: now, Progress: &bar})
	require.NoError(t, err)
	require.Contains(t, bar.String(), "progress entries")
	require.Contains(t, bar.String(), "seeded in")

	want := map[string]int64{"units": 10, "users": 200, "memberships": 200, "goals": 2, "projects": 100,
		"needs": 2000, "requests": 2000, "request_updates": 20000, "comments": 400}
	got := map[string]int64{"units": counts.Units, "users": counts.Users, "memberships": counts.Memberships,
		"goals": counts.Goals, "projects": counts.Projects, "needs": counts.Needs, "requests": counts.Requests,
		"request_updates": counts.Updates, "comments": counts.Comments}
	require.Equal(t, want, got, "the counts Seed reports")
	for table, n := range want {
		var rows int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&rows))
		require.Equal(t, n, rows, table)
	}
	var holders int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT project_id, holder_unit_id FROM needs) x`).Scan(&holders))
	require.Equal(t, holders, counts.ProjectUnits, "one project_units row per project and holding unit")

	t.Run("tree", func(t *testing.T) {
		var depth, roots, unheaded, headsOutside, badPaths int
		require.NoError(t, pool.QueryRow(ctx, `SELECT max(cardinality(path)), count(*) FILTER (WHERE parent_id IS NULL),
				count(*) FILTER (WHERE head_user_id IS NULL),
				count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.unit_id = u.id AND m.user_id = u.head_user_id)),
				count(*) FILTER (WHERE parent_id IS NOT NULL AND path[1:cardinality(path) - 1] <> (SELECT path FROM units p WHERE p.id = u.parent_id))
			FROM units u`).Scan(&depth, &roots, &unheaded, &headsOutside, &badPaths))
		require.Equal(t, 6, depth, "six levels")
		require.Equal(t, 1, roots)
		require.Zero(t, unheaded, "every unit has a head")
		require.Zero(t, headsOutside, "every head is a member of the unit")
		require.Zero(t, badPaths, "each path extends its parent's")
		var childless int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM units u WHERE cardinality(path) < 6
			AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)`).Scan(&childless))
		require.Zero(t, childless, "every unit above the sixth level has children")
	})

	t.Run("people and projects", func(t *testing.T) {
		var leadsOutside, heldByOwner, admins int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM projects p
			WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = p.lead_user_id AND m.unit_id = p.owning_unit_id)`).Scan(&leadsOutside))
		require.Zero(t, leadsOutside, "leads are members of their owning units")
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM needs d JOIN projects p ON p.id = d.project_id
			WHERE d.holder_unit_id = p.owning_unit_id`).Scan(&heldByOwner))
		require.Zero(t, heldByOwner, "needs are held by other units")
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE is_admin`).Scan(&admins))
		require.Equal(t, 1, admins)
		var hashes int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(DISTINCT password_hash) FROM users`).Scan(&hashes))
		require.Equal(t, 1, hashes, "the password is hashed once")
		var biggest int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM needs WHERE project_id = 1`).Scan(&biggest))
		require.Equal(t, size.BigProjectNeeds, biggest, "the first project is the big one")
	})

	t.Run("requests", func(t *testing.T) {
		rows, err := pool.Query(ctx, `SELECT state, count(*) FROM requests GROUP BY state`)
		require.NoError(t, err)
		states := map[string]int{}
		for rows.Next() {
			var s string
			var n int
			require.NoError(t, rows.Scan(&s, &n))
			states[s] = n
		}
		require.NoError(t, rows.Err())
		for state, share := range map[string]float64{"agreed": .30, "in_progress": .30, "requested": .15,
			"declined": .10, "delivered": .10, "countered": .05} {
			require.InDelta(t, share*2000, states[state], 2000*0.04, state)
		}
		var future, stalled, open, inconsistent int
		require.NoError(t, pool.QueryRow(ctx, `SELECT
				count(*) FILTER (WHERE r.last_activity_at > $1 OR r.sent_at > r.last_activity_at
					OR r.answered_at < r.sent_at OR (r.state = 'requested') <> (r.answered_at IS NULL)),
				count(*) FILTER (WHERE r.state IN ('requested', 'agreed', 'countered', 'in_progress')
					AND r.last_activity_at < $1 - make_interval(days => 2 * p.cadence_days)),
				count(*) FILTER (WHERE r.state IN ('requested', 'agreed', 'countered', 'in_progress')),
				count(*) FILTER (WHERE r.project_id <> d.project_id OR r.holder_unit_id <> d.holder_unit_id)
			FROM requests r JOIN projects p ON p.id = r.project_id JOIN needs d ON d.id = r.need_id`, now).
			Scan(&future, &stalled, &open, &inconsistent))
		require.Zero(t, future, "timestamps in order and in the past")
		require.Zero(t, inconsistent, "requests match their needs")
		require.InDelta(t, 0.02, float64(stalled)/float64(open), 0.015, "about one open request in fifty has stalled")
		var lastMatches int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM requests r
			WHERE (SELECT max(created_at) FROM request_updates x WHERE x.request_id = r.id) = r.last_activity_at`).Scan(&lastMatches))
		require.Equal(t, 2000, lastMatches, "the latest progress entry is the last activity")
	})

	t.Run("refuses a database that is not empty", func(t *testing.T) {
		_, err := scale.Seed(ctx, pool, size, scale.Options{PasswordParams: pgtest.CheapPasswords(), Now: now})
		require.ErrorIs(t, err, scale.ErrNotEmpty)
	})

	t.Run("new rows get fresh ids", func(t *testing.T) {
		var id int64
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ('new@scale.accord', 'New', 'x')
			RETURNING id`).Scan(&id))
		require.Equal(t, int64(201), id)
	})
}

func TestSizes(t *testing.T) {
	t.Parallel()
	large := scale.Large()
	require.Equal(t, 1000, large.Units())
	require.Len(t, large.Levels, 6)
	require.Equal(t, 20000, large.Users)
	require.Equal(t, 10000, large.Projects)
	require.Equal(t, 200000, large.Needs)
	require.Equal(t, 200000, large.Requests())
	require.Equal(t, 2000000, large.Updates())
	small := scale.Small()
	require.Equal(t, large.Units()/100, small.Units())
	require.Equal(t, large.Users/100, small.Users)
	require.Equal(t, large.Projects/100, small.Projects)
	require.Equal(t, large.Needs/100, small.Needs)
	_, err := scale.SizeNamed("huge")
	require.Error(t, err)
}
