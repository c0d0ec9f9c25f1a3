package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

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
		// Who takes each over, then every move in one statement: the count of what each
		// person may decide (migration 0044) is then locked once, in order of the
		// people's ids. Moved one by one, a sweep held one person's count while waiting
		// for another's, and deadlocked with a reassignment or a second sweep.
		type move struct {
			expired
			next accord.Superior
		}
		var moves []move
		var atTop []int64
		for _, x := range list {
			next, err := nextSuperiorTx(ctx, tx, x.id)
			if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
				atTop = append(atTop, x.id)
				continue
			}
			if err != nil {
				return err
			}
			moves = append(moves, move{expired: x, next: next})
		}
		if len(atTop) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE escalations SET at_top = true, version = version + 1 WHERE id = ANY ($1)`,
				atTop); err != nil {
				return err
			}
		}
		if len(moves) == 0 {
			return nil
		}
		ids, units, heads, parties := make([]int64, len(moves)), make([]int64, len(moves)), make([]int64, len(moves)),
			make([]bool, len(moves))
		for i, m := range moves {
			ids[i], units[i], heads[i], parties[i] = m.id, m.next.UnitID, m.next.HeadUserID, m.next.HeadIsParty
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations e SET assigned_unit_id = m.unit, assigned_user_id = m.head,
				level = e.level + 1, party_decides = m.party, window_opened_at = $5, window_due_at = $6,
				reminded_half = false, reminded_late = false, version = e.version + 1
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::boolean[]) AS m (id, unit, head, party)
			WHERE e.id = m.id`, ids, units, heads, parties, now,
			accord.AddWorkingDays(now, windowDays, now.Location())); err != nil {
			return err
		}
		for _, m := range moves {
			e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.id = $1`, m.id))
			if err != nil {
				return err
			}
			if err := insertNotification(ctx, tx, notice{to: m.next.HeadUserID, kind: accord.NotifyEscalationAssigned,
				request: e.Request, state: e.Request.State, escalation: m.id}); err != nil {
				return err
			}
			if err := auditProject(ctx, tx, 0, e.ProjectID, accord.AuditEscalation, m.id, accord.AuditMoveUp,
				map[string]any{"unit_id": m.unit}, map[string]any{"unit_id": m.next.UnitID, "assigned_user_id": m.next.HeadUserID}); err != nil {
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
