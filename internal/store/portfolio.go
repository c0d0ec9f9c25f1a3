package store

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/encoding/json"

	"accord/internal/accord"
)

// The portfolio reads each project's row of project_signals (migrations 0013 and 0040):
// the signals behind health, kept by triggers, with the overdue and stale ones as the
// earliest date and activity; the project's status, goal, value and cadence, copied
// from it; and sev_static, its severity apart from the clock. Severity (sev) sorts as
// an integer: 0 blocked, 1 at risk, 2 on track. The clock can only lower it: a date
// passes, activity goes quiet. So a row's sev is its sev_static unless the clock has
// lowered it (portfolioLowered). (The sums by sev_static kept for a scope of every
// project, portfolio_totals, follow project_signals' writes: a migration that changes
// how sev_static is made must rebuild them, rebuild_portfolio_totals, migration 0062.)
//
// The rows in the viewer's scope are summed per goal and severity: scored one by one,
// or for a scope of every project read from the sums kept (portfolioStatement). What is
// ranked from them depends on how many there are. A scope of up to
// portfolioDenseScope projects is kept and sorted whole. A bigger one (the root's
// head: every project) is ranked by walking the rank indexes in sev_static order,
// testing each row's scope (not for a scope of every project), skipping the lowered
// rows, and merging those in, read again by their indexes: the walks stop after the
// few rows each list needs, where sorting 10,000 rows cost 7 ms. In a sparse scope the walks would read
// most of the index to find their rows (a team's head: 3 ms sorted, 37 ms walked).
//
// Parameters: $1 user id, $2 admin, $3 today, $4 status, $5 projects named per goal,
// $6 goal, $7 offset, $8 limit, $9 health, $10 now, $11 portfolioDenseScope. Callers
// pass now as both $3 and $10. $3, a date, is now's calendar day in now's zone, the
// company's (pgx sends it so); $10 is the moment, kept apart because a parameter read
// as a date once is a date everywhere, and $3::timestamptz would be midnight.

// portfolioDenseScope: above this many projects in scope, the portfolio walks its rank
// indexes; up to it, it sorts them (a sort of 2,000 narrow rows costs about 1 ms).
const portfolioDenseScope = 2000

// portfolioSev is accord.HealthOf written in SQL over a project_signals row s:
// TestHealthInSQLAgreesWithHealthOf checks they agree; change one with the other.
const portfolioSev = `(CASE WHEN s.sev_static = 0 OR s.p0_next_due < $3::date THEN 0
	WHEN s.sev_static = 1 OR s.next_due < $3::date
		OR s.oldest_activity < $10::timestamptz - make_interval(days => s.cadence_days) THEN 1
	ELSE 2 END)`

// portfolioLowered is true when the clock has made row s worse than its sev_static
// (and NULL, not false, when a date it compares is unknown: say IS TRUE or IS NOT
// TRUE). Its first two arms, and the third's stale_at key, are the partial indexes of
// migration 0040.
const portfolioLowered = `((s.sev_static > 0 AND s.p0_next_due < $3::date)
	OR (s.sev_static = 2 AND s.next_due < $3::date)
	OR (s.sev_static = 2 AND s.stale_at < $10::timestamptz + interval '1 day'
		AND s.oldest_activity < $10::timestamptz - make_interval(days => s.cadence_days)))`

// quietAfter is the first moment at which "at < $10 - days" holds, at the latest (the
// condition a project's or request's quiet spell meets, days counted in the session's
// time zone): at plus the days, read in that zone, which is exactly the moment unless
// the clocks change within an hour of either end; then an hour earlier. (Near a
// change, "minus days" lands in a skipped hour or on the later of a repeated one, and
// the condition can hold up to an hour before.) A page kept until it
// (PortfolioRead.Quiet) is never older than the clock
// (TestQuietAfterIsNeverLateAcrossDaylightSaving).
func quietAfter(at, days string) string {
	plus := `(` + at + ` + make_interval(days => ` + days + `))`
	steady := func(t string) string { // no change of the clocks within an hour of t
		return `extract(timezone FROM ` + t + ` - interval '1 hour') = extract(timezone FROM ` + t + ` + interval '1 hour')`
	}
	return `(` + plus + ` - CASE WHEN ` + steady(`(`+at+`)`) + ` AND ` + steady(plus) + `
		THEN interval '0' ELSE interval '1 hour' END)`
}

