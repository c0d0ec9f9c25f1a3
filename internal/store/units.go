package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const unitColumns = `n.id, n.parent_id, n.path, n.name, n.name_en, n.head_user_id,
	COALESCE(h.name, ''), COALESCE(h.name_en, ''), n.closed_at, n.created_at, n.version, n.code`

// unitFrom joins the head so lists show names without a query per unit.
const unitFrom = ` FROM units n LEFT JOIN users h ON h.id = n.head_user_id `

func scanUnit(row pgx.Row) (accord.Unit, error) {
	var u accord.Unit
	err := row.Scan(&u.ID, &u.ParentID, &u.Path, &u.Name, &u.NameEN, &u.HeadUserID,
		&u.HeadName, &u.HeadNameEN, &u.ClosedAt, &u.CreatedAt, &u.Version, &u.Code)
	return u, err
}

// Unit returns one unit with its head's name.
func (s *Store) Unit(ctx context.Context, id int64) (accord.Unit, error) {
	u, err := scanUnit(s.pool.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1`, id))
	if err != nil {
		return accord.Unit{}, fmt.Errorf("store: unit %d: %w", id, mapNotFound(err, "unit_not_found"))
	}
	return u, nil
}

// Units returns the whole tree in depth-first order (parents before children).
func (s *Store) Units(ctx context.Context) ([]accord.Unit, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+unitColumns+unitFrom+`ORDER BY n.path`)
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	units, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Unit, error) { return scanUnit(r) })
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	return units, nil
}

// UnitFamily lists unit id with its parent and its children, open or closed, in tree
// order: what a unit's page names around it, without reading the whole tree.
func (s *Store) UnitFamily(ctx context.Context, id int64) ([]accord.Unit, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+unitColumns+unitFrom+`
		WHERE n.id = $1 OR n.parent_id = $1 OR n.id = (SELECT parent_id FROM units WHERE id = $1)
		ORDER BY n.path`, id)
	if err != nil {
		return nil, fmt.Errorf("store: unit %d and its family: %w", id, err)
	}
	units, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Unit, error) { return scanUnit(r) })
	if err != nil {
		return nil, fmt.Errorf("store: unit %d and its family: %w", id, err)
	}
	return units, nil
}

// HasOrganisation reports whether the org tree has a root yet.
func (s *Store) HasOrganisation(ctx context.Context) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("store: check organisation: %w", err)
	}
	return ok, nil
}

// CreateUnit adds a unit under in.ParentID, or the root when ParentID is 0.
func (s *Store) CreateUnit(ctx context.Context, actorID int64, in accord.UnitInput) (accord.Unit, error) {
	var u accord.Unit
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var parent *int64
		parentPath := []int64{}
		if in.ParentID > 0 {
			p, err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1 FOR SHARE OF n`, in.ParentID))
			if err != nil {
				return fieldNotFound(err, "parent_id", "unit_not_found")
			}
			if !p.Open() {
				return &accord.Error{Code: accord.ECodeInvalid, MessageID: "unit_parent_closed",
					Fields: map[string]string{"parent_id": "unit_parent_closed"}}
			}
			parent, parentPath = &p.ID, p.Path
		}
		var id int64
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('units', 'id'))`).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO units (id, parent_id, path, name, name_en, code) VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''))`,
			id, parent, append(parentPath, id), in.Name, in.NameEN, in.Code)
		if isUniqueViolation(err, "units_code_key") {
			return &accord.Error{Code: accord.ECodeConflict, MessageID: "unit_code_taken",
				Fields: map[string]string{"code": "unit_code_taken"}}
		}
		if isUniqueViolation(err, "units_single_root") {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "unit_root_exists",
				Fields: map[string]string{"parent_id": "field_required"}}
		}
		if err != nil {
			return err
		}
		if u, err = scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditUnit, id, accord.AuditCreate, nil, unitAudit(u))
	})
	if err != nil {
		return accord.Unit{}, fmt.Errorf("store: create unit %q: %w", in.Name, err)
	}
	return u, nil
}

// RenameUnit changes a unit's names if nobody changed the unit since version.
func (s *Store) RenameUnit(ctx context.Context, actorID, id int64, version int, name, nameEN string) (accord.Unit, error) {
	return s.updateUnit(ctx, actorID, id, version, accord.AuditRename, func(tx pgx.Tx, u accord.Unit) error {
		_, err := tx.Exec(ctx, `UPDATE units SET name = $2, name_en = $3, version = version + 1 WHERE id = $1`, id, name, nameEN)
		return err
	})
}

