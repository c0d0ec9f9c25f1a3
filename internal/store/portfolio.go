package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// portfolioCTE scores every project in the viewer's scope ($1 user id, $2 admin, $3
// today, $10 now): the projects owned by, or asking something of, a unit in the
// subtree of a unit the viewer heads (every project for an admin). The signals behind
// health are kept per project in project_signals by triggers (migration 0013), with
// the overdue and stale ones as the earliest date and activity, so scoring is a
// comparison per project however many requests and progress entries there are. A
// project is in scope when a unit the viewer heads is in its reach (every unit above
// an involved unit). goal_up gives each goal the company goal it rolls up to and
// every goal above it; each scored row carries its goal's (goal_root, goal_path). The
// rows are narrow (no names): what is listed is dressed afterwards. Health is kept as
// its severity, sev (0 blocked, 1 at risk, 2 on track), which sorts as an integer.
//
// Its CASE is accord.HealthOf written in SQL, over the same signals
// (accord.HealthSignals): change one with the other; TestHealthInSQLAgreesWithHealthOf
// checks they agree. Callers pass now as both $3 and $10. $3, a date, is now's
// calendar day in now's zone, the company's (pgx sends it so); $10 is the moment,
// kept apart because a parameter read as a date once is a date everywhere, and
// $3::timestamptz would be midnight.
const portfolioCTE = `WITH RECURSIVE goal_up AS (
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
			WHERE unit_id IN (SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL)))`

// portfolioSeverity orders scored projects: blocked first (sev 0), then at risk (1),
// then the most escalations and the most value.
const portfolioSeverity = `sev, escalations DESC, expected_amount DESC NULLS LAST, id`

// portfolioHealth names a scored row's severity as an accord.Health.
const portfolioHealth = `(CASE sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END)`

// PortfolioFilter narrows the portfolio. Pointer fields are unset when nil.
type PortfolioFilter struct {
	Health *accord.Health
	Status *accord.ProjectStatus
	GoalID *int64 // projects whose goal is this one or sits below it
	Offset int
	Limit  int
}

// portfolioGoalsTail ranks the scored projects of status $4 within each company goal
// and selects each goal's rollup, naming $5 projects; portfolioGoalsFrom ends the
// statement, so a caller may add columns between the two. The counts are grouped by
// goal before they meet the goals' titles, and only the named projects are joined
// to their names.
const portfolioGoalsTail = `ranked AS (
		-- Only what the order needs is sorted: the rows are narrow, so is the sort.
		SELECT id, goal_root, sev, row_number() OVER (PARTITION BY goal_root ORDER BY ` + portfolioSeverity + `) AS rn
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
			'status', p.status, 'health', ` + portfolioHealth + `) ORDER BY r.rn) AS top
		FROM ranked r JOIN projects p ON p.id = r.id WHERE r.rn <= $5 GROUP BY r.goal_root),
	roots AS (
		SELECT id, title, title_en, target FROM goals
		WHERE parent_id IS NULL AND (closed_at IS NULL OR id IN (SELECT goal_root FROM rollup))
		UNION ALL SELECT NULL, '', '', '')
	SELECT g.id, g.title, g.title_en, g.target, COALESCE(ru.projects, 0), COALESCE(ru.blocked, 0),
		COALESCE(ru.at_risk, 0), COALESCE(ru.on_track, 0), COALESCE(ru.v_blocked, 0), COALESCE(ru.v_at_risk, 0),
		COALESCE(ru.v_on_track, 0), COALESCE(ru.min_currency, ''), COALESCE(ru.max_currency, ''),
		COALESCE(ru.escalations, 0), COALESCE(t.top, '[]')`

const portfolioGoalsFrom = `
	FROM roots g LEFT JOIN rollup ru ON COALESCE(ru.goal_root, 0) = COALESCE(g.id, 0)
	LEFT JOIN tops t ON COALESCE(t.goal_root, 0) = COALESCE(g.id, 0)
	ORDER BY g.id NULLS LAST`

