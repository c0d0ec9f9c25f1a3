package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHAProxyConfigsAreValid has HAProxy check the config `make cluster` writes and
// the one docker-compose.yml mounts, and checks the drain outlasts the health
// check's time to take an instance out.
func TestHAProxyConfigsAreValid(t *testing.T) {
	t.Parallel()
	require.Greater(t, drainDelay, checkInter*checkFall+checkInter, "instances must drain longer than the balancer takes to notice")
	cfg, err := balancerConfig{Bind: "127.0.0.1:18080", StatsBind: "127.0.0.1:18081",
		Servers: []string{"127.0.0.1:18082", "127.0.0.1:18083"}, Inter: 250 * time.Millisecond, Fall: 2, Rise: 2}.render()
	require.NoError(t, err)
	require.Contains(t, string(cfg), "server accord1 127.0.0.1:18083")
	require.Contains(t, string(cfg), "inter 250ms")
	written := filepath.Join(t.TempDir(), "haproxy.cfg")
	require.NoError(t, os.WriteFile(written, cfg, 0o644))

	compose, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	require.Contains(t, string(compose), "./docs/deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro")
	require.Contains(t, string(compose), "ACCORD_DRAIN_DELAY: 5s")
	deploy, err := os.ReadFile("../../docs/deploy/haproxy.cfg")
	require.NoError(t, err)
	require.Contains(t, string(deploy), "inter 1s fastinter 500ms downinter 1s fall 2", "2s to take an instance out, under the compose drain of 5s")

	haproxy, err := FindHAProxy()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	for _, f := range []string{written, "../../docs/deploy/haproxy.cfg"} {
		out, err := exec.Command(haproxy, "-c", "-f", f).CombinedOutput()
		require.NoError(t, err, "%s:\n%s", f, out)
		require.True(t, strings.Contains(string(out), "Configuration file is valid"), string(out))
	}
}
