package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/server"
	"accord/internal/store"
	"accord/web/i18n"
)

// TestDatabaseDownGivesFriendly503 points a server at a port where no database
// listens: every page that needs the database says so plainly, with no stack trace.
func TestDatabaseDownGivesFriendly503(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	pool, err := pgxpool.New(context.Background(), fmt.Sprintf("postgres://x@127.0.0.1:%d/x?connect_timeout=1", port))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	s := server.New(store.New(pool), bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	b := &testBundle{srv: srv}
	c := b.client(t)
	resp := c.post("/login", url.Values{"email": {"it@accord.demo"}, "password": {"whatever-long"}})
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.Equal(t, "Accord is briefly unavailable", strings.TrimSpace(resp.doc.Find("h1").Text()))
	require.NotContains(t, resp.body, "dial tcp")

	// With a session cookie, loading the session itself fails the same friendly way.
	u, _ := url.Parse(srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "accord_session", Value: "abc"}})
	resp = c.get("/")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, resp.body, "Nothing you entered was saved")

	ready := c.get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, ready.StatusCode)
	require.Equal(t, http.StatusOK, c.get("/healthz").StatusCode, "the process itself is alive")
}

// TestAbandonedRequestIsNotAnOutage cancels a request as a client closing its tab
// would: the answer is 499, and nothing is logged as the database being unavailable.
func TestAbandonedRequestIsNotAnOutage(t *testing.T) {
	b := setup(t) // calls t.Parallel
	var logs strings.Builder
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	s := server.New(b.st, bundle, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})), server.Options{})

	signedIn := b.login(t, "it@accord.demo")
	u, err := url.Parse(b.srv.URL)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/projects", nil)
	for _, cookie := range signedIn.http.Jar.Cookies(u) {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	require.Equal(t, 499, rec.Code)
	require.NotContains(t, logs.String(), "unavailable")

	apiReq := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/me", nil)
	apiReq.Header.Set("Authorization", "Bearer acc_whatever")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, apiReq)
	require.Equal(t, 499, rec.Code)
	require.NotContains(t, logs.String(), "unavailable")
}