// portfolioClockSpan bounds how far quietAfter may fall from stale_at, the row's
// moment counted in UTC days (migration 0040): days counted in the session's zone
// differ by at most the hour of a change of daylight saving, and quietAfter may take
// another off; so it lies within two hours before stale_at and one after. The first
// moment the clock lowers a row on track is then among the rows whose stale_at is
// within three hours of the least, and no row whose stale_at is more than that before
// now is still on track. The statement scores the few rows between exactly, not all.
const portfolioClockSpan = `interval '3 hours'`

// portfolioInScope is true when row s is in the viewer's scope: every project for an
// administrator or the one root's head, else those with a unit the viewer heads in
// their reach (every unit above an involved unit). It probes project_reach by key (OFFSET 0 keeps the planner
// from hashing the whole scope first), for the walks of a dense scope, which stop
// after a few rows, and the rows near the first the clock may lower.
const portfolioInScope = `((SELECT every FROM headed) OR EXISTS (SELECT 1 FROM project_reach pr
	WHERE pr.project_id = s.project_id AND pr.unit_id = ANY ((SELECT ids FROM headed)::bigint[]) OFFSET 0))`

// portfolioSeverity orders scored rows: blocked first, then at risk, then the most
// escalations and the most value. The rank indexes of migration 0040 are in this order
// with sev_static for sev.
const portfolioSeverity = `sev, escalations DESC, expected_amount DESC NULLS LAST, project_id`

// portfolioHealth names a scored row's severity as an accord.Health.
const portfolioHealth = `(CASE sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END)`

// portfolioSevBounds are the least and greatest sev_static a row matching health $9
// may have (none for a health that is not one).
const portfolioSevBounds = `(CASE WHEN $9::text IS NULL OR $9 = 'blocked' THEN 0 WHEN $9 = 'at_risk' THEN 1
		WHEN $9 = 'on_track' THEN 2 ELSE 3 END)
	AND (CASE WHEN $9::text IS NULL OR $9 = 'on_track' THEN 2 WHEN $9 = 'at_risk' THEN 1
		WHEN $9 = 'blocked' THEN 0 ELSE -1 END)`

// portfolioWalk lists the unlowered rows in scope of status $4 whose sev_static is
// within bounds, where cond holds, in portfolioSeverity order, up to limit: for a
// dense scope only (its one-time filter skips it otherwise).
func portfolioWalk(cond, bounds, limit string) string {
	return `SELECT s.project_id, s.goal_id, s.escalations, s.expected_amount, s.sev_static AS sev
		FROM project_signals s
		WHERE (SELECT yes FROM dense) AND ` + cond + ` AND ($4::text IS NULL OR s.status = $4)
		  AND s.sev_static BETWEEN ` + bounds + `
		  AND ` + portfolioLowered + ` IS NOT TRUE AND ` + portfolioInScope + `
		ORDER BY s.sev_static, s.escalations DESC, s.expected_amount DESC NULLS LAST, s.project_id LIMIT ` + limit
}

