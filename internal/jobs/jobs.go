// Package jobs runs Accord's background work on River, a job queue kept in the same
// PostgreSQL: housekeeping, reminders for stale requests, the stalled-item sweep and
// decision windows. River elects one leader among all instances to schedule the
// periodic sweep, and every step is also idempotent in the database, so two
// instances never remind or escalate twice.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"accord/internal/accord"
)

// Sweeper is the store work one sweep does.
type Sweeper interface {
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	ClearOldLoginFailures(ctx context.Context, before time.Time) (int64, error)
	FoldPortfolioTotals(ctx context.Context) (int64, error)
	SweepStale(ctx context.Context, now time.Time) (int64, error)
	SweepEscalations(ctx context.Context, now time.Time, windowDays int) (int, error)
	AdvanceWindows(ctx context.Context, now time.Time, windowDays int) (int, error)
}

// SweepArgs asks for one pass of the periodic work.
type SweepArgs struct{}

// Kind names the job in River's table.
func (SweepArgs) Kind() string { return "accord_sweep" }

// sweepWorker runs a sweep.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	st     Sweeper
	logger *slog.Logger
	now    func() time.Time
	window int // working days of a decision window
}

// Work runs every step; a failed step is logged and the others still run, and the
// job fails so River retries it.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return sweep(ctx, w.st, w.logger, w.now(), w.window)
}

// Sweep does one pass of the periodic work at now, with the default decision window.
func Sweep(ctx context.Context, st Sweeper, logger *slog.Logger, now time.Time) error {
	return sweep(ctx, st, logger, now, accord.DefaultDecisionWindowDays)
}

func sweep(ctx context.Context, st Sweeper, logger *slog.Logger, now time.Time, windowDays int) error {
	var failed []string
	step := func(name string, n int64, err error) {
		switch {
		case err != nil:
			logger.Warn("sweep: "+name, "err", err)
			failed = append(failed, name)
		case n > 0:
			logger.Info("sweep: "+name, "count", n)
		}
	}
	n, err := st.DeleteExpiredSessions(ctx, now)
	step("delete expired sessions", n, err)
	n, err = st.ClearOldLoginFailures(ctx, now.Add(-24*time.Hour))
	step("clear old login failures", n, err)
	n, err = st.SweepStale(ctx, now)
	step("remind stale requests", n, err)
	raised, err := st.SweepEscalations(ctx, now, windowDays)
	step("escalate stalled requests", int64(raised), err)
	moved, err := st.AdvanceWindows(ctx, now, windowDays)
	step("advance decision windows", int64(moved), err)
	// Last, so what this sweep's escalations changed is folded too.
	n, err = st.FoldPortfolioTotals(ctx)
	step("fold portfolio totals", n, err)
	if len(failed) > 0 {
		return fmt.Errorf("jobs: sweep steps failed: %v", failed)
	}
	return nil
}

// Options tune the job client.
type Options struct {
	SweepInterval time.Duration    // how often the leader schedules a sweep
	Now           func() time.Time // the clock; time.Now when nil
	// Location is the company's time zone (ACCORD_TIME_ZONE); UTC when nil. The
	// clock's readings are put into it, so overdue dates and working days follow the
	// company's calendar.
	Location *time.Location
	// DecisionWindowDays is how many working days a superior has to decide;
	// accord.DefaultDecisionWindowDays when 0.
	DecisionWindowDays int
	// Deliverer works the delivery queue (deliver.go); nil leaves that queue unworked.
	Deliverer *Deliverer
}

// RescueStuckJobsAfter is how long a job may stay "running" before another instance
// takes it over.
const RescueStuckJobsAfter = 10 * time.Minute

// NewClient builds the River client that runs the sweep. Start it with Start(ctx) and
// stop it with Stop(ctx). Give it a pool of its own (accord serve does), so busy
// pages cannot keep its leader from renewing its lease.
func NewClient(pool *pgxpool.Pool, st Sweeper, logger *slog.Logger, opts Options) (*river.Client[pgx.Tx], error) {
	if opts.SweepInterval == 0 {
		opts.SweepInterval = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	clock, company := opts.Now, opts.Location
	opts.Now = func() time.Time { return clock().In(company) }
	if opts.DecisionWindowDays == 0 {
		opts.DecisionWindowDays = accord.DefaultDecisionWindowDays
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sweepWorker{st: st, logger: logger, now: opts.Now, window: opts.DecisionWindowDays})
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}}
	if opts.Deliverer != nil {
		river.AddWorker(workers, &deliverWorker{d: opts.Deliverer})
		queues[QueueDelivery] = river.QueueConfig{MaxWorkers: 4}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		// River reports its routine at info level every few seconds; keep warnings.
		Logger:  slog.New(minLevel{logger.Handler(), slog.LevelWarn}),
		Queues:  queues,
		Workers: workers,
		// A job left running by an instance that was killed (or caught running by a
		// backup) is retried after this, not River's default hour. Every job's attempt
		// is bounded well below it (a sweep by River's minute, a delivery by two), and
		// both kinds are safe to run again.
		RescueStuckJobsAfter: RescueStuckJobsAfter,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(opts.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "accord_sweep", RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return client, nil
}

// minLevel drops records below a level, whatever the wrapped handler allows.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}
