package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// audit appends one entry to the audit log inside the caller's transaction, so the
// record and the change commit or roll back together. before/after may be nil.
func audit(ctx context.Context, tx pgx.Tx, actorID int64, entity accord.AuditEntity, entityID int64, action accord.AuditAction, before, after any) error {
	return insertAudit(ctx, tx, nil, actorID, nil, entity, entityID, action, before, after)
}

// insertAudit writes one audit entry at the database's time, or at at when given;
// projectID is nil outside any project. A zero actorID means the system (the demo
// loader, the sweep).
func insertAudit(ctx context.Context, tx pgx.Tx, at *time.Time, actorID int64, projectID *int64, entity accord.AuditEntity, entityID int64, action accord.AuditAction, before, after any) error {
	b, err := jsonOrNil(before)
	if err != nil {
		return err
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return err
	}
	var actor *int64
	if actorID > 0 {
		actor = &actorID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (actor_user_id, project_id, entity, entity_id, action, before, after, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, now()))`, actor, projectID, entity, entityID, action, b, a, at); err != nil {
		return fmt.Errorf("store: audit %s %d %s: %w", entity, entityID, action, err)
	}
	return nil
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode audit value: %w", err)
	}
	return b, nil
}

// AuditEntries lists the history of one entity, newest first.
func (s *Store) AuditEntries(ctx context.Context, entity accord.AuditEntity, entityID int64, limit int) ([]accord.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.at, COALESCE(u.name, ''), COALESCE(u.name_en, ''), a.entity, a.entity_id, a.action, a.before, a.after
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.id DESC LIMIT $3`, entity, entityID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list audit entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.AuditEntry, error) {
		var e accord.AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.ActorName, &e.ActorNameEN, &e.Entity, &e.EntityID, &e.Action, &e.Before, &e.After)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list audit entries: %w", err)
	}
	return entries, nil
}
