package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/scale"
	"accord/internal/store"
)

// The inbox, the queue places, the escalation queues and the project list read their
// order from copies of the need's and project's values kept on requests and
// escalations (migration 0012). These tests hold them to the queries they replaced,
// which sorted whole queues by joining the needs and projects: same rows, same order,
// same totals, same places, on a seeded organisation and again after the values the
// copies come from have changed.

// refQueueOrder is the inbox's order as the joins state it.
const refQueueOrder = `d.tier, COALESCE(r.due_date, d.needed_by) NULLS LAST, p.expected_amount DESC NULLS LAST, r.sent_at, r.id`

const refOpen = `r.state IN ('requested', 'agreed', 'countered', 'in_progress')`

// refInbox is the whole inbox of a user, in order, by joins.
const refInbox = `SELECT r.id FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	JOIN units h ON h.id = r.holder_unit_id
	WHERE ` + refOpen + ` AND (h.head_user_id = $1 OR r.key_person_user_id = $1)
	ORDER BY ` + refQueueOrder

// refPositions ranks every open request in its holder's queue, by joins.
const refPositions = `SELECT r.id, row_number() OVER (PARTITION BY r.holder_unit_id ORDER BY ` + refQueueOrder + `),
		count(*) OVER (PARTITION BY r.holder_unit_id),
		sum(GREATEST(d.effort_days - ph.days, 0)) OVER (PARTITION BY r.holder_unit_id)::float8
	FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	-- a need's live phases count on their own, not again in it
	CROSS JOIN LATERAL (SELECT COALESCE(sum(x.effort_days), 0) AS days FROM needs x
		WHERE x.phase_of_need_id = d.id AND x.id IN (SELECT need_id FROM requests WHERE state <> 'cancelled')) ph
	WHERE ` + refOpen

// refEscalations is a superior's whole queue (or, for NULL, every pending escalation).
const refEscalations = `SELECT e.id FROM escalations e JOIN requests r ON r.id = e.request_id
	JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	WHERE CASE WHEN $1::bigint IS NULL THEN e.status IN ('open', 'sent_back') ELSE e.assigned_user_id = $1 AND e.status = 'open' END
	ORDER BY d.tier, p.expected_amount DESC NULLS LAST, e.created_at, e.id`

// refProjects is every project a viewer may see, with the list's filters, newest first.
const refProjects = `SELECT p.id FROM projects p
	WHERE ($2::boolean OR p.lead_user_id = $1 OR EXISTS (
		SELECT 1 FROM units iu
		WHERE (iu.id = p.owning_unit_id OR iu.id IN (SELECT holder_unit_id FROM needs WHERE project_id = p.id))
		  AND (iu.id IN (SELECT unit_id FROM memberships WHERE user_id = $1)
		       OR iu.path && ARRAY(SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL))))
	  AND (NOT $3 OR p.lead_user_id = $1)
	  AND (NOT $4 OR p.owning_unit_id IN (SELECT unit_id FROM memberships WHERE user_id = $1))
	  AND ($5::text IS NULL OR p.status = $5)
	  AND ($6::bigint IS NULL OR p.goal_id = $6)
	ORDER BY p.created_at DESC, p.id DESC`

type scaleBundle struct {
	ctx  context.Context
	pool *pgxpool.Pool
	st   *store.Store
}

// setupScale seeds the small benchmark organisation (10 units, 100 projects, 2,000
// requests) and raises escalations on a spread of its requests.
func setupScale(t *testing.T) scaleBundle {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	_, err := scale.Seed(ctx, pool, scale.Small(), scale.Options{PasswordParams: pgtest.CheapPasswords(), Now: now})
	require.NoError(t, err)
	// Some values the queue sorts on left empty, so NULLS LAST is exercised.
	_, err = pool.Exec(ctx, `UPDATE projects SET expected_amount = NULL WHERE id % 7 = 0`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE needs SET needed_by = NULL WHERE id % 11 = 0`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE requests SET due_date = NULL WHERE id % 3 = 0`)
	require.NoError(t, err)
	// Escalations to the heads of the first three units, a few sent back or decided,
	// created in bursts so that creation times tie.
	_, err = pool.Exec(ctx, `INSERT INTO escalations (request_id, project_id, cause, status, assigned_user_id,
			assigned_unit_id, window_opened_at, window_due_at, created_at)
		SELECT r.id, r.project_id, 'stale',
			CASE WHEN r.id % 13 = 0 THEN 'sent_back' WHEN r.id % 17 = 0 THEN 'decided' ELSE 'open' END,
			u.head_user_id, u.id, $1::timestamptz, $1::timestamptz + interval '3 days', $1::timestamptz - interval '1 hour' * (r.id % 5)
		FROM requests r JOIN units u ON u.id = 1 + r.id % 3
		WHERE r.id % 4 = 0`, now)
	require.NoError(t, err)
	return scaleBundle{ctx: ctx, pool: pool, st: store.New(pool)}
}

