package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const commitmentColumns = `c.id, c.project_id, c.unit_id, u.name, u.name_en, c.what, c.due_date, c.status, c.created_at, c.version`

const commitmentFrom = ` FROM commitments c JOIN units u ON u.id = c.unit_id `

func scanCommitment(row pgx.Row) (accord.Commitment, error) {
	var c accord.Commitment
	err := row.Scan(&c.ID, &c.ProjectID, &c.UnitID, &c.UnitName, &c.UnitNameEN, &c.What, &c.DueDate, &c.Status,
		&c.CreatedAt, &c.Version)
	return c, err
}

func collectCommitments(rows pgx.Rows) ([]accord.Commitment, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Commitment, error) { return scanCommitment(r) })
}

// Commitments returns a project's promises, open ones first by due date.
func (s *Store) Commitments(ctx context.Context, projectID int64) ([]accord.Commitment, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.project_id = $1
		ORDER BY c.status <> 'open', c.due_date NULLS LAST, c.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: commitments of project %d: %w", projectID, err)
	}
	list, err := collectCommitments(rows)
	if err != nil {
		return nil, fmt.Errorf("store: commitments of project %d: %w", projectID, err)
	}
	return list, nil
}

// Commitment returns one commitment.
func (s *Store) Commitment(ctx context.Context, id int64) (accord.Commitment, error) {
	c, err := scanCommitment(s.pool.QueryRow(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.id = $1`, id))
	if err != nil {
		return accord.Commitment{}, fmt.Errorf("store: commitment %d: %w", id, mapNotFound(err, "commitment_not_found"))
	}
	return c, nil
}

// CreateCommitment records a promise to a unit. in must be valid.
func (s *Store) CreateCommitment(ctx context.Context, actorID, projectID int64, in accord.CommitmentInput) (accord.Commitment, error) {
	var c accord.Commitment
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		if err := checkUnitField(ctx, tx, in.UnitID, "unit_id"); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO commitments (project_id, unit_id, what, due_date, status)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, projectID, in.UnitID, in.What, in.DueDate, in.Status).Scan(&id); err != nil {
			return err
		}
		var err error
		if c, err = scanCommitment(tx.QueryRow(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, projectID, accord.AuditCommitment, id, accord.AuditCreate, nil, in)
	})
	if err != nil {
		return accord.Commitment{}, fmt.Errorf("store: create commitment in project %d: %w", projectID, err)
	}
	return c, nil
}

// UpdateCommitment saves a commitment if nobody changed it since version.
func (s *Store) UpdateCommitment(ctx context.Context, actorID, id int64, version int, in accord.CommitmentInput) (accord.Commitment, error) {
	var c accord.Commitment
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockCommitment(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := checkEditor(ctx, tx, actorID, before.ProjectID); err != nil {
			return err
		}
		if err := checkUnitField(ctx, tx, in.UnitID, "unit_id"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE commitments SET unit_id = $2, what = $3, due_date = $4, status = $5,
			version = version + 1 WHERE id = $1`, id, in.UnitID, in.What, in.DueDate, in.Status); err != nil {
			return err
		}
		if c, err = scanCommitment(tx.QueryRow(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditCommitment, id, accord.AuditUpdate, commitmentInput(before), in)
	})
	if err != nil {
		return accord.Commitment{}, fmt.Errorf("store: update commitment %d: %w", id, err)
	}
	return c, nil
}

// DeleteCommitment removes a commitment if nobody changed it since version.
func (s *Store) DeleteCommitment(ctx context.Context, actorID, id int64, version int) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockCommitment(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := checkEditor(ctx, tx, actorID, before.ProjectID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM commitments WHERE id = $1`, id); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditCommitment, id, accord.AuditDelete, commitmentInput(before), nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete commitment %d: %w", id, err)
	}
	return nil
}

func lockCommitment(ctx context.Context, tx pgx.Tx, id int64, version int) (accord.Commitment, error) {
	c, err := scanCommitment(tx.QueryRow(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.id = $1 FOR UPDATE OF c`, id))
	if err != nil {
		return accord.Commitment{}, mapNotFound(err, "commitment_not_found")
	}
	if c.Version != version {
		return accord.Commitment{}, accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
	}
	return c, nil
}

func commitmentInput(c accord.Commitment) accord.CommitmentInput {
	return accord.CommitmentInput{UnitID: c.UnitID, What: c.What, DueDate: c.DueDate, Status: c.Status}
}

// checkUnitField reports a missing unit as a problem with the named form field.
func checkUnitField(ctx context.Context, tx pgx.Tx, unitID int64, field string) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unitID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "unit_not_found", Fields: map[string]string{field: "unit_not_found"}}
	}
	return nil
}