// MoveUnit puts a unit and its whole subtree under a new parent, refusing cycles.
func (s *Store) MoveUnit(ctx context.Context, actorID, id int64, version int, newParentID int64) (accord.Unit, error) {
	return s.updateUnit(ctx, actorID, id, version, accord.AuditMove, func(tx pgx.Tx, u accord.Unit) error {
		parent, err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1 FOR SHARE OF n`, newParentID))
		if err != nil {
			return fieldNotFound(err, "parent_id", "unit_not_found")
		}
		if err := accord.CheckMove(u, parent); err != nil {
			return err
		}
		if err := lockParent(ctx, tx, u); err != nil {
			return err
		}
		// The subtree locked first, in a statement of its own: a unit being created
		// under one of its units holds that unit FOR SHARE, so this waits until it is
		// in, and the UPDATE below, whose snapshot begins after, rewrites its path too.
		// A unit created later waits for this move and reads its parent's new path.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM units WHERE path @> ARRAY[$1::bigint] FOR UPDATE`, id); err != nil {
			return err
		}
		// Every descendant's path starts with the moved unit's old path; swap that prefix.
		_, err = tx.Exec(ctx, `UPDATE units SET
				path = $2::bigint[] || path[$3 + 1:],
				parent_id = CASE WHEN id = $1 THEN $4 ELSE parent_id END,
				version = version + 1
			WHERE path @> ARRAY[$1::bigint]`,
			id, append(parent.Path, id), len(u.Path), parent.ID)
		return err
	})
}

// CloseUnit marks a unit closed; its open sub-units must be closed or moved first.
func (s *Store) CloseUnit(ctx context.Context, actorID, id int64, version int) (accord.Unit, error) {
	return s.updateUnit(ctx, actorID, id, version, accord.AuditClose, func(tx pgx.Tx, u accord.Unit) error {
		if u.ParentID == nil {
			return accord.Errorf(accord.ECodeInvalid, "unit_close_root", nil)
		}
		var openChildren bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE parent_id = $1 AND closed_at IS NULL)`, id).Scan(&openChildren); err != nil {
			return err
		}
		if openChildren {
			return accord.Errorf(accord.ECodeInvalid, "unit_close_has_children", nil)
		}
		if err := lockParent(ctx, tx, u); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE units SET closed_at = now(), version = version + 1 WHERE id = $1`, id)
		return err
	})
}

