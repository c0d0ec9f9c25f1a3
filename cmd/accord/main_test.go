package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/store"
	"accord/migrations"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{"PORT": "http"}), &out, &out)
	require.ErrorContains(t, err, `PORT="http" is not valid`)

	err = run(context.Background(), []string{"serve"}, envOf(map[string]string{"ACCORD_TIME_ZONE": "Beijing"}), &out, &out)
	require.ErrorContains(t, err, `ACCORD_TIME_ZONE="Beijing" is not valid: want an IANA time zone name such as "Asia/Shanghai"`)

	err = run(context.Background(), []string{"serve"}, envOf(nil), &out, &out)
	require.ErrorContains(t, err, "DATABASE_URL is not set")

	err = run(context.Background(), []string{"launch"}, envOf(nil), &out, &out)
	require.ErrorContains(t, err, `unknown command "launch"`)

	err = run(context.Background(), []string{"serve", "--fast"}, envOf(nil), &out, &out)
	require.ErrorContains(t, err, `unknown flag "--fast"`)
}

func TestUnreachableDatabaseIsAClearMessage(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := run(ctx, []string{"seed", "demo"}, envOf(map[string]string{
		"DATABASE_URL": fmt.Sprintf("postgres://u:secret@127.0.0.1:%d/x?connect_timeout=1", port)}), &out, &out)
	require.ErrorContains(t, err, "cannot reach the database at postgres://u:xxxxx@127.0.0.1")
	require.NotContains(t, err.Error(), "secret")
}

func TestMigrateCommands(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Template{Name: "blank", Build: func(context.Context, string) error { return nil }})
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"migrate", "version"}, env, &out, &out))
	require.Equal(t, "schema version 0\n", out.String())
	out.Reset()
	latest, err := store.LatestMigration()
	require.NoError(t, err)
	require.NoError(t, run(context.Background(), []string{"migrate", "up"}, env, &out, &out))
	require.Equal(t, fmt.Sprintf("schema version %d\n", latest), out.String())
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"migrate", "down"}, env, &out, &out))
	require.Equal(t, fmt.Sprintf("schema version %d\n", previousMigration(t, latest)), out.String())
	require.ErrorContains(t, run(context.Background(), []string{"migrate", "sideways"}, env, &out, &out), "unknown direction")
}

// TestServeMigratesSeedsServesAndDrains runs the binary's serve path end to end:
// migrations, the demo organisation, a sign-in, and a clean stop when the context
// (the signal) ends.
func TestServeMigratesSeedsServesAndDrains(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Template{Name: "blank", Build: func(context.Context, string) error { return nil }})
	port := freePort(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORT": fmt.Sprint(port), "ACCORD_HOST": "127.0.0.1",
		"ACCORD_DRAIN_DELAY": "0s"})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--migrate", "--demo"}, env, out, out) }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "server never became ready; output:\n%s", out)
	require.Contains(t, out.String(), "serving on http://localhost:")

	require.NoError(t, run(ctx, []string{"healthcheck"}, env, out, out))

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", url.Values{"email": {"ceo@accord.demo"}, "password": {"accord-demo"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Contains(t, out.String(), "shutting down")
	_, err = http.Get(base + "/healthz")
	require.Error(t, err, "the listener is closed after shutdown")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// previousMigration is the highest embedded migration below latest (numbers may skip).
func previousMigration(t *testing.T, latest uint) uint {
	names, err := fs.Glob(migrations.FS, "*.up.sql")
	require.NoError(t, err)
	var prev uint
	for _, n := range names {
		v, err := strconv.ParseUint(n[:strings.IndexByte(n, '_')], 10, 64)
		require.NoError(t, err)
		if uint(v) < latest && uint(v) > prev {
			prev = uint(v)
		}
	}
	return prev
}
