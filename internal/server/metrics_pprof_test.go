package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/server"
)

// TestMetricsListenerServesTheProfilerAndThePublicPortDoesNot: the Go profiler is on
// the metrics listener (ACCORD_METRICS_ADDR) only, never on the port people use,
// even with the metrics token set.
func TestMetricsListenerServesTheProfilerAndThePublicPortDoesNot(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(o *server.Options) { o.MetricsToken = "metrics-token-0123456789" })
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/symbol"} {
		rec := httptest.NewRecorder()
		b.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, path)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/profile?seconds=1", "/debug/pprof/heap"} {
		for _, auth := range []string{"", "Bearer metrics-token-0123456789"} {
			req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
			require.NoError(t, err)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NotEqual(t, http.StatusOK, resp.StatusCode, "%s with %q", path, auth)
			require.NotContains(t, string(body), "Types of profiles available", "%s with %q", path, auth)
			require.NotContains(t, resp.Header.Get("Content-Type"), "octet-stream", "%s with %q", path, auth)
		}
	}
}