// portfolioStatement is the whole portfolio in one statement, which walks the rank
// indexes for a dense scope when walked is set (portfolioWalkedSQL) and otherwise
// sorts the scope whatever its size (portfolioSortedSQL).
//   - goal_up gives each goal the company goal it rolls up to and every goal above it.
//   - counted sums the rows in scope of status $4 per goal and severity, for the
//     rollup to company goals and the page's total.
//   - page_ids and ranked give the page of rows matching $9, $4 and $6, worst first,
//     and the worst $5 of each company goal: merged from the walks and the rows the
//     clock has made worse (unwalked) for a dense scope, sorted from every row in
//     scope otherwise.
//   - The sorted statement scores the scope's rows once (scoped) for both. The walked
//     one sums them as it scores them (by_sev), without keeping them: kept and summed
//     again, the root's head's 10,000 rows cost 3 ms more; it reads the rows the
//     clock lowered by migration 0040's indexes, and every row again only for a scope
//     that turns out sparse. A scope of every project scores none of them: it reads
//     the sums kept by sev_static (portfolio_totals, migration 0062) and moves the
//     rows the clock lowered (lowered) to their severity — 4.6 ms of the root's
//     head's 12.9 at 10,000 projects — and the first project on track to go quiet
//     from the stale_at index (clock).
//   - Only what is listed is dressed with names; only the page's rows count their
//     overdue and stale requests.
//   - Its last three columns say whether the scope was dense (more than $11 projects
//     of status $4), whether it is every project, and the first moment at which the
//     clock alone would change what it read (clock and page_json's quiet; a date
//     passing aside): a project on track goes quiet, a listed request goes stale.
func portfolioStatement(walked bool) string {
	inScope := `((SELECT every FROM headed) OR s.project_id IN (SELECT project_id FROM project_reach
			WHERE unit_id = ANY ((SELECT ids FROM headed)::bigint[])))
		  AND ($4::text IS NULL OR s.status = $4)`
	probedInScope := portfolioInScope + ` AND ($4::text IS NULL OR s.status = $4)`
	// scored: the rows in scope, scored, summed per goal (counted), and those the
	// page and the goals' lists rank apart from the walks (unwalked).
	scored := `scoped AS MATERIALIZED (
		SELECT s.project_id, s.goal_id, s.escalations, s.expected_amount, s.currency, ` + portfolioSev + ` AS sev,
			s.stale_at, s.oldest_activity, s.cadence_days
		FROM project_signals s
		-- The scope is hashed once here, not probed row by row.
		WHERE ` + inScope + `),
	counted AS MATERIALIZED (
		SELECT goal_id, count(*) AS projects,
			count(*) FILTER (WHERE sev = 0) AS blocked, count(*) FILTER (WHERE sev = 1) AS at_risk,
			count(*) FILTER (WHERE sev = 2) AS on_track,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 0), 0)::bigint AS v_blocked,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 1), 0)::bigint AS v_at_risk,
			COALESCE(sum(expected_amount) FILTER (WHERE sev = 2), 0)::bigint AS v_on_track,
			min(currency) AS min_currency, max(currency) AS max_currency, sum(escalations) AS escalations
		FROM scoped GROUP BY goal_id),
	unwalked AS (SELECT project_id, goal_id, escalations, expected_amount, sev FROM scoped),
	-- The clock lowers only a row on track by itself (a date passing lowers any at
	-- midnight, which the caller bounds); portfolioClockSpan says why only these rows.
	clock AS (SELECT min(` + quietAfter("oldest_activity", "cadence_days") + `) AS quiet FROM scoped
		WHERE sev = 2 AND stale_at <= (SELECT min(stale_at) FROM scoped WHERE sev = 2) + ` + portfolioClockSpan + `),`
	pageWalks, topWalks := ``, ``
	if walked {
		scored = `lowered AS MATERIALIZED (
		-- Every project's rows the clock has lowered (migration 0040's indexes on the
		-- lowered arms), for the sums below and the page.
		SELECT s.project_id, s.goal_id, s.escalations, s.expected_amount, s.currency, s.sev_static,
			` + portfolioSev + ` AS sev
		FROM project_signals s
		WHERE (SELECT every FROM headed) AND ` + portfolioLowered + ` AND ($4::text IS NULL OR s.status = $4)),
	by_sev AS MATERIALIZED (
		-- Every project: the sums kept by sev_static (portfolio_totals, migration 0062),
		-- each lowered row moved from its sev_static to its sev; a currency counts where
		-- projects remain. The first on track's stale_at is read apart (clock).
		SELECT goal_id, sev, sum(n)::bigint AS n, sum(v) AS v, min(currency) FILTER (WHERE n > 0) AS lo,
			max(currency) FILTER (WHERE n > 0) AS hi, sum(esc) AS esc, NULL::timestamptz AS stale_at
		FROM (SELECT goal_id, sev, currency, sum(n) AS n, sum(v) AS v, sum(esc) AS esc FROM (
				SELECT goal_id, sev_static AS sev, currency, projects AS n, value AS v, escalations AS esc
				FROM portfolio_totals WHERE (SELECT every FROM headed) AND ($4::text IS NULL OR status = $4)
				UNION ALL SELECT goal_id, sev_static, currency, -1, -COALESCE(expected_amount, 0), -escalations FROM lowered
				UNION ALL SELECT goal_id, sev, currency, 1, COALESCE(expected_amount, 0), escalations FROM lowered) x
			GROUP BY goal_id, sev, currency) y
		GROUP BY goal_id, sev HAVING sum(n) > 0
		UNION ALL
		-- Any other scope: its rows scored and summed (the scope is hashed once here,
		-- not probed row by row).
		SELECT s.goal_id, ` + portfolioSev + ` AS sev, count(*) AS n, sum(s.expected_amount) AS v,
			min(s.currency) AS lo, max(s.currency) AS hi, sum(s.escalations) AS esc, min(s.stale_at) AS stale_at
		FROM project_signals s
		WHERE NOT (SELECT every FROM headed) AND ` + inScope + `
		GROUP BY 1, 2),
	counted AS MATERIALIZED (
		SELECT goal_id, sum(n)::bigint AS projects, COALESCE(sum(n) FILTER (WHERE sev = 0), 0)::bigint AS blocked,
			COALESCE(sum(n) FILTER (WHERE sev = 1), 0)::bigint AS at_risk,
			COALESCE(sum(n) FILTER (WHERE sev = 2), 0)::bigint AS on_track,
			COALESCE(sum(v) FILTER (WHERE sev = 0), 0)::bigint AS v_blocked,
			COALESCE(sum(v) FILTER (WHERE sev = 1), 0)::bigint AS v_at_risk,
			COALESCE(sum(v) FILTER (WHERE sev = 2), 0)::bigint AS v_on_track,
			min(lo) AS min_currency, max(hi) AS max_currency, sum(esc) AS escalations
		FROM by_sev GROUP BY goal_id),
	dense AS MATERIALIZED (SELECT COALESCE(sum(projects), 0) > $11::int AS yes FROM counted),
	-- Read again by the stale_at index, only near the first (portfolioClockSpan):
	-- those few rows probe the scope by key rather than hash it again (2 ms for an
	-- executive whose units reach nearly every project).
	clock AS (SELECT min(` + quietAfter("s.oldest_activity", "s.cadence_days") + `) AS quiet FROM project_signals s
		WHERE s.sev_static = 2 AND s.stale_at BETWEEN $10::timestamptz - ` + portfolioClockSpan + `
			AND COALESCE((SELECT min(stale_at) FROM by_sev WHERE sev = 2),
				-- every project: the first on track, from the same index (none on track
				-- has a stale_at further before now: portfolioClockSpan)
				(SELECT s.stale_at FROM project_signals s WHERE (SELECT every FROM headed) AND s.sev_static = 2
					AND s.stale_at >= $10::timestamptz - ` + portfolioClockSpan + ` AND ($4::text IS NULL OR s.status = $4)
					AND ` + portfolioSev + ` = 2 ORDER BY s.stale_at LIMIT 1)) + ` + portfolioClockSpan + `
		  AND ` + portfolioSev + ` = 2 AND ` + probedInScope + `),
	-- What a dense scope's walks skip, merged back in (from the indexes on the
	-- lowered arms: in a company where many projects are late or quiet these are
	-- thousands, so the scope is hashed for them); every row of a sparse one.
	unwalked AS MATERIALIZED (
		SELECT project_id, goal_id, escalations, expected_amount, sev FROM lowered WHERE (SELECT yes FROM dense)
		UNION ALL
		SELECT s.project_id, s.goal_id, s.escalations, s.expected_amount, ` + portfolioSev + ` AS sev FROM project_signals s
		WHERE NOT (SELECT every FROM headed) AND (SELECT yes FROM dense) AND ` + portfolioLowered + ` AND ` + inScope + `
		UNION ALL
		SELECT s.project_id, s.goal_id, s.escalations, s.expected_amount, ` + portfolioSev + ` AS sev FROM project_signals s
		WHERE NOT (SELECT yes FROM dense) AND ` + inScope + `),`
		pageWalks = `(` + portfolioWalk("$6::bigint IS NULL", portfolioSevBounds, "$7::int + $8::int") + `)
			UNION ALL
			-- Under a goal filter, each goal below it is walked on its own.
			SELECT w.* FROM goal_up g CROSS JOIN LATERAL (
				` + portfolioWalk("s.goal_id = g.id", portfolioSevBounds, "$7::int + $8::int") + `) w
			WHERE $6 = ANY (g.path)
			UNION ALL`
		topWalks = `SELECT g.root AS goal_root, w.* FROM goal_up g CROSS JOIN LATERAL (
				` + portfolioWalk("s.goal_id = g.id", "0 AND 2", "$5") + `) w
			UNION ALL SELECT NULL, w.* FROM (` + portfolioWalk("s.goal_id IS NULL", "0 AND 2", "$5") + `) w
			UNION ALL`
	}
	return `WITH RECURSIVE goal_up AS (
		SELECT id, id AS root, ARRAY[id] AS path FROM goals WHERE parent_id IS NULL
		UNION ALL
		SELECT g.id, u.root, u.path || g.id FROM goals g JOIN goal_up u ON g.parent_id = u.id),
	-- every: the viewer sees every project.
	headed AS MATERIALIZED (SELECT ids, ` + seesEveryProject + ` AS every
		FROM (SELECT ` + openUnitsHeaded + ` AS ids) h),
	` + scored + `
	rollup AS (
		SELECT gu.root AS goal_root, sum(projects) AS projects, sum(blocked) AS blocked, sum(at_risk) AS at_risk,
			sum(on_track) AS on_track, sum(v_blocked)::bigint AS v_blocked, sum(v_at_risk)::bigint AS v_at_risk,
			sum(v_on_track)::bigint AS v_on_track, COALESCE(min(min_currency), '') AS min_currency,
			COALESCE(max(max_currency), '') AS max_currency, COALESCE(sum(escalations), 0)::int AS escalations
		FROM counted c LEFT JOIN goal_up gu ON gu.id = c.goal_id GROUP BY gu.root),
	page_ids AS (
		SELECT x.project_id, x.sev FROM (
			` + pageWalks + `
			SELECT project_id, goal_id, escalations, expected_amount, sev FROM unwalked
			WHERE ($9::text IS NULL OR ` + portfolioHealth + ` = $9)
			  AND ($6::bigint IS NULL OR goal_id IN (SELECT id FROM goal_up WHERE $6 = ANY (path)))) x
		ORDER BY ` + portfolioSeverity + ` OFFSET $7 LIMIT $8),
	page_json AS (
		SELECT COALESCE(json_agg(json_build_object(
			'id', pg.project_id, 'name', p.name, 'name_en', p.name_en, 'status', s.status, 'unit_id', p.owning_unit_id,
			'unit_name', ou.name, 'unit_name_en', ou.name_en, 'lead_name', l.name, 'lead_name_en', l.name_en,
			'goal_id', gu.root, 'goal_title', COALESCE(rg.title, ''), 'goal_title_en', COALESCE(rg.title_en, ''),
			'expected_amount', s.expected_amount, 'currency', s.currency, 'expected_outcome', p.expected_outcome,
			'target_date', to_char(p.target_date, 'YYYY-MM-DD'),
			'health', (CASE pg.sev WHEN 0 THEN 'blocked' WHEN 1 THEN 'at_risk' ELSE 'on_track' END), 'live', s.live,
			'p0_declined', s.p0_declined, 'p0_overdue', t.p0_overdue, 'declined', s.declined, 'overdue', t.overdue,
			'stale', t.stale, 'high_risk', s.high_risk, 'delivered', s.delivered, 'escalations', s.escalations)
			ORDER BY pg.sev, s.escalations DESC, s.expected_amount DESC NULLS LAST, pg.project_id), '[]') AS rows,
			min(q.quiet) AS quiet,
			-- The listed projects' row epochs, read with their rows (CompanyEpochs).
			array_agg(pg.project_id ORDER BY pg.project_id) AS listed,
			array_agg(COALESCE(pe.epoch, 0) ORDER BY pg.project_id) AS listed_epochs
		FROM page_ids pg JOIN project_signals s ON s.project_id = pg.project_id
		LEFT JOIN portfolio_row_epochs pe ON pe.project_id = pg.project_id
		JOIN projects p ON p.id = pg.project_id
		JOIN units ou ON ou.id = p.owning_unit_id
		JOIN users l ON l.id = p.lead_user_id
		LEFT JOIN goal_up gu ON gu.id = s.goal_id
		LEFT JOIN goals rg ON rg.id = gu.root
		-- The moment a listed project's requests went quiet if not active since: reckoned
		-- once per project (OFFSET 0 keeps it from being inlined into every row's test).
		CROSS JOIN LATERAL (SELECT $10::timestamptz - make_interval(days => s.cadence_days) AS since OFFSET 0) c
		-- A live request keeps its need's tier in queue_tier (migrations 0012, 0015),
		-- so the listed projects' requests are counted without reading their needs.
		CROSS JOIN LATERAL (
			SELECT count(*) FILTER (WHERE r.due_date < $3::date AND r.queue_tier = 'P0') AS p0_overdue,
				count(*) FILTER (WHERE r.due_date < $3::date) AS overdue,
				count(*) FILTER (WHERE r.last_activity_at < c.since) AS stale,
				min(r.last_activity_at) FILTER (WHERE r.last_activity_at >= c.since) AS least_active,
				array_agg(r.last_activity_at) FILTER (WHERE r.last_activity_at >= c.since) AS active
			FROM requests r
			WHERE r.project_id = pg.project_id AND r.state IN ` + sentOpen + `) t
		-- The first of those not yet quiet to go quiet is among those active within
		-- portfolioClockSpan of the least recently active: quietAfter lies within an
		-- hour before the exact moment, which moves with the activity give or take an
		-- hour. Only those few are reckoned with quietAfter's changes of the clocks.
		CROSS JOIN LATERAL (
			SELECT min(` + quietAfter("x.at", "s.cadence_days") + `) AS quiet
			FROM unnest(t.active) x (at) WHERE x.at < t.least_active + ` + portfolioClockSpan + `) q),
	ranked AS (
		SELECT project_id, goal_root, sev,
			row_number() OVER (PARTITION BY goal_root ORDER BY ` + portfolioSeverity + `) AS rn
		FROM (
			` + topWalks + `
			SELECT gu.root AS goal_root, u.* FROM unwalked u LEFT JOIN goal_up gu ON gu.id = u.goal_id) x),
	tops AS (
		SELECT r.goal_root, json_agg(json_build_object('id', r.project_id, 'name', p.name, 'name_en', p.name_en,
			'status', p.status, 'health', ` + portfolioHealth + `) ORDER BY r.rn) AS top
		-- Each named project by key (OFFSET 0 keeps the subquery from being flattened
		-- into a join): estimating the ranked rows as many, the planner hashed every
		-- project to name 255 of them, 3 ms of the root's head's 14.
		FROM ranked r CROSS JOIN LATERAL (SELECT name, name_en, status FROM projects WHERE id = r.project_id OFFSET 0) p
		WHERE r.rn <= $5 GROUP BY r.goal_root),
	roots AS (
		SELECT id, title, title_en, target FROM goals
		WHERE parent_id IS NULL AND (closed_at IS NULL OR id IN (SELECT goal_root FROM rollup))
		UNION ALL SELECT NULL, '', '', '')
	SELECT g.id, g.title, g.title_en, g.target, COALESCE(ru.projects, 0), COALESCE(ru.blocked, 0),
		COALESCE(ru.at_risk, 0), COALESCE(ru.on_track, 0), COALESCE(ru.v_blocked, 0), COALESCE(ru.v_at_risk, 0),
		COALESCE(ru.v_on_track, 0), COALESCE(ru.min_currency, ''), COALESCE(ru.max_currency, ''),
		COALESCE(ru.escalations, 0), COALESCE(t.top, '[]'),
		(SELECT COALESCE(sum(CASE WHEN $9::text IS NULL THEN projects WHEN $9 = 'blocked' THEN blocked
				WHEN $9 = 'at_risk' THEN at_risk WHEN $9 = 'on_track' THEN on_track ELSE 0 END), 0)::bigint
			FROM counted c WHERE $6::bigint IS NULL OR c.goal_id IN (SELECT id FROM goal_up WHERE $6 = ANY (path))),
		-- The page's rows once, on the first goal's row, not once per goal.
		CASE WHEN row_number() OVER (ORDER BY g.id NULLS LAST) = 1 THEN (SELECT rows FROM page_json) END,
		(SELECT COALESCE(sum(projects), 0) > $11::int FROM counted), (SELECT every FROM headed),
		LEAST((SELECT quiet FROM clock), (SELECT quiet FROM page_json)),
		(SELECT listed FROM page_json), (SELECT listed_epochs FROM page_json)
	FROM roots g LEFT JOIN rollup ru ON COALESCE(ru.goal_root, 0) = COALESCE(g.id, 0)
	LEFT JOIN tops t ON COALESCE(t.goal_root, 0) = COALESCE(g.id, 0)
	ORDER BY g.id NULLS LAST`
}

