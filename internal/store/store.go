// Package store keeps Accord's data in PostgreSQL through pgx. Each exported method
// runs in its own transaction and maps database errors to the domain's codes.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/accord"
	"accord/internal/pgjson"
)

// Store is Accord's PostgreSQL storage.
type Store struct {
	pool     *pgxpool.Pool
	enqueuer DeliveryEnqueuer // nil: notifications stay in-app (see SetDeliveryEnqueuer)
	// prepared: statements stay prepared on their connection (pgx's default mode), so
	// a generic plan is made once and kept (queryGenericPlan).
	prepared bool
	// portfolioDenseScope is the number of projects in an executive's scope above which
	// the portfolio walks its rank indexes instead of sorting the scope (PortfolioPage).
	portfolioDenseScope int
	portfolioScopes     portfolioScopes
	// fewSeen is the number of projects a narrow sight sees at most to count as few
	// (projectSight): a test sets it to run both ways.
	fewSeen int
	// projectSights guesses who sees every project, for their next list (Projects).
	projectSights projectSights
	// sights keeps each viewer's project sight by the organisation's epoch (sightIn).
	sights sightCache
	// viewers are the signed-in people this server has read, kept while their stamps
	// hold (ViewerAt).
	viewers *viewerCache
	// sessionCache keeps signed-in sessions while ListenForViewerChanges runs.
	sessionCache *sessionCache
}

// New wraps an open pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool,
		prepared:            pool.Config().ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement,
		portfolioDenseScope: portfolioDenseScope, fewSeen: fewSeen,
		viewers: newViewerCache(viewerCacheLimit), sessionCache: newSessionCache(sessionCacheLimit)}
}

// Pool exposes the pool, for tests and tools that read the database directly.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// PoolConfig reads databaseURL into the settings every Accord pool uses.
func PoolConfig(databaseURL string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse DATABASE_URL: %w", err)
	}
	// Accord's statements are short index walks; PostgreSQL's JIT, triggered by cost
	// estimates on large tables, spent hundreds of milliseconds compiling them. A
	// jit setting in DATABASE_URL's options still wins.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	// A hook set later must call this one too, or JSON decodes the slow way.
	cfg.AfterConnect = pgjson.DecodeFast
	return cfg, nil
}

// Open connects to databaseURL; the pool reconnects by itself after an outage.
func Open(ctx context.Context, databaseURL string, tracer pgx.QueryTracer) (*pgxpool.Pool, error) {
	cfg, err := PoolConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return pool, nil
}

// WithTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) WithTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return fn(storeTx{Tx: tx, enqueuer: s.enqueuer})
	})
}

// queryGenericPlan runs one read under its generic plan and hands its rows to read.
// PostgreSQL plans a prepared statement afresh on every call while it estimates a plan
// for the actual parameters cheaper; for the inbox's big statement that planning took
// 2.3 ms a call, as long as running it, and the generic plan runs as fast (the start
// page's agenda too: 4–6 ms to plan, under 2 to run). It is chosen per statement:
// search, matching patterns, needs its custom plans, and the escalation counts ran
// slower under theirs.
func (s *Store) queryGenericPlan(ctx context.Context, sql string, args []any, read func(pgx.Rows) error) error {
	return s.queryWithPlanMode(ctx, "force_generic_plan", sql, args, read)
}

// queryCustomPlan runs one read planned for its parameters on every call, as
// queryGenericPlan does the opposite: left to itself PostgreSQL may switch a prepared
// statement to its generic plan after five calls, and keep a plan made while the
// tables were small (PortfolioPage says why that matters there).
func (s *Store) queryCustomPlan(ctx context.Context, sql string, args []any, read func(pgx.Rows) error) error {
	return s.queryWithPlanMode(ctx, "force_custom_plan", sql, args, read)
}

// queryWithPlanMode runs one read on the pool with plan_cache_mode set to mode for it
// alone (queryInPlanMode).
func (s *Store) queryWithPlanMode(ctx context.Context, mode, sql string, args []any, read func(pgx.Rows) error) error {
	return queryInPlanMode(ctx, s.pool, s.prepared, mode, sql, args, read)
}

// planQuerier is where queryInPlanMode runs a read: the pool, or a transaction.
type planQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// queryInPlanMode runs one read on q with plan_cache_mode set to mode. The setting is
// sent in the same pipeline as the read (one round trip once the read is prepared on
// the connection). On the pool, the statements up to its Sync are one implicit
// transaction, so set_config's local value holds for the read and ends with it; in a
// transaction it holds until the transaction ends, or a later read sets its own (the
// search's statements do). Where statements are not kept prepared (prepared false: a
// pooler's cache_describe mode, see the README), every call is planned for its
// parameters anyway and a generic plan would only ignore them, so the read runs plain.
func queryInPlanMode(ctx context.Context, q planQuerier, prepared bool, mode, sql string, args []any,
	read func(pgx.Rows) error) error {
	if !prepared {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close() // whatever read does, the connection is free for the next statement
		return read(rows)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('plan_cache_mode', $1, true)`, mode)
	b.Queue(sql, args...)
	br := q.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return fmt.Errorf("store: %s: %w", mode, err)
	}
	rows, err := br.Query()
	if err == nil {
		err = read(rows)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// mapNotFound turns pgx.ErrNoRows into the domain's not-found error.
func mapNotFound(err error, messageID string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return accord.Errorf(accord.ECodeNotFound, messageID, nil)
	}
	return err
}

// isUniqueViolation reports whether err broke the named unique constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// IsUnavailable reports whether err means the database could not be reached, as
// opposed to a query that failed: the caller shows "try again shortly", not a bug.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: the server is shutting down or starting.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// EnsureDatabase creates database name through the maintenance URL unless it exists.
func EnsureDatabase(ctx context.Context, maintenanceURL, name string) error {
	conn, err := pgx.Connect(ctx, maintenanceURL)
	if err != nil {
		return fmt.Errorf("store: connect to create database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("store: look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("store: create database %s: %w", name, err)
	}
	return nil
}

// lookupText makes user-typed text safe to compare in SQL: PostgreSQL text holds
// neither NUL bytes nor invalid UTF-8, and would fail the query on them. Used for
// lookups and logs of raw input; what is stored is validated in the domain first.
func lookupText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
