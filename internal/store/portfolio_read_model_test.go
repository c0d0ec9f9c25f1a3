package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

// portfolioScoringEveryProject is the portfolio as it was before migration 0040: it
// joins every project in the viewer's scope to its signals and goal, scores it, and
// sorts the lot. Slow, but plain: the test below holds the read model to it. (It ends
// with columns in the place of the read model's last two, which the comparison
// ignores; the read model's Quiet is held to this statement's content over time.)
const portfolioScoringEveryProject = `WITH RECURSIVE goal_up AS (
		SELECT id, id AS root, ARRAY[id] AS path FROM goals WHERE parent_id IS NULL
		UNION ALL
		SELECT g.id, u.root, u.path || g.id FROM goals g JOIN goal_up u ON g.parent_id = u.id),
	scored AS MATERIALIZED (
		SELECT p.id, p.status, p.goal_id, gu.root AS goal_root, gu.path AS goal_path, p.expected_amount, p.currency,
			p.cadence_days, s.escalations, s.live, s.declined, s.p0_declined, s.high_risk, s.delivered,
			CASE WHEN s.p0_declined > 0 OR s.p0_next_due < $3::date OR s.escalations > 0 THEN 0
				WHEN s.declined > 0 OR s.next_due < $3::date OR s.high_risk > 0
					OR s.oldest_activity < $10::timestamptz - make_interval(days => p.cadence_days) THEN 1
				ELSE 2 END AS sev
		FROM projects p JOIN project_signals s ON s.project_id = p.id LEFT JOIN goal_up gu ON gu.id = p.goal_id
		WHERE $2::boolean OR p.id IN (SELECT project_id FROM project_reach
			WHERE unit_id IN (SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL))),
	matching AS (
		SELECT id, sev, escalations, expected_amount FROM scored
		WHERE ($9::text IS NULL OR (CASE sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END) = $9) AND ($4::text IS NULL OR status = $4)
		  AND ($6::bigint IS NULL OR $6 = ANY (goal_path))),
	page AS (
		SELECT sc.*, (CASE sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END) AS health
		FROM (SELECT id FROM matching ORDER BY sev, escalations DESC, expected_amount DESC NULLS LAST, id OFFSET $7 LIMIT $8) m JOIN scored sc USING (id)),
	page_json AS (
		SELECT COALESCE(json_agg(json_build_object(
			'id', pg.id, 'name', p.name, 'name_en', p.name_en, 'status', pg.status, 'unit_id', p.owning_unit_id,
			'unit_name', ou.name, 'unit_name_en', ou.name_en, 'lead_name', l.name, 'lead_name_en', l.name_en,
			'goal_id', pg.goal_root, 'goal_title', COALESCE(rg.title, ''), 'goal_title_en', COALESCE(rg.title_en, ''),
			'expected_amount', pg.expected_amount, 'currency', pg.currency, 'expected_outcome', p.expected_outcome,
			'target_date', to_char(p.target_date, 'YYYY-MM-DD'), 'health', pg.health, 'live', pg.live,
			'p0_declined', pg.p0_declined, 'p0_overdue', t.p0_overdue, 'declined', pg.declined, 'overdue', t.overdue,
			'stale', t.stale, 'high_risk', pg.high_risk, 'delivered', pg.delivered, 'escalations', pg.escalations)
			ORDER BY pg.sev, pg.escalations DESC, pg.expected_amount DESC NULLS LAST, pg.id), '[]') AS rows
		FROM page pg JOIN projects p ON p.id = pg.id
		JOIN units ou ON ou.id = p.owning_unit_id
		JOIN users l ON l.id = p.lead_user_id
		LEFT JOIN goals rg ON rg.id = pg.goal_root
		-- A live request keeps its need's tier in queue_tier (migrations 0012, 0015),
		-- so the listed projects' requests are counted without reading their needs.
		CROSS JOIN LATERAL (
			SELECT count(*) FILTER (WHERE r.due_date < $3::date AND r.queue_tier = 'P0') AS p0_overdue,
				count(*) FILTER (WHERE r.due_date < $3::date) AS overdue,
				count(*) FILTER (WHERE r.last_activity_at < $10::timestamptz - make_interval(days => pg.cadence_days)) AS stale
			FROM requests r
			WHERE r.project_id = pg.id AND r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')) t),
	ranked AS (
		-- Only what the order needs is sorted: the rows are narrow, so is the sort.
		SELECT id, goal_root, sev, row_number() OVER (PARTITION BY goal_root ORDER BY sev, escalations DESC, expected_amount DESC NULLS LAST, id) AS rn
		FROM scored WHERE $4::text IS NULL OR status = $4),
	rollup AS (
		SELECT goal_root, count(*) AS projects,
			count(*) FILTER (WHERE sev = 0) AS blocked, count(*) FILTER (WHERE sev = 1) AS at_risk,
			count(*) FILTER (WHERE sev = 2) AS on_track,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 0), 0)::bigint AS v_blocked,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 1), 0)::bigint AS v_at_risk,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 2), 0)::bigint AS v_on_track,
			COALESCE(min(currency), '') AS min_currency, COALESCE(max(currency), '') AS max_currency,
			COALESCE(sum(escalations), 0)::int AS escalations
		FROM scored WHERE $4::text IS NULL OR status = $4 GROUP BY goal_root),
	tops AS (
		SELECT r.goal_root, json_agg(json_build_object('id', r.id, 'name', p.name, 'name_en', p.name_en,
			'status', p.status, 'health', (CASE sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END)) ORDER BY r.rn) AS top
		FROM ranked r JOIN projects p ON p.id = r.id WHERE r.rn <= $5 GROUP BY r.goal_root),
	roots AS (
		SELECT id, title, title_en, target FROM goals
		WHERE parent_id IS NULL AND (closed_at IS NULL OR id IN (SELECT goal_root FROM rollup))
		UNION ALL SELECT NULL, '', '', '')
	SELECT g.id, g.title, g.title_en, g.target, COALESCE(ru.projects, 0), COALESCE(ru.blocked, 0),
		COALESCE(ru.at_risk, 0), COALESCE(ru.on_track, 0), COALESCE(ru.v_blocked, 0), COALESCE(ru.v_at_risk, 0),
		COALESCE(ru.v_on_track, 0), COALESCE(ru.min_currency, ''), COALESCE(ru.max_currency, ''),
		COALESCE(ru.escalations, 0), COALESCE(t.top, '[]'),
		-- Unnarrowed but by status, the rollup has counted them (a subquery runs
		-- only when its branch is taken).
		CASE WHEN $9::text IS NULL AND $6::bigint IS NULL THEN (SELECT COALESCE(sum(projects), 0)::bigint FROM rollup)
			ELSE (SELECT count(*) FROM matching) END,
		-- The page's rows once, on the first goal's row, not once per goal.
		CASE WHEN row_number() OVER (ORDER BY g.id NULLS LAST) = 1 THEN (SELECT rows FROM page_json) END,
		(SELECT count(*) > $11::int FROM scored),
		false, -- whether the scope is every project: read, not compared
		NULL::timestamptz, -- until when the clock leaves it so: held to the content instead
		NULL::bigint[], NULL::bigint[] -- the listed projects' epochs: read, not compared
	
	FROM roots g LEFT JOIN rollup ru ON COALESCE(ru.goal_root, 0) = COALESCE(g.id, 0)
	LEFT JOIN tops t ON COALESCE(t.goal_root, 0) = COALESCE(g.id, 0)
	ORDER BY g.id NULLS LAST`

