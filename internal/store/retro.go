package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// Retro returns a project's retrospective; one nobody wrote has Version 0.
func (s *Store) Retro(ctx context.Context, projectID int64) (accord.Retro, error) {
	r := accord.Retro{ProjectID: projectID}
	err := s.pool.QueryRow(ctx, `SELECT x.actual_amount, x.actual_outcome, x.lessons, COALESCE(u.name, ''),
			COALESCE(u.name_en, ''), x.updated_at, x.version
		FROM retrospectives x LEFT JOIN users u ON u.id = x.updated_by WHERE x.project_id = $1`, projectID).
		Scan(&r.ActualAmount, &r.ActualOutcome, &r.Lessons, &r.UpdatedBy, &r.UpdatedByEN, &r.UpdatedAt, &r.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return accord.Retro{}, fmt.Errorf("store: retrospective of project %d: %w", projectID, err)
	}
	return r, nil
}

// SaveRetro writes a project's retrospective if nobody saved it since version (0 for
// the first save). in must be normalized and valid.
func (s *Store) SaveRetro(ctx context.Context, actorID, projectID int64, version int, in accord.RetroInput, now time.Time) (accord.Retro, error) {
	if err := in.Validate(); err != nil {
		return accord.Retro{}, err
	}
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		var before *accord.RetroInput
		var current int
		var b accord.RetroInput
		err := tx.QueryRow(ctx, `SELECT actual_amount, actual_outcome, lessons, version FROM retrospectives
			WHERE project_id = $1 FOR UPDATE`, projectID).Scan(&b.ActualAmount, &b.ActualOutcome, &b.Lessons, &current)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			before = &b
		}
		if current != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		var by *int64
		if actorID > 0 {
			by = &actorID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO retrospectives (project_id, actual_amount, actual_outcome, lessons,
				updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (project_id) DO UPDATE SET actual_amount = $2, actual_outcome = $3, lessons = $4,
				updated_by = $5, updated_at = $6, version = retrospectives.version + 1`,
			projectID, in.ActualAmount, in.ActualOutcome, in.Lessons, by, now); err != nil {
			return err
		}
		var beforeAudit any
		if before != nil {
			beforeAudit = before
		}
		return auditProject(ctx, tx, actorID, projectID, accord.AuditRetrospective, projectID, accord.AuditSave, beforeAudit, in)
	})
	if err != nil {
		return accord.Retro{}, fmt.Errorf("store: save retrospective of project %d: %w", projectID, err)
	}
	return s.Retro(ctx, projectID)
}

const thanksColumns = `t.id, t.project_id, p.name, p.name_en, t.unit_id, u.name, u.name_en, t.text, b.name, b.name_en, t.at`

const thanksFrom = ` FROM thanks t JOIN projects p ON p.id = t.project_id JOIN units u ON u.id = t.unit_id
	JOIN users b ON b.id = t.by_user_id `

func scanThanks(row pgx.Row) (accord.Thanks, error) {
	var t accord.Thanks
	err := row.Scan(&t.ID, &t.ProjectID, &t.ProjectName, &t.ProjectNameEN, &t.UnitID, &t.UnitName, &t.UnitNameEN,
		&t.Text, &t.ByName, &t.ByNameEN, &t.At)
	return t, err
}

// AddThanks records a project's thanks to a unit. in must be normalized and valid.
func (s *Store) AddThanks(ctx context.Context, actorID, projectID int64, in accord.ThanksInput, now time.Time) (accord.Thanks, error) {
	var t accord.Thanks
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		if err := checkUnitField(ctx, tx, in.UnitID, "unit_id"); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO thanks (project_id, unit_id, text, by_user_id, at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, projectID, in.UnitID, in.Text, actorID, now).Scan(&id); err != nil {
			return err
		}
		var err error
		if t, err = scanThanks(tx.QueryRow(ctx, `SELECT `+thanksColumns+thanksFrom+`WHERE t.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, projectID, accord.AuditThanks, id, accord.AuditCreate, nil, in)
	})
	if err != nil {
		return accord.Thanks{}, fmt.Errorf("store: thank unit %d for project %d: %w", in.UnitID, projectID, err)
	}
	return t, nil
}

// DeleteThanks withdraws a thanks written in error; it must belong to the project.
func (s *Store) DeleteThanks(ctx context.Context, actorID, projectID, id int64) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var in accord.ThanksInput
		err := tx.QueryRow(ctx, `DELETE FROM thanks WHERE id = $1 AND project_id = $2 RETURNING unit_id, text`, id, projectID).
			Scan(&in.UnitID, &in.Text)
		if err != nil {
			return mapNotFound(err, "thanks_not_found")
		}
		// Asked once the thanks is found, so a wrong pair of ids is "not found" to
		// anyone; a refusal rolls the delete back.
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, projectID, accord.AuditThanks, id, accord.AuditDelete, in, nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete thanks %d: %w", id, err)
	}
	return nil
}

