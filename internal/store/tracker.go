package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// requestOrder lists a project's requests: by holding unit in tree order, then tier
// and date. The id last makes pages stable.
const requestOrder = `h.path, d.tier, r.due_date NULLS LAST, r.id`

// trackerParent joins, as par, the request of the need a request's need is a phase
// of, while it is on the tracker (not cancelled).
const trackerParent = ` LEFT JOIN LATERAL (SELECT pr.id, pr.due_date, pd.tier FROM requests pr JOIN needs pd ON pd.id = pr.need_id
	WHERE pr.need_id = d.phase_of_need_id AND pr.state <> 'cancelled' ORDER BY pr.id LIMIT 1) par ON true `

// trackerOrder is requestOrder with each phase right after the request it was split
// from, whatever its own tier and date: the tracker rolls it into that line.
const trackerOrder = `h.path, COALESCE(par.tier, d.tier), CASE WHEN par.id IS NULL THEN r.due_date ELSE par.due_date END NULLS LAST,
	COALESCE(par.id, r.id), par.id IS NOT NULL, r.due_date NULLS LAST, r.id`

// TrackerSummary is a project's tracker at a glance, counted over every request, not
// just the page shown.
type TrackerSummary struct {
	Requests int                         // requests on the tracker: all but cancelled
	Units    int                         // units asked
	Agreed   int                         // units that agreed to everything, phases rolled up (accord.UnitsOnTracker)
	InPart   int                         // units that agreed to some of it, or to a first phase only
	ByState  map[accord.RequestState]int // requests per state
}

// TrackerSummary counts a project's tracker in one grouped query, whatever its size.
// Units are counted as accord.UnitsOnTracker counts them: a phase's request rolls
// into its parent's; a unit agreed once every request to it is, in part once some
// request or a first phase of one is.
func (s *Store) TrackerSummary(ctx context.Context, projectID int64) (TrackerSummary, error) {
	sum := TrackerSummary{ByState: map[accord.RequestState]int{}}
	var byState map[string]int
	err := s.pool.QueryRow(ctx, `WITH t AS (
			SELECT r.need_id, d.phase_of_need_id AS phase_of, r.holder_unit_id, r.state
			FROM requests r JOIN needs d ON d.id = r.need_id WHERE r.project_id = $1 AND r.state <> 'cancelled'),
		top AS (
			SELECT t.holder_unit_id, t.state IN `+committedStates+` AS agreed,
				EXISTS (SELECT 1 FROM t p WHERE p.phase_of = t.need_id AND p.state IN `+committedStates+`) AS phase_agreed
			FROM t WHERE t.phase_of IS NULL OR NOT EXISTS (SELECT 1 FROM t q WHERE q.need_id = t.phase_of)),
		u AS (SELECT bool_and(top.agreed) AS agreed, bool_or(top.agreed OR top.phase_agreed) AS any_agreed
			FROM top GROUP BY top.holder_unit_id)
		SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM u), (SELECT count(*) FROM u WHERE agreed),
			(SELECT count(*) FROM u WHERE any_agreed AND NOT agreed),
			(SELECT COALESCE(jsonb_object_agg(state, n), '{}') FROM (SELECT t.state, count(*) AS n FROM t GROUP BY t.state) s)`,
		projectID).Scan(&sum.Requests, &sum.Units, &sum.Agreed, &sum.InPart, &byState)
	if err != nil {
		return TrackerSummary{}, fmt.Errorf("store: tracker summary of project %d: %w", projectID, err)
	}
	for st, n := range byState {
		sum.ByState[accord.RequestState(st)] = n
	}
	return sum, nil
}

// TrackerPage returns one page of a project's tracker, in tracker order, with the
// latest progress entry of each request, the need each phase was split from and the
// requests of the phases split from each need. The page's ids are picked first, so
// only they look up their latest entry and their phases.
func (s *Store) TrackerPage(ctx context.Context, projectID int64, offset, limit int) ([]accord.TrackerRow, error) {
	rows, _, err := s.trackerRows(ctx, projectID, offset, &limit, 0)
	return rows, err
}

// TrackerTop returns the first limit rows of a project's tracker, and request pin's
// row after them if it is not among them, and how many rows the tracker has in all.
func (s *Store) TrackerTop(ctx context.Context, projectID int64, limit int, pin int64) ([]accord.TrackerRow, int, error) {
	return s.trackerRows(ctx, projectID, 0, &limit, pin)
}

