package faults

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/cluster"
	"accord/internal/pgtest"
)

// TestClusterRollingRestartFailsNoRequest runs three real `accord serve` behind
// HAProxy on one database (internal/cluster, what `make cluster` prints) and holds
// it to its promises: a session made on one instance works on every other; the
// balancer compresses pages, the instances do not; each
// instance in turn SIGTERM'd and restarted under 16 clients fails no request; a
// SIGKILL'd one costs at most the requests it held and none once the balancer
// noticed; each webhook delivery reaches its receiver exactly once and the sweep
// duplicates nothing.
//
// HAProxy is a Debian package (`make test` installs it as root, like Chromium):
// without it the test skips locally and fails when CI=true.
func TestClusterRollingRestartFailsNoRequest(t *testing.T) {
	t.Parallel()
	haproxy, err := cluster.FindHAProxy()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dbURL := pgtest.NewDB(t, pgtest.DemoLive())
	binary := buildAccord(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	fig, err := cluster.Run(ctx, cluster.Options{DatabaseURL: dbURL, Binary: binary, HAProxy: haproxy,
		Clients: 16, Settle: time.Second, Log: tlog{t}})
	require.NoError(t, err)
	t.Logf("rolling restart: %d requests, %d failed, p50 %v, p99 %v; restarts %v",
		fig.Rolling.Requests, fig.Rolling.Failures, fig.Rolling.P50, fig.Rolling.P99, fig.RestartTimes)
	t.Logf("kill: %d/%d failed before the balancer noticed (%v), %d/%d after",
		fig.KillBefore.Failures, fig.KillBefore.Requests, fig.KillNoticed, fig.KillAfter.Failures, fig.KillAfter.Requests)

	require.True(t, fig.SessionOK, "a session made on one instance must work on all")
	require.True(t, fig.Compressed, "the balancer compresses a page asked for with gzip")
	require.Less(t, fig.CompressedBytes, fig.PageBytes, "and it is smaller")
	require.Empty(t, fig.InstanceEncoding, "Accord itself sends pages uncompressed")
	require.Equal(t, len(fig.RestartTimes), fig.Instances, "every instance restarted")
	require.NotZero(t, fig.Rolling.Requests)
	require.Zero(t, fig.Rolling.Failures, "a rolling restart must fail no request: %v", fig.Rolling.FirstErrors)
	require.Zero(t, fig.Rolling.Refused, "the workload itself is wrong: %v", fig.Rolling.FirstErrors)
	require.NotZero(t, fig.KillAfter.Requests)
	require.Zero(t, fig.KillAfter.Failures, "once the balancer noticed the kill, nothing may fail: %v", fig.KillAfter.FirstErrors)
	require.LessOrEqual(t, fig.KillBefore.Failures, fig.Clients, "only requests in flight at the killed instance may fail")
	require.NotZero(t, fig.Notifications)
	if fig.DeliveryKey != "" {
		require.NotZero(t, fig.DeliveriesSent)
		require.Equal(t, fig.DeliveriesSent, fig.WebhookPosts, "each webhook delivery reaches the receiver once")
		require.Zero(t, fig.DuplicatePosts, "no delivery is posted twice (by %s)", fig.DeliveryKey)
		require.Zero(t, fig.Undelivered, "every notification reached its webhook")
	} else {
		t.Log("no network address but loopback: webhook deliveries not counted")
	}
	require.NotZero(t, fig.Reminders, "the sweep reminded none of the %d requests due", fig.StaleRequests)
	require.Zero(t, fig.DuplicateReminder, "the sweep reminded twice")
	require.True(t, fig.Passed())
}

// tlog sends the cluster's progress lines to the test log.
type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
