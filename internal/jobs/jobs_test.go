package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/jobs"
	"accord/internal/pgtest"
	"accord/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestTwoInstancesSweepOnce runs two job clients — two Accord instances — on one
// database over stalled requests, and finds each reminder and escalation exactly once.
func TestTwoInstancesSweepOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := storetest.New(t)
	pool, st := w.Store.Pool(), w.Store
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Stall every request of a project asking four units — a P0, two P1s and a P2
	// backing up the P0 — sent 60 days ago, untouched.
	p := w.Project(t, storetest.ProjectOpts{})
	p0 := w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierRequired})
	needs := []accord.Need{p0,
		w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierImportant}),
		w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierImportant}),
		w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierAlternative, BacksUp: &p0})}
	var sent []accord.Request
	for _, n := range needs {
		sent = append(sent, w.Request(t, storetest.RequestOpts{Need: &n, At: time.Now().Add(-60 * 24 * time.Hour)}))
	}

	for range 2 {
		client, err := jobs.NewClient(pool, st, logger, jobs.Options{SweepInterval: 100 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, client.Start(ctx))
		t.Cleanup(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, client.Stop(stopCtx))
		})
	}

	count := func(sql string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, sql).Scan(&n))
		return n
	}
	var p0p1 int
	for _, r := range sent {
		if r.Tier != accord.TierAlternative {
			p0p1++
		}
	}
	completed := func() int {
		return count(`SELECT count(*) FROM river_job WHERE kind = 'accord_sweep' AND state = 'completed'`)
	}
	// Each stalled request gets its reminder for this period and its escalation (stale
	// only: no need has a date; a P2's policy raises none). A sweep skips rows the other instance's
	// sweep holds at that moment (SKIP LOCKED), so one of the next sweeps does them.
	require.Eventually(t, func() bool {
		return count(`SELECT count(*) FROM notifications WHERE kind = 'reminder'`) >= 4 &&
			count(`SELECT count(*) FROM escalations WHERE cause = 'stale'`) >= p0p1
	}, 30*time.Second, 50*time.Millisecond)
	// Several more sweeps on both instances (the leader schedules one every 100 ms)…
	after := completed()
	require.Eventually(t, func() bool { return completed() >= after+3 }, 30*time.Second, 50*time.Millisecond)
	// …and still exactly once each.
	require.Equal(t, 4, count(`SELECT count(*) FROM notifications WHERE kind = 'reminder'`))
	require.Equal(t, 4, count(`SELECT count(DISTINCT request_id) FROM notifications WHERE kind = 'reminder'`))
	require.Equal(t, p0p1, count(`SELECT count(*) FROM escalations WHERE cause = 'stale'`))
	require.Equal(t, count(`SELECT count(*) FROM escalations`), count(`SELECT count(DISTINCT (request_id, cause)) FROM escalations`))
}

func TestSweepReportsFailedSteps(t *testing.T) {
	t.Parallel()
	err := jobs.Sweep(context.Background(), failing{}, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now())
	require.ErrorContains(t, err, "remind stale requests")
}

type failing struct{}

func (failing) DeleteExpiredSessions(context.Context, time.Time) (int64, error) { return 0, nil }
func (failing) ClearOldLoginFailures(context.Context, time.Time) (int64, error) { return 0, nil }
func (failing) FoldPortfolioTotals(context.Context) (int64, error)              { return 0, nil }
func (failing) SweepStale(context.Context, time.Time) (int64, error) {
	return 0, context.DeadlineExceeded
}
func (failing) SweepEscalations(context.Context, time.Time, int) (int, error) { return 0, nil }
func (failing) AdvanceWindows(context.Context, time.Time, int) (int, error)   { return 0, nil }
