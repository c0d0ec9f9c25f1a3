package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// portfolioCTE scores every project in the viewer's scope ($1 user id, $2 admin, $3
// now): the projects owned by, or asking something of, a unit in the subtree of a
// unit the viewer heads (every project for an admin). The signals behind health are
// kept per project in project_signals by triggers (migration 0013), with the overdue
// and stale ones as the earliest date and activity, so scoring is a comparison per
// project however many requests and progress entries there are. A project is in scope
// when a unit the viewer heads is in its reach (every unit above an involved unit).
// Its CASE is the rule accord.Health states; goal_up gives each goal the company goal
// it rolls up to and every goal above it.
const portfolioCTE = `WITH RECURSIVE goal_up AS (
		SELECT id, id AS root, ARRAY[id] AS path FROM goals WHERE parent_id IS NULL
		UNION ALL
		SELECT g.id, u.root, u.path || g.id FROM goals g JOIN goal_up u ON g.parent_id = u.id),
	scored AS (
		SELECT p.id, p.name, p.name_en, p.status, p.goal_id, p.expected_amount, p.currency, p.cadence_days,
			s.escalations, s.live, s.declined, s.p0_declined, s.high_risk, s.delivered,
			CASE WHEN s.p0_declined > 0 OR s.p0_next_due < $3::date OR s.escalations > 0 THEN 'blocked'
				WHEN s.declined > 0 OR s.next_due < $3::date OR s.high_risk > 0
					OR s.oldest_activity < $3::timestamptz - make_interval(days => p.cadence_days) THEN 'at_risk'
				ELSE 'on_track' END AS health
		FROM projects p JOIN project_signals s ON s.project_id = p.id
		WHERE $2::boolean OR p.id IN (SELECT project_id FROM project_reach
			WHERE unit_id IN (SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL)))`

// portfolioSeverity orders scored projects: blocked first, then at risk, then the
// most escalations and the most value.
const portfolioSeverity = `CASE health WHEN 'blocked' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END,
	escalations DESC, expected_amount DESC NULLS LAST, id`

// PortfolioFilter narrows the portfolio. Pointer fields are unset when nil.
type PortfolioFilter struct {
	Health *accord.Health
	Status *accord.ProjectStatus
	GoalID *int64 // projects whose goal is this one or sits below it
	Offset int
	Limit  int
}

// GoalRollup is one company goal with the health of the projects in the viewer's
// scope that serve it, itself or through a KPI below it. The rollup of projects that
// serve no goal has a zero Goal.
type GoalRollup struct {
	Goal        accord.Goal
	Projects    int
	Counts      map[accord.Health]int
	Value       map[accord.Health]int64 // expected amounts; meaningful when Currency is set
	Currency    string                  // "" when the projects use several currencies
	Escalations int
	Top         []GoalProject // the worst few, worst first
}

// GoalProject is a project named in a goal's rollup.
type GoalProject struct {
	ID     int64                `json:"id"`
	Name   string               `json:"name"`
	NameEN string               `json:"name_en"`
	Status accord.ProjectStatus `json:"status"`
	Health accord.Health        `json:"health"`
}

// portfolioGoalsTail ranks the scored projects of status $4 within each company goal
// and selects each goal's rollup, naming $5 projects; portfolioGoalsFrom ends the
// statement, so a caller may add columns between the two.
const portfolioGoalsTail = `ranked AS (
		SELECT *, row_number() OVER (PARTITION BY goal_root ORDER BY ` + portfolioSeverity + `) AS rn
		FROM (SELECT s.*, gu.root AS goal_root FROM scored s LEFT JOIN goal_up gu ON gu.id = s.goal_id
			WHERE $4::text IS NULL OR s.status = $4) x),
	roots AS (
		SELECT id, title, title_en, target FROM goals
		WHERE parent_id IS NULL AND (closed_at IS NULL OR id IN (SELECT goal_root FROM ranked))
		UNION ALL SELECT NULL, '', '', '')
	SELECT g.id, g.title, g.title_en, g.target, count(r.id),
		count(r.id) FILTER (WHERE r.health = 'blocked'), count(r.id) FILTER (WHERE r.health = 'at_risk'),
		count(r.id) FILTER (WHERE r.health = 'on_track'),
		COALESCE(sum(r.expected_amount) FILTER (WHERE r.health = 'blocked'), 0)::bigint,
		COALESCE(sum(r.expected_amount) FILTER (WHERE r.health = 'at_risk'), 0)::bigint,
		COALESCE(sum(r.expected_amount) FILTER (WHERE r.health = 'on_track'), 0)::bigint,
		COALESCE(min(r.currency), ''), COALESCE(max(r.currency), ''), COALESCE(sum(r.escalations), 0)::int,
		COALESCE(json_agg(json_build_object('id', r.id, 'name', r.name, 'name_en', r.name_en, 'status', r.status,
			'health', r.health) ORDER BY r.rn) FILTER (WHERE r.rn <= $5), '[]')`

