package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// auditProject appends a change to anything in a project's workbook, tagged with the
// project so its history is one indexed query.
func auditProject(ctx context.Context, tx pgx.Tx, actorID, projectID int64, entity accord.AuditEntity, entityID int64, action accord.AuditAction, before, after any) error {
	return insertAudit(ctx, tx, nil, actorID, &projectID, entity, entityID, action, before, after)
}

// auditProjectAt is auditProject for a step taken at a moment of Accord's clock (a
// request's answer, say), so its history and the brief that tells it agree with the
// times the request itself keeps.
func auditProjectAt(ctx context.Context, tx pgx.Tx, at time.Time, actorID, projectID int64, entity accord.AuditEntity, entityID int64,
	action accord.AuditAction, before, after any) error {
	return insertAudit(ctx, tx, &at, actorID, &projectID, entity, entityID, action, before, after)
}

// ProjectHistory lists changes to a project's workbook, newest first.
func (s *Store) ProjectHistory(ctx context.Context, projectID int64, offset, limit int) ([]accord.AuditEntry, int, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.at, COALESCE(u.name, ''), COALESCE(u.name_en, ''), a.entity, a.entity_id,
			a.action, a.before, a.after, count(*) OVER ()
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE a.project_id = $1 ORDER BY a.id DESC OFFSET $2 LIMIT $3`, projectID, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: project %d history: %w", projectID, err)
	}
	var total int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.AuditEntry, error) {
		var e accord.AuditEntry
		err := r.Scan(&e.At, &e.ActorName, &e.ActorNameEN, &e.Entity, &e.EntityID, &e.Action, &e.Before, &e.After, &total)
		return e, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: project %d history: %w", projectID, err)
	}
	return list, total, nil
}
