package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/pgtest"
)

// TestServeDrainsBeforeStopping checks the graceful stop a load balancer needs: on
// the signal /readyz turns 503 "draining" at once, while pages still answer (with
// "Connection: close", so kept-alive connections move elsewhere) for the drain
// period; only then does the listener close and serve return cleanly.
func TestServeDrainsBeforeStopping(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Demo())
	port := freePort(t)
	// Long enough for the checks below on a busy 2-core machine under -race.
	const drain = 4 * time.Second
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "PORT": fmt.Sprint(port), "ACCORD_HOST": "127.0.0.1",
		"ACCORD_DRAIN_DELAY": drain.String()})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, out, out) }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		resp, err := client.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(body)
	}
	require.Eventually(t, func() bool {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "server never became ready; output:\n%s", out)
	req, err := http.NewRequest(http.MethodPost, base+"/login",
		strings.NewReader(url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.False(t, resp.Close, "before the signal, connections are kept alive")

	stop() // the signal
	signalled := time.Now()
	require.Eventually(t, func() bool {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	}, time.Second, 10*time.Millisecond, "readyz stays ready after the signal")
	resp, body := get("/readyz")
	var ready map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &ready))
	require.Equal(t, "draining", ready["status"])
	require.True(t, resp.Close, "a draining instance closes each connection after its response")

	// Everything else still serves, signed in, during the drain.
	resp, _ = get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, resp.Close, "Connection: close while draining")
	resp, _ = get("/healthz")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Less(t, time.Since(signalled), drain, "the drain ended too early for this test to mean anything")

	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.GreaterOrEqual(t, time.Since(signalled), drain, "serve stopped before the drain period ended")
	require.Contains(t, out.String(), "draining for 4s")
	require.Contains(t, out.String(), "shutting down")
	require.NotContains(t, out.String(), "level=ERROR", "a draining /readyz is logged as planned, not as an error")
	_, err = http.Get(base + "/healthz")
	require.Error(t, err, "the listener is closed after the drain")
}
