package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// Goals returns the goal tree depth-first: company goals with their KPIs beneath.
func (s *Store) Goals(ctx context.Context) ([]accord.Goal, error) {
	rows, err := s.pool.Query(ctx, `WITH RECURSIVE tree AS (
			SELECT g.*, 0 AS depth, ARRAY[g.id] AS sort FROM goals g WHERE g.parent_id IS NULL
			UNION ALL
			SELECT g.*, t.depth + 1, t.sort || g.id FROM goals g JOIN tree t ON g.parent_id = t.id)
		SELECT t.id, t.parent_id, t.unit_id, COALESCE(u.name, ''), COALESCE(u.name_en, ''), t.title, t.title_en,
			t.target, t.closed_at, t.depth, t.version
		FROM tree t LEFT JOIN units u ON u.id = t.unit_id ORDER BY t.sort`)
	if err != nil {
		return nil, fmt.Errorf("store: list goals: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Goal, error) {
		var g accord.Goal
		err := r.Scan(&g.ID, &g.ParentID, &g.UnitID, &g.UnitName, &g.UnitNameEN, &g.Title, &g.TitleEN, &g.Target,
			&g.ClosedAt, &g.Depth, &g.Version)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list goals: %w", err)
	}
	return list, nil
}

// Goal returns one goal.
func (s *Store) Goal(ctx context.Context, id int64) (accord.Goal, error) {
	var g accord.Goal
	err := s.pool.QueryRow(ctx, `SELECT g.id, g.parent_id, g.unit_id, COALESCE(u.name, ''), COALESCE(u.name_en, ''),
			g.title, g.title_en, g.target, g.closed_at, g.version
		FROM goals g LEFT JOIN units u ON u.id = g.unit_id WHERE g.id = $1`, id).
		Scan(&g.ID, &g.ParentID, &g.UnitID, &g.UnitName, &g.UnitNameEN, &g.Title, &g.TitleEN, &g.Target, &g.ClosedAt, &g.Version)
	if err != nil {
		return accord.Goal{}, fmt.Errorf("store: goal %d: %w", id, mapNotFound(err, "goal_not_found"))
	}
	return g, nil
}

// CreateGoal adds a company goal, or a KPI under one. in must be valid.
func (s *Store) CreateGoal(ctx context.Context, actorID int64, in accord.GoalInput) (accord.Goal, error) {
	var id int64
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkGoalRefs(ctx, tx, 0, in); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO goals (parent_id, unit_id, title, title_en, target)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, in.ParentID, in.UnitID, in.Title, in.TitleEN, in.Target).Scan(&id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditGoal, id, accord.AuditCreate, nil, in)
	})
	if err != nil {
		return accord.Goal{}, fmt.Errorf("store: create goal %q: %w", in.Title, err)
	}
	return s.Goal(ctx, id)
}

// UpdateGoal saves a goal if nobody changed it since version.
func (s *Store) UpdateGoal(ctx context.Context, actorID, id int64, version int, in accord.GoalInput) (accord.Goal, error) {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var cur int
		if err := tx.QueryRow(ctx, `SELECT version FROM goals WHERE id = $1 FOR UPDATE`, id).Scan(&cur); err != nil {
			return mapNotFound(err, "goal_not_found")
		}
		if cur != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		if err := checkGoalRefs(ctx, tx, id, in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE goals SET parent_id = $2, unit_id = $3, title = $4, title_en = $5, target = $6,
			version = version + 1 WHERE id = $1`, id, in.ParentID, in.UnitID, in.Title, in.TitleEN, in.Target); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditGoal, id, accord.AuditUpdate, nil, in)
	})
	if err != nil {
		return accord.Goal{}, fmt.Errorf("store: update goal %d: %w", id, err)
	}
	return s.Goal(ctx, id)
}

// checkGoalRefs checks the parent exists and is not the goal itself or below it,
// and the unit exists.
func checkGoalRefs(ctx context.Context, tx pgx.Tx, selfID int64, in accord.GoalInput) error {
	var parentOK, unitOK bool
	err := tx.QueryRow(ctx, `SELECT
			$1::bigint IS NULL OR ($1 <> $3 AND EXISTS (SELECT 1 FROM goals WHERE id = $1)
				AND NOT EXISTS (WITH RECURSIVE up AS (SELECT id, parent_id FROM goals WHERE id = $1
					UNION ALL SELECT g.id, g.parent_id FROM goals g JOIN up ON g.id = up.parent_id)
					SELECT 1 FROM up WHERE id = $3)),
			$2::bigint IS NULL OR EXISTS (SELECT 1 FROM units WHERE id = $2)`,
		in.ParentID, in.UnitID, selfID).Scan(&parentOK, &unitOK)
	if err != nil {
		return err
	}
	var v accord.Validation
	if !parentOK {
		v.Add("parent_id", "goal_parent_invalid")
	}
	if !unitOK {
		v.Add("unit_id", "unit_not_found")
	}
	return v.Err()
}
