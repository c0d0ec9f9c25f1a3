package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// OpenEscalations lists every escalation still waiting for a decision, whoever it is
// routed to, for an administrator's overview: those sent back to the lead included,
// in the queue's order (tier, the project's value, age), read in that order from the
// escalations_pending_queue index (migration 0012).
func (s *Store) OpenEscalations(ctx context.Context, offset, limit int) ([]accord.Escalation, int, error) {
	const total = `(SELECT count(*) FROM escalations WHERE status IN ('open', 'sent_back'))`
	rows, err := s.pool.Query(ctx, `WITH q AS (
			SELECT id FROM escalations WHERE status IN ('open', 'sent_back')
			ORDER BY queue_tier, queue_value, created_at, id OFFSET $1 LIMIT $2)
		SELECT `+escalationColumns+`, `+total+escalationFrom+`JOIN q ON q.id = e.id
		ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id`, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: open escalations: %w", err)
	}
	var n int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) { return scanEscalation(r, &n) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: open escalations: %w", err)
	}
	return list, n, nil
}

// ProjectValues returns, in one query, the name and expected value of each project by
// id, for lists that show what is at stake on every row. Only ID, Name, NameEN,
// ExpectedAmount, Currency and ExpectedOutcome are filled.
func (s *Store) ProjectValues(ctx context.Context, ids []int64) (map[int64]accord.Project, error) {
	out := make(map[int64]accord.Project, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, name_en, expected_amount, currency, expected_outcome
		FROM projects WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: project values: %w", err)
	}
	var p accord.Project
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.NameEN, &p.ExpectedAmount, &p.Currency, &p.ExpectedOutcome}, func() error {
		out[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: project values: %w", err)
	}
	return out, nil
}

// EscalationDecider returns who recorded an escalation's decision (or sent it back),
// and false while nobody has.
func (s *Store) EscalationDecider(ctx context.Context, id int64) (accord.User, bool, error) {
	var u accord.User
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.name, u.name_en FROM escalations e JOIN users u ON u.id = e.decided_by
		WHERE e.id = $1`, id).Scan(&u.ID, &u.Name, &u.NameEN)
	if errors.Is(err, pgx.ErrNoRows) {
		return accord.User{}, false, nil
	}
	if err != nil {
		return accord.User{}, false, fmt.Errorf("store: decider of escalation %d: %w", id, err)
	}
	return u, true, nil
}

// EscalationsOfRequest lists a request's escalations, newest first, for pages that
// link a request to the decisions taken on it.
func (s *Store) EscalationsOfRequest(ctx context.Context, requestID int64) ([]accord.Escalation, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+escalationColumns+escalationFrom+`WHERE e.request_id = $1
		ORDER BY e.created_at DESC, e.id DESC`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: escalations of request %d: %w", requestID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) { return scanEscalation(r) })
	if err != nil {
		return nil, fmt.Errorf("store: escalations of request %d: %w", requestID, err)
	}
	return list, nil
}