// TestPortfolioReadModelAgreesWithScoringEveryProject builds random organisations with
// goal trees, gives their projects random statuses, goals, values (ties and unknowns
// among them) and cadences, and random signals — declines, high risks, escalations,
// dates and activity on both sides of the moments read — then checks that the
// portfolio (ranked walks, the rows the clock made worse, sums) is exactly what scoring
// every project gives, for every person, at moments from long before to long after,
// under every filter, on pages from the first to past the end — with the scope
// walked from the indexes and sorted whole alike.
func TestPortfolioReadModelAgreesWithScoringEveryProject(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := store.New(pgtest.NewPool(t, pgtest.Empty()))
			rng := rand.New(rand.NewPCG(seed, 40))
			w := buildOrg(t, ctx, st, rng)
			base := time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

			var goals []int64
			for i := range 7 {
				in := accord.GoalInput{Title: fmt.Sprint("目标", i), TitleEN: fmt.Sprint("Goal ", i)}
				if i >= 3 { // below a company goal, or below a goal below one
					parent := goals[rng.IntN(len(goals))]
					in.ParentID = &parent
				}
				g, err := st.CreateGoal(ctx, 0, in)
				require.NoError(t, err)
				goals = append(goals, g.ID)
			}
			for i := range 120 {
				lead := w.users[rng.IntN(len(w.users))]
				in := accord.ProjectInput{Name: fmt.Sprint("项目", i), LeadUserID: lead,
					OwningUnitID: w.units[rng.IntN(len(w.units))]}
				in.Normalize()
				p, err := st.CreateProject(ctx, 0, in)
				require.NoError(t, err)
				w.projects = append(w.projects, p.ID)
				var needs []int64
				for j := range rng.IntN(3) {
					holder := w.units[rng.IntN(len(w.units))]
					n, err := st.CreateNeed(ctx, lead, p.ID, accord.NeedInput{Title: fmt.Sprint("需求", j),
						HolderUnitID: &holder, Tier: accord.TierImportant})
					require.NoError(t, err)
					needs = append(needs, n.ID)
				}
				if len(needs) > 0 && rng.IntN(2) == 0 { // requests, to count overdue and stale on the page
					_, err := st.SendNeeds(ctx, lead, p.ID, needs, "", time.Now())
					require.NoError(t, err)
				}
			}
			w.closeSomeUnits(t, ctx, st, rng)
			// A closed company goal still rolls up the projects that serve it.
			_, err := st.Pool().Exec(ctx, `UPDATE goals SET closed_at = now() WHERE id = $1`, goals[1])
			require.NoError(t, err)

			// The signals are set straight, not through requests: this test is about reading
			// them (TestPortfolioSignalsFollowEveryChange is about keeping them).
			pool := st.Pool()
			moments := []time.Time{base.AddDate(0, 0, -90), base.AddDate(0, 0, -1), base,
				base.Add(15 * time.Hour), base.AddDate(0, 0, 9), base.AddDate(0, 0, 90)}
			moment := func() time.Time { return moments[rng.IntN(len(moments))] }
			day := func() any { // none, a day next to a moment read, or any within two months
				switch rng.IntN(4) {
				case 0:
					return nil
				case 1:
					return moment().AddDate(0, 0, rng.IntN(3)-1).Format(time.DateOnly)
				}
				return base.AddDate(0, 0, rng.IntN(120)-60).Format(time.DateOnly)
			}
			small := func(n int) int { // mostly zero: most signals are quiet
				if rng.IntN(3) > 0 {
					return 0
				}
				return 1 + rng.IntN(n)
			}
			for _, id := range w.projects {
				var goal, amount any
				if rng.IntN(4) > 0 { // skewed: the first goals serve most projects
					goal = goals[min(rng.IntN(len(goals)), rng.IntN(len(goals)))]
				}
				if rng.IntN(5) > 0 {
					amount = int64(rng.IntN(4)) * 1000 // ties on purpose
				}
				cadence := []int{3, 7, 14, 30}[rng.IntN(4)]
				_, err := pool.Exec(ctx, `UPDATE projects SET status = $2, goal_id = $3, expected_amount = $4,
					currency = $5, cadence_days = $6 WHERE id = $1`, id,
					[]string{"active", "active", "on_hold", "done"}[rng.IntN(4)], goal, amount,
					[]string{"CNY", "CNY", "USD"}[rng.IntN(3)], cadence)
				require.NoError(t, err)
				// None, quiet for about a cadence before a moment read (minutes to hours
				// either side), or any time in the two months before base.
				var activity any
				switch rng.IntN(4) {
				case 0:
				case 1:
					edge := []time.Duration{-3 * time.Hour, -20 * time.Minute, 20 * time.Minute, 3 * time.Hour}
					activity = moment().AddDate(0, 0, -cadence).Add(edge[rng.IntN(len(edge))])
				default:
					activity = base.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
				}
				// The requests' last activity and due dates: as the project's, around
				// the moments read.
				reqs, err := pool.Query(ctx, `SELECT id FROM requests WHERE project_id = $1`, id)
				require.NoError(t, err)
				ids, err := pgx.CollectRows(reqs, pgx.RowTo[int64])
				require.NoError(t, err)
				for _, r := range ids {
					at := moment().AddDate(0, 0, -cadence).Add([]time.Duration{-3 * time.Hour, -20 * time.Minute,
						20 * time.Minute, 3 * time.Hour, -40 * 24 * time.Hour}[rng.IntN(5)])
					_, err = pool.Exec(ctx, `UPDATE requests SET last_activity_at = $2, due_date = $3 WHERE id = $1`,
						r, at, day())
					require.NoError(t, err)
				}
				_, err = pool.Exec(ctx, `UPDATE project_signals SET live = $2, declined = $3, p0_declined = $4,
					high_risk = $5, delivered = $6, escalations = $7, next_due = $8, p0_next_due = $9,
					oldest_activity = $10 WHERE project_id = $1`, id, small(5), small(2), small(1)*small(1),
					small(1)*small(1), small(3), small(2)*small(1), day(), day(), activity)
				require.NoError(t, err)
			}

			var viewers []accord.Viewer
			for _, id := range w.users {
				v, err := st.Viewer(ctx, id)
				require.NoError(t, err)
				viewers = append(viewers, v)
			}
			admin := viewers[0]
			admin.Roles.Admin = true
			viewers = append(viewers, admin)
			healths := []*accord.Health{nil, nil, ptr(accord.HealthBlocked), ptr(accord.HealthAtRisk),
				ptr(accord.HealthOnTrack), ptr(accord.Health("unwell"))}
			statuses := []*accord.ProjectStatus{nil, nil, ptr(accord.ProjectActive), ptr(accord.ProjectOnHold)}
			goalFilters := []*int64{nil, nil}
			for i := range goals {
				goalFilters = append(goalFilters, &goals[i])
			}
			pages := [][2]int{{0, 5}, {3, 4}, {0, 200}, {37, 5}, {9, 25}, {500, 5}}
			for i := range 400 {
				v := viewers[rng.IntN(len(viewers))]
				page := pages[rng.IntN(len(pages))]
				f := store.PortfolioFilter{Health: healths[rng.IntN(len(healths))], Status: statuses[rng.IntN(len(statuses))],
					GoalID: goalFilters[rng.IntN(len(goalFilters))], Offset: page[0], Limit: page[1]}
				top := 2 + rng.IntN(4)
				now := moment()
				wantRows, wantTotal, wantGoals, err := st.PortfolioPageOf(ctx, portfolioScoringEveryProject, v, f, top, now)
				require.NoError(t, err)
				ways := []struct {
					name  string
					dense int
					run   func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error)
				}{
					{"walked", 0, func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
						return st.PortfolioPageOf(ctx, store.PortfolioWalkedSQL, v, f, top, now)
					}},
					{"walked, its generic plan", 0, func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
						return st.PortfolioPageGenericOf(ctx, store.PortfolioWalkedSQL, v, f, top, now)
					}},
					{"walked statement, sparse scope", 1 << 30, func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
						return st.PortfolioPageOf(ctx, store.PortfolioWalkedSQL, v, f, top, now)
					}},
					{"sorted", 0, func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
						return st.PortfolioPageOf(ctx, store.PortfolioSortedSQL, v, f, top, now)
					}},
					{"as chosen", 1 + rng.IntN(40), func() ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
						return st.PortfolioPage(ctx, v, f, top, now)
					}},
				}
				for _, way := range ways {
					st.SetPortfolioDenseScope(way.dense)
					rows, total, goals, err := way.run()
					require.NoError(t, err)
					what := fmt.Sprintf("case %d, %s: user %d (admin %t), health %v, status %v, goal %v, offset %d, limit %d, top %d, at %s",
						i, way.name, v.User.ID, v.Roles.Admin, deref(f.Health), deref(f.Status), deref(f.GoalID), f.Offset, f.Limit, top, now)
					require.Equal(t, wantTotal, total, what)
					require.Equal(t, wantRows, rows, what)
					require.Equal(t, wantGoals, goals, what)
				}
				// Quiet: until then (and before the next day) the plain statement reads
				// the same; just after it, something else, unless the day turned first.
				for _, sql := range []string{store.PortfolioWalkedSQL, store.PortfolioSortedSQL} {
					st.SetPortfolioDenseScope(rng.IntN(2) << 30)
					read, err := st.PortfolioReadOf(ctx, sql, v, f, top, now)
					require.NoError(t, err)
					what := fmt.Sprintf("case %d: quiet %s, read at %s", i, read.Quiet, now)
					tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, now.Location())
					until := tomorrow
					if !read.Quiet.IsZero() {
						require.True(t, read.Quiet.After(now.Add(-time.Hour)), what)
						if read.Quiet.Before(until) {
							until = read.Quiet
						}
					}
					if !until.After(now) {
						continue
					}
					rows, total, goals, err := st.PortfolioPageOf(ctx, portfolioScoringEveryProject, v, f, top, until.Add(-time.Microsecond))
					require.NoError(t, err)
					require.Equal(t, wantTotal, total, what)
					require.Equal(t, wantRows, rows, what)
					require.Equal(t, wantGoals, goals, what)
					if read.Quiet.IsZero() || !read.Quiet.Before(tomorrow) {
						continue
					}
					rows, total, goals, err = st.PortfolioPageOf(ctx, portfolioScoringEveryProject, v, f, top, read.Quiet.Add(time.Microsecond))
					require.NoError(t, err)
					require.False(t, total == wantTotal && reflect.DeepEqual(rows, wantRows) && reflect.DeepEqual(goals, wantGoals),
						"%s: nothing changed just after it", what)
				}
			}
		})
	}
}

// deref is what p points to, or "none".
func deref[T any](p *T) any {
	if p == nil {
		return "none"
	}
	return *p
}
