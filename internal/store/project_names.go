package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// ProjectNames returns the names of the given projects by id, in one query, for pages
// that link to projects from other rows (promises to a unit). Only ID, Name and NameEN
// are filled; unknown ids are absent from the map.
func (s *Store) ProjectNames(ctx context.Context, ids []int64) (map[int64]accord.Project, error) {
	names := make(map[int64]accord.Project, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, name_en FROM projects WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: project names: %w", err)
	}
	var p accord.Project
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.NameEN}, func() error {
		names[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: project names: %w", err)
	}
	return names, nil
}
