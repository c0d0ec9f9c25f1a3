package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const needColumns = `d.id, d.project_id, d.title, d.title_en, d.holder_unit_id, COALESCE(h.name, ''), COALESCE(h.name_en, ''),
	d.external_party, d.tier, d.backs_up_need_id, d.needed_by, d.effort_days::float8, d.key_person, d.notes,
	d.created_at, d.version, d.phase_of_need_id, COALESCE(pn.title, ''), COALESCE(pn.title_en, ''),
	COALESCE(kp.name, ''), COALESCE(kp.name_en, '')`

// needFrom joins the holder, the need a phase was split from, and the person the
// key-person text names when it is the name, in either language, of the holder's
// head or one of its members.
const needFrom = ` FROM needs d LEFT JOIN units h ON h.id = d.holder_unit_id LEFT JOIN needs pn ON pn.id = d.phase_of_need_id
	LEFT JOIN LATERAL (
		SELECT u.name, u.name_en FROM users u
		WHERE d.key_person <> '' AND d.key_person IN (u.name, u.name_en)
		  AND (u.id = h.head_user_id OR u.id IN (SELECT m.user_id FROM memberships m WHERE m.unit_id = h.id))
		ORDER BY u.id LIMIT 1) kp ON true `

// liveNeed keeps archived needs (every request cancelled) out of the resource map.
const liveNeed = ` AND d.archived_at IS NULL`

// needOrder sorts the resource map: tier, then the earliest needed-by date.
const needOrder = ` ORDER BY d.tier, d.needed_by NULLS LAST, d.id`

func scanNeed(row pgx.Row) (accord.Need, error) {
	var n accord.Need
	err := row.Scan(&n.ID, &n.ProjectID, &n.Title, &n.TitleEN, &n.HolderUnitID, &n.HolderName, &n.HolderNameEN,
		&n.ExternalParty, &n.Tier, &n.BacksUpNeedID, &n.NeededBy, &n.EffortDays, &n.KeyPerson, &n.Notes,
		&n.CreatedAt, &n.Version, &n.PhaseOfNeedID, &n.PhaseOfTitle, &n.PhaseOfTitleEN, &n.KeyPersonName, &n.KeyPersonNameEN)
	return n, err
}

// Needs returns a project's resource map in tier and date order.
func (s *Store) Needs(ctx context.Context, projectID int64) ([]accord.Need, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+needColumns+needFrom+`WHERE d.project_id = $1`+liveNeed+needOrder, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: needs of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Need, error) { return scanNeed(r) })
	if err != nil {
		return nil, fmt.Errorf("store: needs of project %d: %w", projectID, err)
	}
	return list, nil
}

// Need returns one need on the resource map; an archived need is not found.
func (s *Store) Need(ctx context.Context, id int64) (accord.Need, error) {
	n, err := scanNeed(s.pool.QueryRow(ctx, `SELECT `+needColumns+needFrom+`WHERE d.id = $1`+liveNeed, id))
	if err != nil {
		return accord.Need{}, fmt.Errorf("store: need %d: %w", id, mapNotFound(err, "need_not_found"))
	}
	return n, nil
}

// CreateNeed adds a need to a project's resource map. in must be valid.
func (s *Store) CreateNeed(ctx context.Context, actorID, projectID int64, in accord.NeedInput) (accord.Need, error) {
	var n accord.Need
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		var err error
		n, err = insertNeed(ctx, tx, actorID, projectID, in)
		return err
	})
	if err != nil {
		return accord.Need{}, fmt.Errorf("store: create need in project %d: %w", projectID, err)
	}
	return n, nil
}

// ImportNeeds adds every need or none: one bad row rolls the whole import back.
func (s *Store) ImportNeeds(ctx context.Context, actorID, projectID int64, ins []accord.NeedInput) ([]accord.Need, error) {
	var out []accord.Need
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, projectID); err != nil {
			return err
		}
		for i, in := range ins {
			n, err := insertNeed(ctx, tx, actorID, projectID, in)
			if err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: import needs into project %d: %w", projectID, err)
	}
	return out, nil
}

