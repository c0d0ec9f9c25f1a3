// Package jobs runs Accord's background work: housekeeping, reminders for stale
// requests, the stalled-item sweep and decision windows. Every step is idempotent in
// the database, so each instance runs the loop.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"accord/internal/accord"
)

// Housekeeper is the store work the housekeeping loop needs.
type Housekeeper interface {
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	ClearOldLoginFailures(ctx context.Context, before time.Time) (int64, error)
	SweepStale(ctx context.Context, now time.Time) (int64, error)
	SweepEscalations(ctx context.Context, now time.Time, windowDays int) (int, error)
	AdvanceWindows(ctx context.Context, now time.Time, windowDays int) (int, error)
}

// RunHousekeeping prunes expired sessions and old sign-in failures every interval
// until ctx ends. Deleting is idempotent, so several instances may run it at once.
func RunHousekeeping(ctx context.Context, st Housekeeper, logger *slog.Logger, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		housekeep(ctx, st, logger, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func housekeep(ctx context.Context, st Housekeeper, logger *slog.Logger, now time.Time) {
	if n, err := st.DeleteExpiredSessions(ctx, now); err != nil {
		logger.Warn("housekeeping: delete expired sessions", "err", err)
	} else if n > 0 {
		logger.Info("housekeeping: deleted expired sessions", "count", n)
	}
	if _, err := st.ClearOldLoginFailures(ctx, now.Add(-24*time.Hour)); err != nil {
		logger.Warn("housekeeping: clear old login failures", "err", err)
	}
	// Reminders are deduplicated in the database, so every instance may sweep.
	if n, err := st.SweepStale(ctx, now); err != nil {
		logger.Warn("housekeeping: remind stale requests", "err", err)
	} else if n > 0 {
		logger.Info("housekeeping: reminded stale requests", "count", n)
	}
	// Escalations are unique per request and cause, and window moves lock their rows,
	// so these too are safe on every instance.
	if n, err := st.SweepEscalations(ctx, now, accord.DefaultDecisionWindowDays); err != nil {
		logger.Warn("housekeeping: sweep stalled requests", "err", err)
	} else if n > 0 {
		logger.Info("housekeeping: escalated stalled requests", "count", n)
	}
	if n, err := st.AdvanceWindows(ctx, now, accord.DefaultDecisionWindowDays); err != nil {
		logger.Warn("housekeeping: advance decision windows", "err", err)
	} else if n > 0 {
		logger.Info("housekeeping: moved escalations up", "count", n)
	}
}
