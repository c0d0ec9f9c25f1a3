package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	"accord/internal/store/storetest"
)

// signalsDriftSQL counts the rows where what the triggers of migrations 0013, 0021,
// 0034, 0040, 0044 and 0060 keep differs from an aggregation written out independently, straight
// from the source tables (a project's own columns included).
const signalsDriftSQL = `WITH open AS (SELECT unnest(ARRAY['requested', 'agreed', 'declined', 'countered', 'in_progress']) AS state),
	fresh AS (
		SELECT p.id, p.status, p.goal_id, p.expected_amount, p.currency, p.cadence_days,
			count(r.id) FILTER (WHERE r.state IN (SELECT state FROM open)) AS live,
			count(r.id) FILTER (WHERE r.state = 'declined') AS declined,
			count(r.id) FILTER (WHERE r.state = 'declined' AND d.tier = 'P0') AS p0_declined,
			count(r.id) FILTER (WHERE r.state IN (SELECT state FROM open) AND (
				SELECT e.risk FROM request_updates e WHERE e.request_id = r.id ORDER BY e.id DESC LIMIT 1) = 'high') AS high_risk,
			count(r.id) FILTER (WHERE r.state = 'delivered') AS delivered,
			min(r.due_date) FILTER (WHERE r.state IN (SELECT state FROM open)) AS next_due,
			min(r.due_date) FILTER (WHERE r.state IN (SELECT state FROM open) AND d.tier = 'P0') AS p0_next_due,
			min(r.last_activity_at) FILTER (WHERE r.state IN (SELECT state FROM open)) AS oldest_activity,
			(SELECT count(*) FROM escalations x WHERE x.project_id = p.id AND x.status IN ('open', 'sent_back')) AS escalations
		FROM projects p LEFT JOIN requests r ON r.project_id = p.id LEFT JOIN needs d ON d.id = r.need_id
		GROUP BY p.id),
	reach AS (
		SELECT DISTINCT a AS unit_id, x.project_id FROM (
			SELECT id AS project_id, owning_unit_id AS unit_id FROM projects
			UNION SELECT project_id, holder_unit_id FROM needs WHERE holder_unit_id IS NOT NULL) x
		JOIN units u ON u.id = x.unit_id CROSS JOIN LATERAL unnest(u.path) a),
	load AS (
		SELECT h.id,
			count(r.id) FILTER (WHERE r.state IN ('requested', 'agreed', 'countered', 'in_progress')) AS open,
			COALESCE(sum(d.effort_days - ph.days) FILTER (WHERE r.state IN ('requested', 'countered')), 0) AS asked,
			COALESCE(sum(d.effort_days - ph.days) FILTER (WHERE r.state IN ('agreed', 'in_progress')), 0) AS committed,
			count(r.id) FILTER (WHERE r.state = 'declined') AS declined
		FROM units h LEFT JOIN requests r ON r.holder_unit_id = h.id LEFT JOIN needs d ON d.id = r.need_id
		-- A phase on the tracker is part of the need it was split from: counted once, as itself.
		LEFT JOIN LATERAL (SELECT COALESCE(sum(x.effort_days), 0) AS days FROM needs x
			WHERE x.phase_of_need_id = d.id AND x.id IN (SELECT need_id FROM requests WHERE state <> 'cancelled')) ph ON true
		GROUP BY h.id),
	exchange AS (
		SELECT r.holder_unit_id AS holder, p.owning_unit_id AS owner,
			COALESCE(sum(lg.days), 0) AS logged,
			COALESCE(sum(GREATEST(d.effort_days - ph.days, 0)) FILTER (WHERE r.state IN ('agreed', 'in_progress', 'delivered')), 0) AS committed,
			count(*) FILTER (WHERE r.state = 'delivered') AS delivered
		FROM requests r JOIN projects p ON p.id = r.project_id JOIN needs d ON d.id = r.need_id
		LEFT JOIN LATERAL (SELECT COALESCE(sum(x.effort_days), 0) AS days FROM needs x
			WHERE x.phase_of_need_id = d.id AND x.id IN (SELECT need_id FROM requests WHERE state <> 'cancelled')) ph ON true
		LEFT JOIN LATERAL (SELECT sum(u.effort_days) AS days FROM request_updates u WHERE u.request_id = r.id) lg ON true
		WHERE r.state <> 'draft' AND r.holder_unit_id <> p.owning_unit_id
		GROUP BY 1, 2)
	SELECT
		(SELECT count(*) FROM fresh f LEFT JOIN project_signals s ON s.project_id = f.id
		 WHERE s.project_id IS NULL OR (f.live, f.declined, f.p0_declined, f.high_risk, f.delivered, f.next_due,
			f.p0_next_due, f.oldest_activity, f.escalations, f.status, f.goal_id, f.expected_amount, f.currency,
			f.cadence_days) IS DISTINCT FROM (s.live, s.declined, s.p0_declined, s.high_risk, s.delivered, s.next_due,
			s.p0_next_due, s.oldest_activity, s.escalations, s.status, s.goal_id, s.expected_amount, s.currency,
			s.cadence_days)),
		(SELECT count(*) FROM (SELECT * FROM reach EXCEPT SELECT unit_id, project_id FROM project_reach) a)
			+ (SELECT count(*) FROM (SELECT unit_id, project_id FROM project_reach EXCEPT SELECT * FROM reach) b),
		(SELECT count(*) FROM load f LEFT JOIN unit_load l ON l.unit_id = f.id
		 WHERE (f.open, f.asked, f.committed, f.declined)
			IS DISTINCT FROM (COALESCE(l.open, 0), COALESCE(l.asked, 0), COALESCE(l.committed, 0), COALESCE(l.declined, 0))),
		(SELECT count(*) FROM exchange f FULL JOIN unit_exchange k ON k.holder_unit_id = f.holder AND k.owner_unit_id = f.owner
		 WHERE (COALESCE(f.logged, 0), COALESCE(f.committed, 0), COALESCE(f.delivered, 0))
			IS DISTINCT FROM (COALESCE(k.logged, 0), COALESCE(k.committed, 0), COALESCE(k.delivered, 0))),
		(SELECT count(*) FROM (SELECT assigned_user_id AS user_id, count(*) AS open FROM escalations
				WHERE status = 'open' GROUP BY 1) f
			FULL JOIN escalation_assignee_load k USING (user_id)
		 WHERE COALESCE(f.open, 0) <> COALESCE(k.open, 0)),
		(SELECT count(*) FROM escalations e JOIN requests r ON r.id = e.request_id
		 WHERE e.holder_unit_id IS DISTINCT FROM r.holder_unit_id),
		(` + portfolioTotalsDriftSQL + `)`