const portfolioGoalsFrom = `
	FROM roots g LEFT JOIN ranked r ON COALESCE(r.goal_root, 0) = COALESCE(g.id, 0)
	GROUP BY g.id, g.title, g.title_en, g.target
	ORDER BY g.id NULLS LAST`

// scanGoalRollup reads one row of portfolioGoalsTail, then extra columns.
func scanGoalRollup(r pgx.CollectableRow, extra ...any) (GoalRollup, error) {
	var g GoalRollup
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
// stale requests, which depend on the moment.
func (s *Store) PortfolioPage(ctx context.Context, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []GoalRollup, error) {
	rows, err := s.pool.Query(ctx, portfolioCTE+`,
	page AS (
		SELECT *, count(*) OVER () AS total FROM scored
		WHERE ($9::text IS NULL OR health = $9) AND ($4::text IS NULL OR status = $4)
		  AND ($6::bigint IS NULL OR goal_id IN (SELECT id FROM goal_up WHERE $6 = ANY (path)))
		ORDER BY `+portfolioSeverity+` OFFSET $7 LIMIT $8),
	page_json AS (
		SELECT COALESCE(max(pg.total), 0) AS total, COALESCE(json_agg(json_build_object(
			'id', pg.id, 'name', pg.name, 'name_en', pg.name_en, 'status', pg.status, 'unit_id', p.owning_unit_id,
			'unit_name', ou.name, 'unit_name_en', ou.name_en, 'lead_name', l.name, 'lead_name_en', l.name_en,
			'goal_id', gu.root, 'goal_title', COALESCE(rg.title, ''), 'goal_title_en', COALESCE(rg.title_en, ''),
			'expected_amount', pg.expected_amount, 'currency', pg.currency, 'expected_outcome', p.expected_outcome,
			'target_date', to_char(p.target_date, 'YYYY-MM-DD'), 'health', pg.health, 'live', pg.live,
			'p0_declined', pg.p0_declined, 'p0_overdue', t.p0_overdue, 'declined', pg.declined, 'overdue', t.overdue,
			'stale', t.stale, 'high_risk', pg.high_risk, 'delivered', pg.delivered, 'escalations', pg.escalations)
			ORDER BY CASE pg.health WHEN 'blocked' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END,
				pg.escalations DESC, pg.expected_amount DESC NULLS LAST, pg.id), '[]') AS rows
		FROM page pg JOIN projects p ON p.id = pg.id
		JOIN units ou ON ou.id = p.owning_unit_id
		JOIN users l ON l.id = p.lead_user_id
		LEFT JOIN goal_up gu ON gu.id = pg.goal_id
		LEFT JOIN goals rg ON rg.id = gu.root
		CROSS JOIN LATERAL (
			SELECT count(*) FILTER (WHERE r.due_date < $3::date AND d.tier = 'P0') AS p0_overdue,
				count(*) FILTER (WHERE r.due_date < $3::date) AS overdue,
				count(*) FILTER (WHERE r.last_activity_at < $3::timestamptz - make_interval(days => pg.cadence_days)) AS stale
			FROM requests r JOIN needs d ON d.id = r.need_id
			WHERE r.project_id = pg.id AND r.state IN `+sentOpen+`) t),
	`+portfolioGoalsTail+`,
		(SELECT total FROM page_json), (SELECT rows FROM page_json)
	`+portfolioGoalsFrom,
		v.User.ID, v.Roles.Admin, now, f.Status, top, f.GoalID, f.Offset, f.Limit, f.Health)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: portfolio page of user %d: %w", v.User.ID, err)
	}
	var total int
	var pageJSON []byte
	goals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (GoalRollup, error) {
		return scanGoalRollup(r, &total, &pageJSON)
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
		  AND ($2::boolean OR h.path && ARRAY(SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL))
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

// jsonDate is a yyyy-mm-dd date inside a JSON aggregate; null stays nil.
type jsonDate struct{ t *time.Time }

// UnmarshalJSON reads "yyyy-mm-dd" or null.
func (d *jsonDate) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		d.t = nil
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return err
	}
	d.t = &t
	return nil
}

