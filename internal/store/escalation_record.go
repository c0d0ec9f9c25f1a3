package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// saveRecord freezes the facts of request requestID into column (record_raised or
// record_decided) of escalation id.
func saveRecord(ctx context.Context, tx pgx.Tx, id int64, column string, requestID int64, cause accord.EscalationCause,
	reason string, now time.Time) error {
	f, err := briefFactsIn(ctx, tx, requestID, cause, reason, now)
	if err != nil {
		return fmt.Errorf("record facts of escalation %d: %w", id, err)
	}
	if f.Advice, err = escalationAdvice(ctx, tx, id); err != nil {
		return fmt.Errorf("record facts of escalation %d: %w", id, err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("record facts of escalation %d: %w", id, err)
	}
	// column is one of two constants, never user input.
	if _, err := tx.Exec(ctx, `UPDATE escalations SET `+column+` = $2 WHERE id = $1`, id, b); err != nil {
		return fmt.Errorf("record facts of escalation %d: %w", id, err)
	}
	return nil
}

// requestHistoryActions are the steps of a request a brief tells.
var requestHistoryActions = []string{string(accord.ActionSend), string(accord.ActionResend), string(accord.ActionAgree),
	string(accord.ActionDecline), string(accord.ActionCounter), string(accord.ActionAcceptCounter),
	string(accord.ActionRefuseCounter), string(accord.ActionStart)}

// briefFactsIn reads what a brief is written from, in seven statements whatever the
// project's size, and takes the facts (accord.NewBriefFacts).
func briefFactsIn(ctx context.Context, q querier, requestID int64, cause accord.EscalationCause, reason string, now time.Time) (accord.BriefFacts, error) {
	src := accord.BriefSource{Cause: cause, Reason: reason, Now: now}
	var err error
	if src.Request, err = scanRequest(q.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1`, requestID)); err != nil {
		return accord.BriefFacts{}, mapNotFound(err, "request_not_found")
	}
	projectID := src.Request.ProjectID
	if src.Project, err = scanProject(q.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, projectID)); err != nil {
		return accord.BriefFacts{}, err
	}
	rows, err := q.Query(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.project_id = $1 ORDER BY r.id`, projectID)
	if err != nil {
		return accord.BriefFacts{}, err
	}
	if src.Requests, err = collectRequests(rows); err != nil {
		return accord.BriefFacts{}, err
	}
	rows, err = q.Query(ctx, `SELECT `+needColumns+needFrom+`WHERE d.project_id = $1`+needOrder, projectID)
	if err != nil {
		return accord.BriefFacts{}, err
	}
	if src.Needs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Need, error) { return scanNeed(r) }); err != nil {
		return accord.BriefFacts{}, err
	}
	rows, err = q.Query(ctx, `SELECT `+commitmentColumns+commitmentFrom+`WHERE c.project_id = $1 AND c.unit_id = $2 ORDER BY c.id`,
		projectID, src.Request.HolderUnitID)
	if err != nil {
		return accord.BriefFacts{}, err
	}
	if src.Commitments, err = collectCommitments(rows); err != nil {
		return accord.BriefFacts{}, err
	}
	rows, err = q.Query(ctx, `SELECT e.id, e.request_id, e.author_user_id, u.name, u.name_en, e.body, e.next_step,
			e.risk, e.effort_days::float8, e.created_at
		FROM request_updates e JOIN users u ON u.id = e.author_user_id
		WHERE e.request_id = $1 ORDER BY e.id DESC LIMIT $2`, requestID, accord.BriefProgressKept)
	if err != nil {
		return accord.BriefFacts{}, err
	}
	if src.Progress, err = pgx.CollectRows(rows, scanProgressEntry); err != nil {
		return accord.BriefFacts{}, err
	}
	// The request's own steps, and the decisions earlier escalations of it made.
	rows, err = q.Query(ctx, `SELECT a.at, a.entity, a.action, COALESCE(u.name, ''), COALESCE(u.name_en, ''), a.after
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id
		WHERE (a.entity = 'request' AND a.entity_id = $1 AND a.action = ANY ($2))
		   OR (a.entity = 'escalation' AND a.action = 'decide'
		       AND a.entity_id IN (SELECT id FROM escalations WHERE request_id = $1))
		ORDER BY a.id`, requestID, requestHistoryActions)
	if err != nil {
		return accord.BriefFacts{}, err
	}
	if src.History, err = pgx.CollectRows(rows, scanRequestEvent); err != nil {
		return accord.BriefFacts{}, err
	}
	return accord.NewBriefFacts(src), nil
}