// portfolioTotalsDriftSQL counts the groups whose kept sums (migration 0062) differ
// from the signal rows they sum.
const portfolioTotalsDriftSQL = `WITH kept AS (
		SELECT goal_id, status, sev_static, currency, sum(projects)::bigint, sum(value), sum(escalations)::bigint
		FROM portfolio_totals GROUP BY 1, 2, 3, 4
		HAVING sum(projects) <> 0 OR sum(value) <> 0 OR sum(escalations) <> 0),
	now AS (
		SELECT goal_id, status, sev_static, currency, count(*), COALESCE(sum(expected_amount), 0)::numeric,
			sum(escalations)::bigint
		FROM project_signals GROUP BY 1, 2, 3, 4)
	SELECT count(*) FROM ((SELECT * FROM kept EXCEPT SELECT * FROM now) UNION ALL (SELECT * FROM now EXCEPT SELECT * FROM kept)) d`

// requireNoDrift fails when the kept signals, reach, load, exchanges, counts of open
// escalations per person deciding, escalations' holders (migration 0060) or the
// portfolio's sums (0062) differ from the rows they are kept from.
func requireNoDrift(t *testing.T, ctx context.Context, pool *pgxpool.Pool, step string) {
	t.Helper()
	var signals, reach, load, exchange, assignees, holders, totals int
	require.NoError(t, pool.QueryRow(ctx, signalsDriftSQL).Scan(&signals, &reach, &load, &exchange, &assignees, &holders,
		&totals))
	require.Equal(t, [7]int{}, [7]int{signals, reach, load, exchange, assignees, holders, totals},
		"%s: projects, reach rows, units, unit pairs, people deciding escalations, escalations' holders and "+
			"portfolio sums that drifted", step)
}

