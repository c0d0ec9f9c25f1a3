package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// GoalProjectCounts counts, per goal, the linked projects the viewer may see, in one
// query, so the goal tree's numbers agree with what each goal's page lists. Goals
// without such projects are absent from the map.
func (s *Store) GoalProjectCounts(ctx context.Context, v accord.Viewer) (map[int64]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT p.goal_id, count(*) FROM projects p
		WHERE p.goal_id IS NOT NULL AND `+canViewProject+`
		GROUP BY p.goal_id`, v.User.ID, v.Roles.Admin)
	if err != nil {
		return nil, fmt.Errorf("store: count projects per goal: %w", err)
	}
	counts := map[int64]int{}
	var goalID int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&goalID, &n}, func() error {
		counts[goalID] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: count projects per goal: %w", err)
	}
	return counts, nil
}
