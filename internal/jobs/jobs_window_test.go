package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/jobs"
	"accord/internal/pgtest"
)

// windowRecorder remembers the decision window each escalation step was given.
type windowRecorder struct {
	mu      sync.Mutex
	windows []int
}

func (*windowRecorder) DeleteExpiredSessions(context.Context, time.Time) (int64, error) {
	return 0, nil
}
func (*windowRecorder) ClearOldLoginFailures(context.Context, time.Time) (int64, error) {
	return 0, nil
}
func (*windowRecorder) FoldPortfolioTotals(context.Context) (int64, error)   { return 0, nil }
func (*windowRecorder) SweepStale(context.Context, time.Time) (int64, error) { return 0, nil }

func (w *windowRecorder) SweepEscalations(_ context.Context, _ time.Time, days int) (int, error) {
	return 0, w.record(days)
}

func (w *windowRecorder) AdvanceWindows(_ context.Context, _ time.Time, days int) (int, error) {
	return 0, w.record(days)
}

func (w *windowRecorder) record(days int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.windows = append(w.windows, days)
	return nil
}

func (w *windowRecorder) seen() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.windows...)
}

// TestSweepUsesTheConfiguredDecisionWindow checks ACCORD_DECISION_WINDOW_DAYS, passed
// as Options.DecisionWindowDays, reaches both escalation steps; unset, the default.
func TestSweepUsesTheConfiguredDecisionWindow(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tt := range []struct {
		name string
		opt  int
		want int
	}{{"configured", 7, 7}, {"default", 0, accord.DefaultDecisionWindowDays}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rec := &windowRecorder{}
			client, err := jobs.NewClient(pgtest.NewPool(t, pgtest.Empty()), rec, logger,
				jobs.Options{SweepInterval: time.Hour, DecisionWindowDays: tt.opt})
			require.NoError(t, err)
			require.NoError(t, client.Start(ctx))
			t.Cleanup(func() {
				stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				require.NoError(t, client.Stop(stopCtx))
			})
			// The periodic sweep runs on start.
			require.Eventually(t, func() bool { return len(rec.seen()) >= 2 }, 30*time.Second, 20*time.Millisecond)
			for _, days := range rec.seen() {
				require.Equal(t, tt.want, days)
			}
		})
	}
}
