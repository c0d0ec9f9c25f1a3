package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
)

// TestServeGivesBackgroundJobsTheirOwnPool checks River runs on its own connections
// (named in pg_stat_activity), no more than jobPoolConns, closed on shutdown; so does
// the session listener, on one, with the web pool sized in DATABASE_URL (a pool
// setting the listener's own connection must not send to PostgreSQL).
func TestServeGivesBackgroundJobsTheirOwnPool(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Template{Name: "blank", Build: func(context.Context, string) error { return nil }})
	port := freePort(t)
	sized := dbURL + "?pool_max_conns=4"
	if strings.Contains(dbURL, "?") {
		sized = dbURL + "&pool_max_conns=4"
	}
	env := envOf(map[string]string{"DATABASE_URL": sized, "PORT": fmt.Sprint(port), "ACCORD_HOST": "127.0.0.1",
		"ACCORD_DRAIN_DELAY": "0s"})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--migrate"}, env, out, out) }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "server never became ready; output:\n%s", out)

	conn, err := pgx.Connect(context.Background(), dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	count := func(name string) int {
		var n int
		require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, name).Scan(&n))
		return n
	}
	var jobs int
	require.Eventually(t, func() bool {
		jobs = count(jobPoolName)
		return jobs >= 1
	}, 10*time.Second, 50*time.Millisecond, "River holds no connection of its own (it LISTENs on one)")
	require.LessOrEqual(t, jobs, jobPoolConns)
	require.Eventually(t, func() bool { return count(sessionListenerName) == 1 }, 10*time.Second, 50*time.Millisecond,
		"the session listener holds one connection of its own")
	require.GreaterOrEqual(t, count(""), 1, "the web pool's connections are not the jobs'")

	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Eventually(t, func() bool { return count(jobPoolName) == 0 }, 5*time.Second, 50*time.Millisecond,
		"the jobs pool is closed on shutdown")
	require.Eventually(t, func() bool { return count(sessionListenerName) == 0 }, 5*time.Second, 50*time.Millisecond,
		"the session listener's connection is closed on shutdown")
}
