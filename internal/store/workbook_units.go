package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// WorkbookUnits returns the open units a project's workbook offers in its unit
// selects, in tree order, and how many units are open. When at most upTo are open it
// returns them all. Beyond, it returns only the units the project involves (holding a
// need, planned or promised something), those in extra, and the first-level unit
// above each, which names its group in the selects: reading and sorting a thousand
// units cost more than rendering the page.
func (s *Store) WorkbookUnits(ctx context.Context, projectID int64, upTo int, extra []int64) ([]accord.Unit, int, error) {
	return s.unitsOfProject(ctx, projectID, upTo, extra, false)
}

// EscalationUnits is WorkbookUnits for an escalation's page, where extra are its two
// sides and the unit it is assigned to: each of them and every unit above it is read
// too, open or closed (the heads an administrator may move it to sit there).
func (s *Store) EscalationUnits(ctx context.Context, projectID int64, upTo int, extra []int64) ([]accord.Unit, int, error) {
	return s.unitsOfProject(ctx, projectID, upTo, extra, true)
}

func (s *Store) unitsOfProject(ctx context.Context, projectID int64, upTo int, extra []int64, above bool) ([]accord.Unit, int, error) {
	var open int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM units WHERE closed_at IS NULL`).Scan(&open); err != nil {
		return nil, 0, fmt.Errorf("store: count open units: %w", err)
	}
	if extra == nil {
		extra = []int64{}
	}
	rows, err := s.pool.Query(ctx, `WITH picked AS (
			SELECT holder_unit_id AS id FROM needs WHERE project_id = $1 AND holder_unit_id IS NOT NULL
			UNION SELECT unit_id FROM project_units WHERE project_id = $1
			UNION SELECT unit_id FROM commitments WHERE project_id = $1
			UNION SELECT unnest($3::bigint[])),
		wanted AS (SELECT id FROM picked
			UNION SELECT u.path[2] FROM units u JOIN picked p ON p.id = u.id WHERE cardinality(u.path) > 1),
		around AS (SELECT unnest(u.path) AS id FROM units u WHERE $4 AND u.id = ANY ($3::bigint[]))
		SELECT `+unitColumns+unitFrom+`WHERE (n.closed_at IS NULL AND ($2 OR n.id IN (SELECT id FROM wanted)))
			OR n.id IN (SELECT id FROM around)
		ORDER BY n.path`, projectID, open <= upTo, extra, above)
	if err != nil {
		return nil, 0, fmt.Errorf("store: units of project %d: %w", projectID, err)
	}
	units, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Unit, error) { return scanUnit(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: units of project %d: %w", projectID, err)
	}
	return units, open, nil
}