func insertNeed(ctx context.Context, tx pgx.Tx, actorID, projectID int64, in accord.NeedInput) (accord.Need, error) {
	if err := checkNeedRefs(ctx, tx, projectID, 0, in); err != nil {
		return accord.Need{}, err
	}
	if err := checkPhase(ctx, tx, projectID, 0, in); err != nil {
		return accord.Need{}, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO needs (project_id, title, title_en, holder_unit_id, external_party, tier,
			backs_up_need_id, needed_by, effort_days, key_person, notes, phase_of_need_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
			(SELECT id FROM needs WHERE id = $12 AND project_id = $1)) RETURNING id`,
		projectID, in.Title, in.TitleEN, in.HolderUnitID, in.ExternalParty, in.Tier, in.BacksUpNeedID,
		in.NeededBy, in.EffortDays, in.KeyPerson, in.Notes, in.PhaseOfNeedID).Scan(&id); err != nil {
		return accord.Need{}, err
	}
	n, err := scanNeed(tx.QueryRow(ctx, `SELECT `+needColumns+needFrom+`WHERE d.id = $1`, id))
	if err != nil {
		return accord.Need{}, err
	}
	return n, auditProject(ctx, tx, actorID, projectID, accord.AuditNeed, id, accord.AuditCreate, nil, in)
}

// UpdateNeed saves a need if nobody changed it since version.
func (s *Store) UpdateNeed(ctx context.Context, actorID, id int64, version int, in accord.NeedInput) (accord.Need, error) {
	var n accord.Need
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockNeed(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := checkEditor(ctx, tx, actorID, before.ProjectID); err != nil {
			return err
		}
		if err := checkNeedRefs(ctx, tx, before.ProjectID, id, in); err != nil {
			return err
		}
		in.PhaseOfNeedID = before.PhaseOfNeedID
		if err := checkPhase(ctx, tx, before.ProjectID, id, in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE needs SET title = $2, title_en = $3, holder_unit_id = $4, external_party = $5,
				tier = $6, backs_up_need_id = $7, needed_by = $8, effort_days = $9, key_person = $10, notes = $11,
				version = version + 1
			WHERE id = $1`, id, in.Title, in.TitleEN, in.HolderUnitID, in.ExternalParty, in.Tier, in.BacksUpNeedID,
			in.NeededBy, in.EffortDays, in.KeyPerson, in.Notes); err != nil {
			return err
		}
		if n, err = scanNeed(tx.QueryRow(ctx, `SELECT `+needColumns+needFrom+`WHERE d.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditNeed, id, accord.AuditUpdate, needInput(before), in)
	})
	if err != nil {
		return accord.Need{}, fmt.Errorf("store: update need %d: %w", id, err)
	}
	return n, nil
}

// DeleteNeed removes a need from the resource map if nobody changed it since version,
// as accord.NeedRemovalOf says: a need never sent is deleted; a need whose every
// request was cancelled is archived, as its requests and their record still refer to
// it; a need with a live or delivered request stays. Alternatives that backed it up
// stay, pointing at nothing. It returns what it did.
func (s *Store) DeleteNeed(ctx context.Context, actorID, id int64, version int) (accord.NeedRemoval, error) {
	var done accord.NeedRemoval
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockNeed(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if err := checkEditor(ctx, tx, actorID, before.ProjectID); err != nil {
			return err
		}
		var states []accord.RequestState
		if err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(state), '{}') FROM requests WHERE need_id = $1`, id).Scan(&states); err != nil {
			return err
		}
		switch done = accord.NeedRemovalOf(states); done {
		case accord.NeedDelete:
			if _, err := tx.Exec(ctx, `DELETE FROM needs WHERE id = $1`, id); err != nil {
				return err
			}
			return auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditNeed, id, accord.AuditDelete, needInput(before), nil)
		case accord.NeedArchive:
			if _, err := tx.Exec(ctx, `UPDATE needs SET backs_up_need_id = NULL, version = version + 1
				WHERE backs_up_need_id = $1 AND archived_at IS NULL`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE needs SET archived_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
				return err
			}
			return auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditNeed, id, accord.AuditArchive, needInput(before), nil)
		default:
			return accord.Errorf(accord.ECodeInvalid, "need_has_requests", nil)
		}
	})
	if err != nil {
		return accord.NeedKeep, fmt.Errorf("store: delete need %d: %w", id, err)
	}
	return done, nil
}

