package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const escalationColumns = `e.id, e.request_id, e.project_id, e.cause, e.status, e.assigned_user_id, e.assigned_unit_id,
	s.name, s.name_en, e.level, e.at_top, e.reason, e.brief, e.lead_statement, e.holder_statement, e.window_opened_at,
	e.window_due_at, e.decision, e.decision_note, e.decided_at, e.created_at, e.version, ` + requestColumns

const escalationFrom = ` FROM escalations e JOIN users s ON s.id = e.assigned_user_id
	JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	JOIN units h ON h.id = r.holder_unit_id LEFT JOIN users k ON k.id = r.key_person_user_id `

func scanEscalation(row pgx.Row, extra ...any) (accord.Escalation, error) {
	var e accord.Escalation
	dest := append([]any{&e.ID, &e.RequestID, &e.ProjectID, &e.Cause, &e.Status, &e.AssignedUserID, &e.AssignedUnitID,
		&e.AssignedName, &e.AssignedNameEN, &e.Level, &e.AtTop, &e.Reason, &e.Brief, &e.LeadStatement, &e.HolderStatement,
		&e.WindowOpenedAt, &e.WindowDueAt, &e.Decision, &e.DecisionNote, &e.DecidedAt, &e.CreatedAt, &e.Version},
		requestDest(&e.Request)...)
	err := row.Scan(append(dest, extra...)...)
	return e, err
}

// sharedSuperiorSQL picks, for requests r joined with projects p, the deepest unit on
// both the owning unit's and the holder's path whose head is active: the shared
// superior, vacant posts skipped upward. accord.SharedSuperior is the same rule in Go.
const sharedSuperiorSQL = `(SELECT ARRAY[c.id, c.head_user_id]
	FROM units ou, units hu, units c JOIN users cu ON cu.id = c.head_user_id AND cu.deactivated_at IS NULL
	WHERE ou.id = p.owning_unit_id AND hu.id = r.holder_unit_id
	  AND c.id = ANY (ou.path) AND c.id = ANY (hu.path) AND c.closed_at IS NULL
	ORDER BY cardinality(c.path) DESC LIMIT 1)`