// ProjectThanks lists a project's thanks, oldest first, as they were given.
func (s *Store) ProjectThanks(ctx context.Context, projectID int64) ([]accord.Thanks, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+thanksColumns+thanksFrom+`WHERE t.project_id = $1 ORDER BY t.at, t.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: thanks of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Thanks, error) { return scanThanks(r) })
	if err != nil {
		return nil, fmt.Errorf("store: thanks of project %d: %w", projectID, err)
	}
	return list, nil
}

// RetroUnits lists every unit that held a need of the project, was thanked or was
// promised something, the most effort first, in one query.
func (s *Store) RetroUnits(ctx context.Context, projectID int64) ([]accord.RetroUnit, error) {
	rows, err := s.pool.Query(ctx, `WITH involved AS (
			SELECT holder_unit_id AS unit_id FROM needs WHERE project_id = $1 AND holder_unit_id IS NOT NULL AND archived_at IS NULL
			UNION SELECT unit_id FROM thanks WHERE project_id = $1
			UNION SELECT unit_id FROM commitments WHERE project_id = $1)
		SELECT u.id, u.name, u.name_en, n.needs, n.planned, COALESCE(r.logged, 0), COALESCE(r.delivered, 0),
			COALESCE(r.open, 0), COALESCE(r.declined, 0), t.thanks, c.kept, c.broken, c.open
		FROM involved i JOIN units u ON u.id = i.unit_id
		CROSS JOIN LATERAL (SELECT count(*) AS needs,
				-- a phase's days are within its parent's while the parent is on the map (accord.EffortCounted)
				COALESCE(sum(effort_days) FILTER (WHERE NOT EXISTS (SELECT 1 FROM needs pp
					WHERE pp.id = d.phase_of_need_id AND pp.archived_at IS NULL)), 0)::float8 AS planned
			FROM needs d WHERE d.project_id = $1 AND d.holder_unit_id = u.id AND d.archived_at IS NULL) n
		LEFT JOIN LATERAL (SELECT
				(SELECT COALESCE(sum(e.effort_days), 0) FROM request_updates e
				 JOIN requests x ON x.id = e.request_id WHERE x.project_id = $1 AND x.holder_unit_id = u.id)::float8 AS logged,
				count(*) FILTER (WHERE q.state = 'delivered') AS delivered,
				count(*) FILTER (WHERE q.state IN `+sentOpen+`) AS open,
				count(*) FILTER (WHERE q.state = 'declined') AS declined
			FROM requests q WHERE q.project_id = $1 AND q.holder_unit_id = u.id) r ON true
		CROSS JOIN LATERAL (SELECT count(*) AS thanks FROM thanks WHERE project_id = $1 AND unit_id = u.id) t
		CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE status = 'kept') AS kept,
				count(*) FILTER (WHERE status = 'broken') AS broken, count(*) FILTER (WHERE status = 'open') AS open
			FROM commitments WHERE project_id = $1 AND unit_id = u.id) c
		ORDER BY 6 DESC, 5 DESC, u.path`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: units of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.RetroUnit, error) {
		var u accord.RetroUnit
		err := r.Scan(&u.UnitID, &u.Name, &u.NameEN, &u.Needs, &u.PlannedDays, &u.LoggedDays, &u.Delivered, &u.Open,
			&u.Declined, &u.Thanks, &u.PromisesKept, &u.PromisesLost, &u.PromisesOpen)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: units of project %d: %w", projectID, err)
	}
	return list, nil
}

// RetroTimeline lists a project's needs by the date they were needed, each with its
// latest request (a live or delivered one before a cancelled one), in one query.
func (s *Store) RetroTimeline(ctx context.Context, projectID int64) ([]accord.TimelineNeed, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.title, d.title_en, d.tier,
			COALESCE(h.name, d.external_party), COALESCE(h.name_en, ''), d.holder_unit_id IS NULL, d.needed_by,
			COALESCE(r.state, ''), r.due_date, CASE WHEN r.state = 'delivered' THEN r.last_activity_at END
		FROM needs d LEFT JOIN units h ON h.id = d.holder_unit_id
		LEFT JOIN LATERAL (SELECT x.state, x.due_date, x.last_activity_at FROM requests x WHERE x.need_id = d.id
			ORDER BY x.state = 'cancelled', x.id DESC LIMIT 1) r ON true
		WHERE d.project_id = $1 AND d.archived_at IS NULL
		ORDER BY d.needed_by NULLS LAST, d.tier, d.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: timeline of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.TimelineNeed, error) {
		var n accord.TimelineNeed
		err := r.Scan(&n.NeedID, &n.Title, &n.TitleEN, &n.Tier, &n.HolderName, &n.HolderEN, &n.External, &n.NeededBy,
			&n.State, &n.DueDate, &n.DeliveredAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: timeline of project %d: %w", projectID, err)
	}
	return list, nil
}

// ClearProjectNotifications removes a project's notifications. The demo loader plays
// a closed project's history out weeks in the past; its notifications would be news
// to nobody.
func (s *Store) ClearProjectNotifications(ctx context.Context, projectID int64) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE project_id = $1`, projectID); err != nil {
		return fmt.Errorf("store: clear notifications of project %d: %w", projectID, err)
	}
	return nil
}
