package faults

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
)

// TestThroughPgBouncerInTransactionMode runs Accord the way the README's "Through
// PgBouncer" section says: pages and the API through PgBouncer in transaction mode
// with default_query_exec_mode=cache_describe, background jobs and migrations
// straight to PostgreSQL (ACCORD_DIRECT_DATABASE_URL). Pages answer, concurrent
// writes all land, and River's leader runs the sweep.
func TestThroughPgBouncerInTransactionMode(t *testing.T) {
	t.Parallel()
	pgbouncer, err := exec.LookPath("pgbouncer")
	if err != nil {
		pgbouncer, err = exec.LookPath("/usr/sbin/pgbouncer") // Debian's, outside a user's PATH
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pgbouncer is not installed, and CI=true: `make test` installs it as root on Debian (apt-get install -y pgbouncer)")
		}
		t.Skip("pgbouncer is not installed: sudo apt-get install -y pgbouncer")
	}
	ctx := context.Background()
	direct := pgtest.NewDB(t, pgtest.Demo())
	u, err := url.Parse(direct)
	require.NoError(t, err)

	// PgBouncer refuses to run as root; as root it drops to the postgres user, who
	// must be able to read its files.
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	port := freePort(t)
	files := map[string]string{
		"users.txt": fmt.Sprintf("%q \"\"\n", u.User.Username()),
		"pgbouncer.ini": fmt.Sprintf(`[databases]
accord = host=%s port=%s dbname=%s user=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 4
ignore_startup_parameters = jit
`, u.Hostname(), u.Port(), u.Path[1:], u.User.Username(), port, filepath.Join(dir, "users.txt")),
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres"}, args...)
	}
	bouncer := exec.Command(pgbouncer, args...)
	var bouncerLog syncBuffer
	bouncer.Stdout, bouncer.Stderr = &bouncerLog, &bouncerLog
	require.NoError(t, bouncer.Start())
	t.Cleanup(func() { bouncer.Process.Kill(); bouncer.Wait() })
	require.Eventually(t, func() bool {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			conn.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "pgbouncer did not start:\n%s", &bouncerLog)

	through := fmt.Sprintf("postgres://%s@127.0.0.1:%d/accord?sslmode=disable&default_query_exec_mode=cache_describe",
		u.User.Username(), port)
	binary := buildAccord(t)
	httpPort := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	serve := exec.Command(binary, "serve", "--migrate")
	var serveLog syncBuffer
	serve.Stdout, serve.Stderr = &serveLog, &serveLog
	serve.Env = append(os.Environ(), "DATABASE_URL="+through, "ACCORD_DIRECT_DATABASE_URL="+direct,
		fmt.Sprintf("PORT=%d", httpPort), "ACCORD_HOST=127.0.0.1", "ACCORD_DRAIN_DELAY=0s")
	require.NoError(t, serve.Start())
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	require.Eventually(t, func() bool {
		resp, err := probe.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "accord never became ready through pgbouncer:\n%s\n%s", &serveLog, &bouncerLog)

	pool, err := pgxpool.New(ctx, direct)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	var project, it int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM projects WHERE name_en = 'Smart service upgrade'`).Scan(&project))
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM units WHERE name_en = 'IT'`).Scan(&it))

	c := newClient(t, base)
	c.login(t, "aftersales@accord.demo")
	// Each page twice: the second time pgx uses the statement types it learned.
	for range 2 {
		for _, path := range []string{"/", "/inbox", fmt.Sprintf("/projects/%d", project),
			fmt.Sprintf("/projects/%d/tracker", project), "/escalations", "/search?q=CRM"} {
			resp := c.get(t, path)
			require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s through pgbouncer:\n%s", path, &serveLog)
		}
	}

	const writes = 40
	var wg sync.WaitGroup
	statuses := make([]int, writes)
	for i := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.postErr(fmt.Sprintf("/projects/%d/commitments", project),
				url.Values{"unit_id": {fmt.Sprint(it)}, "what": {fmt.Sprintf("bouncer-%02d", i)}, "status": {"open"}})
			if err != nil {
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, status := range statuses {
		require.Equal(t, http.StatusSeeOther, status, "write %d through pgbouncer:\n%s", i, &serveLog)
	}
	var stored int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM commitments WHERE what LIKE 'bouncer-%'`).Scan(&stored))
	require.Equal(t, writes, stored)

	// Background jobs connect directly: River's leader runs the sweep on start.
	require.Eventually(t, func() bool {
		var swept int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'accord_sweep' AND state = 'completed'`).Scan(&swept)
		return err == nil && swept > 0
	}, 30*time.Second, 100*time.Millisecond, "the sweep never ran:\n%s", &serveLog)
}