// Escalate takes a request to the shared superior at the lead's request. When the
// lead is that superior, it refuses with escalation_you_decide: they can decide
// themselves. brief may be empty to generate it from the data when read.
func (s *Store) Escalate(ctx context.Context, v accord.Viewer, requestID int64, reason, brief string, windowDays int, now time.Time) (accord.Escalation, error) {
	var id int64
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		if !RequestParty(r, v).Lead {
			return accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil)
		}
		if !r.State.Open() || r.State == accord.RequestDraft {
			return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
		}
		var owning int64
		if err := tx.QueryRow(ctx, `SELECT owning_unit_id FROM projects WHERE id = $1`, r.ProjectID).Scan(&owning); err != nil {
			return err
		}
		sup, err := sharedSuperiorTx(ctx, tx, owning, r.HolderUnitID)
		if err != nil {
			return err
		}
		if sup.HeadUserID == v.User.ID {
			return accord.Errorf(accord.ECodeInvalid, "escalation_you_decide", nil)
		}
		err = tx.QueryRow(ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id,
				reason, brief, window_opened_at, window_due_at, created_by, created_at)
			VALUES ($1, $2, 'manual', $3, $4, $5, $6, $7, $8, $9, $7)
			ON CONFLICT (request_id, cause) DO NOTHING RETURNING id`,
			r.ID, r.ProjectID, sup.HeadUserID, sup.UnitID, reason, brief, now,
			accord.AddWorkingDays(now, windowDays, now.Location()), v.User.ID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return accord.Errorf(accord.ECodeConflict, "escalation_exists", nil)
		}
		if err != nil {
			return err
		}
		return escalationRaised(ctx, tx, v.User.ID, id, r, sup.HeadUserID)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: escalate request %d: %w", requestID, err)
	}
	return s.Escalation(ctx, id)
}

// escalationRaised tells the superior and the holder's head, and audits.
func escalationRaised(ctx context.Context, tx pgx.Tx, actorID, escalationID int64, r accord.Request, superior int64) error {
	if err := notify(ctx, tx, superior, accord.NotifyEscalationAssigned, r, actorID, r.State, ""); err != nil {
		return err
	}
	head, err := holderHead(ctx, tx, r.HolderUnitID)
	if err != nil {
		return err
	}
	if err := notify(ctx, tx, head, accord.NotifyEscalationRaised, r, actorID, r.State, ""); err != nil {
		return err
	}
	return auditProject(ctx, tx, actorID, r.ProjectID, "escalation", escalationID, "raise", nil,
		map[string]any{"request_id": r.ID, "assigned_user_id": superior})
}

func sharedSuperiorTx(ctx context.Context, tx pgx.Tx, a, b int64) (accord.Superior, error) {
	var pathA, pathB, unitIDs, headIDs []int64
	err := tx.QueryRow(ctx, sharedSuperiorQuery, a, b).Scan(&pathA, &pathB, &unitIDs, &headIDs)
	if err != nil {
		return accord.Superior{}, err
	}
	return superiorFrom(pathA, pathB, unitIDs, headIDs)
}

// Escalation returns one escalation with its request.
func (s *Store) Escalation(ctx context.Context, id int64) (accord.Escalation, error) {
	e, err := scanEscalation(s.pool.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, id))
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: escalation %d: %w", id, mapNotFound(err, "escalation_not_found"))
	}
	return e, nil
}

// EscalationsAssigned lists the open escalations routed to a user: tier first, then
// the project's value, then the oldest. The page comes in order from the
// escalations_assigned_queue index (migration 0012) and the total from the same index,
// so neither sorts nor joins the whole queue.
func (s *Store) EscalationsAssigned(ctx context.Context, userID int64, offset, limit int) ([]accord.Escalation, int, error) {
	const total = `(SELECT count(*) FROM escalations WHERE assigned_user_id = $1 AND status = 'open')`
	rows, err := s.pool.Query(ctx, `WITH q AS (
			SELECT id FROM escalations WHERE assigned_user_id = $1 AND status = 'open'
			ORDER BY queue_tier, queue_value, created_at, id OFFSET $2 LIMIT $3)
		SELECT `+escalationColumns+`, `+total+escalationFrom+`JOIN q ON q.id = e.id
		ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id`, userID, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: escalations of user %d: %w", userID, err)
	}
	var n int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) { return scanEscalation(r, &n) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: escalations of user %d: %w", userID, err)
	}
	return list, n, nil
}

// AddStatement records one side's short statement: the holder's head speaks for the
// holder, the lead for the project. Sent back to the lead, a lead's statement answers
// the superior's questions and reopens the window.
func (s *Store) AddStatement(ctx context.Context, v accord.Viewer, id int64, text string, windowDays int, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1 FOR UPDATE OF e`, id))
		if err != nil {
			return mapNotFound(err, "escalation_not_found")
		}
		rp := RequestParty(e.Request, v)
		party := accord.EscalationParty{Superior: e.AssignedUserID == v.User.ID || v.Roles.Admin, Lead: rp.Lead, HolderHead: rp.HolderHead}
		// The holder's head speaks for the holder even when they also lead the project.
		event := accord.EventLeadStatement
		if party.HolderHead {
			event = accord.EventHolderStatement
		}
		next, err := accord.NextEscalationState(e.Status, event, party)
		if err != nil {
			return err
		}
		if event == accord.EventHolderStatement {
			_, err = tx.Exec(ctx, `UPDATE escalations SET holder_statement = $2, version = version + 1 WHERE id = $1`, id, text)
		} else {
			// Answering a send-back reopens the escalation with a full window from now.
			reopened := e.Status != next
			_, err = tx.Exec(ctx, `UPDATE escalations SET lead_statement = $2, version = version + 1, status = $3,
				window_opened_at = CASE WHEN $4 THEN $5 ELSE window_opened_at END,
				window_due_at = CASE WHEN $4 THEN $6 ELSE window_due_at END
				WHERE id = $1`, id, text, next, reopened, now, accord.AddWorkingDays(now, windowDays, now.Location()))
		}
		if err != nil {
			return err
		}
		if err := notify(ctx, tx, e.AssignedUserID, accord.NotifyEscalationStatement, e.Request, v.User.ID, e.Request.State, ""); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", id, "statement", nil, map[string]any{"text": text})
	})
	if err != nil {
		return fmt.Errorf("store: statement on escalation %d: %w", id, err)
	}
	return nil
}

