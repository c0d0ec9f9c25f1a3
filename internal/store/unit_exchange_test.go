package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/scale"
	"accord/internal/store"
)

// balanceFromRequestsSQL is the give and take of unit $1 summed straight from its
// requests, as the unit page computed it before unit_exchange (migration 0034): the
// reference the kept pairs must reproduce, the 50 biggest in the page's order.
const balanceFromRequestsSQL = `WITH exchanged AS (
		SELECT p.owning_unit_id AS other, COALESCE(e.days, 0) AS given_days,
			CASE WHEN r.state IN ('agreed', 'in_progress', 'delivered') THEN need_load_effort(d.id) ELSE 0 END AS given_committed,
			(r.state = 'delivered')::int AS given_delivered, 0 AS received_days, 0 AS received_committed, 0 AS received_delivered
		FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
		LEFT JOIN (SELECT request_id, sum(effort_days) AS days FROM request_updates GROUP BY request_id) e ON e.request_id = r.id
		WHERE r.holder_unit_id = $1 AND p.owning_unit_id <> $1 AND r.state <> 'draft'
		UNION ALL
		SELECT r.holder_unit_id, 0, 0, 0, COALESCE(e.days, 0),
			CASE WHEN r.state IN ('agreed', 'in_progress', 'delivered') THEN need_load_effort(d.id) ELSE 0 END,
			(r.state = 'delivered')::int
		FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
		LEFT JOIN (SELECT request_id, sum(effort_days) AS days FROM request_updates GROUP BY request_id) e ON e.request_id = r.id
		WHERE p.owning_unit_id = $1 AND r.holder_unit_id <> $1 AND r.state <> 'draft'),
	balance AS (
		SELECT other, sum(given_days)::float8 AS given_days, sum(given_committed)::float8 AS given_committed,
			sum(given_delivered)::int AS given_delivered, sum(received_days)::float8 AS received_days,
			sum(received_committed)::float8 AS received_committed, sum(received_delivered)::int AS received_delivered
		FROM exchanged GROUP BY other
		HAVING sum(given_days + given_committed + given_delivered + received_days + received_committed
			+ received_delivered) > 0)
	SELECT COALESCE((SELECT json_agg(x.obj ORDER BY x.pos) FROM (
			SELECT json_build_object('unit_id', u.id, 'name', u.name, 'name_en', u.name_en,
				'given_days', b.given_days, 'given_committed', b.given_committed, 'given_delivered', b.given_delivered,
				'received_days', b.received_days, 'received_committed', b.received_committed,
				'received_delivered', b.received_delivered) AS obj,
				row_number() OVER (ORDER BY b.given_days + b.received_days + b.given_committed + b.received_committed DESC, u.path) AS pos
			FROM balance b JOIN units u ON u.id = b.other ORDER BY pos LIMIT 50) x), '[]'),
		(SELECT count(*) FROM balance), (SELECT COALESCE(bool_or(given_days > 0 OR received_days > 0), false) FROM balance)`