func scanProgressEntry(r pgx.CollectableRow) (accord.ProgressEntry, error) {
	var e accord.ProgressEntry
	err := r.Scan(&e.ID, &e.RequestID, &e.AuthorUserID, &e.AuthorName, &e.AuthorNameEN, &e.Body, &e.NextStep,
		&e.Risk, &e.EffortDays, &e.CreatedAt)
	return e, err
}

// scanRequestEvent reads one audited step of a request: ActOnRequest records the
// state it led to and the input it carried.
func scanRequestEvent(r pgx.CollectableRow) (accord.RequestEvent, error) {
	var ev accord.RequestEvent
	var entity string
	var after []byte
	if err := r.Scan(&ev.At, &entity, &ev.Action, &ev.ActorName, &ev.ActorNameEN, &after); err != nil {
		return ev, err
	}
	if entity == "escalation" {
		var d decisionAudit
		if err := json.Unmarshal(after, &d); err != nil {
			return ev, fmt.Errorf("read an earlier ruling: %w", err)
		}
		ev.Action, ev.Ruling, ev.Input.Reason = "", d.Kind, d.Note
		return ev, nil
	}
	var payload struct {
		State     accord.RequestState `json:"state"`
		Input     accord.RequestInput `json:"input"`
		ForName   string              `json:"for"`
		ForNameEN string              `json:"for_en"`
	}
	if len(after) > 0 {
		if err := json.Unmarshal(after, &payload); err != nil {
			return ev, fmt.Errorf("read the history of a request: %w", err)
		}
	}
	ev.State, ev.Input, ev.ForName, ev.ForNameEN = payload.State, payload.Input, payload.ForName, payload.ForNameEN
	return ev, nil
}

// EscalationRecord returns the facts an escalation's brief is written from: as raised
// (or last refreshed) and, once decided, as decided on. An escalation raised before
// records were kept gets the facts as of now in their place, marked Unrecorded.
func (s *Store) EscalationRecord(ctx context.Context, id int64, now time.Time) (accord.EscalationRecord, error) {
	var rec accord.EscalationRecord
	var requestID int64
	var cause accord.EscalationCause
	var reason string
	err := s.pool.QueryRow(ctx, `SELECT request_id, cause, reason, record_raised, record_decided FROM escalations WHERE id = $1`,
		id).Scan(&requestID, &cause, &reason, &rec.Raised, &rec.Decided)
	if err != nil {
		return rec, fmt.Errorf("store: record of escalation %d: %w", id, mapNotFound(err, "escalation_not_found"))
	}
	if rec.Raised == nil {
		rec.Unrecorded = true
		f, err := briefFactsIn(ctx, s.pool, requestID, cause, reason, now)
		if err != nil {
			return rec, fmt.Errorf("store: record of escalation %d: %w", id, err)
		}
		rec.Raised = &f
	}
	return rec, nil
}

// BriefFacts reads the facts a brief would be written from now, for the escalate
// page's preview.
func (s *Store) BriefFacts(ctx context.Context, requestID int64, cause accord.EscalationCause, reason string, now time.Time) (accord.BriefFacts, error) {
	f, err := briefFactsIn(ctx, s.pool, requestID, cause, reason, now)
	if err != nil {
		return accord.BriefFacts{}, fmt.Errorf("store: brief facts of request %d: %w", requestID, err)
	}
	return f, nil
}
