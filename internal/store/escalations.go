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
	e.window_due_at, e.decision, e.decision_note, e.decided_at, COALESCE(db.name, ''), COALESCE(db.name_en, ''),
	e.created_at, e.version, e.party_decides, e.direct, ` + requestColumns

const escalationFrom = ` FROM escalations e JOIN users s ON s.id = e.assigned_user_id
	LEFT JOIN users db ON db.id = e.decided_by
	JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	JOIN units h ON h.id = r.holder_unit_id LEFT JOIN users k ON k.id = r.key_person_user_id `

func scanEscalation(row pgx.Row, extra ...any) (accord.Escalation, error) {
	var e accord.Escalation
	dest := append([]any{&e.ID, &e.RequestID, &e.ProjectID, &e.Cause, &e.Status, &e.AssignedUserID, &e.AssignedUnitID,
		&e.AssignedName, &e.AssignedNameEN, &e.Level, &e.AtTop, &e.Reason, &e.Brief, &e.LeadStatement, &e.HolderStatement,
		&e.WindowOpenedAt, &e.WindowDueAt, &e.Decision, &e.DecisionNote, &e.DecidedAt, &e.DecidedByName, &e.DecidedByNameEN,
		&e.CreatedAt, &e.Version, &e.PartyDecides, &e.Direct},
		requestDest(&e.Request)...)
	err := row.Scan(append(dest, extra...)...)
	return e, err
}

// Escalate takes a request to the shared superior at the lead's request, with a
// record of the facts as they stand. When the lead is the superior both units share,
// it refuses with escalation_you_decide: they decide directly (DecideDirectly). brief
// may be empty to write it from the record when read.
func (s *Store) Escalate(ctx context.Context, v accord.Viewer, requestID int64, reason, brief string, windowDays int, now time.Time) (accord.Escalation, error) {
	var id int64
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		if !accord.RequestPartyOf(r, v).Lead {
			return accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil)
		}
		if !r.State.Open() || r.State == accord.RequestDraft {
			return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
		}
		sup, err := routeRequest(ctx, tx, r)
		if err != nil {
			return err
		}
		if sup.NaturalHeadUserID == r.LeadUserID {
			return accord.Errorf(accord.ECodeInvalid, "escalation_you_decide", nil)
		}
		err = tx.QueryRow(ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id,
				reason, brief, window_opened_at, window_due_at, created_by, created_at, party_decides)
			VALUES ($1, $2, 'manual', $3, $4, $5, $6, $7, $8, $9, $7, $10)
			ON CONFLICT (request_id, cause) WHERE NOT direct DO NOTHING RETURNING id`,
			r.ID, r.ProjectID, sup.HeadUserID, sup.UnitID, reason, brief, now,
			accord.AddWorkingDays(now, windowDays, now.Location()), v.User.ID, sup.HeadIsParty).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return accord.Errorf(accord.ECodeConflict, "escalation_exists", nil)
		}
		if err != nil {
			return err
		}
		return escalationRaised(ctx, tx, v.User.ID, id, r, sup.HeadUserID, accord.CauseManual, reason, now)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: escalate request %d: %w", requestID, err)
	}
	return s.Escalation(ctx, id)
}

// routeRequest finds who decides on request r: the shared superior of the project's
// owning unit and the holder, with the lead as a party (accord.SharedSuperior).
func routeRequest(ctx context.Context, tx pgx.Tx, r accord.Request) (accord.Superior, error) {
	var owning int64
	if err := tx.QueryRow(ctx, `SELECT owning_unit_id FROM projects WHERE id = $1`, r.ProjectID).Scan(&owning); err != nil {
		return accord.Superior{}, err
	}
	return sharedSuperiorIn(ctx, tx, owning, r.HolderUnitID, r.LeadUserID)
}

// escalationRaised freezes the record of the facts, tells the superior and the
// holder's head (each notification opens the escalation), and audits.
func escalationRaised(ctx context.Context, tx pgx.Tx, actorID, escalationID int64, r accord.Request, superior int64,
	cause accord.EscalationCause, reason string, now time.Time) error {
	if err := saveRecord(ctx, tx, escalationID, "record_raised", r.ID, cause, reason, now); err != nil {
		return err
	}
	if err := insertNotification(ctx, tx, notice{to: superior, kind: accord.NotifyEscalationAssigned, request: r,
		actor: actorID, state: r.State, escalation: escalationID}); err != nil {
		return err
	}
	head, err := holderHead(ctx, tx, r.HolderUnitID)
	if err != nil {
		return err
	}
	if err := insertNotification(ctx, tx, notice{to: head, kind: accord.NotifyEscalationRaised, request: r,
		actor: actorID, state: r.State, escalation: escalationID}); err != nil {
		return err
	}
	return auditProject(ctx, tx, actorID, r.ProjectID, "escalation", escalationID, "raise", nil,
		map[string]any{"request_id": r.ID, "assigned_user_id": superior, "cause": cause})
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
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		party := accord.EscalationPartyOf(e, v)
		event := accord.EventLeadStatement
		if party.StatementSide() == accord.SideHolder {
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
		if err := insertNotification(ctx, tx, notice{to: e.AssignedUserID, kind: accord.NotifyEscalationStatement,
			request: e.Request, actor: v.User.ID, state: e.Request.State, escalation: id}); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", id, "statement", nil,
			map[string]any{"text": text, "side": party.StatementSide()})
	})
	if err != nil {
		return fmt.Errorf("store: statement on escalation %d: %w", id, err)
	}
	return nil
}

