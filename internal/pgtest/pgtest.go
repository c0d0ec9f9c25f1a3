// Package pgtest gives each test its own PostgreSQL database, cloned in milliseconds
// from a template that is migrated (and optionally seeded) once per cluster.
//
// `make test` starts one throwaway cluster for the whole run and passes its URL in
// ACCORD_TEST_DATABASE_URL; a package run alone with `go test` starts its own in Main.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/demo"
	"accord/internal/localpg"
	"accord/internal/password"
	"accord/internal/store"
	"accord/migrations"
)

// EnvURL names the variable holding the test cluster's maintenance database URL.
const EnvURL = "ACCORD_TEST_DATABASE_URL"

// Main runs a package's tests, starting a private cluster when EnvURL is unset.
// Use it as: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	if os.Getenv(EnvURL) != "" {
		return m.Run()
	}
	ctx := context.Background()
	bin, err := localpg.FindBinaries()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "accord-test-pg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cluster := &localpg.Cluster{Dir: dir, BinDir: bin}
	u, err := cluster.Start(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := cluster.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	os.Setenv(EnvURL, u)
	return m.Run()
}

// Template describes how a template database is built the first time it is needed.
type Template struct {
	Name  string
	Build func(ctx context.Context, databaseURL string) error
}

// Empty is the migrated schema with no rows.
func Empty() Template {
	return Template{Name: "empty", Build: migrate}
}

// Demo is the migrated schema with the demo organisation loaded. Its passwords are
// hashed with cheap parameters to keep tests fast; they still check as demo.Password.
func Demo() Template {
	return Template{Name: "demo", Build: func(ctx context.Context, databaseURL string) error {
		if err := migrate(ctx, databaseURL); err != nil {
			return err
		}
		pool, err := openPool(ctx, databaseURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		_, err = demo.Load(ctx, store.New(pool), CheapPasswords())
		return err
	}}
}

// DemoLive is Demo with the live project mid-flight (demo.LoadLive), as `make run`
// shows it: requests answered every way, an escalation waiting for its decision. Its
// dates are relative to when the template was built, once per test cluster.
func DemoLive() Template {
	return Template{Name: "demo_live", Build: func(ctx context.Context, databaseURL string) error {
		if err := migrate(ctx, databaseURL); err != nil {
			return err
		}
		pool, err := openPool(ctx, databaseURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		_, err = demo.LoadLive(ctx, store.New(pool), CheapPasswords(), time.Now())
		return err
	}}
}

// CheapPasswords are argon2id parameters fit for tests only.
func CheapPasswords() password.Params { return password.Params{Time: 1, MemKiB: 1024, Threads: 1} }

// NewDB creates a database cloned from tpl and drops it when the test ends.
// It returns the new database's URL.
func NewDB(t testing.TB, tpl Template) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		t.Fatalf("pgtest: %s is unset: run the tests with `make test`, or call pgtest.Main from TestMain", EnvURL)
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect to the test cluster: %v", err)
	}
	defer conn.Close(ctx)

	tplName, err := ensureTemplate(ctx, conn, admin, tpl)
	if err != nil {
		t.Fatalf("pgtest: template %s: %v", tpl.Name, err)
	}
	name := "test_" + randomSuffix()
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tplName)); err != nil {
		t.Fatalf("pgtest: clone %s: %v", tplName, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// openPool opens a pool on databaseURL with the settings Accord's own pools use
// (store.PoolConfig), so tests run as the server does.
func openPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := store.PoolConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// NewPool opens a pool on a fresh database cloned from tpl.
func NewPool(t testing.TB, tpl Template) *pgxpool.Pool {
	t.Helper()
	u := NewDB(t, tpl)
	pool, err := openPool(context.Background(), u)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// ensureTemplate builds the template once per cluster. Test binaries run in parallel,
// so building takes an advisory lock, and a template becomes visible under its final
// name only when complete.
func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin string, tpl Template) (string, error) {
	name := "tpl_" + tpl.Name + "_" + migrationsHash()
	key := fnv.New64a()
	key.Write([]byte(name))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(key.Sum64())); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", int64(key.Sum64()))

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := "build_" + randomSuffix()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	if err := tpl.Build(ctx, withDatabase(admin, building)); err != nil {
		conn.Exec(ctx, "DROP DATABASE "+building+" WITH (FORCE)")
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrate(_ context.Context, databaseURL string) error {
	m, err := store.NewMigrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up()
}

// migrationsHash names templates after the schema, so a changed migration gets a new
// template on a long-lived test cluster.
func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func randomSuffix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func withDatabase(rawURL, database string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + database
	return u.String()
}