// LedgerRequest is a request on a unit's page: asked of it, or asked by it of another
// unit (then Unit is that unit).
type LedgerRequest struct {
	ID            int64
	State         accord.RequestState
	DueDate       *time.Time
	NeedTitle     string
	NeedTitleEN   string
	Tier          accord.Tier
	EffortDays    float64
	ProjectID     int64
	ProjectName   string
	ProjectNameEN string
	UnitID        int64
	UnitName      string
	UnitNameEN    string
}

// LedgerPromise is a promise made to a unit, with the project that made it.
type LedgerPromise struct {
	accord.Commitment
	ProjectName   string
	ProjectNameEN string
}

// UnitBalance is the give and take between a unit and one other unit across every
// project: effort one logged on the other's requests, the effort it committed to
// (agreed, in progress or delivered), and the requests it delivered.
type UnitBalance struct {
	UnitID            int64   `json:"unit_id"`
	Name              string  `json:"name"`
	NameEN            string  `json:"name_en"`
	GivenDays         float64 `json:"given_days"`
	GivenCommitted    float64 `json:"given_committed"`
	GivenDelivered    int     `json:"given_delivered"`
	ReceivedDays      float64 `json:"received_days"`
	ReceivedCommitted float64 `json:"received_committed"`
	ReceivedDelivered int     `json:"received_delivered"`
}

// UnitLedger is what a unit's page shows about its work with other units.
// Each list names only what the viewer may open; its Shown count says how many of
// its Count that is.
type UnitLedger struct {
	Queue          []LedgerRequest // asked of the unit, open, in queue order
	QueueShown     int
	QueueCount     int
	QueueAsked     float64         // effort waiting for the unit's answer
	QueueCommitted float64         // effort the unit agreed to or is working on
	Asks           []LedgerRequest // the unit's projects asking other units, open
	AsksShown      int
	AsksCount      int
	Promises       []LedgerPromise // open and overdue first
	PromisesShown  int
	PromisesKept   int
	PromisesBroken int
	PromisesOpen   int
	PromisesLate   int             // open and past their due date
	Thanks         []accord.Thanks // newest first
	ThanksShown    int
	ThanksCount    int
	Balance        []UnitBalance // the biggest exchanges first
}

// ledgerRequestJSON is the JSON shape of a LedgerRequest inside the ledger query.
type ledgerRequestJSON struct {
	ID            int64               `json:"id"`
	State         accord.RequestState `json:"state"`
	DueDate       jsonDate            `json:"due_date"`
	NeedTitle     string              `json:"title"`
	NeedTitleEN   string              `json:"title_en"`
	Tier          accord.Tier         `json:"tier"`
	EffortDays    float64             `json:"effort_days"`
	ProjectID     int64               `json:"project_id"`
	ProjectName   string              `json:"project_name"`
	ProjectNameEN string              `json:"project_name_en"`
	UnitID        int64               `json:"unit_id"`
	UnitName      string              `json:"unit_name"`
	UnitNameEN    string              `json:"unit_name_en"`
}

type ledgerPromiseJSON struct {
	ID            int64                   `json:"id"`
	ProjectID     int64                   `json:"project_id"`
	What          string                  `json:"what"`
	DueDate       jsonDate                `json:"due_date"`
	Status        accord.CommitmentStatus `json:"status"`
	CreatedAt     time.Time               `json:"created_at"`
	Version       int                     `json:"version"`
	ProjectName   string                  `json:"project_name"`
	ProjectNameEN string                  `json:"project_name_en"`
}

type ledgerThanksJSON struct {
	ID            int64     `json:"id"`
	ProjectID     int64     `json:"project_id"`
	ProjectName   string    `json:"project_name"`
	ProjectNameEN string    `json:"project_name_en"`
	Text          string    `json:"text"`
	ByName        string    `json:"by_name"`
	ByNameEN      string    `json:"by_name_en"`
	At            time.Time `json:"at"`
}

