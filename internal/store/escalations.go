package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const escalationColumns = `e.id, e.request_id, e.project_id, e.cause, e.status, e.assigned_user_id, e.assigned_unit_id,
	s.name, s.name_en, e.level, e.at_top, e.reason, e.brief, e.lead_statement, e.holder_statement, e.window_opened_at,
	e.window_due_at, e.decision, e.decision_note, e.decided_at, COALESCE(db.name, ''), COALESCE(db.name_en, ''),
	e.created_at, e.version, e.party_decides, e.direct,
	(SELECT json_build_object('by', sb.name, 'by_en', sb.name_en, 'for', sf.name, 'for_en', sf.name_en)
		FROM users sb JOIN users sf ON sf.id = e.holder_statement_for WHERE sb.id = e.holder_statement_by),
	(SELECT json_build_object('name', df.name, 'name_en', df.name_en) FROM users df WHERE df.id = e.decided_for),
	` + requestColumns

const escalationFrom = ` FROM escalations e JOIN users s ON s.id = e.assigned_user_id
	LEFT JOIN users db ON db.id = e.decided_by
	JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	JOIN units h ON h.id = r.holder_unit_id LEFT JOIN users k ON k.id = r.key_person_user_id `

// escalationsPicked is escalationFrom driven by the ids a WITH clause named picked has
// chosen (its column id), named first. The joins outnumber join_collapse_limit, so
// the planner keeps the order they are written in: starting from escalations, it
// joined every escalation to its request before keeping the few picked (170 ms at
// 11,000 escalations, against 1 ms this way).
func escalationsPicked(picked string) string {
	return ` FROM ` + picked + ` JOIN escalations e ON e.id = ` + picked + `.id` +
		strings.TrimPrefix(escalationFrom, ` FROM escalations e`)
}

func scanEscalation(row pgx.Row, extra ...any) (accord.Escalation, error) {
	var e accord.Escalation
	dest := append([]any{&e.ID, &e.RequestID, &e.ProjectID, &e.Cause, &e.Status, &e.AssignedUserID, &e.AssignedUnitID,
		&e.AssignedName, &e.AssignedNameEN, &e.Level, &e.AtTop, &e.Reason, &e.Brief, &e.LeadStatement, &e.HolderStatement,
		&e.WindowOpenedAt, &e.WindowDueAt, &e.Decision, &e.DecisionNote, &e.DecidedAt, &e.DecidedByName, &e.DecidedByNameEN,
		&e.CreatedAt, &e.Version, &e.PartyDecides, &e.Direct, &e.HolderStatementBy, &e.DecidedFor},
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
		if err := accord.RefuseEscalation(r, accord.RequestPartyOf(r, v)); err != nil {
			return err
		}
		sup, err := routeRequest(ctx, tx, r)
		if err != nil {
			return err
		}
		if accord.LeadDecides(r, sup) {
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
	return auditProject(ctx, tx, actorID, r.ProjectID, accord.AuditEscalation, escalationID, accord.AuditRaise, nil,
		requestAuditFacts(r, map[string]any{"request_id": r.ID, "assigned_user_id": superior, "cause": cause}))
}

// Escalation returns one escalation with its request.
func (s *Store) Escalation(ctx context.Context, id int64) (accord.Escalation, error) {
	e, err := scanEscalation(s.pool.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, id))
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: escalation %d: %w", id, mapNotFound(err, "escalation_not_found"))
	}
	return e, nil
}

// EscalationAt is Escalation with its project's content epochs and the next moment
// after now at which a stand-in arrangement starts or ends (the zero time when none
// will), read in the same statement: who may see the escalation, and so whom its
// conversation offers to mention, can change at that moment with nothing written.
func (s *Store) EscalationAt(ctx context.Context, id int64, now time.Time) (accord.Escalation, ContentEpochs, time.Time, error) {
	var at ContentEpochs
	var turn *time.Time
	e, err := scanEscalation(s.pool.QueryRow(ctx, `SELECT `+escalationColumns+contentEpochColumns+`,
			(SELECT min(t) FROM stand_ins si CROSS JOIN LATERAL (VALUES (si.starts_at), (si.ends_at)) b (t)
			 WHERE si.ended_at IS NULL AND si.ends_at > $2 AND t > $2)`+escalationFrom+`WHERE e.id = $1`, id, now),
		&at.Project, &at.Org, &turn)
	if err != nil {
		return accord.Escalation{}, ContentEpochs{}, time.Time{}, fmt.Errorf("store: escalation %d: %w", id,
			mapNotFound(err, "escalation_not_found"))
	}
	if turn == nil {
		return e, at, time.Time{}, nil
	}
	return e, at, *turn, nil
}

// EscalationsAssigned lists the open escalations routed to a user: tier first, then
// the project's value, then the oldest. The page comes in order from the
// escalations_assigned_queue index (migration 0012) and the total from the same index,
// so neither sorts nor joins the whole queue.
func (s *Store) EscalationsAssigned(ctx context.Context, userID int64, offset, limit int) ([]accord.Escalation, int, error) {
	return s.EscalationsToDecide(ctx, accord.Viewer{User: accord.User{ID: userID}}, offset, limit)
}