var (
	portfolioWalkedSQL = portfolioStatement(true)
	portfolioSortedSQL = portfolioStatement(false)
)

// CompanyEpochs are what a page kept by a company-wide epoch (the portfolio, a
// search) was read at: the organisation's epoch (units, who heads them, names), the
// page's own, which moves on every write to the other rows it reads, and for the
// portfolio the row epochs of the projects its page lists, by project, read with
// them: a change to what only a listed row shows (its live, declined, delivered and
// high-risk counts, how many of its requests are quiet) moves its project's row
// epoch, not the portfolio's (migration 0061).
type CompanyEpochs struct {
	Org, Of  int64
	Projects map[int64]int64
}

// Equal reports whether e and o are the same epochs of the same rows.
func (e CompanyEpochs) Equal(o CompanyEpochs) bool {
	return e.Org == o.Org && e.Of == o.Of && maps.Equal(e.Projects, o.Projects)
}

// CompanyEpoch names a company-wide epoch.
type CompanyEpoch string

const (
	PortfolioEpoch CompanyEpoch = "portfolio_epoch" // migration 0056
	SearchEpoch    CompanyEpoch = "search_epoch"    // migration 0057
)

// CompanyEpochsNow reads the organisation's epoch, of, and the portfolio row epochs of
// projects, in one statement: before the page is read, to keep it with them (no
// projects yet), and before a kept one is served (those it listed).
func (s *Store) CompanyEpochsNow(ctx context.Context, of CompanyEpoch, projects []int64) (CompanyEpochs, error) {
	switch of { // a table's name in the statement: only these
	case PortfolioEpoch, SearchEpoch:
	default:
		return CompanyEpochs{}, fmt.Errorf("store: no company-wide epoch %q", of)
	}
	var at CompanyEpochs
	var epochs []int64
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT epoch FROM org_epoch), (SELECT epoch FROM `+string(of)+`),
			ARRAY(SELECT COALESCE(e.epoch, 0) FROM unnest($1::bigint[]) WITH ORDINALITY p (id, n)
				LEFT JOIN portfolio_row_epochs e ON e.project_id = p.id ORDER BY p.n)`, projects).
		Scan(&at.Org, &at.Of, &epochs); err != nil {
		return CompanyEpochs{}, fmt.Errorf("store: epochs of %s: %w", of, err)
	}
	if len(projects) > 0 {
		at.Projects = make(map[int64]int64, len(projects))
		for i, id := range projects {
			at.Projects[id] = epochs[i]
		}
	}
	return at, nil
}

// PortfolioFilter narrows the portfolio. Pointer fields are unset when nil.
type PortfolioFilter struct {
	Health *accord.Health
	Status *accord.ProjectStatus
	GoalID *int64 // projects whose goal is this one or sits below it
	Offset int
	Limit  int
}

// scanGoalRollup reads one goal's row of portfolioStatement, then extra columns.
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

// PortfolioPage is an executive's portfolio in one query (portfolioStatement): the
// page of rows matching f, worst first, with their total; and the rollup to the
// company goals — every open company goal (and a closed one that still has projects),
// then the projects that serve no goal — narrowed by f.Status alone, each naming its
// worst top projects. Only the page's rows count their overdue and stale requests,
// which depend on the moment.
//
// Which statement runs depends on the viewer's scope, of the status asked for, as
// their last such view found it (portfolioScopes); a wrong guess costs time, never
// content, and is corrected by the view it slowed. A dense scope, or one not seen
// yet, gets portfolioWalkedSQL, planned for each call (queryCustomPlan, about 4 ms):
// its walks probe each row's scope by key, and a generic plan made while the tables
// were small keeps that probe a scan of project_reach per row once they grow (10,000
// projects imported at once: 17 s a page until autovacuum analysed them). A dense
// scope of every project (an administrator, the root's head) probes nothing, so it
// runs the same statement under its generic plan: at worst, on tables analysed while
// small, a walk becomes a sort of the scope. A sparse scope gets portfolioSortedSQL
// under its generic plan: it hashes the scope and sorts it, as the statement before
// migration 0040 did (a generic plan made on small tables could still pick a plain
// subplan for the scope test; not seen).
func (s *Store) PortfolioPage(ctx context.Context, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	read, err := s.ReadPortfolio(ctx, v, f, top, now)
	return read.Rows, read.Total, read.Goals, err
}

// PortfolioRead is what PortfolioPage reads, and until when the clock leaves it so.
type PortfolioRead struct {
	Rows  []accord.PortfolioRow
	Total int
	Goals []accord.GoalRollup
	// Quiet is the first moment after which the clock alone may change what was
	// read, a calendar day passing aside: a project on track goes quiet, or a
	// listed project's request goes stale. Zero for none.
	Quiet time.Time
	// Listed are the row epochs of the projects the page lists, by project, read with
	// them (CompanyEpochs).
	Listed map[int64]int64
}

// ReadPortfolio is PortfolioPage with the moment its content holds until.
func (s *Store) ReadPortfolio(ctx context.Context, v accord.Viewer, f PortfolioFilter, top int, now time.Time) (PortfolioRead, error) {
	key := portfolioScopeKey{userID: v.User.ID}
	if f.Status != nil {
		key.status = *f.Status
	}
	sql, run := portfolioWalkedSQL, s.queryCustomPlan
	switch s.portfolioScopes.last(key) {
	case scopeSparse:
		sql, run = portfolioSortedSQL, s.queryGenericPlan
	case scopeEvery:
		run = s.queryGenericPlan
	}
	read, scope, err := s.portfolioPage(ctx, run, sql, v, f, top, now)
	if err == nil {
		s.portfolioScopes.record(key, scope)
	}
	return read, err
}

// portfolioPage runs sql, a portfolioStatement or a statement with its parameters and
// columns, by run, and reads its rows.
func (s *Store) portfolioPage(ctx context.Context, run func(context.Context, string, []any, func(pgx.Rows) error) error,
	sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) (PortfolioRead, portfolioScope, error) {
	var total int
	var dense, every bool
	var quiet *time.Time
	var pageJSON []byte
	var listed, listedEpochs []int64
	var goals []accord.GoalRollup
	err := run(ctx, sql,
		[]any{v.User.ID, v.Roles.Admin, now, f.Status, top, f.GoalID, f.Offset, f.Limit, f.Health, now, s.portfolioDenseScope},
		func(rows pgx.Rows) error {
			var err error
			goals, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.GoalRollup, error) {
				var rowsJSON []byte
				g, err := scanGoalRollup(r, &total, &rowsJSON, &dense, &every, &quiet, &listed, &listedEpochs)
				if rowsJSON != nil {
					pageJSON = rowsJSON
				}
				return g, err
			})
			return err
		})
	if err != nil {
		return PortfolioRead{}, scopeUnknown, fmt.Errorf("store: portfolio page of user %d: %w", v.User.ID, err)
	}
	var in []portfolioRowJSON
	if err := json.Unmarshal(pageJSON, &in); err != nil {
		return PortfolioRead{}, scopeUnknown, fmt.Errorf("store: portfolio page of user %d: %w", v.User.ID, err)
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
	scope := scopeSparse
	switch {
	case dense && every:
		scope = scopeEvery
	case dense:
		scope = scopeDense
	}
	read := PortfolioRead{Rows: list, Total: total, Goals: goals}
	if len(listed) > 0 {
		read.Listed = make(map[int64]int64, len(listed))
		for i, id := range listed {
			read.Listed[id] = listedEpochs[i]
		}
	}
	if quiet != nil {
		read.Quiet = *quiet
	}
	return read, scope, nil
}

// portfolioScopes remembers what each viewer's portfolio scope was at their last
// view, by the status it was narrowed to, to choose the statement for the next
// (PortfolioPage). It holds no content: a stale entry only picks a slower way once.
type portfolioScopes struct {
	mu   sync.Mutex
	seen map[portfolioScopeKey]portfolioScope
}

// portfolioScope is what a view found its scope to be.
type portfolioScope int

const (
	scopeUnknown portfolioScope = iota // not viewed yet
	scopeSparse                        // at most portfolioDenseScope projects
	scopeDense                         // more, reached through the units the viewer heads
	scopeEvery                         // more, and every project
)

// portfolioScopeKey is a viewer and the status their view was narrowed to ("" for none).
type portfolioScopeKey struct {
	userID int64
	status accord.ProjectStatus
}

func (p *portfolioScopes) last(k portfolioScopeKey) portfolioScope {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[k]
}

func (p *portfolioScopes) record(k portfolioScopeKey, scope portfolioScope) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[portfolioScopeKey]portfolioScope{}
	}
	p.seen[k] = scope
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