// scanGoalRollup reads one row of portfolioGoalsTail, then extra columns.
func scanGoalRollup(r pgx.CollectableRow, extra ...any) (accord.GoalRollup, error) {
	var g accord.GoalRollup
	var id *int64
	var blocked, atRisk, onTrack int
	var vBlocked, vAtRisk, vOnTrack int64
	var minCur, maxCur string
	var topJSON []byte
	dest := append([]any{&id, &g.Goal.Title, &g.Goal.TitleEN, &g.Goal.Target, &g.Projects, &blocked, &atRisk, &onTrack,
		&vBlocked, &vAtRisk, &vOnTrack, &minCur, &maxCur, &g.Escalations, &topJSON}, extra...)
	if err := r.Scan(dest...); err != nil {
		return g, err
	}
	if id != nil {
		g.Goal.ID = *id
	}
	g.Counts = map[accord.Health]int{accord.HealthBlocked: blocked, accord.HealthAtRisk: atRisk, accord.HealthOnTrack: onTrack}
	g.Value = map[accord.Health]int64{accord.HealthBlocked: vBlocked, accord.HealthAtRisk: vAtRisk, accord.HealthOnTrack: vOnTrack}
	if minCur == maxCur {
		g.Currency = minCur
	}
	return g, json.Unmarshal(topJSON, &g.Top)
}

// portfolioRowJSON is the JSON shape of a accord.PortfolioRow inside PortfolioPage's query.
type portfolioRowJSON struct {
	ID              int64                `json:"id"`
	Name            string               `json:"name"`
	NameEN          string               `json:"name_en"`
	Status          accord.ProjectStatus `json:"status"`
	OwningUnitID    int64                `json:"unit_id"`
	UnitName        string               `json:"unit_name"`
	UnitNameEN      string               `json:"unit_name_en"`
	LeadName        string               `json:"lead_name"`
	LeadNameEN      string               `json:"lead_name_en"`
	GoalID          *int64               `json:"goal_id"`
	GoalTitle       string               `json:"goal_title"`
	GoalTitleEN     string               `json:"goal_title_en"`
	ExpectedAmount  *int64               `json:"expected_amount"`
	Currency        string               `json:"currency"`
	ExpectedOutcome string               `json:"expected_outcome"`
	TargetDate      jsonDate             `json:"target_date"`
	Health          accord.Health        `json:"health"`
	Live            int                  `json:"live"`
	P0Declined      int                  `json:"p0_declined"`
	P0Overdue       int                  `json:"p0_overdue"`
	Declined        int                  `json:"declined"`
	Overdue         int                  `json:"overdue"`
	Stale           int                  `json:"stale"`
	HighRisk        int                  `json:"high_risk"`
	Delivered       int                  `json:"delivered"`
	Escalations     int                  `json:"escalations"`
}