func TestPortfolioSignalsFollowEveryChange(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now()
	// A project of a unit under the root asks two units of a technology centre and two
	// others.
	root := w.Root(t)
	tech := w.Unit(t, storetest.UnitOpts{Parent: &root})
	itUnit := w.Unit(t, storetest.UnitOpts{Parent: &tech})
	dataUnit := w.Unit(t, storetest.UnitOpts{Parent: &tech})
	p := w.Project(t, storetest.ProjectOpts{})
	var needs []accord.Need
	for _, holder := range []accord.Unit{itUnit, dataUnit, w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{})} {
		needs = append(needs, w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, Tier: accord.TierRequired, EffortDays: 5}))
	}
	requireNoDrift(t, ctx, pool, "world built")

	var sent []accord.Request
	for _, n := range needs {
		sent = append(sent, w.Request(t, storetest.RequestOpts{Need: &n, At: now}))
	}
	requireNoDrift(t, ctx, pool, "requests sent")

	it := sent[0]
	it, err := w.Store.ActOnRequest(ctx, w.Viewer(t, w.Head(t, itUnit)), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "declined")

	data := sent[1]
	dataHead := w.Viewer(t, w.Head(t, dataUnit))
	_, err = w.Store.ActOnRequest(ctx, dataHead, data.ID, data.Version, accord.ActionAgree,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	_, err = w.Store.AddProgress(ctx, dataHead, data.ID,
		accord.ProgressInput{Body: "口径未定", Risk: accord.RiskHigh}, now)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "agreed, then a high risk")

	e := w.Escalation(t, storetest.EscalationOpts{Request: &it, Reason: "需要决定", WindowDays: 3, At: now})
	requireNoDrift(t, ctx, pool, "escalated")
	due := now.AddDate(0, 0, 30)
	_, err = w.Store.Decide(ctx, w.Viewer(t, accord.User{ID: e.AssignedUserID}), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, now)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "decided")

	// A need's tier and effort change under a live request.
	need, err := w.Store.Need(ctx, data.NeedID)
	require.NoError(t, err)
	in := needInputOf(need)
	in.Tier, in.EffortDays = accord.TierImportant, need.EffortDays+7.5
	_, err = w.Store.UpdateNeed(ctx, p.LeadUserID, need.ID, need.Version, in)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "need re-tiered and re-estimated")

	// The project's own columns the portfolio ranks and sums by follow it.
	goal, err := w.Store.CreateGoal(ctx, 0, accord.GoalInput{Title: "利润", TitleEN: "Profit"})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE projects SET status = 'on_hold', goal_id = $2, expected_amount = 700,
		currency = 'USD', cadence_days = 3 WHERE id = $1`, p.ID, goal.ID)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "project re-scoped, re-valued and re-paced")

	// Moving Data out from under the technology centre takes the project out of its
	// head's scope while IT still holds one of its needs; moving IT too empties it.
	techHead := w.Viewer(t, w.Head(t, tech))
	for _, move := range []struct {
		name string
		unit accord.Unit
	}{{"Data", dataUnit}, {"IT", itUnit}} {
		u, err := w.Store.Unit(ctx, move.unit.ID)
		require.NoError(t, err)
		_, err = w.Store.MoveUnit(ctx, 0, u.ID, u.Version, root.ID)
		require.NoError(t, err)
		requireNoDrift(t, ctx, pool, move.name+" moved")
	}
	rows, total, err := portfolio(t, w.Store, ctx, techHead, store.PortfolioFilter{Limit: 10}, now)
	require.NoError(t, err)
	require.Zero(t, total, "nothing the technology centre holds or owns: %v", rows)
}

// agreedRequests sends n needs of project p held by holder, each agreed: the first
// quiet since first, each later one a day less.
func agreedRequests(t *testing.T, w *storetest.World, p accord.Project, holder accord.Unit, n int, first time.Time) []accord.Request {
	t.Helper()
	reqs := make([]accord.Request, n)
	for i := range reqs {
		need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		reqs[i] = w.Request(t, storetest.RequestOpts{Need: &need, State: accord.RequestAgreed, At: first.AddDate(0, 0, i)})
	}
	return reqs
}

// TestProgressMovesSignalsOnlyWhenTheyChange: a progress entry refreshes its project's
// signals only when it changes one (migration 0058) — the latest entry of a live
// request turning high risk or ceasing to be high risk, or later activity on the project's
// oldest open request — and logs effort only when it has some; whatever it skips, the
// signals, load and give and take stay what the source rows say.
func TestProgressMovesSignalsOnlyWhenTheyChange(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	p := w.Project(t, storetest.ProjectOpts{})
	reqs := agreedRequests(t, w, p, holder, 2, now.AddDate(0, 0, -5))
	oldest, newer := reqs[0], reqs[1]
	// signalRow is the project's signal row version (it changes whenever the row is
	// written) and what it says.
	signalRow := func() (version string, highRisk int, oldestActivity time.Time) {
		t.Helper()
		require.NoError(t, pool.QueryRow(ctx, `SELECT xmin::text, high_risk, oldest_activity FROM project_signals
			WHERE project_id = $1`, p.ID).Scan(&version, &highRisk, &oldestActivity))
		return version, highRisk, oldestActivity
	}
	logged := func(r accord.Request) (days float64, found bool) {
		t.Helper()
		err := pool.QueryRow(ctx, `SELECT days::float8 FROM request_logged WHERE request_id = $1`, r.ID).Scan(&days)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false
		}
		require.NoError(t, err)
		return days, true
	}
	requireNoDrift(t, ctx, pool, "two agreed requests, five and four days quiet")
	// Each step is a minute after the one before, so the request it writes to becomes
	// the most recently active.
	for i, step := range []struct {
		name     string
		on       accord.Request
		risk     accord.Risk
		effort   float64
		moved    bool // the signal row is written
		highRisk int
		quieter  bool // the project's oldest activity moves
	}{
		{"the newer request, low risk, no effort", newer, accord.RiskLow, 0, false, 0, false},
		{"the newer request turns high risk", newer, accord.RiskHigh, 0, true, 1, false},
		{"the newer request, high again, with effort", newer, accord.RiskHigh, 1.5, false, 1, false},
		{"the oldest request, low risk: now the newer one is the oldest", oldest, accord.RiskLow, 0, true, 1, true},
		{"the newer request, medium: no longer high, and no longer the oldest", newer, accord.RiskMedium, 2, true, 0, true},
		{"the newer request, low: still not high, not the oldest", newer, accord.RiskLow, 0, false, 0, false},
	} {
		before, _, beforeOldest := signalRow()
		at := now.Add(time.Duration(i) * time.Minute)
		_, err := w.Store.AddProgress(ctx, head, step.on.ID, accord.ProgressInput{Body: step.name, Risk: step.risk,
			EffortDays: step.effort}, at)
		require.NoError(t, err, step.name)
		requireNoDrift(t, ctx, pool, step.name)
		after, highRisk, afterOldest := signalRow()
		require.Equal(t, step.moved, after != before, "%s: the signal row written", step.name)
		require.Equal(t, step.highRisk, highRisk, "%s: requests at high risk", step.name)
		require.Equal(t, step.quieter, !afterOldest.Equal(beforeOldest), "%s: the oldest activity moved", step.name)
	}
	days, found := logged(newer)
	require.True(t, found, "the newer request's logged effort")
	require.InDelta(t, 3.5, days, 1e-9, "the newer request's logged effort")
	_, found = logged(oldest)
	require.False(t, found, "an entry logging no effort adds no logged effort")
}

// TestActivityAndEntriesMoveSignalsOnlyWhenTheyMustChange writes to requests as
// statements other than a progress entry may: activity lowered below the oldest,
// activity on a closed request, an entry slipped in under an earlier id, several
// requests of a project at once, a request moved to another project. Each moves the
// signals exactly when the source rows say it must (migration 0058).
func TestActivityAndEntriesMoveSignalsOnlyWhenTheyMustChange(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	p, other := w.Project(t, storetest.ProjectOpts{}), w.Project(t, storetest.ProjectOpts{})
	reqs := agreedRequests(t, w, p, holder, 4, now.AddDate(0, 0, -6))
	n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	closed := w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestDelivered, At: now.AddDate(0, 0, -9)})
	oldest, second, third, newest := reqs[0], reqs[1], reqs[2], reqs[3]
	version := func(project int64) string {
		t.Helper()
		var v string
		require.NoError(t, pool.QueryRow(ctx, `SELECT xmin::text FROM project_signals WHERE project_id = $1`, project).Scan(&v))
		return v
	}
	entry := func(request int64, risk string) string {
		return fmt.Sprintf(`INSERT INTO request_updates (request_id, author_user_id, body, risk) VALUES (%d, %d, 'x', '%s')`,
			request, p.LeadUserID, risk)
	}
	requireNoDrift(t, ctx, pool, "four agreed requests, six to three days quiet, and a delivered one")
	for _, step := range []struct {
		name    string
		sql     string
		written bool // the project's signal row
	}{
		{"activity on a delivered request", fmt.Sprintf(`UPDATE requests SET last_activity_at = now() WHERE id = %d`, closed.ID), false},
		{"activity on the third request, later", fmt.Sprintf(`UPDATE requests SET last_activity_at = now() WHERE id = %d`, third.ID), false},
		{"activity on the newest request, lowered below the oldest", fmt.Sprintf(
			`UPDATE requests SET last_activity_at = now() - interval '20 days' WHERE id = %d`, newest.ID), true},
		{"the oldest and the second at once, later", fmt.Sprintf(
			`UPDATE requests SET last_activity_at = now() WHERE id IN (%d, %d)`, oldest.ID, second.ID), false},
		{"the newest and the second at once, later: the newest was the oldest", fmt.Sprintf(
			`UPDATE requests SET last_activity_at = now() WHERE id IN (%d, %d)`, newest.ID, second.ID), true},
		{"a high-risk entry on the second", entry(second.ID, "high"), true},
		{"a low entry slipped in under an earlier id: the latest is still high", fmt.Sprintf(
			`INSERT INTO request_updates (id, request_id, author_user_id, body, risk)
			 VALUES ((SELECT min(id) - 1 FROM request_updates), %d, %d, 'x', 'low')`, second.ID, p.LeadUserID), false},
		{"a high-risk entry on the delivered request", entry(closed.ID, "high"), false},
		{"a high-risk entry on the third", entry(third.ID, "high"), true},
	} {
		before := version(p.ID)
		_, err := pool.Exec(ctx, step.sql)
		require.NoError(t, err, step.name)
		requireNoDrift(t, ctx, pool, step.name)
		require.Equal(t, step.written, version(p.ID) != before, "%s: the signal row written", step.name)
	}
	// Moved to another project, the request is counted there and no longer here.
	before, otherBefore := version(p.ID), version(other.ID)
	_, err := pool.Exec(ctx, `UPDATE requests SET project_id = $2 WHERE id = $1`, third.ID, other.ID)
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "the third request moved to another project")
	require.NotEqual(t, before, version(p.ID), "the project it left")
	require.NotEqual(t, otherBefore, version(other.ID), "the project it joined")
	_, err = pool.Exec(ctx, entry(third.ID, "low"))
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "a low entry on the moved request")
}

// TestSignalsSkippedOnlyAfterConcurrentWritersCommit: a writer deciding that its change
// leaves a project's signals alone (migration 0058) decides after locking the
// project's signal row, so it waits for a concurrent writer that refreshes them and
// decides on what that one left. Without the wait, the second of these pairs would
// leave the first's refresh in place although its own change moved the signal.
func TestSignalsSkippedOnlyAfterConcurrentWritersCommit(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	p := w.Project(t, storetest.ProjectOpts{})
	reqs := agreedRequests(t, w, p, holder, 3, now.AddDate(0, 0, -5))
	oldest, next := reqs[0], reqs[1]
	entry := `INSERT INTO request_updates (request_id, author_user_id, body, risk) VALUES ($1, $2, 'x', $3)`
	for _, pair := range []struct {
		name          string
		first, second string
		firstArgs     []any
		secondArgs    []any
	}{
		// The first makes the next oldest request the oldest; the second then moves it.
		{"activity on the oldest request, then on the next", `UPDATE requests SET last_activity_at = $2 WHERE id = $1`,
			`UPDATE requests SET last_activity_at = $2 WHERE id = $1`, []any{oldest.ID, now}, []any{next.ID, now}},
		// The first turns the request's latest entry high; the second's low entry, after
		// it, turns it back.
		{"a high-risk entry, then a low one", entry, entry, []any{next.ID, p.LeadUserID, "high"},
			[]any{next.ID, p.LeadUserID, "low"}},
	} {
		first, err := pool.Begin(ctx)
		require.NoError(t, err)
		defer first.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op; on a failure it frees the pool
		_, err = first.Exec(ctx, pair.first, pair.firstArgs...)
		require.NoError(t, err, pair.name)
		second, err := pool.Begin(ctx)
		require.NoError(t, err)
		defer second.Rollback(ctx) //nolint:errcheck // as first's
		done := blockedExec(t, ctx, pool, second, pair.name+": the second writer", pair.second, pair.secondArgs...)
		require.NoError(t, first.Commit(ctx), pair.name)
		require.NoError(t, <-done, pair.name)
		require.NoError(t, second.Commit(ctx), pair.name)
		requireNoDrift(t, ctx, pool, pair.name)
	}
}

// blockedExec runs sql on tx in the background and returns once it waits on a lock
// (pg_stat_activity says so), with where its error will come; the statement is
// cancelled when the test ends, so the deferred rollbacks find their connections free.
func blockedExec(t *testing.T, ctx context.Context, pool *pgxpool.Pool, tx pgx.Tx, what, sql string, args ...any) <-chan error {
	t.Helper()
	var pid int
	require.NoError(t, tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	execCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() {
		_, err := tx.Exec(execCtx, sql, args...)
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT COALESCE(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1`,
			pid).Scan(&waiting)
		return err == nil && waiting
	}, 30*time.Second, 5*time.Millisecond, "%s: waits for a lock", what)
	return done
}