// ledgerRequestObject is the JSON object built for each request row (aliases r, d,
// p and the other unit o).
const ledgerRequestObject = `json_build_object('id', r.id, 'state', r.state,
	'due_date', to_char(COALESCE(r.due_date, d.needed_by), 'YYYY-MM-DD'), 'title', d.title, 'title_en', d.title_en,
	'tier', d.tier, 'effort_days', d.effort_days, 'project_id', p.id, 'project_name', p.name,
	'project_name_en', p.name_en, 'unit_id', o.id, 'unit_name', o.name, 'unit_name_en', o.name_en)`

// UnitLedger gathers, in one query however much there is, what a unit's page shows
// viewer v besides the unit itself: its open queue with the effort asked and
// committed, what its projects ask of others, the promises made to it, the thanks it
// received, and the give and take with every other unit. Lists name only rows of
// projects v may open (the same rule as the project pages, canViewProject); totals
// and sums count everything. limit caps each list.
func (s *Store) UnitLedger(ctx context.Context, v accord.Viewer, unitID int64, limit int, now time.Time) (UnitLedger, error) {
	var l UnitLedger
	var queue, asks, promises, thanks, balance []byte
	err := s.pool.QueryRow(ctx, `WITH touching AS (
			SELECT project_id FROM requests WHERE holder_unit_id = $3
			UNION SELECT id FROM projects WHERE owning_unit_id = $3
			UNION SELECT project_id FROM commitments WHERE unit_id = $3
			UNION SELECT project_id FROM thanks WHERE unit_id = $3),
		-- The projects among them the viewer may open: only their rows are named.
		vis AS (SELECT p.id FROM projects p JOIN touching t ON t.project_id = p.id WHERE `+canViewProject+`),
		queue AS (
			SELECT `+ledgerRequestObject+` AS obj, r.state, d.effort_days, p.id IN (SELECT id FROM vis) AS visible,
				row_number() OVER (ORDER BY `+queueOrder+`) AS pos
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units o ON o.id = p.owning_unit_id
			WHERE r.holder_unit_id = $3 AND r.state IN ('requested', 'agreed', 'countered', 'in_progress')),
		asks AS (
			SELECT `+ledgerRequestObject+` AS obj, p.id IN (SELECT id FROM vis) AS visible,
				row_number() OVER (ORDER BY d.tier, COALESCE(r.due_date, d.needed_by) NULLS LAST, r.id) AS pos
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units o ON o.id = r.holder_unit_id
			WHERE p.owning_unit_id = $3 AND r.holder_unit_id <> $3 AND r.state IN `+sentOpen+`),
		promises AS (
			SELECT json_build_object('id', c.id, 'project_id', c.project_id, 'what', c.what,
					'due_date', to_char(c.due_date, 'YYYY-MM-DD'), 'status', c.status, 'created_at', c.created_at,
					'version', c.version, 'project_name', p.name, 'project_name_en', p.name_en) AS obj,
				c.status, c.due_date, p.id IN (SELECT id FROM vis) AS visible,
				row_number() OVER (ORDER BY c.status <> 'open', c.due_date NULLS LAST, c.id) AS pos
			FROM commitments c JOIN projects p ON p.id = c.project_id WHERE c.unit_id = $3),
		thanked AS (
			SELECT json_build_object('id', t.id, 'project_id', t.project_id, 'project_name', p.name,
					'project_name_en', p.name_en, 'text', t.text, 'by_name', u.name, 'by_name_en', u.name_en, 'at', t.at) AS obj,
				p.id IN (SELECT id FROM vis) AS visible, row_number() OVER (ORDER BY t.at DESC, t.id DESC) AS pos
			FROM thanks t JOIN projects p ON p.id = t.project_id JOIN users u ON u.id = t.by_user_id
			WHERE t.unit_id = $3),
		exchanged AS (
			-- What this unit gave other units' projects …
			SELECT p.owning_unit_id AS other, COALESCE(e.days, 0) AS given_days,
				CASE WHEN r.state IN ('agreed', 'in_progress', 'delivered') THEN d.effort_days ELSE 0 END AS given_committed,
				(r.state = 'delivered')::int AS given_delivered, 0 AS received_days, 0 AS received_committed,
				0 AS received_delivered
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			LEFT JOIN LATERAL (SELECT sum(x.effort_days) AS days FROM request_updates x WHERE x.request_id = r.id) e ON true
			WHERE r.holder_unit_id = $3 AND p.owning_unit_id <> $3 AND r.state <> 'draft'
			UNION ALL
			-- … and what other units gave this unit's projects.
			SELECT r.holder_unit_id, 0, 0, 0, COALESCE(e.days, 0),
				CASE WHEN r.state IN ('agreed', 'in_progress', 'delivered') THEN d.effort_days ELSE 0 END,
				(r.state = 'delivered')::int
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			LEFT JOIN LATERAL (SELECT sum(x.effort_days) AS days FROM request_updates x WHERE x.request_id = r.id) e ON true
			WHERE p.owning_unit_id = $3 AND r.holder_unit_id <> $3 AND r.state <> 'draft'),
		balance AS (
			SELECT other, sum(given_days)::float8 AS given_days, sum(given_committed)::float8 AS given_committed,
				sum(given_delivered)::int AS given_delivered, sum(received_days)::float8 AS received_days,
				sum(received_committed)::float8 AS received_committed, sum(received_delivered)::int AS received_delivered
			FROM exchanged GROUP BY other
			-- A request only sent, with nothing committed, logged or delivered, is no exchange yet.
			HAVING sum(given_days + given_committed + given_delivered + received_days + received_committed
				+ received_delivered) > 0)
		SELECT
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM (SELECT obj, pos FROM queue WHERE visible ORDER BY pos LIMIT $4) x), (SELECT count(*) FILTER (WHERE visible) FROM queue),
			(SELECT count(*) FROM queue),
			(SELECT COALESCE(sum(effort_days) FILTER (WHERE state IN ('requested', 'countered')), 0)::float8 FROM queue),
			(SELECT COALESCE(sum(effort_days) FILTER (WHERE state IN ('agreed', 'in_progress')), 0)::float8 FROM queue),
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM (SELECT obj, pos FROM asks WHERE visible ORDER BY pos LIMIT $4) x), (SELECT count(*) FILTER (WHERE visible) FROM asks),
			(SELECT count(*) FROM asks),
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM (SELECT obj, pos FROM promises WHERE visible ORDER BY pos LIMIT $4) x), (SELECT count(*) FILTER (WHERE visible) FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'kept') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'broken') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'open') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'open' AND due_date < $5::date) FROM promises),
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM (SELECT obj, pos FROM thanked WHERE visible ORDER BY pos LIMIT $4) x), (SELECT count(*) FILTER (WHERE visible) FROM thanked),
			(SELECT count(*) FROM thanked),
			(SELECT COALESCE(json_agg(json_build_object('unit_id', u.id, 'name', u.name, 'name_en', u.name_en,
					'given_days', b.given_days, 'given_committed', b.given_committed, 'given_delivered', b.given_delivered,
					'received_days', b.received_days, 'received_committed', b.received_committed,
					'received_delivered', b.received_delivered)
				ORDER BY b.given_days + b.received_days + b.given_committed + b.received_committed DESC, u.path), '[]')
			 FROM balance b JOIN units u ON u.id = b.other)`, v.User.ID, v.Roles.Admin, unitID, limit, now).
		Scan(&queue, &l.QueueShown, &l.QueueCount, &l.QueueAsked, &l.QueueCommitted, &asks, &l.AsksShown, &l.AsksCount,
			&promises, &l.PromisesShown, &l.PromisesKept, &l.PromisesBroken, &l.PromisesOpen, &l.PromisesLate, &thanks,
			&l.ThanksShown, &l.ThanksCount, &balance)
	if err != nil {
		return UnitLedger{}, fmt.Errorf("store: ledger of unit %d: %w", unitID, err)
	}
	if err := decodeLedger(&l, queue, asks, promises, thanks, balance, unitID); err != nil {
		return UnitLedger{}, fmt.Errorf("store: ledger of unit %d: %w", unitID, err)
	}
	return l, nil
}