// TestUnitPageGiveAndTakeIsTheRequestsSum: every unit's give and take on its page,
// read from the pairs kept by migration 0034's triggers, is what summing its requests
// gives, in a seeded organisation and again after each kind of write that moves it:
// effort logged, a request answered and delivered, a request passed to another unit,
// a project handed to another owner, a need re-estimated and a phase split off.
func TestUnitPageGiveAndTakeIsTheRequestsSum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	_, err := scale.Seed(ctx, pool, scale.Small(), scale.Options{PasswordParams: pgtest.CheapPasswords(), Now: now})
	require.NoError(t, err)
	st := store.New(pool)
	admin := accord.Viewer{User: accord.User{ID: 1}, Roles: accord.Roles{Admin: true}}
	var units []int64
	rows, err := pool.Query(ctx, `SELECT id FROM units ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		units = append(units, id)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, units)

	check := func(step string) {
		t.Helper()
		exchanging := 0
		defer func() { require.Greater(t, exchanging, 1, "%s: units that exchanged anything", step) }()
		for _, u := range units {
			ledger, _, err := st.UnitLedgerAt(ctx, admin, u, 50, now)
			require.NoError(t, err)
			want, count, logged := balanceFromRequests(t, ctx, pool, u)
			require.Equal(t, want, ledger.Balance, "%s: unit %d's give and take", step, u)
			require.Equal(t, count, ledger.BalanceCount, "%s: unit %d's partners", step, u)
			require.Equal(t, logged, ledger.BalanceLogged, "%s: unit %d logged", step, u)
			if count > 0 {
				exchanging++
			}
		}
	}
	check("seeded")

	writes := []struct{ step, sql string }{
		{"effort logged", `INSERT INTO request_updates (request_id, author_user_id, body, effort_days)
			SELECT id, 1, 'x', 2.5 FROM requests WHERE state = 'in_progress' ORDER BY id LIMIT 5`},
		{"requests agreed and delivered", `UPDATE requests SET state = CASE state WHEN 'requested' THEN 'agreed'
			WHEN 'in_progress' THEN 'delivered' ELSE state END WHERE id % 7 = 0`},
		{"a request passed to another unit", `UPDATE requests SET holder_unit_id = (SELECT max(id) FROM units)
			WHERE id = (SELECT min(id) FROM requests WHERE state = 'agreed')`},
		{"a project handed to another owner", `UPDATE projects SET owning_unit_id = (SELECT min(id) FROM units) WHERE id = 2`},
		{"a need re-estimated", `UPDATE needs SET effort_days = effort_days + 4
			WHERE id IN (SELECT need_id FROM requests WHERE state IN ('agreed', 'delivered') ORDER BY id LIMIT 3)`},
		{"a phase split off and asked", `WITH parent AS (SELECT d.* FROM needs d JOIN requests r ON r.need_id = d.id
				WHERE r.state = 'agreed' ORDER BY d.id LIMIT 1),
			phase AS (INSERT INTO needs (project_id, title, title_en, holder_unit_id, tier, effort_days, phase_of_need_id)
				SELECT project_id, '一期', 'Phase 1', holder_unit_id, tier, 1, id FROM parent RETURNING id, project_id, holder_unit_id)
			INSERT INTO requests (need_id, project_id, holder_unit_id, state) SELECT id, project_id, holder_unit_id, 'in_progress' FROM phase`},
	}
	for _, w := range writes {
		_, err := pool.Exec(ctx, w.sql)
		require.NoError(t, err, w.step)
		check(w.step)
	}
}

// balanceFromRequests runs balanceFromRequestsSQL for unit.
func balanceFromRequests(t *testing.T, ctx context.Context, pool *pgxpool.Pool, unit int64) ([]accord.UnitBalance, int, bool) {
	t.Helper()
	var raw []byte
	var count int
	var logged bool
	require.NoError(t, pool.QueryRow(ctx, balanceFromRequestsSQL, unit).Scan(&raw, &count, &logged))
	var list []accord.UnitBalance
	require.NoError(t, json.Unmarshal(raw, &list))
	return list, count, logged
}

// TestPhaseEffortIsReadByKeyWithoutStatistics: need_load_effort, which every write to
// a request counts effort by, reads a need's phases and their requests by key even
// when the planner knows nothing of the tables: here they were analysed empty (as
// migration 0041 leaves a fresh database) and filled in the same transaction. Its
// form before migration 0042 hashed every request on each call there, which stalled
// the bench's seed for hours. The plan is read from auto_explain, at notice level.
func TestPhaseEffortIsReadByKeyWithoutStatistics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(pgtest.NewDB(t, pgtest.Empty()))
	require.NoError(t, err)
	var plans []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { plans = append(plans, n.Message) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(ctx) })

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	for _, sql := range []string{
		`ANALYZE needs, requests`,
		// Rows alone: no project, unit or trigger is needed to plan the function.
		`SET LOCAL session_replication_role = replica`,
		`INSERT INTO needs (id, project_id, title, tier, effort_days, holder_unit_id)
			SELECT g, 1, 'need', 'P1', 5, 1 FROM generate_series(1, 60000) g`,
		`INSERT INTO needs (id, project_id, title, tier, effort_days, holder_unit_id, phase_of_need_id)
			VALUES (60001, 1, 'phase', 'P1', 2, 1, 1)`,
		`INSERT INTO requests (id, need_id, project_id, holder_unit_id, state)
			SELECT g, g, 1, 1, 'agreed' FROM generate_series(1, 60001) g`,
		`LOAD 'auto_explain'`,
		`SET LOCAL auto_explain.log_min_duration = 0`,
		`SET LOCAL auto_explain.log_nested_statements = on`,
		`SET LOCAL auto_explain.log_level = notice`,
		`SET LOCAL client_min_messages = notice`,
	} {
		_, err := tx.Exec(ctx, sql)
		require.NoError(t, err, sql)
	}
	var effort float64
	require.NoError(t, tx.QueryRow(ctx, `SELECT need_load_effort(1)::float8`).Scan(&effort))
	require.Equal(t, 3.0, effort, "the need's effort less its live phase's")

	var plan string
	for _, p := range plans {
		if strings.Contains(p, "FROM needs pd") {
			plan = p
		}
	}
	require.NotEmpty(t, plan, "auto_explain showed the function's statement: %q", plans)
	require.NotContains(t, plan, "Seq Scan on requests", "the phases' requests are probed by key")
	require.Contains(t, plan, "needs_phase_of", "the phases are read by their index")
}
