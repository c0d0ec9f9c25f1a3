package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"accord/migrations"
)

// Migrator applies the embedded migrations under golang-migrate's advisory lock, so
// several instances starting at once migrate exactly once; then River's own tables
// for background jobs (rivermigrate takes its own lock).
type Migrator struct {
	m   *migrate.Migrate
	url string
}

// NewMigrator opens its own *sql.DB: golang-migrate closes the one it is given.
func NewMigrator(databaseURL string) (*Migrator, error) {
	// Read as a pool's settings, so the pool's own (pool_max_conns, which the README
	// suggests in DATABASE_URL) are not sent to PostgreSQL, which refuses them.
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: open database for migrations: %w", err)
	}
	db := stdlib.OpenDB(*cfg.ConnConfig)
	driver, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: prepare migrations: %w", err)
	}
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("store: read embedded migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", driver)
	if err != nil {
		return nil, fmt.Errorf("store: prepare migrations: %w", err)
	}
	return &Migrator{m: m, url: databaseURL}, nil
}

// Up applies every pending migration, Accord's and River's.
func (m *Migrator) Up() error {
	if err := m.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, m.url)
	if err != nil {
		return fmt.Errorf("store: connect for job-queue migrations: %w", err)
	}
	defer pool.Close()
	rm, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("store: prepare job-queue migrations: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: migrate job queue: %w", err)
	}
	return nil
}

// Down reverts the most recent of Accord's migrations (River's tables stay).
func (m *Migrator) Down() error {
	if err := m.m.Steps(-1); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// Version reports the applied version and whether a migration failed half-way.
func (m *Migrator) Version() (version uint, dirty bool, err error) {
	version, dirty, err = m.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: read schema version: %w", err)
	}
	return version, dirty, nil
}

// Close releases the migrator's connection.
func (m *Migrator) Close() error {
	srcErr, dbErr := m.m.Close()
	return errors.Join(srcErr, dbErr)
}

// LatestMigration is the highest version among the embedded migrations: the schema
// version this binary expects.
func LatestMigration() (uint, error) {
	names, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil || len(names) == 0 {
		return 0, fmt.Errorf("store: no embedded migrations: %w", err)
	}
	sort.Strings(names)
	last := names[len(names)-1]
	v, err := strconv.ParseUint(last[:strings.IndexByte(last, '_')], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: migration %s has no numeric prefix: %w", last, err)
	}
	return uint(v), nil
}

// SchemaVersion reads the applied schema version from the database, cheaply enough
// for a readiness probe.
func (s *Store) SchemaVersion(ctx context.Context) (version uint, dirty bool, err error) {
	var v int64
	err = s.pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&v, &dirty)
	if err != nil {
		return 0, false, fmt.Errorf("store: read schema version: %w", err)
	}
	return uint(v), dirty, nil
}
