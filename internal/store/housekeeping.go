package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// FoldPortfolioTotals folds the changes appended to the portfolio's kept sums into one
// row per group (migration 0062) and returns how many rows fewer the sums take (0 when
// there was nothing to fold).
func (s *Store) FoldPortfolioTotals(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT fold_portfolio_totals()`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: fold portfolio totals: %w", err)
	}
	return n, nil
}

// ClearOldLoginFailures removes sign-in failures older than before.
func (s *Store) ClearOldLoginFailures(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE failed_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("store: clear old login failures: %w", err)
	}
	return tag.RowsAffected(), nil
}