func (b scaleBundle) ids(t *testing.T, sql string, args ...any) []int64 {
	t.Helper()
	rows, err := b.pool.Query(b.ctx, sql, args...)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	return ids
}

// inboxUsers are the heads of every unit, the key people with the most open
// requests, and a user who heads nothing and is no key person.
func (b scaleBundle) inboxUsers(t *testing.T) []int64 {
	t.Helper()
	return b.ids(t, `SELECT head_user_id FROM units WHERE head_user_id IS NOT NULL
		UNION (SELECT key_person_user_id FROM requests r WHERE `+refOpen+` AND key_person_user_id IS NOT NULL
			GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3)
		UNION (SELECT id FROM users WHERE id NOT IN (SELECT head_user_id FROM units WHERE head_user_id IS NOT NULL)
			AND id NOT IN (SELECT key_person_user_id FROM requests WHERE key_person_user_id IS NOT NULL) ORDER BY id LIMIT 1)
		ORDER BY 1`)
}

// checkInboxes pages through each user's inbox and compares it, its total and the
// queue places of every page with the joined queries.
func (b scaleBundle) checkInboxes(t *testing.T) {
	t.Helper()
	places := map[int64]accord.QueueEntry{}
	rows, err := b.pool.Query(b.ctx, refPositions)
	require.NoError(t, err)
	var id int64
	var q accord.QueueEntry
	_, err = pgx.ForEachRow(rows, []any{&id, &q.Position, &q.Of, &q.Effort}, func() error {
		places[id] = q
		return nil
	})
	require.NoError(t, err)

	const limit = 7
	checked := 0
	for _, user := range b.inboxUsers(t) {
		want := b.ids(t, refInbox, user)
		got := []int64{}
		for offset := 0; ; offset += limit {
			page, total, err := b.st.Inbox(b.ctx, user, offset, limit)
			require.NoError(t, err)
			if len(page) == 0 {
				require.Zero(t, total, "user %d: past the end", user)
				break
			}
			require.Equal(t, len(want), total, "user %d: total at offset %d", user, offset)
			ids := make([]int64, len(page))
			for i, r := range page {
				ids[i] = r.ID
				require.NotEmpty(t, r.NeedTitle, "request %d: the joined columns are read", r.ID)
			}
			got = append(got, ids...)
			pos, err := b.st.QueuePositions(b.ctx, ids)
			require.NoError(t, err)
			require.Len(t, pos, len(ids))
			for _, id := range ids {
				require.Equal(t, places[id].Position, pos[id].Position, "request %d: place", id)
				require.Equal(t, places[id].Of, pos[id].Of, "request %d: queue length", id)
				require.InDelta(t, places[id].Effort, pos[id].Effort, 0.001, "request %d: queue effort", id)
			}
		}
		require.Equal(t, want, got, "user %d: inbox order", user)
		checked += len(want)
	}
	require.Greater(t, checked, 500, "the check covered long queues")

	// Places asked for out of order, across units, with a closed request among them.
	var sample []int64
	for id := range places {
		if len(sample) < 40 {
			sample = append(sample, id)
		}
	}
	closed := b.ids(t, `SELECT id FROM requests r WHERE NOT `+refOpen+` ORDER BY id LIMIT 1`)
	pos, err := b.st.QueuePositions(b.ctx, append(sample, closed...))
	require.NoError(t, err)
	require.Len(t, pos, len(sample), "a closed request has no place")
	for _, id := range sample {
		require.Equal(t, places[id].Position, pos[id].Position, "request %d: place", id)
		require.Equal(t, places[id].Of, pos[id].Of, "request %d: queue length", id)
		require.InDelta(t, places[id].Effort, pos[id].Effort, 0.001, "request %d: queue effort", id)
	}
}

