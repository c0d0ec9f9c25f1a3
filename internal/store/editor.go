package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// checkEditor refuses a change to project projectID's workbook (its needs, plans,
// promises, retrospective, settings) by someone accord.MayEditProject does not allow.
// The faces ask the same rule before they offer a form; asking again here, inside the
// transaction, means no new caller can forget it. actorID 0 is Accord itself (the
// demo loader and test factories), which no face passes.
func checkEditor(ctx context.Context, tx pgx.Tx, actorID, projectID int64) error {
	if actorID == 0 {
		return nil
	}
	var lead int64
	var v accord.Viewer
	err := tx.QueryRow(ctx, `SELECT p.lead_user_id, u.id, u.is_admin, u.deactivated_at
		FROM projects p, users u WHERE p.id = $1 AND u.id = $2`, projectID, actorID).
		Scan(&lead, &v.User.ID, &v.Roles.Admin, &v.User.DeactivatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return accord.Errorf(accord.ECodeNotFound, "project_not_found", nil)
	}
	if err != nil {
		return err
	}
	if !v.User.Active() || !accord.MayEditProject(v, accord.Project{ID: projectID, LeadUserID: lead}) {
		return accord.Errorf(accord.ECodeForbidden, "error_forbidden_body", nil)
	}
	return nil
}