// TestActivityJudgedOnACadenceChangedMeanwhile: a request's activity moving is judged
// against the cadence committed before it. Progress on a request active ten days ago
// keeps portfolios under a 14-day cadence; written while the cadence is being cut to
// 7, it waits (a cadence's change locks the project's open requests, migration 0011),
// then moves its project's portfolio row at its commit (migration 0061).
func TestActivityJudgedOnACadenceChangedMeanwhile(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	p := w.Project(t, storetest.ProjectOpts{})
	require.Equal(t, 14, p.CadenceDays)
	n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed, At: now.AddDate(0, 0, -30)}) // the oldest
	n = w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	r := w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed, At: now.AddDate(0, 0, -10)})

	cadence, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer cadence.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op; on a failure it frees the pool
	_, err = cadence.Exec(ctx, `UPDATE projects SET cadence_days = 7 WHERE id = $1`, p.ID)
	require.NoError(t, err)
	progress, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer progress.Rollback(ctx) //nolint:errcheck // as cadence's
	done := blockedExec(t, ctx, pool, progress, "the progress, while the cadence changes",
		`UPDATE requests SET last_activity_at = $2 WHERE id = $1`, r.ID, now)
	require.NoError(t, cadence.Commit(ctx))
	require.NoError(t, <-done)
	before := portfolioEpochsOf(t, ctx, pool, p.ID) // the cadence's change committed; the progress not yet
	require.NoError(t, progress.Commit(ctx))
	after := portfolioEpochsOf(t, ctx, pool, p.ID)
	require.Equal(t, before.company, after.company, "the project's oldest activity stayed: the company's epoch stays")
	require.NotEqual(t, before.row, after.row, "quiet under the cadence committed first: the project's row moves")
	requireNoDrift(t, ctx, pool, "cadence cut while progress was written")

	// Without a change meanwhile, the same progress under 14 days keeps portfolios.
	_, err = pool.Exec(ctx, `UPDATE projects SET cadence_days = 14 WHERE id = $1`, p.ID)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE requests SET last_activity_at = $2 WHERE id = $1`, r.ID, now.AddDate(0, 0, -10))
	require.NoError(t, err)
	before = portfolioEpochsOf(t, ctx, pool, p.ID)
	_, err = pool.Exec(ctx, `UPDATE requests SET last_activity_at = $2 WHERE id = $1`, r.ID, now)
	require.NoError(t, err)
	require.Equal(t, before, portfolioEpochsOf(t, ctx, pool, p.ID), "active ten days ago under a 14-day cadence")
}

// portfolioEpochs are the company's portfolio epoch and one project's row epoch (0
// until it first moves): migrations 0056 and 0061.
type portfolioEpochs struct{ company, row int64 }

func portfolioEpochsOf(t *testing.T, ctx context.Context, pool *pgxpool.Pool, project int64) portfolioEpochs {
	t.Helper()
	var e portfolioEpochs
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT epoch FROM portfolio_epoch),
		COALESCE((SELECT epoch FROM portfolio_row_epochs WHERE project_id = $1), 0)`, project).Scan(&e.company, &e.row))
	return e
}