// lockEscalation locks escalation id and its request: the request first, the order
// the queue-key triggers of migration 0012 take them in, so the two never deadlock.
func lockEscalation(ctx context.Context, tx pgx.Tx, id int64) (accord.Escalation, error) {
	var requestID int64
	err := tx.QueryRow(ctx, `SELECT r.id FROM escalations e JOIN requests r ON r.id = e.request_id
		WHERE e.id = $1 FOR UPDATE OF r`, id).Scan(&requestID)
	if err != nil {
		return accord.Escalation{}, mapNotFound(err, "escalation_not_found")
	}
	e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1 FOR UPDATE OF e`, id))
	if err != nil {
		return accord.Escalation{}, mapNotFound(err, "escalation_not_found")
	}
	return e, nil
}

// Decide records the superior's binding decision and applies it to the request in
// the same transaction, with a second record of the facts as the superior saw them.
// Only the superior it is routed to may decide; administrators may not.
func (s *Store) Decide(ctx context.Context, v accord.Viewer, id int64, version int, in accord.DecisionInput, now time.Time) (accord.Escalation, error) {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		status, err := accord.NextEscalationState(e.Status, accord.EscalationEventFor(in.Kind), accord.EscalationPartyOf(e, v))
		if err != nil {
			return err
		}
		if e.Version != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		return applyDecision(ctx, tx, v, e, status, in, now)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: decide escalation %d: %w", id, err)
	}
	return s.Escalation(ctx, id)
}

// DecideDirectly records the binding decision of a lead who is the superior both
// units share, from the request page: an escalation raised and decided at once,
// marked direct and kept with its record like any other.
func (s *Store) DecideDirectly(ctx context.Context, v accord.Viewer, requestID int64, in accord.DecisionInput, now time.Time) (accord.Escalation, error) {
	var id int64
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		sup, err := routeRequest(ctx, tx, r)
		if err != nil && accord.ErrorCodeOf(err) != accord.ECodeNotFound {
			return err
		}
		if !accord.MayDecideDirectly(r, v, sup) {
			return accord.Errorf(accord.ECodeForbidden, "escalation_not_superior", nil)
		}
		if in.Kind == accord.DecideSendBack {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "decision_kind_required",
				Fields: map[string]string{"kind": "decision_kind_required"}}
		}
		if !r.State.Open() || r.State == accord.RequestDraft {
			return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
		}
		// One binding ruling at a time: while a superior has the request, the lead waits.
		var pending bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM escalations WHERE request_id = $1
				AND status IN ('open', 'sent_back'))`, r.ID).Scan(&pending); err != nil {
			return err
		}
		if pending {
			return accord.Errorf(accord.ECodeConflict, "escalation_pending", nil)
		}
		var unit int64
		if err := tx.QueryRow(ctx, `SELECT id FROM units WHERE head_user_id = $1 AND id = ANY (
				SELECT unnest(path) FROM units WHERE id = $2) ORDER BY cardinality(path) DESC LIMIT 1`,
			v.User.ID, r.HolderUnitID).Scan(&unit); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id,
				window_opened_at, window_due_at, created_by, created_at, party_decides, direct)
			VALUES ($1, $2, 'manual', $3, $4, $5, $5, $3, $5, true, true) RETURNING id`,
			r.ID, r.ProjectID, v.User.ID, unit, now).Scan(&id); err != nil {
			return err
		}
		if err := saveRecord(ctx, tx, id, "record_raised", r.ID, accord.CauseManual, "", now); err != nil {
			return err
		}
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		return applyDecision(ctx, tx, v, e, accord.EscalationDecided, in, now)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: decide request %d directly: %w", requestID, err)
	}
	return s.Escalation(ctx, id)
}

// applyDecision validates in, freezes the facts as decided on, applies what the
// decision does to the request (accord.DecisionEffect), records the decision, tells
// both sides and the key person with its outcome and reason, and audits.
func applyDecision(ctx context.Context, tx pgx.Tx, v accord.Viewer, e accord.Escalation, status accord.EscalationStatus,
	in accord.DecisionInput, now time.Time) error {
	if err := in.Validate(); err != nil {
		return err
	}
	r := e.Request
	if !r.State.Open() {
		return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
	}
	if status == accord.EscalationDecided {
		// What the superior decided on, before the decision changes it.
		if err := saveRecord(ctx, tx, e.ID, "record_decided", r.ID, e.Cause, e.Reason, now); err != nil {
			return err
		}
	}
	fx := accord.DecisionEffect(r, in)
	if fx.NeedTier != "" {
		if _, err := tx.Exec(ctx, `UPDATE needs SET tier = $2, version = version + 1 WHERE id = $1`, r.NeedID, fx.NeedTier); err != nil {
			return err
		}
	}
	if fx.Alternative != nil {
		if in.AltUnitID != nil {
			if err := checkUnitField(ctx, tx, *in.AltUnitID, "alt_holder"); err != nil {
				return err
			}
		}
		alt := fx.Alternative
		if _, err := tx.Exec(ctx, `INSERT INTO needs (project_id, title, holder_unit_id, external_party, tier, needed_by,
				effort_days, notes)
			SELECT project_id, $2, $3, $4, tier, COALESCE($5, needed_by), effort_days, $6 FROM needs WHERE id = $1`,
			r.NeedID, alt.Title, alt.HolderUnitID, alt.ExternalParty, alt.NeededBy, alt.Notes); err != nil {
			return err
		}
	}
	if fx.Changes {
		if _, err := tx.Exec(ctx, `UPDATE requests SET state = $2, scope = $3, due_date = $4, binding = binding OR $5,
				answered_at = CASE WHEN $6 THEN COALESCE(answered_at, $7) ELSE answered_at END,
				last_activity_at = $7, version = version + 1 WHERE id = $1`,
			r.ID, fx.State, fx.Scope, fx.DueDate, fx.Binding, fx.Answered, now); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE escalations SET status = $2, decision = $3, decision_note = $4,
			decided_by = $5, decided_at = CASE WHEN $2 = 'decided' THEN $6::timestamptz END, version = version + 1
		WHERE id = $1`, e.ID, status, in.Kind, in.Note, v.User.ID, now); err != nil {
		return err
	}
	kind := accord.NotifyEscalationSentBack
	if status == accord.EscalationDecided {
		kind = accord.NotifyEscalationDecided
		// The sweep holds back other causes while an escalation waits (see
		// accord.CausesToRaise): the request is due for a look again.
		if _, err := tx.Exec(ctx, `UPDATE requests SET escalate_at = '-infinity' WHERE id = $1`, r.ID); err != nil {
			return err
		}
	}
	head, err := holderHead(ctx, tx, r.HolderUnitID)
	if err != nil {
		return err
	}
	told := map[int64]bool{}
	for _, to := range accord.DecisionAudience(r, head) {
		if told[to] {
			continue
		}
		told[to] = true
		if err := insertNotification(ctx, tx, notice{to: to, kind: kind, request: r, actor: v.User.ID, state: fx.State,
			escalation: e.ID, decision: in.Kind, reason: in.Note}); err != nil {
			return err
		}
	}
	return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", e.ID, "decide", nil, decisionAudit{
		DecisionInput: in, RequestID: r.ID, NeedTitle: r.NeedTitle, NeedTitleEN: r.NeedTitleEN,
		Direct: e.Direct, PartyDecides: e.PartyDecides})
}