// standInDecides picks, for viewer $1 standing in for the people in parameter
// principals, the open escalations assigned to those people that the viewer is no
// party to: as accord.EscalationPartyOf makes them the superior (SuperiorFor). The
// units in parameter units, which they answer for as a stand-in, make them the
// holder's side.
func standInDecides(principals, units string) string {
	return `SELECT e.id FROM escalations e JOIN requests r ON r.id = e.request_id
		JOIN projects pr ON pr.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
	WHERE e.assigned_user_id = ANY(` + principals + `::bigint[]) AND e.assigned_user_id <> $1 AND e.status = 'open'
		AND pr.lead_user_id <> $1 AND r.key_person_user_id IS DISTINCT FROM $1
		AND NOT (h.head_user_id = $1 AND h.closed_at IS NULL)
		AND NOT (h.id = ANY(COALESCE(` + units + `::bigint[], '{}')))`
}

// standInSuperior is the condition that a stand-in sees escalation e as the superior
// they stand in for (accord.EscalationPartyOf, SuperiorFor), whatever else they are
// to it: it is assigned to one of the people in parameter principals, and is still to
// be decided or was decided on or after the matching instant in parameter since, when
// the arrangement began; not the head's past.
func standInSuperior(e, principals, since string) string {
	return `EXISTS (SELECT 1 FROM unnest(` + principals + `::bigint[], ` + since + `::timestamptz[]) si (principal, since)
		WHERE ` + e + `.assigned_user_id = si.principal AND (` + e + `.status <> 'decided' OR ` + e + `.decided_at >= si.since))`
}

// EscalationsToDecide is the "to decide" list of viewer v: the escalations routed to
// them (EscalationsAssigned), and while they stand in for someone, the ones routed to
// that person which they may decide for them.
func (s *Store) EscalationsToDecide(ctx context.Context, v accord.Viewer, offset, limit int) ([]accord.Escalation, int, error) {
	list, n, _, err := s.EscalationsToDecideAt(ctx, v, offset, limit)
	return list, n, err
}

// EscalationsToDecideAt is EscalationsToDecide with the epochs of the listed
// escalations' projects, read with them (QueueEpochs).
func (s *Store) EscalationsToDecideAt(ctx context.Context, v accord.Viewer, offset, limit int) ([]accord.Escalation, int, map[int64]int64, error) {
	userID := v.User.ID
	// Walked in queue order along the index, what is routed to them alone.
	query := `WITH q AS (` + escalationsAssignedOpen + `
			ORDER BY queue_tier, queue_value, created_at, id OFFSET $2 LIMIT $3)
		SELECT ` + escalationColumns + `, ` + escalationsAssignedOpenCount + `, ` + escalationProjectEpoch +
		escalationsPicked(`q`) + `
		ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id`
	args := []any{userID, offset, limit}
	if len(v.StandInPrincipals()) > 0 {
		// Rare and short-lived: the union is sorted as a whole.
		var ids string
		ids, args = escalationsToDecide(v)
		query = `WITH ids AS (` + ids + `),
			q AS (SELECT e.id FROM ids JOIN escalations e USING (id)
				ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id OFFSET $4 LIMIT $5)
			SELECT ` + escalationColumns + `, (SELECT count(*) FROM ids), ` + escalationProjectEpoch + escalationsPicked(`q`) + `
			ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id`
		args = append(args, offset, limit)
	}
	list, n, epochs, err := s.escalationListAt(ctx, query, args...)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: escalations of user %d: %w", userID, err)
	}
	return list, n, epochs, nil
}

// escalationProjectEpoch is a listed escalation's project's epoch, read with it.
const escalationProjectEpoch = `COALESCE((SELECT pe.listed_epoch FROM project_epochs pe WHERE pe.project_id = e.project_id), 0)`

// escalationListAt runs a list of escalationColumns followed by a total and an
// escalationProjectEpoch, and reads it.
func (s *Store) escalationListAt(ctx context.Context, query string, args ...any) ([]accord.Escalation, int, map[int64]int64, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, nil, err
	}
	var n int
	epochs := map[int64]int64{}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) {
		var epoch int64
		e, err := scanEscalation(r, &n, &epoch)
		epochs[e.ProjectID] = epoch
		return e, err
	})
	if err != nil {
		return nil, 0, nil, err
	}
	return list, n, epochs, nil
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
			// A stand-in's statement names them and the head they spoke for.
			var by *int64
			if party.HolderFor != nil {
				by = &v.User.ID
			}
			_, err = tx.Exec(ctx, `UPDATE escalations SET holder_statement = $2, holder_statement_by = $3,
				holder_statement_for = $4, version = version + 1 WHERE id = $1`, id, text, by, party.HolderFor.ForUserID())
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
		actorFor := party.HolderFor
		if event != accord.EventHolderStatement {
			actorFor = nil
		}
		if err := insertNotification(ctx, tx, notice{to: e.AssignedUserID, kind: accord.NotifyEscalationStatement,
			request: e.Request, actor: v.User.ID, state: e.Request.State, escalation: id, actorFor: actorFor}); err != nil {
			return err
		}
		facts := map[string]any{"text": text, "side": party.StatementSide()}
		if actorFor != nil {
			facts["for"], facts["for_en"] = actorFor.Name, actorFor.NameEN
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, accord.AuditEscalation, id, accord.AuditStatement, nil, facts)
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