// lockNeed locks a need for a change at the version the caller saw. Its live request
// is locked first: answering a request locks the request and then (through the
// portfolio triggers of migration 0013) its need, and a need's change rewrites its
// live request's queue and sweep columns (migrations 0011, 0015); taking the locks in
// the same order everywhere is what keeps the two from deadlocking.
func lockNeed(ctx context.Context, tx pgx.Tx, id int64, version int) (accord.Need, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM requests WHERE need_id = $1 AND state NOT IN `+closedStates+`
		FOR UPDATE`, id); err != nil {
		return accord.Need{}, err
	}
	n, err := scanNeed(tx.QueryRow(ctx, `SELECT `+needColumns+needFrom+`WHERE d.id = $1`+liveNeed+` FOR UPDATE OF d`, id))
	if err != nil {
		return accord.Need{}, mapNotFound(err, "need_not_found")
	}
	if n.Version != version {
		return accord.Need{}, accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
	}
	return n, nil
}

// checkNeedRefs checks the holding unit is open and the backed-up need belongs to the
// same project (and is not the need itself).
func checkNeedRefs(ctx context.Context, tx pgx.Tx, projectID, selfID int64, in accord.NeedInput) error {
	var holderOK, backupOK bool
	err := tx.QueryRow(ctx, `SELECT
			$1::bigint IS NULL OR EXISTS (SELECT 1 FROM units WHERE id = $1 AND closed_at IS NULL),
			$2::bigint IS NULL OR ($2 <> $4 AND EXISTS (SELECT 1 FROM needs WHERE id = $2 AND project_id = $3))`,
		in.HolderUnitID, in.BacksUpNeedID, projectID, selfID).Scan(&holderOK, &backupOK)
	if err != nil {
		return err
	}
	var v accord.Validation
	if !holderOK {
		v.Add("holder", "unit_not_found")
	}
	if !backupOK {
		v.Add("backs_up_need_id", "need_not_found")
	}
	return v.Err()
}

// checkPhase holds a phase to the need it was split from (accord.ValidatePhase) and a
// need with phases to what they already take (accord.ValidatePhasedParent). selfID is
// the need being saved, 0 for a new one.
func checkPhase(ctx context.Context, tx pgx.Tx, projectID, selfID int64, in accord.NeedInput) error {
	if in.PhaseOfNeedID != nil {
		parent, err := scanNeed(tx.QueryRow(ctx, `SELECT `+needColumns+needFrom+`WHERE d.id = $1 AND d.project_id = $2`,
			*in.PhaseOfNeedID, projectID))
		if err == nil {
			var others float64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(sum(effort_days), 0)::float8 FROM needs
				WHERE phase_of_need_id = $1 AND id <> $2 AND archived_at IS NULL`, parent.ID, selfID).Scan(&others); err != nil {
				return err
			}
			if err := accord.ValidatePhase(in, parent, others); err != nil {
				return err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	if selfID == 0 {
		return nil
	}
	var phases float64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(sum(effort_days), 0)::float8 FROM needs
		WHERE phase_of_need_id = $1 AND archived_at IS NULL`, selfID).Scan(&phases); err != nil {
		return err
	}
	return accord.ValidatePhasedParent(in, phases)
}

func needInput(n accord.Need) accord.NeedInput {
	return accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, HolderUnitID: n.HolderUnitID, ExternalParty: n.ExternalParty,
		Tier: n.Tier, BacksUpNeedID: n.BacksUpNeedID, NeededBy: n.NeededBy, EffortDays: n.EffortDays,
		KeyPerson: n.KeyPerson, Notes: n.Notes}
}
