// Package jobs runs Accord's background work: housekeeping and the reminders for
// stale requests. Escalation sweeps and decision windows join it as they land.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Housekeeper is the store work the housekeeping loop needs.
type Housekeeper interface {
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	ClearOldLoginFailures(ctx context.Context, before time.Time) (int64, error)
	SweepStale(ctx context.Context, now time.Time) (int64, error)
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
}
