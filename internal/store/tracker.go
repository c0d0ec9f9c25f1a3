package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// trackerOrder is the tracker's order: by holding unit in tree order, then tier and
// date. The id last makes pages stable.
const trackerOrder = `h.path, d.tier, r.due_date NULLS LAST, r.id`

// TrackerSummary is a project's tracker at a glance, counted over every request, not
// just the page shown.
type TrackerSummary struct {
	Requests int                         // requests on the tracker: all but cancelled
	Units    int                         // units asked
	Agreed   int                         // units whose every request is agreed, in progress or delivered
	ByState  map[accord.RequestState]int // requests per state
}

// TrackerSummary counts a project's tracker in one grouped query, whatever its size.
func (s *Store) TrackerSummary(ctx context.Context, projectID int64) (TrackerSummary, error) {
	sum := TrackerSummary{ByState: map[accord.RequestState]int{}}
	var byState map[string]int
	err := s.pool.QueryRow(ctx, `WITH t AS (
			SELECT r.holder_unit_id, r.state FROM requests r WHERE r.project_id = $1 AND r.state <> 'cancelled'),
		u AS (SELECT bool_and(t.state IN `+committedStates+`) AS agreed FROM t GROUP BY t.holder_unit_id)
		SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM u), (SELECT count(*) FROM u WHERE agreed),
			(SELECT COALESCE(jsonb_object_agg(state, n), '{}') FROM (SELECT t.state, count(*) AS n FROM t GROUP BY t.state) s)`,
		projectID).Scan(&sum.Requests, &sum.Units, &sum.Agreed, &byState)
	if err != nil {
		return TrackerSummary{}, fmt.Errorf("store: tracker summary of project %d: %w", projectID, err)
	}
	for st, n := range byState {
		sum.ByState[accord.RequestState(st)] = n
	}
	return sum, nil
}

// TrackerPage returns one page of a project's tracker, in tracker order, with the
// latest progress entry of each request. The page's ids are picked first, so only
// they look up their latest entry.
func (s *Store) TrackerPage(ctx context.Context, projectID int64, offset, limit int) ([]accord.TrackerRow, error) {
	rows, err := s.pool.Query(ctx, `WITH pg AS (
			SELECT r.id FROM requests r JOIN needs d ON d.id = r.need_id JOIN units h ON h.id = r.holder_unit_id
			WHERE r.project_id = $1 AND r.state <> 'cancelled'
			ORDER BY `+trackerOrder+` OFFSET $2 LIMIT $3)
		SELECT `+requestColumns+`,
			e.id, e.author_user_id, eu.name, eu.name_en, e.body, e.next_step, e.risk, e.effort_days::float8, e.created_at`+
		requestFrom+` JOIN pg ON pg.id = r.id
		LEFT JOIN LATERAL (SELECT * FROM request_updates x WHERE x.request_id = r.id ORDER BY x.id DESC LIMIT 1) e ON true
		LEFT JOIN users eu ON eu.id = e.author_user_id
		ORDER BY `+trackerOrder, projectID, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("store: tracker page of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, scanTrackerRow)
	if err != nil {
		return nil, fmt.Errorf("store: tracker page of project %d: %w", projectID, err)
	}
	return list, nil
}

// scanTrackerRow reads a request followed by its latest progress entry, if any.
func scanTrackerRow(row pgx.CollectableRow) (accord.TrackerRow, error) {
	var id, author *int64
	var name, nameEN, body, next, risk *string
	var effort *float64
	var at *time.Time
	r, err := scanRequest(row, &id, &author, &name, &nameEN, &body, &next, &risk, &effort, &at)
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