// Tracker returns a project's whole tracker, as TrackerPage orders and fills it.
func (s *Store) Tracker(ctx context.Context, projectID int64) ([]accord.TrackerRow, error) {
	rows, _, err := s.trackerRows(ctx, projectID, 0, nil, 0)
	return rows, err
}

// trackerRows reads limit rows of the tracker from offset (a nil limit reads them
// all), and request pin's row wherever it is, and counts every row; a page past the
// end counts none.
func (s *Store) trackerRows(ctx context.Context, projectID int64, offset int, limit *int, pin int64) ([]accord.TrackerRow, int, error) {
	rows, err := s.pool.Query(ctx, `WITH pg AS (
			SELECT * FROM (
				SELECT r.id, row_number() OVER (ORDER BY `+trackerOrder+`) AS pos, count(*) OVER () AS total
				FROM requests r JOIN needs d ON d.id = r.need_id JOIN units h ON h.id = r.holder_unit_id`+trackerParent+`
				WHERE r.project_id = $1 AND r.state <> 'cancelled') x
			WHERE (x.pos > $2 AND ($3::bigint IS NULL OR x.pos <= $2 + $3)) OR x.id = $4)
		SELECT `+requestColumns+`,
			e.id, e.author_user_id, eu.name, eu.name_en, e.body, e.next_step, e.risk, e.effort_days::float8, e.created_at,
			d.phase_of_need_id, COALESCE(pn.title, ''), COALESCE(pn.title_en, ''), ph.phases, pg.total`+
		requestFrom+` JOIN pg ON pg.id = r.id
		LEFT JOIN LATERAL (SELECT * FROM request_updates x WHERE x.request_id = r.id ORDER BY x.id DESC LIMIT 1) e ON true
		LEFT JOIN users eu ON eu.id = e.author_user_id
		LEFT JOIN needs pn ON pn.id = d.phase_of_need_id
		CROSS JOIN LATERAL (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', x.id, 'title', xd.title,
				'title_en', xd.title_en, 'state', x.state, 'due', x.due_date) ORDER BY x.id), '[]') AS phases
			FROM requests x JOIN needs xd ON xd.id = x.need_id
			WHERE xd.phase_of_need_id = r.need_id AND x.state <> 'cancelled') ph
		ORDER BY pg.pos`, projectID, offset, limit, pin)
	if err != nil {
		return nil, 0, fmt.Errorf("store: tracker of project %d: %w", projectID, err)
	}
	var total int
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (accord.TrackerRow, error) {
		var phaseOf *int64
		var title, titleEN string
		var phases []phaseJSON
		tr, err := scanTrackerRow(row, &phaseOf, &title, &titleEN, &phases, &total)
		tr.PhaseOf, tr.PhaseOfTitle, tr.PhaseOfTitleEN = phaseOf, title, titleEN
		for _, p := range phases {
			tr.Phases = append(tr.Phases, accord.PhaseLine{RequestID: p.ID, Title: p.Title, TitleEN: p.TitleEN,
				State: p.State, DueDate: p.Due.t})
		}
		return tr, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: tracker of project %d: %w", projectID, err)
	}
	return list, total, nil
}

// phaseJSON is a phase's request as the tracker page's query aggregates it.
type phaseJSON struct {
	ID      int64               `json:"id"`
	Title   string              `json:"title"`
	TitleEN string              `json:"title_en"`
	State   accord.RequestState `json:"state"`
	Due     jsonDate            `json:"due"`
}

// scanTrackerRow reads a request followed by its latest progress entry, if any.
func scanTrackerRow(row pgx.CollectableRow, extra ...any) (accord.TrackerRow, error) {
	var id, author *int64
	var name, nameEN, body, next, risk *string
	var effort *float64
	var at *time.Time
	r, err := scanRequest(row, append([]any{&id, &author, &name, &nameEN, &body, &next, &risk, &effort, &at}, extra...)...)
	if err != nil {
		return accord.TrackerRow{}, err
	}
	tr := accord.TrackerRow{Request: r}
	if id != nil {
		tr.Latest = &accord.ProgressEntry{ID: *id, RequestID: r.ID, AuthorUserID: *author, AuthorName: *name,
			AuthorNameEN: *nameEN, Body: *body, NextStep: *next, Risk: accord.Risk(*risk), EffortDays: *effort, CreatedAt: *at}
	}
	return tr, nil
}