func decodeLedger(l *UnitLedger, queue, asks, promises, thanks, balance []byte, unitID int64) error {
	var err error
	if l.Queue, err = decodeLedgerRequests(queue); err != nil {
		return err
	}
	if l.Asks, err = decodeLedgerRequests(asks); err != nil {
		return err
	}
	var ps []ledgerPromiseJSON
	if err := json.Unmarshal(promises, &ps); err != nil {
		return err
	}
	for _, p := range ps {
		l.Promises = append(l.Promises, LedgerPromise{Commitment: accord.Commitment{ID: p.ID, ProjectID: p.ProjectID,
			UnitID: unitID, What: p.What, DueDate: p.DueDate.t, Status: p.Status, CreatedAt: p.CreatedAt, Version: p.Version},
			ProjectName: p.ProjectName, ProjectNameEN: p.ProjectNameEN})
	}
	var ts []ledgerThanksJSON
	if err := json.Unmarshal(thanks, &ts); err != nil {
		return err
	}
	for _, t := range ts {
		l.Thanks = append(l.Thanks, accord.Thanks{ID: t.ID, ProjectID: t.ProjectID, UnitID: unitID, ProjectName: t.ProjectName,
			ProjectNameEN: t.ProjectNameEN, Text: t.Text, ByName: t.ByName, ByNameEN: t.ByNameEN, At: t.At})
	}
	return json.Unmarshal(balance, &l.Balance)
}