// checkEscalations pages through each superior's queue and the administrator's list.
func (b scaleBundle) checkEscalations(t *testing.T) {
	t.Helper()
	const limit = 9
	superiors := b.ids(t, `SELECT DISTINCT assigned_user_id FROM escalations ORDER BY 1`)
	require.Len(t, superiors, 3)
	for _, user := range append(superiors, 0) {
		var arg *int64
		if user != 0 {
			arg = &user
		}
		want := b.ids(t, refEscalations, arg)
		require.NotEmpty(t, want)
		got := []int64{}
		for offset := 0; ; offset += limit {
			var page []accord.Escalation
			var total int
			var err error
			if arg == nil {
				page, total, err = b.st.OpenEscalations(b.ctx, offset, limit)
			} else {
				page, total, err = b.st.EscalationsAssigned(b.ctx, user, offset, limit)
			}
			require.NoError(t, err)
			if len(page) == 0 {
				require.Zero(t, total, "superior %d: past the end", user)
				break
			}
			require.Equal(t, len(want), total, "superior %d: total at offset %d", user, offset)
			for _, e := range page {
				require.NotZero(t, e.Request.ID, "escalation %d: its request is read", e.ID)
				got = append(got, e.ID)
			}
		}
		require.Equal(t, want, got, "superior %d: queue order", user)
	}
}

// checkProjects lists projects for viewers high and low in the tree, with each filter.
func (b scaleBundle) checkProjects(t *testing.T) {
	t.Helper()
	viewers := b.ids(t, `SELECT head_user_id FROM units WHERE head_user_id IS NOT NULL
		UNION (SELECT m.user_id FROM memberships m JOIN units u ON u.id = m.unit_id
			WHERE u.head_user_id <> m.user_id ORDER BY cardinality(u.path) DESC, m.user_id LIMIT 2)
		UNION (SELECT lead_user_id FROM projects ORDER BY id LIMIT 2)
		UNION (SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM memberships) ORDER BY id LIMIT 1)
		ORDER BY 1`)
	active := accord.ProjectStatus("active")
	goal := b.ids(t, `SELECT min(goal_id) FROM projects`)[0]
	filters := []store.ProjectFilter{{}, {LedByMe: true}, {MyUnits: true}, {Status: &active}, {GoalID: &goal}}
	const limit = 11
	for _, user := range viewers {
		for _, admin := range []bool{false, true} {
			v := accord.Viewer{User: accord.User{ID: user}, Roles: accord.Roles{Admin: admin}}
			for fi, f := range filters {
				want := b.ids(t, refProjects, user, admin, f.LedByMe, f.MyUnits, f.Status, f.GoalID)
				got := []int64{}
				for offset := 0; ; offset += limit {
					f.Offset, f.Limit = offset, limit
					page, total, err := b.st.Projects(b.ctx, v, f)
					require.NoError(t, err)
					if len(page) == 0 {
						require.Zero(t, total, "user %d admin %v filter %d: past the end", user, admin, fi)
						break
					}
					require.Equal(t, len(want), total, "user %d admin %v filter %d: total at offset %d", user, admin, fi, offset)
					for _, p := range page {
						require.NotEmpty(t, p.LeadName, "project %d: the joined columns are read", p.ID)
						got = append(got, p.ID)
					}
				}
				require.Equal(t, want, got, "user %d admin %v filter %d", user, admin, fi)
			}
		}
	}
}

func TestQueuesMatchTheJoinedOrder(t *testing.T) {
	b := setupScale(t)
	t.Run("inboxes and places", b.checkInboxes)
	t.Run("escalation queues", b.checkEscalations)
	t.Run("project lists", b.checkProjects)
}