// TestUnitLoadCountsAPhaseOnce: a first phase is part of the need it was split from,
// so a unit working on the phase and directed to deliver the need is loaded with the
// need's effort once, however the two requests move.
func TestUnitLoadCountsAPhaseOnce(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now()
	it := w.Unit(t, storetest.UnitOpts{})
	other := w.Unit(t, storetest.UnitOpts{})
	p := w.Project(t, storetest.ProjectOpts{})
	crm := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Tier: accord.TierRequired, EffortDays: 120})
	plain := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, EffortDays: 3})
	w.Request(t, storetest.RequestOpts{Need: &plain, State: accord.RequestAgreed})
	elsewhere := w.Need(t, storetest.NeedOpts{Holder: &other, EffortDays: 9})
	w.Request(t, storetest.RequestOpts{Need: &elsewhere})
	parent := w.Request(t, storetest.RequestOpts{Need: &crm, State: accord.RequestDeclined})
	load := func(step string, asked, committed float64) {
		t.Helper()
		requireNoDrift(t, ctx, pool, step)
		var a, c float64
		require.NoError(t, pool.QueryRow(ctx, `SELECT asked::float8, committed::float8 FROM unit_load WHERE unit_id = $1`, it.ID).Scan(&a, &c))
		require.Equal(t, [2]float64{asked, committed}, [2]float64{a, c}, "%s: IT's load (asked, committed)", step)
	}
	load("declined", 0, 3)

	phase := w.Need(t, storetest.NeedOpts{PhaseOf: &crm, EffortDays: 40})
	phaseReq := w.Request(t, storetest.RequestOpts{Need: &phase, State: accord.RequestInProgress})
	load("phase 1 in progress", 0, 43)

	head := w.Viewer(t, w.Head(t, it))
	lead := w.Viewer(t, accord.User{ID: p.LeadUserID})
	parent, err := w.Store.ActOnRequest(ctx, lead, parent.ID, parent.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.NoError(t, err)
	load("the rest asked again", 80, 43)
	parent, err = w.Store.ActOnRequest(ctx, head, parent.ID, parent.Version, accord.ActionAgree, accord.RequestInput{}, now)
	require.NoError(t, err)
	load("the rest agreed: the need counts once", 0, 123)

	n, err := w.Store.Need(ctx, phase.ID)
	require.NoError(t, err)
	in := needInputOf(n)
	in.EffortDays = 50
	_, err = w.Store.UpdateNeed(ctx, p.LeadUserID, n.ID, n.Version, in)
	require.NoError(t, err)
	load("the phase re-estimated", 0, 123)
	// The unit's own page counts its queue the same way.
	ledger, _, err := w.Store.UnitLedgerAt(ctx, head, it.ID, 10, now)
	require.NoError(t, err)
	require.Equal(t, [2]float64{0, 123}, [2]float64{ledger.QueueAsked, ledger.QueueCommitted}, "the ledger's queue")

	phaseReq, err = w.Store.Request(ctx, phaseReq.ID)
	require.NoError(t, err)
	_, err = w.Store.ActOnRequest(ctx, lead, phaseReq.ID, phaseReq.Version, accord.ActionCancel,
		accord.RequestInput{Reason: "并入主需求"}, now)
	require.NoError(t, err)
	load("the phase withdrawn: the need is whole again", 0, 123)
}

