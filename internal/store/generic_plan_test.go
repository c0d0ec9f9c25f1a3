package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/store"
)

// The inbox's, the start page's and the unit page's statements run their generic plans
// (planned once per connection instead of per call), and the setting that asks for it
// ends with the statement: the next one on the same connection plans as usual. The
// portfolio's walked statement is planned for its parameters on every call, and a
// sparse scope's sorted one runs its generic plan (PortfolioPage says why).
func TestBigReadsRunTheirGenericPlansAndLeaveTheConnectionAsItWas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, st := oneConnection(t)

	var head, unit int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT head_user_id, id FROM units WHERE head_user_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&head, &unit))
	viewer, err := st.Viewer(ctx, head)
	require.NoError(t, err)
	for range 7 { // past the five calls PostgreSQL always plans for their parameters
		_, err := st.InboxPage(ctx, head, nil, 0, 20)
		require.NoError(t, err)
		_, _, err = st.Agenda(ctx, head, 6, time.Now())
		require.NoError(t, err)
		_, _, err = st.UnitLedgerAt(ctx, viewer, unit, 50, time.Now())
		require.NoError(t, err)
		_, _, _, err = st.PortfolioPage(ctx, viewer, store.PortfolioFilter{Limit: 25}, 5, time.Now())
		require.NoError(t, err)
	}
	var mode string
	require.NoError(t, pool.QueryRow(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&mode))
	require.Equal(t, "auto", mode, "the setting ended with each statement")

	rows, err := pool.Query(ctx, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`)
	require.NoError(t, err)
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var sql string
		var generic, custom int64
		require.NoError(t, rows.Scan(&sql, &generic, &custom))
		name := ""
		switch {
		case strings.Contains(sql, "CROSS JOIN LATERAL") && strings.Contains(sql, "key_person_user_id = $1"):
			name = "inbox"
		case strings.HasPrefix(strings.TrimSpace(sql), "WITH items AS"):
			name = "agenda"
		case strings.Contains(sql, "The projects this unit's rows belong to"):
			name = "ledger"
		case strings.Contains(sql, "page_json AS") && strings.Contains(sql, "dense AS MATERIALIZED"):
			name = "portfolio, walked"
		case strings.Contains(sql, "page_json AS"):
			name = "portfolio"
		default:
			continue
		}
		found[name] = true
		if name == "portfolio, walked" {
			// The first view, before the scope's size is known; the demo's is sparse.
			require.Equal(t, [2]int64{0, 1}, [2]int64{generic, custom}, "%s: planned for its parameters", name)
			continue
		}
		if name == "portfolio" {
			require.Equal(t, [2]int64{6, 0}, [2]int64{generic, custom}, "%s: sorted, then, under its generic plan", name)
			continue
		}
		require.Equal(t, int64(0), custom, "%s: never planned for its parameters", name)
		require.Equal(t, int64(7), generic, "%s: its one generic plan, used by each call", name)
	}
	require.NoError(t, rows.Err())
	require.True(t, found["inbox"], "the inbox's statement is prepared on the connection")
	require.True(t, found["agenda"], "the agenda's statement is prepared on the connection")
	require.True(t, found["ledger"], "the unit page's statement is prepared on the connection")
	require.True(t, found["portfolio, walked"], "the portfolio's walked statement is prepared on the connection")
	require.True(t, found["portfolio"], "the portfolio's sorted statement is prepared on the connection")
}

// TestPortfolioOfEveryProjectRunsItsGenericPlan: a dense scope of every project (an
// administrator here) probes no scope, so after its first view the walked statement
// runs its generic plan; a dense scope reached through units (a head below the root)
// keeps planning it for its parameters on every call.
func TestPortfolioOfEveryProjectRunsItsGenericPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, st := oneConnection(t)
	st.SetPortfolioDenseScope(0) // every scope with a project is dense

	var admin, head int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM users WHERE is_admin ORDER BY id LIMIT 1`).Scan(&admin))
	require.NoError(t, pool.QueryRow(ctx, `SELECT u.head_user_id FROM units u JOIN project_reach pr ON pr.unit_id = u.id
		WHERE u.parent_id IS NOT NULL AND u.head_user_id IS NOT NULL ORDER BY u.id LIMIT 1`).Scan(&head))
	countPlans := func() (generic, custom int64) {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var sql string
			var g, c int64
			require.NoError(t, rows.Scan(&sql, &g, &c))
			if strings.Contains(sql, "page_json AS") && strings.Contains(sql, "dense AS MATERIALIZED") {
				generic, custom = g, c
			}
		}
		require.NoError(t, rows.Err())
		return generic, custom
	}
	for _, tc := range []struct {
		who             int64
		generic, custom int64 // the walked statement's plans after the viewer's 7 views
	}{{admin, 6, 1}, {head, 6, 8}} {
		v, err := st.Viewer(ctx, tc.who)
		require.NoError(t, err)
		for range 7 {
			_, _, _, err := st.PortfolioPage(ctx, v, store.PortfolioFilter{Limit: 25}, 5, time.Now())
			require.NoError(t, err)
		}
		g, c := countPlans()
		require.Equal(t, [2]int64{tc.generic, tc.custom}, [2]int64{g, c}, "user %d", tc.who)
	}
}

// oneConnection is a store on a fresh demo database whose pool holds one connection,
// so every statement a test sends shares its prepared statements and their plans.
func oneConnection(t *testing.T) (*pgxpool.Pool, *store.Store) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t, pgtest.Demo()))
	require.NoError(t, err)
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool, store.New(pool)
}