func decodeLedgerRequests(raw []byte) ([]LedgerRequest, error) {
	var in []ledgerRequestJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	out := make([]LedgerRequest, 0, len(in))
	for _, r := range in {
		out = append(out, LedgerRequest{ID: r.ID, State: r.State, DueDate: r.DueDate.t, NeedTitle: r.NeedTitle,
			NeedTitleEN: r.NeedTitleEN, Tier: r.Tier, EffortDays: r.EffortDays, ProjectID: r.ProjectID,
			ProjectName: r.ProjectName, ProjectNameEN: r.ProjectNameEN, UnitID: r.UnitID, UnitName: r.UnitName,
			UnitNameEN: r.UnitNameEN})
	}
	return out, nil
}

// AgendaKind is one list on a person's start page.
type AgendaKind string

// Agenda lists, each for the role that can have items in it.
const (
	AgendaAnswer    AgendaKind = "answer"    // head, key person: requests waiting for my answer
	AgendaDeliver   AgendaKind = "deliver"   // key person: agreed or started requests I must deliver
	AgendaStatement AgendaKind = "statement" // head: escalations on my units' requests still without our statement
	AgendaNext      AgendaKind = "next"      // lead: counter-proposals to answer and declined requests to rethink
	AgendaStale     AgendaKind = "stale"     // lead: requests on my projects with no activity within the cadence
	AgendaDecide    AgendaKind = "decide"    // superior: escalations waiting for my decision
	AgendaPromise   AgendaKind = "promise"   // lead: open promises of my projects due within two weeks, or overdue
)

// PromiseHorizonDays is how far ahead the start page lists promises coming due.
const PromiseHorizonDays = 14

// AgendaItem is one thing that needs the person today. ID is a request's, an
// escalation's (decide, statement) or a commitment's (promise), by Kind.
type AgendaItem struct {
	Kind          AgendaKind
	ID            int64
	ProjectID     int64
	Title         string // the need, or what was promised
	TitleEN       string
	ProjectName   string
	ProjectNameEN string
	UnitName      string // the holding unit, or the unit promised to
	UnitNameEN    string
	State         string // the request's state, the escalation's status, or the commitment's status
	Tier          accord.Tier
	At            time.Time  // sent, answered, last active, raised, or the decision window's end
	DueDate       *time.Time // the request's or the promise's date
}

