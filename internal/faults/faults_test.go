// Package faults holds fault tests: the database restarting under a running Accord,
// and Accord killed in the middle of many writes.
package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/localpg"
	"accord/internal/pgtest"
	"accord/internal/server"
	"accord/internal/store"
	"accord/web/i18n"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "accord-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The tests that run the real binary share one build: several parallel builds of
	// the same binary on a cold cache each cost minutes on a 2-core machine.
	binaryPath := filepath.Join(dir, "accord")
	var once sync.Once
	var buildErr error
	buildAccord = func(t *testing.T) string {
		t.Helper()
		once.Do(func() {
			// Without -race: these servers are measured and killed, not raced.
			build := exec.Command("go", "build", "-o", binaryPath, "accord/cmd/accord")
			build.Stderr = os.Stderr
			buildErr = build.Run()
		})
		require.NoError(t, buildErr, "build accord")
		return binaryPath
	}
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// probe asks /readyz; a hung answer is a failed probe, not a hung test.
var probe = &http.Client{Timeout: 2 * time.Second}

// buildAccord returns the path of the accord binary, built once for the package.
var buildAccord func(t *testing.T) string

// syncBuffer collects a child process's output while the test may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDatabaseRestartWhileServing stops PostgreSQL under a running server: requests
// get the friendly 503 page, and once the database is back the same process serves
// again within seconds, without a restart.
func TestDatabaseRestartWhileServing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bin, err := localpg.FindBinaries()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	cluster := &localpg.Cluster{Dir: dir, BinDir: bin}
	maintenance, err := cluster.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { cluster.Stop(context.Background()) })
	require.NoError(t, store.EnsureDatabase(ctx, maintenance, "accord"))
	dbURL := cluster.URL("accord")
	m, err := store.NewMigrator(dbURL)
	require.NoError(t, err)
	require.NoError(t, m.Up())
	m.Close()
	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	_, err = demo.Load(ctx, st, pgtest.CheapPasswords())
	require.NoError(t, err)

	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	s := server.New(st, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{PasswordParams: pgtest.CheapPasswords()})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	c.login(t, "it@accord.demo")
	require.Equal(t, http.StatusOK, c.get(t, "/").StatusCode)

	require.NoError(t, cluster.Stop(ctx))
	resp := c.get(t, "/")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(body), `data-testid="error-page"`)
	require.Contains(t, string(body), "协同暂时无法使用", "the friendly page, in the default language")
	require.Equal(t, http.StatusServiceUnavailable, c.get(t, "/readyz").StatusCode)

	// The database comes back on the same port and data directory.
	restarted := time.Now()
	_, err = cluster.Start(ctx)
	require.NoError(t, err)
	require.Equal(t, dbURL, cluster.URL("accord"))
	require.Eventually(t, func() bool { return c.get(t, "/").StatusCode == http.StatusOK }, 15*time.Second, 100*time.Millisecond)
	t.Logf("serving again %v after the database restarted", time.Since(restarted).Round(time.Millisecond))
}

// TestKilledDuringWritesLosesNothingAcknowledged runs the real binary, sends 200
// concurrent writes, kills it with SIGKILL part-way, restarts it, and checks every
// write that was acknowledged is there, with its audit entry — none half-applied.
func TestKilledDuringWritesLosesNothingAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewDB(t, pgtest.Demo())
	binary := buildAccord(t)

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	start := func() *exec.Cmd {
		cmd := exec.Command(binary, "serve")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, fmt.Sprintf("PORT=%d", port), "ACCORD_HOST=127.0.0.1")
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		require.Eventually(t, func() bool {
			resp, err := probe.Get(base + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 30*time.Second, 50*time.Millisecond)
		return cmd
	}
	cmd := start()

	pool, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var project, it int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM projects WHERE name_en = 'Smart service upgrade'`).Scan(&project))
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM units WHERE name_en = 'IT'`).Scan(&it))

	c := newClient(t, base)
	c.login(t, "aftersales@accord.demo")

	const writes = 200
	var mu sync.Mutex
	acked := map[string]bool{}
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	// Kill the server once a fair share of the writes has been acknowledged.
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for deadline := time.Now().Add(20 * time.Second); ackedCount() < writes/4 && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
	}()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			what := fmt.Sprintf("fault-%03d", i)
			resp, err := c.postErr(fmt.Sprintf("/projects/%d/commitments", project),
				url.Values{"unit_id": {fmt.Sprint(it)}, "what": {what}, "status": {"open"}})
			if err != nil {
				return // the server died under this request: not acknowledged
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusOK {
				mu.Lock()
				acked[what] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	<-killed
	cmd.Wait()
	t.Logf("%d of %d writes were acknowledged before the kill", len(acked), writes)
	require.NotEmpty(t, acked, "some writes should land before the kill")
	require.Less(t, len(acked), writes, "the kill should interrupt some writes")

	start() // Accord comes back on the same database
	rows, err := pool.Query(ctx, `SELECT c.what, EXISTS (SELECT 1 FROM audit_log a
			WHERE a.entity = 'commitment' AND a.entity_id = c.id AND a.action = 'create')
		FROM commitments c WHERE c.what LIKE 'fault-%'`)
	require.NoError(t, err)
	stored := map[string]bool{}
	for rows.Next() {
		var what string
		var audited bool
		require.NoError(t, rows.Scan(&what, &audited))
		require.True(t, audited, "%s is stored without its audit entry: half-applied", what)
		stored[what] = true
	}
	require.NoError(t, rows.Err())
	for what := range acked {
		require.True(t, stored[what], "acknowledged write %s is missing after the restart", what)
	}
	var orphans int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_log a WHERE a.entity = 'commitment' AND a.action = 'create'
		AND NOT EXISTS (SELECT 1 FROM commitments c WHERE c.id = a.entity_id)`).Scan(&orphans))
	require.Zero(t, orphans, "an audit entry without its commitment: half-applied")
}

type client struct {
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) login(t *testing.T, email string) {
	resp, err := c.postErr("/login", url.Values{"email": {email}, "password": {demo.Password}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

func (c *client) get(t *testing.T, path string) *http.Response {
	resp, err := c.http.Get(c.base + path)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (c *client) postErr(path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	return c.http.Do(req)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