// TestPortfolioSignalsUnderConcurrentChanges races transactions that change the
// requests, needs and progress of the same projects and units, each holding its
// transaction open a moment so they overlap, and checks nothing kept drifted.
func TestPortfolioSignalsUnderConcurrentChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	_, err := scale.Seed(ctx, pool, scale.Small(), scale.Options{PasswordParams: pgtest.CheapPasswords(), Now: now})
	require.NoError(t, err)
	requireNoDrift(t, ctx, pool, "seeded")

	// The requests of project 1 (its needs are held by several units) and of the
	// shared-service units, changed from many transactions at once.
	changes := []string{
		`UPDATE requests SET state = CASE state WHEN 'requested' THEN 'agreed' WHEN 'agreed' THEN 'in_progress'
			WHEN 'in_progress' THEN 'delivered' WHEN 'declined' THEN 'requested' ELSE state END,
			last_activity_at = last_activity_at + interval '1 hour'
		 WHERE id = (SELECT id FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 1)`,
		`UPDATE requests SET state = 'declined', due_date = due_date - 40
		 WHERE id = (SELECT id FROM requests WHERE project_id = 1 AND state <> 'delivered' ORDER BY random() LIMIT 1)`,
		`UPDATE needs SET effort_days = effort_days + 1, tier = CASE tier WHEN 'P0' THEN 'P1' ELSE 'P0' END
		 WHERE id = (SELECT need_id FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 1)`,
		`INSERT INTO request_updates (request_id, author_user_id, body, risk)
		 SELECT id, 1, 'x', (ARRAY['low', 'high'])[1 + (random() * 1)::int] FROM requests
		 WHERE project_id = 1 ORDER BY random() LIMIT 2`,
		// The request locked first, as every writer of an escalation does (0060 copies
		// its holder under that lock).
		`WITH r AS (SELECT id, project_id FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 1 FOR UPDATE)
		 INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id, window_opened_at, window_due_at)
		 SELECT r.id, r.project_id, 'manual', 1, 1, now(), now() + interval '3 days' FROM r ON CONFLICT DO NOTHING`,
		`UPDATE escalations SET status = CASE status WHEN 'open' THEN 'decided' ELSE 'open' END
		 WHERE id = (SELECT id FROM escalations WHERE project_id = 1 ORDER BY random() LIMIT 1)`,
		// The exchange between units (migration 0034): effort logged, a request passed
		// to another unit, the project handed to another owner.
		`INSERT INTO request_updates (request_id, author_user_id, body, effort_days)
		 SELECT id, 1, 'x', 1.5 FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 2`,
		`UPDATE requests SET holder_unit_id = (SELECT id FROM units ORDER BY random() LIMIT 1)
		 WHERE id = (SELECT id FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 1)`,
		`UPDATE projects SET owning_unit_id = (SELECT id FROM units ORDER BY random() LIMIT 1) WHERE id = 1`,
		// Activity alone, later or earlier (migration 0058 refreshes a project only when
		// its oldest open request's activity moves), and progress at a risk that may or
		// may not differ from the entry before, logging effort or none.
		`UPDATE requests SET last_activity_at = last_activity_at + (random() * 48 - 12) * interval '1 hour'
		 WHERE id = (SELECT id FROM requests WHERE project_id = 1 ORDER BY random() LIMIT 1)`,
		`INSERT INTO request_updates (request_id, author_user_id, body, risk, effort_days)
		 SELECT id, 1, 'x', (ARRAY['low', 'medium', 'high'])[1 + (random() * 2)::int], (random() * 1)::int FROM requests
		 WHERE project_id = 1 ORDER BY random() LIMIT 1`,
		// The columns the portfolio copies (migration 0040).
		`UPDATE projects SET status = CASE status WHEN 'active' THEN 'on_hold' ELSE 'active' END,
			expected_amount = (random() * 1000)::bigint, cadence_days = 1 + (random() * 20)::int WHERE id = 1`,
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				if err := raceOnce(ctx, pool, changes[(w+i)%len(changes)], changes[(w+2*i+1)%len(changes)]); err != nil {
					errs <- fmt.Errorf("worker %d, round %d: %w", w, i, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	requireNoDrift(t, ctx, pool, "after the race")
}

// raceOnce runs two changes in one transaction with a pause between them; a deadlock
// PostgreSQL breaks is a legitimate outcome for the loser, which then rolls back.
func raceOnce(ctx context.Context, pool *pgxpool.Pool, first, second string) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	for _, sql := range []string{first, `SELECT pg_sleep(0.005)`, second} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			if isDeadlock(err) {
				return nil
			}
			return err
		}
	}
	return tx.Commit(ctx)
}