// Decide records the superior's binding decision and applies it to the request in
// the same transaction. Only the assigned superior or an admin may decide.
func (s *Store) Decide(ctx context.Context, v accord.Viewer, id int64, version int, in accord.DecisionInput, now time.Time) (accord.Escalation, error) {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1 FOR UPDATE OF e, r`, id))
		if err != nil {
			return mapNotFound(err, "escalation_not_found")
		}
		rp := RequestParty(e.Request, v)
		party := accord.EscalationParty{Superior: e.AssignedUserID == v.User.ID || v.Roles.Admin, Lead: rp.Lead, HolderHead: rp.HolderHead}
		status, err := accord.NextEscalationState(e.Status, accord.EscalationEventFor(in.Kind), party)
		if err != nil {
			return err
		}
		if e.Version != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		if err := in.Validate(); err != nil {
			return err
		}
		r := e.Request
		if !r.State.Open() {
			return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
		}
		switch in.Kind {
		case accord.DecideDirect:
			scope := in.Scope
			if scope == "" {
				scope = r.Scope
			}
			// Binding: agreed now, and the holder can no longer decline (decline is
			// only possible from requested).
			state := accord.RequestAgreed
			if r.State == accord.RequestInProgress {
				state = accord.RequestInProgress
			}
			_, err = tx.Exec(ctx, `UPDATE requests SET state = $2, scope = $3, due_date = $4, binding = true,
				obstacle = '', decline_reason = '', answered_at = COALESCE(answered_at, $5), last_activity_at = $5,
				version = version + 1 WHERE id = $1`, r.ID, state, scope, in.DueDate, now)
		case accord.DecideRescope:
			if in.Tier != "" {
				if _, err = tx.Exec(ctx, `UPDATE needs SET tier = $2, version = version + 1 WHERE id = $1`, r.NeedID, in.Tier); err != nil {
					return err
				}
			}
			_, err = tx.Exec(ctx, `UPDATE requests SET scope = COALESCE(NULLIF($2, ''), scope), due_date = COALESCE($3, due_date),
				state = CASE WHEN state IN ('declined', 'countered') THEN 'requested' ELSE state END,
				obstacle = '', decline_reason = '', last_activity_at = $4, version = version + 1 WHERE id = $1`,
				r.ID, in.Scope, in.DueDate, now)
		case accord.DecideAlternative:
			if in.AltUnitID != nil {
				if err := checkUnitField(ctx, tx, *in.AltUnitID, "alt_holder"); err != nil {
					return err
				}
			}
			party := ""
			if in.AltUnitID == nil {
				party = in.AltParty
			}
			if _, err = tx.Exec(ctx, `INSERT INTO needs (project_id, title, holder_unit_id, external_party, tier, needed_by,
					effort_days, notes)
				SELECT project_id, $2, $3, $4, tier, COALESCE($5, needed_by), effort_days, $6 FROM needs WHERE id = $1`,
				r.NeedID, in.AltTitle, in.AltUnitID, party, in.DueDate, in.Note); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE requests SET state = 'cancelled', last_activity_at = $2, version = version + 1 WHERE id = $1`, r.ID, now)
		case accord.DecideDrop:
			_, err = tx.Exec(ctx, `UPDATE requests SET state = 'cancelled', last_activity_at = $2, version = version + 1 WHERE id = $1`, r.ID, now)
		case accord.DecideSendBack:
			// Nothing changes on the request: the lead answers first.
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET status = $2, decision = $3, decision_note = $4,
				decided_by = $5, decided_at = CASE WHEN $2 = 'decided' THEN $6::timestamptz END, version = version + 1
			WHERE id = $1`, id, status, in.Kind, in.Note, v.User.ID, now); err != nil {
			return err
		}
		if status == accord.EscalationDecided {
			// The sweep holds back other causes while an escalation waits (see
			// accord.CausesToRaise): the request is due for a look again.
			if _, err := tx.Exec(ctx, `UPDATE requests SET escalate_at = '-infinity' WHERE id = $1`, r.ID); err != nil {
				return err
			}
		}
		if err := notify(ctx, tx, r.LeadUserID, accord.NotifyEscalationDecided, r, v.User.ID, r.State, ""); err != nil {
			return err
		}
		head, err := holderHead(ctx, tx, r.HolderUnitID)
		if err != nil {
			return err
		}
		if err := notify(ctx, tx, head, accord.NotifyEscalationDecided, r, v.User.ID, r.State, ""); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", id, "decide", nil, in)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: decide escalation %d: %w", id, err)
	}
	return s.Escalation(ctx, id)
}

// AdvanceWindows reminds superiors at half and three quarters of their decision
// window, and moves an escalation whose window ran out to the next superior up,
// keeping its history; at the top it stays and is flagged. Each step happens once,
// however many instances run it. It returns how many escalations moved up.
func (s *Store) AdvanceWindows(ctx context.Context, now time.Time, windowDays int) (int, error) {
	moved := 0
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		// Reminders: the UPDATE … RETURNING claims each once. window_remind_at, the
		// next reminder's moment kept a little early by a trigger (migration 0011),
		// finds the candidates through an index; the exact test decides.
		for _, step := range []struct{ column, fraction string }{{"reminded_half", "0.5"}, {"reminded_late", "0.75"}} {
			rows, err := tx.Query(ctx, `UPDATE escalations SET `+step.column+` = true
				WHERE window_remind_at <= $1 AND status = 'open' AND NOT `+step.column+` AND NOT at_top
				  AND window_opened_at + (window_due_at - window_opened_at) * `+step.fraction+` <= $1
				RETURNING id`, now)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			for _, id := range ids {
				e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, id))
				if err != nil {
					return err
				}
				if err := notify(ctx, tx, e.AssignedUserID, accord.NotifyEscalationWindow, e.Request, 0, e.Request.State,
					fmt.Sprintf("window:%d:%d:%s", id, e.Level, step.column)); err != nil {
					return err
				}
			}
		}
		// Expired windows: lock them so two sweepers do not both move one.
		rows, err := tx.Query(ctx, `SELECT e.id, e.assigned_unit_id, e.level FROM escalations e
			WHERE e.status = 'open' AND NOT e.at_top AND e.window_due_at <= $1 FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return err
		}
		type expired struct {
			id, unit int64
			level    int
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (expired, error) {
			var x expired
			err := r.Scan(&x.id, &x.unit, &x.level)
			return x, err
		})
		if err != nil {
			return err
		}
		for _, x := range list {
			// The next superior: the nearest unit above with an active head.
			var next []int64
			err := tx.QueryRow(ctx, `SELECT ARRAY[c.id, c.head_user_id] FROM units u
				JOIN units c ON c.id = ANY (u.path[1:cardinality(u.path) - 1])
				JOIN users cu ON cu.id = c.head_user_id AND cu.deactivated_at IS NULL
				WHERE u.id = $1 AND c.closed_at IS NULL
				ORDER BY cardinality(c.path) DESC LIMIT 1`, x.unit).Scan(&next)
			if errors.Is(err, pgx.ErrNoRows) {
				if _, err := tx.Exec(ctx, `UPDATE escalations SET at_top = true, version = version + 1 WHERE id = $1`, x.id); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE escalations SET assigned_unit_id = $2, assigned_user_id = $3, level = level + 1,
					window_opened_at = $4, window_due_at = $5, reminded_half = false, reminded_late = false, version = version + 1
				WHERE id = $1`, x.id, next[0], next[1], now, accord.AddWorkingDays(now, windowDays, now.Location())); err != nil {
				return err
			}
			e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, x.id))
			if err != nil {
				return err
			}
			if err := notify(ctx, tx, next[1], accord.NotifyEscalationAssigned, e.Request, 0, e.Request.State, ""); err != nil {
				return err
			}
			if err := auditProject(ctx, tx, 0, e.ProjectID, "escalation", x.id, "move_up", map[string]any{"unit_id": x.unit},
				map[string]any{"unit_id": next[0], "assigned_user_id": next[1]}); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: advance decision windows: %w", err)
	}
	return moved, nil
}
