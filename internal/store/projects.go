package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const projectColumns = `p.id, p.name, p.name_en, p.lead_user_id, l.name, l.name_en, p.owning_unit_id,
	n.name, n.name_en, p.status, p.cadence_days, p.created_at, p.version`

const projectFrom = ` FROM projects p JOIN users l ON l.id = p.lead_user_id JOIN units n ON n.id = p.owning_unit_id `

func scanProject(row pgx.Row) (accord.Project, error) {
	var p accord.Project
	err := row.Scan(&p.ID, &p.Name, &p.NameEN, &p.LeadUserID, &p.LeadName, &p.LeadNameEN, &p.OwningUnitID,
		&p.UnitName, &p.UnitNameEN, &p.Status, &p.CadenceDays, &p.CreatedAt, &p.Version)
	return p, err
}

// CreateProject adds a project led by in.LeadUserID for in.OwningUnitID.
func (s *Store) CreateProject(ctx context.Context, actorID int64, in accord.NewProject) (accord.Project, error) {
	var p accord.Project
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO projects (name, name_en, lead_user_id, owning_unit_id)
			VALUES ($1, $2, $3, $4) RETURNING id`, in.Name, in.NameEN, in.LeadUserID, in.OwningUnitID).Scan(&id); err != nil {
			return err
		}
		var err error
		if p, err = scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "project", id, "create", nil, map[string]any{
			"name": p.Name, "lead_user_id": p.LeadUserID, "owning_unit_id": p.OwningUnitID})
	})
	if err != nil {
		return accord.Project{}, fmt.Errorf("store: create project %q: %w", in.Name, err)
	}
	return p, nil
}

// ProjectsLedBy lists the projects a user leads, newest first.
func (s *Store) ProjectsLedBy(ctx context.Context, userID int64, limit int) ([]accord.Project, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.lead_user_id = $1
		ORDER BY p.created_at DESC, p.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: projects led by %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Project, error) { return scanProject(r) })
	if err != nil {
		return nil, fmt.Errorf("store: projects led by %d: %w", userID, err)
	}
	return list, nil
}