// SetUnitHead names the unit's head (nil leaves the post vacant). The head becomes a
// member of the unit.
func (s *Store) SetUnitHead(ctx context.Context, actorID, id int64, version int, headUserID *int64) (accord.Unit, error) {
	return s.updateUnit(ctx, actorID, id, version, accord.AuditSetHead, func(tx pgx.Tx, u accord.Unit) error {
		if headUserID != nil {
			var active bool
			// FOR SHARE: a deactivation under way is waited for, and then refuses the
			// post; and it cannot wait on this transaction's stamps (migration 0045) while
			// this one waits on its row.
			err := tx.QueryRow(ctx, `SELECT deactivated_at IS NULL FROM users WHERE id = $1 FOR SHARE`, *headUserID).Scan(&active)
			if err != nil {
				return fieldNotFound(err, "head_user_id", "user_not_found")
			}
			if !active {
				return &accord.Error{Code: accord.ECodeInvalid, MessageID: "user_inactive",
					Fields: map[string]string{"head_user_id": "user_inactive"}}
			}
		}
		// The unit before the membership: the unit's trigger moves the stamps of the
		// heads and members at once, in order (migration 0045), and the membership's
		// then only the new head's, already taken.
		if _, err := tx.Exec(ctx, `UPDATE units SET head_user_id = $2, version = version + 1 WHERE id = $1`, id, headUserID); err != nil {
			return err
		}
		if headUserID != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, *headUserID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// lockParent locks unit u's parent FOR SHARE before u leaves it or closes: the units
// trigger of migration 0045 then reads the parent's head after any change of head
// under way, whose own trigger saw u still there (the parent's head's Executive role
// depends on u).
func lockParent(ctx context.Context, tx pgx.Tx, u accord.Unit) error {
	if u.ParentID == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM units WHERE id = $1 FOR SHARE`, *u.ParentID); err != nil {
		return fmt.Errorf("lock unit %d's parent: %w", u.ID, err)
	}
	return nil
}

// updateUnit locks the unit, checks the version the user saw, applies change and
// audits the before and after.
func (s *Store) updateUnit(ctx context.Context, actorID, id int64, version int, action accord.AuditAction, change func(pgx.Tx, accord.Unit) error) (accord.Unit, error) {
	var after accord.Unit
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1 FOR UPDATE OF n`, id))
		if err != nil {
			return mapNotFound(err, "unit_not_found")
		}
		if before.Version != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		if err := change(tx, before); err != nil {
			return err
		}
		if after, err = scanUnit(tx.QueryRow(ctx, `SELECT `+unitColumns+unitFrom+`WHERE n.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditUnit, id, action, unitAudit(before), unitAudit(after))
	})
	if err != nil {
		return accord.Unit{}, fmt.Errorf("store: %s unit %d: %w", action, id, err)
	}
	return after, nil
}

func unitAudit(u accord.Unit) map[string]any {
	return map[string]any{"code": u.Code, "name": u.Name, "name_en": u.NameEN, "parent_id": u.ParentID,
		"head_user_id": u.HeadUserID, "closed": !u.Open()}
}

// SharedSuperior finds who decides between units a and b for a project led by lead
// (0 for none: the units alone), see accord.SharedSuperior, with one query: both
// paths and the filled posts on them, whatever the depth.
func (s *Store) SharedSuperior(ctx context.Context, a, b, lead int64) (accord.Superior, error) {
	sup, err := sharedSuperiorIn(ctx, s.pool, a, b, lead)
	if err != nil {
		return accord.Superior{}, fmt.Errorf("store: shared superior of %d and %d: %w", a, b, err)
	}
	return sup, nil
}

// querier is what a pool and a transaction both offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func sharedSuperiorIn(ctx context.Context, q querier, a, b, lead int64) (accord.Superior, error) {
	var pathA, pathB, unitIDs, headIDs []int64
	if err := q.QueryRow(ctx, sharedSuperiorQuery, a, b).Scan(&pathA, &pathB, &unitIDs, &headIDs); err != nil {
		return accord.Superior{}, err
	}
	if pathA == nil || pathB == nil {
		return accord.Superior{}, accord.Errorf(accord.ECodeNotFound, "unit_not_found", nil)
	}
	return accord.SharedSuperior(pathA, pathB, headsMap(unitIDs, headIDs), accord.Parties{lead})
}

// sharedSuperiorQuery reads both units' paths and the filled posts on them in one
// query, whatever the depth.
const sharedSuperiorQuery = `WITH pair AS (
		SELECT (SELECT path FROM units WHERE id = $1) AS a, (SELECT path FROM units WHERE id = $2) AS b)
	SELECT pair.a, pair.b,
		COALESCE(array_agg(n.id) FILTER (WHERE n.id IS NOT NULL), '{}'),
		COALESCE(array_agg(n.head_user_id) FILTER (WHERE n.id IS NOT NULL), '{}')
	FROM pair
	LEFT JOIN units n ON n.id = ANY (pair.a || pair.b) AND n.closed_at IS NULL
		AND n.head_user_id IN (SELECT id FROM users WHERE deactivated_at IS NULL)
	GROUP BY pair.a, pair.b`

// filledPosts lists, for a path read by the same statement, the units on it whose
// post is filled by an active head and those heads: the input accord's routing rules
// take as a map.
const filledPosts = `COALESCE((SELECT array_agg(n.id ORDER BY n.id) FROM units n JOIN users nu ON nu.id = n.head_user_id
		AND nu.deactivated_at IS NULL WHERE n.id = ANY (%[1]s) AND n.closed_at IS NULL), '{}'),
	COALESCE((SELECT array_agg(n.head_user_id ORDER BY n.id) FROM units n JOIN users nu ON nu.id = n.head_user_id
		AND nu.deactivated_at IS NULL WHERE n.id = ANY (%[1]s) AND n.closed_at IS NULL), '{}')`

func headsMap(unitIDs, headIDs []int64) map[int64]int64 {
	heads := make(map[int64]int64, len(unitIDs))
	for i, id := range unitIDs {
		heads[id] = headIDs[i]
	}
	return heads
}

// fieldNotFound reports a missing referenced row as a problem with the form field.
func fieldNotFound(err error, field, messageID string) error {
	if err := mapNotFound(err, messageID); accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: messageID, Fields: map[string]string{field: messageID}}
	}
	return err
}