// decisionAudit is what the project's history keeps of a decision: the decision as
// given and the request it ruled on, named as it was then.
type decisionAudit struct {
	accord.DecisionInput
	RequestID    int64
	NeedTitle    string
	NeedTitleEN  string
	Direct       bool
	PartyDecides bool
}

// Reassign moves a stuck escalation to another head, with a reason: an
// administrator's act, who keeps the tree and never decides. The new head gets a
// full window and is told why; the move is audited.
func (s *Store) Reassign(ctx context.Context, v accord.Viewer, id, toUserID int64, reason string, windowDays int, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := accord.NextEscalationState(e.Status, accord.EventReassign, accord.EscalationPartyOf(e, v)); err != nil {
			return err
		}
		// The two sides' paths, their heads, and the open units the chosen person heads
		// as an active user, for accord's rule.
		var pathA, pathB, headed []int64
		var owningHead, holderHead int64
		err = tx.QueryRow(ctx, `SELECT ou.path, hu.path, COALESCE(ou.head_user_id, 0), COALESCE(hu.head_user_id, 0),
				ARRAY(SELECT n.id FROM units n JOIN users nu ON nu.id = n.head_user_id AND nu.deactivated_at IS NULL
					WHERE n.head_user_id = $1 AND n.closed_at IS NULL)
			FROM projects p JOIN units ou ON ou.id = p.owning_unit_id, units hu
			WHERE p.id = $3 AND hu.id = $2`, toUserID, e.Request.HolderUnitID, e.ProjectID).Scan(&pathA, &pathB,
			&owningHead, &holderHead, &headed)
		if err != nil {
			return err
		}
		unit, above := accord.UnitAboveBoth(pathA, pathB, headed)
		if err := accord.CheckReassign(e, toUserID, above, accord.Parties{owningHead, holderHead, e.Request.LeadUserID}, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET assigned_user_id = $2, assigned_unit_id = $3,
				window_opened_at = $4, window_due_at = $5, reminded_half = false, reminded_late = false, at_top = false,
				party_decides = false, version = version + 1
			WHERE id = $1`, id, toUserID, unit, now, accord.AddWorkingDays(now, windowDays, now.Location())); err != nil {
			return err
		}
		if err := insertNotification(ctx, tx, notice{to: toUserID, kind: accord.NotifyEscalationReassigned, request: e.Request,
			actor: v.User.ID, state: e.Request.State, escalation: id, reason: reason}); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", id, "reassign",
			map[string]any{"assigned_user_id": e.AssignedUserID, "unit_id": e.AssignedUnitID},
			map[string]any{"assigned_user_id": toUserID, "unit_id": unit, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("store: reassign escalation %d: %w", id, err)
	}
	return nil
}

// RefreshRecord takes a new record of the facts for a pending escalation at the
// lead's request ("refresh with today's data"), and notes it in the history.
func (s *Store) RefreshRecord(ctx context.Context, v accord.Viewer, id int64, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := accord.NextEscalationState(e.Status, accord.EventRefresh, accord.EscalationPartyOf(e, v)); err != nil {
			return err
		}
		if err := saveRecord(ctx, tx, id, "record_raised", e.RequestID, e.Cause, e.Reason, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, "escalation", id, "refresh", nil,
			map[string]any{"request_id": e.RequestID})
	})
	if err != nil {
		return fmt.Errorf("store: refresh the record of escalation %d: %w", id, err)
	}
	return nil
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
				if err := insertNotification(ctx, tx, notice{to: e.AssignedUserID, kind: accord.NotifyEscalationWindow,
					request: e.Request, state: e.Request.State, escalation: id,
					dedupe: fmt.Sprintf("window:%d:%d:%s", id, e.Level, step.column)}); err != nil {
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
			next, err := nextSuperiorTx(ctx, tx, x.id)
			if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
				if _, err := tx.Exec(ctx, `UPDATE escalations SET at_top = true, version = version + 1 WHERE id = $1`, x.id); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE escalations SET assigned_unit_id = $2, assigned_user_id = $3, level = level + 1,
					party_decides = $6, window_opened_at = $4, window_due_at = $5, reminded_half = false, reminded_late = false,
					version = version + 1
				WHERE id = $1`, x.id, next.UnitID, next.HeadUserID, now, accord.AddWorkingDays(now, windowDays, now.Location()), next.HeadIsParty); err != nil {
				return err
			}
			e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, x.id))
			if err != nil {
				return err
			}
			if err := insertNotification(ctx, tx, notice{to: next.HeadUserID, kind: accord.NotifyEscalationAssigned,
				request: e.Request, state: e.Request.State, escalation: x.id}); err != nil {
				return err
			}
			if err := auditProject(ctx, tx, 0, e.ProjectID, "escalation", x.id, "move_up", map[string]any{"unit_id": x.unit},
				map[string]any{"unit_id": next.UnitID, "assigned_user_id": next.HeadUserID}); err != nil {
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

// nextSuperiorTx finds who takes escalation id over when its window runs out
// (accord.NextSuperiorUp): the path above its current unit, the filled posts on it
// and the parties, read in one statement.
func nextSuperiorTx(ctx context.Context, tx pgx.Tx, id int64) (accord.Superior, error) {
	var path, unitIDs, headIDs []int64
	var lead, owningHead, holderHead int64
	err := tx.QueryRow(ctx, `SELECT u.path, `+fmt.Sprintf(filledPosts, "u.path")+`, p.lead_user_id,
			COALESCE(ou.head_user_id, 0), COALESCE(hu.head_user_id, 0)
		FROM escalations e JOIN units u ON u.id = e.assigned_unit_id JOIN requests r ON r.id = e.request_id
		JOIN projects p ON p.id = r.project_id JOIN units ou ON ou.id = p.owning_unit_id JOIN units hu ON hu.id = r.holder_unit_id
		WHERE e.id = $1`, id).Scan(&path, &unitIDs, &headIDs, &lead, &owningHead, &holderHead)
	if err != nil {
		return accord.Superior{}, err
	}
	return accord.NextSuperiorUp(path, headsMap(unitIDs, headIDs), accord.Parties{lead, owningHead, holderHead})
}