func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return asError(err, &pgErr) && pgErr.Code == "40P01"
}

// TestEditingAProjectWhileItsRequestsMoveDoesNotDeadlock: a request's writer locks the
// request, then (its triggers) the project's signal row, then reaches the project by
// foreign key, as a notification's insert does. Meanwhile the project's lead edits it:
// its status, which a trigger copies into the signal row (migration 0040), and, in the
// second case, its owning unit, whose trigger locks the project's requests. Both
// commit in each case: the edit locks the project without its key, so the foreign
// key's share lock does not wait for it, and it locks requests before the signal row,
// the writer's order.
func TestEditingAProjectWhileItsRequestsMoveDoesNotDeadlock(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	elsewhere := w.Unit(t, storetest.UnitOpts{})
	for _, c := range []struct {
		name     string
		newOwner bool
		// The writer's step while the edit waits: reaching the project by foreign key,
		// or its request's update (its triggers lock the signal row).
		step string
	}{
		{"status edited while a request's writer reaches the project", false,
			`SELECT 1 FROM projects WHERE id = $1 FOR KEY SHARE`},
		{"status and owner edited while a request is answered", true,
			`UPDATE requests SET last_activity_at = now() WHERE project_id = $1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.Project(t, storetest.ProjectOpts{})
			holder := w.Unit(t, storetest.UnitOpts{})
			n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
			r := w.Request(t, storetest.RequestOpts{Need: &n, At: time.Now()})

			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback(ctx) }()
			if c.newOwner {
				_, err = tx.Exec(ctx, `SELECT 1 FROM requests WHERE id = $1 FOR UPDATE`, r.ID)
			} else {
				_, err = tx.Exec(ctx, `UPDATE requests SET last_activity_at = now() WHERE id = $1`, r.ID)
			}
			require.NoError(t, err)

			edited := make(chan error, 1)
			go func() {
				in := p.Input()
				in.Status = accord.ProjectOnHold
				if c.newOwner {
					in.OwningUnitID = elsewhere.ID
				}
				_, err := w.Store.UpdateProject(ctx, p.LeadUserID, p.ID, p.Version, in)
				edited <- err
			}()
			// Until the edit waits for a lock this transaction holds.
			require.Eventually(t, func() bool {
				var waiting bool
				err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'
					  AND query LIKE 'UPDATE projects SET name%')`).Scan(&waiting)
				return err == nil && waiting
			}, 10*time.Second, 20*time.Millisecond)

			_, err = tx.Exec(ctx, c.step, p.ID)
			require.NoError(t, err, "the request's writer goes on")
			require.NoError(t, tx.Commit(ctx))
			require.NoError(t, <-edited, "the edit commits after it")
			requireNoDrift(t, ctx, pool, "both committed")
			var status string
			require.NoError(t, pool.QueryRow(ctx, `SELECT status FROM project_signals WHERE project_id = $1`, p.ID).Scan(&status))
			require.Equal(t, "on_hold", status)
		})
	}
}