// TestQueuesFollowTheirSources changes every value a queue copies — a need's tier, date
// and effort, a project's value, a request's due date — and moves a request to
// another need, then checks the queues again.
func TestQueuesFollowTheirSources(t *testing.T) {
	b := setupScale(t)
	for _, sql := range []string{
		`UPDATE needs SET tier = CASE tier WHEN 'P0' THEN 'P2' WHEN 'P2' THEN 'P1' ELSE 'P0' END WHERE id % 5 = 0`,
		`UPDATE needs SET needed_by = COALESCE(needed_by, DATE '2026-04-01') - (id % 40)::int WHERE id % 3 = 1`,
		`UPDATE needs SET needed_by = NULL WHERE id % 19 = 0`,
		`UPDATE needs SET effort_days = effort_days + 1.5 WHERE id % 4 = 1`,
		`UPDATE projects SET expected_amount = CASE WHEN id % 2 = 0 THEN NULL ELSE id * 1000 END WHERE id % 3 = 0`,
		`UPDATE requests SET due_date = DATE '2026-03-15' + (id % 9)::int WHERE id % 8 = 1`,
		`UPDATE requests SET due_date = NULL WHERE id % 10 = 2`,
		`UPDATE requests SET sent_at = sent_at - interval '1 day' WHERE id % 6 = 5`,
	} {
		tag, err := b.pool.Exec(b.ctx, sql)
		require.NoError(t, err, sql)
		require.NotZero(t, tag.RowsAffected(), sql)
	}
	// A request moved to another need of its project (not something the application
	// does today, but the copy must not go stale if it ever does).
	var moved int64
	openX := strings.ReplaceAll(refOpen, "r.", "x.")
	const free = `SELECT max(n.id) FROM needs n WHERE n.project_id = x.project_id AND n.holder_unit_id = x.holder_unit_id
		AND NOT EXISTS (SELECT 1 FROM requests y WHERE y.need_id = n.id AND y.state NOT IN ('delivered', 'cancelled'))`
	require.NoError(t, b.pool.QueryRow(b.ctx, `UPDATE requests r SET need_id = f.need
		FROM (SELECT x.id, (`+free+`) AS need FROM requests x WHERE `+openX+`) f
		WHERE r.id = f.id AND f.need IS NOT NULL
		  AND r.id = (SELECT min(x.id) FROM requests x WHERE `+openX+` AND (`+free+`) IS NOT NULL)
		RETURNING r.id`).Scan(&moved))
	var stale int
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT
			(SELECT count(*) FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			 WHERE r.state NOT IN ('delivered', 'cancelled')
			   AND (r.queue_tier, r.queue_date, r.queue_value, r.queue_sent, r.queue_effort) IS DISTINCT FROM
			       (d.tier, COALESCE(r.due_date, d.needed_by, 'infinity'), COALESCE(-p.expected_amount, 1),
			        COALESCE(r.sent_at, 'infinity'), d.effort_days))
			+ (SELECT count(*) FROM escalations e JOIN requests r ON r.id = e.request_id
			   JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			   WHERE e.status IN ('open', 'sent_back')
			     AND (e.queue_tier, e.queue_value) IS DISTINCT FROM (d.tier, COALESCE(-p.expected_amount, 1)))`).Scan(&stale))
	// Closed requests and decided escalations sit in no queue (migration 0015).
	require.Zero(t, stale, "live copies that differ from their source")
	t.Run("inboxes and places", b.checkInboxes)
	t.Run("escalation queues", b.checkEscalations)
	t.Run("project lists", b.checkProjects)
}

// TestPastTheLastPage: a page beyond the end is empty with a total of 0, as before the
// queues were indexed: the project list shows "past the end" on that signal.
func TestPastTheLastPage(t *testing.T) {
	b := setupScale(t)
	head := b.ids(t, `SELECT head_user_id FROM units ORDER BY id LIMIT 1`)[0]
	tests := []struct {
		name string
		list func(offset int) (int, int, error)
	}{
		{"inbox", func(offset int) (int, int, error) {
			l, n, err := b.st.Inbox(b.ctx, head, offset, 20)
			return len(l), n, err
		}},
		{"escalations assigned", func(offset int) (int, int, error) {
			l, n, err := b.st.EscalationsAssigned(b.ctx, b.ids(t, `SELECT min(assigned_user_id) FROM escalations`)[0], offset, 20)
			return len(l), n, err
		}},
		{"open escalations", func(offset int) (int, int, error) {
			l, n, err := b.st.OpenEscalations(b.ctx, offset, 20)
			return len(l), n, err
		}},
		{"projects", func(offset int) (int, int, error) {
			l, n, err := b.st.Projects(b.ctx, accord.Viewer{User: accord.User{ID: head}}, store.ProjectFilter{Offset: offset, Limit: 20})
			return len(l), n, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := tt.list(0)
			require.NoError(t, err)
			require.Equal(t, 20, rows)
			require.Greater(t, total, 20)
			rows, after, err := tt.list(total)
			require.NoError(t, err)
			require.Zero(t, rows)
			require.Zero(t, after, fmt.Sprintf("%s: the total past the last page", tt.name))
		})
	}
}