// Agenda is what needs a person today, in one query: up to perKind items of each
// list, and how many each list holds.
func (s *Store) Agenda(ctx context.Context, userID int64, perKind int, now time.Time) (map[AgendaKind][]AgendaItem, map[AgendaKind]int, error) {
	// Every branch is reached from the person through an index (units they head,
	// requests naming them, projects they lead, escalations assigned to them): one OR
	// across the joined tables scanned every request, 300 ms at 200,000. The answer
	// list's two branches are disjoint. The decide list takes its first items and its
	// count from indexes: an executive can have tens of thousands of open escalations,
	// and ranking them all cost 400 ms. The statement list goes from the units headed
	// to their requests, then to the small partial index of escalations still owed a
	// holder's statement (migration 0017).
	rows, err := s.pool.Query(ctx, `WITH items AS (
			SELECT 'answer' AS kind, r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name AS unit_name,
				h.name_en AS unit_name_en, r.state, d.tier::text AS tier, COALESCE(r.sent_at, r.created_at) AS at,
				COALESCE(r.due_date, d.needed_by) AS due, NULL::bigint AS total
			FROM units h JOIN requests r ON r.holder_unit_id = h.id
			JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			WHERE h.head_user_id = $1 AND r.state = 'requested'
			UNION ALL
			SELECT 'answer', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE r.key_person_user_id = $1 AND r.state = 'requested' AND h.head_user_id IS DISTINCT FROM $1
			UNION ALL
			SELECT 'deliver', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.answered_at, r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE r.key_person_user_id = $1 AND r.state IN ('agreed', 'in_progress')
			UNION ALL
			SELECT 'statement', e.id, e.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, e.status,
				d.tier, e.created_at, COALESCE(r.due_date, d.needed_by), NULL
			FROM units h JOIN requests r ON r.holder_unit_id = h.id
			JOIN escalations e ON e.request_id = r.id AND e.status IN ('open', 'sent_back') AND e.holder_statement = ''
			JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			WHERE h.head_user_id = $1
			UNION ALL
			SELECT 'next', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.answered_at, r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM projects p JOIN requests r ON r.project_id = p.id JOIN needs d ON d.id = r.need_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE p.lead_user_id = $1 AND r.state IN ('countered', 'declined')
			UNION ALL
			SELECT 'stale', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, r.last_activity_at, COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE p.lead_user_id = $1 AND r.state IN `+sentOpen+`
			  AND r.last_activity_at < $2::timestamptz - make_interval(days => p.cadence_days)
			UNION ALL
			SELECT 'decide', e.id, e.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, e.window_due_at, COALESCE(r.due_date, d.needed_by),
				(SELECT count(*) FROM escalations x WHERE x.assigned_user_id = $1 AND x.status = 'open')
			FROM (SELECT * FROM escalations x WHERE x.assigned_user_id = $1 AND x.status = 'open'
				ORDER BY x.window_due_at, x.id LIMIT $3) e
			JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id
			JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
			UNION ALL
			SELECT 'promise', c.id, c.project_id, c.what, '', p.name, p.name_en, u.name, u.name_en, c.status,
				'', c.due_date::timestamptz, c.due_date, NULL
			FROM commitments c JOIN projects p ON p.id = c.project_id JOIN units u ON u.id = c.unit_id
			WHERE p.lead_user_id = $1 AND c.status = 'open' AND c.due_date <= $2::date + $4::int),
		ranked AS (
			-- Tier first where the person answers or decides what comes next; what is
			-- owed by a date, by that date.
			SELECT *, row_number() OVER (PARTITION BY kind ORDER BY
					CASE WHEN kind IN ('answer', 'next', 'statement') THEN tier ELSE '' END,
					CASE WHEN kind = 'deliver' THEN due END NULLS LAST, at, id) AS rn,
				COALESCE(total, count(*) OVER (PARTITION BY kind)) AS n
			FROM items)
		SELECT kind, id, project_id, title, title_en, name, name_en, unit_name, unit_name_en, state, tier, at, due, n
		FROM ranked WHERE rn <= $3 ORDER BY kind, rn`, userID, now, perKind, PromiseHorizonDays)
	if err != nil {
		return nil, nil, fmt.Errorf("store: agenda of user %d: %w", userID, err)
	}
	items := map[AgendaKind][]AgendaItem{}
	counts := map[AgendaKind]int{}
	var it AgendaItem
	var n int
	_, err = pgx.ForEachRow(rows, []any{&it.Kind, &it.ID, &it.ProjectID, &it.Title, &it.TitleEN, &it.ProjectName,
		&it.ProjectNameEN, &it.UnitName, &it.UnitNameEN, &it.State, &it.Tier, &it.At, &it.DueDate, &n}, func() error {
		items[it.Kind] = append(items[it.Kind], it)
		counts[it.Kind] = n
		it.DueDate = nil // the next row scans into a fresh date
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: agenda of user %d: %w", userID, err)
	}
	return items, counts, nil
}