// PortfolioPage is an executive's portfolio in one query that scores the projects in
// scope once: the page of rows matching f, worst first, with their total; and the
// rollup to the company goals — every open company goal (and a closed one that still
// has projects), then the projects that serve no goal — narrowed by f.Status alone,
// each naming its worst top projects. Only the page's rows count their overdue and
// stale requests, which depend on the moment. It runs its generic plan
// (queryGenericPlan): planned for its parameters it took 2 ms more on each
// connection's first five calls and ran no faster for any view measured (the root's
// head and an administrator, by status, health and goal).
func (s *Store) PortfolioPage(ctx context.Context, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	var total int
	var pageJSON []byte
	var goals []accord.GoalRollup
	err := s.queryGenericPlan(ctx, portfolioCTE+`,
	matching AS (
		SELECT id, sev, escalations, expected_amount FROM scored
		WHERE ($9::text IS NULL OR `+portfolioHealth+` = $9) AND ($4::text IS NULL OR status = $4)
		  AND ($6::bigint IS NULL OR $6 = ANY (goal_path))),
	page AS (
		SELECT sc.*, `+portfolioHealth+` AS health
		FROM (SELECT id FROM matching ORDER BY `+portfolioSeverity+` OFFSET $7 LIMIT $8) m JOIN scored sc USING (id)),
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
			WHERE r.project_id = pg.id AND r.state IN `+sentOpen+`) t),
	`+portfolioGoalsTail+`,
		-- Unnarrowed but by status, the rollup has counted them (a subquery runs
		-- only when its branch is taken).
		CASE WHEN $9::text IS NULL AND $6::bigint IS NULL THEN (SELECT COALESCE(sum(projects), 0)::bigint FROM rollup)
			ELSE (SELECT count(*) FROM matching) END,
		-- The page's rows once, on the first goal's row, not once per goal.
		CASE WHEN row_number() OVER (ORDER BY g.id NULLS LAST) = 1 THEN (SELECT rows FROM page_json) END
	`+portfolioGoalsFrom,
		[]any{v.User.ID, v.Roles.Admin, now, f.Status, top, f.GoalID, f.Offset, f.Limit, f.Health, now},
		func(rows pgx.Rows) error {
			var err error
			goals, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.GoalRollup, error) {
				var rowsJSON []byte
				g, err := scanGoalRollup(r, &total, &rowsJSON)
				if rowsJSON != nil {
					pageJSON = rowsJSON
				}
				return g, err
			})
			return err
		})
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: portfolio page of user %d: %w", v.User.ID, err)
	}
	var in []portfolioRowJSON
	if err := json.Unmarshal(pageJSON, &in); err != nil {
		return nil, 0, nil, fmt.Errorf("store: portfolio page of user %d: %w", v.User.ID, err)
	}
	list := make([]accord.PortfolioRow, 0, len(in))
	for _, p := range in {
		list = append(list, accord.PortfolioRow{ID: p.ID, Name: p.Name, NameEN: p.NameEN, Status: p.Status,
			OwningUnitID: p.OwningUnitID, UnitName: p.UnitName, UnitNameEN: p.UnitNameEN, LeadName: p.LeadName,
			LeadNameEN: p.LeadNameEN, GoalID: p.GoalID, GoalTitle: p.GoalTitle, GoalTitleEN: p.GoalTitleEN,
			ExpectedAmount: p.ExpectedAmount, Currency: p.Currency, ExpectedOutcome: p.ExpectedOutcome,
			TargetDate: p.TargetDate.t, Health: p.Health, Live: p.Live, P0Declined: p.P0Declined,
			P0Overdue: p.P0Overdue, Declined: p.Declined, Overdue: p.Overdue, Stale: p.Stale, HighRisk: p.HighRisk,
			Delivered: p.Delivered, Escalations: p.Escalations})
	}
	return list, total, goals, nil
}

// UnitLoad is what the units in a viewer's scope are asked for right now.
type UnitLoad struct {
	UnitID        int64
	Name          string
	NameEN        string
	Open          int     // requests sent to it and still open
	AskedDays     float64 // effort of requests waiting for its answer (requested, countered)
	CommittedDays float64 // effort of requests it agreed to or is working on
	Declined      int
}

// PortfolioLoad lists the units in the viewer's scope that have open requests, the
// most loaded first, in one query over the load kept per unit (migration 0013).
func (s *Store) PortfolioLoad(ctx context.Context, v accord.Viewer, limit int) ([]UnitLoad, error) {
	rows, err := s.pool.Query(ctx, `SELECT h.id, h.name, h.name_en, l.open, l.asked::float8, l.committed::float8, l.declined
		FROM unit_load l JOIN units h ON h.id = l.unit_id
		WHERE (l.open > 0 OR l.declined > 0)
		  AND ($2::boolean OR h.path && `+openUnitsHeaded+`)
		ORDER BY l.asked + l.committed DESC, l.open DESC, h.path LIMIT $3`, v.User.ID, v.Roles.Admin, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unit load for user %d: %w", v.User.ID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (UnitLoad, error) {
		var u UnitLoad
		err := r.Scan(&u.UnitID, &u.Name, &u.NameEN, &u.Open, &u.AskedDays, &u.CommittedDays, &u.Declined)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unit load for user %d: %w", v.User.ID, err)
	}
	return list, nil
}