// TestActivityMovesPortfolioRowsOnlyNearAQuietSpell: a request's activity moving alone
// moves its project's portfolio row (migration 0061; the company's epoch before it,
// 0059) only when the request may have been quiet at a page's drawing or may be now:
// within a day of a whole cadence before the write, on the database's clock or the
// server's, whichever is later, or when it moves earlier. Progress on a request active
// for days, by itself or with others, keeps every portfolio; none of it moves the
// company's epoch.
func TestActivityMovesPortfolioRowsOnlyNearAQuietSpell(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	p := w.Project(t, storetest.ProjectOpts{})
	require.Equal(t, 14, p.CadenceDays)
	// The oldest stays the oldest throughout, so the project's signals never move:
	// only the requests' own trigger can move an epoch.
	request := func(quietDays float64) accord.Request {
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		return w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed,
			At: now.Add(-time.Duration(quietDays * float64(24*time.Hour)))})
	}
	request(40)
	quiet, edge, active, lately := request(20), request(13.5), request(2), request(5)
	progress := func(r accord.Request, at time.Time) func() error {
		return func() error {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "x", Risk: accord.RiskLow}, at)
			return err
		}
	}
	activity := func(at time.Time, ids ...int64) func() error {
		return func() error {
			_, err := pool.Exec(ctx, `UPDATE requests SET last_activity_at = $2 WHERE id = ANY ($1)`, ids, at)
			return err
		}
	}
	for _, step := range []struct {
		name  string
		setup func() error // before the epoch is read
		write func() error
		moved bool
	}{
		{"progress on a request active two days ago", nil, progress(active, now), false},
		{"activity on two requests active for days, in one statement", nil,
			activity(now.Add(time.Minute), active.ID, lately.ID), false},
		{"progress on a request half a day short of a quiet spell", nil, progress(edge, now), true},
		{"progress on a quiet request", nil, progress(quiet, now), true},
		{"an active request and one quiet for 20 days made active, in one statement",
			activity(now.AddDate(0, 0, -20), lately.ID), activity(now.Add(2*time.Minute), active.ID, lately.ID), true},
		{"activity lowered, still days within the cadence", nil, activity(now.AddDate(0, 0, -1), lately.ID), true},
		{"activity lowered into a quiet spell", nil, activity(now.AddDate(0, 0, -15), lately.ID), true},
		{"progress by a server whose clock is twelve days ahead, on a request active three days before it",
			activity(now.AddDate(0, 0, 9), active.ID), progress(active, now.AddDate(0, 0, 12)), false},
		{"progress by a server whose clock is fourteen days ahead, on a request active two days before now: " +
			"quiet on the server's clock, though not on the database's",
			activity(now.AddDate(0, 0, -2), lately.ID), progress(lately, now.AddDate(0, 0, 14)), true},
	} {
		if step.setup != nil {
			require.NoError(t, step.setup(), step.name)
		}
		before := portfolioEpochsOf(t, ctx, pool, p.ID)
		require.NoError(t, step.write(), step.name)
		after := portfolioEpochsOf(t, ctx, pool, p.ID)
		require.Equal(t, before.company, after.company, "%s: the company's portfolio epoch", step.name)
		require.Equal(t, step.moved, after.row != before.row, "%s: the project's portfolio row moved", step.name)
		requireNoDrift(t, ctx, pool, step.name)
	}
}
