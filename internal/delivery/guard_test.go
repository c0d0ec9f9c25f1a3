package delivery

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckDialAddress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		address        string
		public, inside bool // allowed by default; allowed with private networks on
	}{
		{"203.0.113.7:443", true, true},
		{"[2001:db8::1]:443", true, true},
		{"127.0.0.1:80", false, false},
		{"[::1]:80", false, false},
		{"[::ffff:127.0.0.1]:80", false, false},
		{"169.254.169.254:80", false, false}, // cloud metadata
		{"[fe80::1]:80", false, false},
		{"0.0.0.0:80", false, false},
		{"224.0.0.1:80", false, false},
		{"10.1.2.3:443", false, true},
		{"172.16.0.9:443", false, true},
		{"192.168.1.20:8080", false, true},
		{"[fd00::5]:443", false, true},
		{"not-an-ip:443", false, false},
		{"100.100.100.200:80", false, false},      // Alibaba Cloud metadata (shared address space)
		{"[64:ff9b::a9fe:a9fe]:80", false, false}, // NAT64 of 169.254.169.254
		{"[fec0::1]:80", false, false},
		{"0.0.0.1:80", false, false},
		{"198.18.0.9:443", false, true},
	}
	for _, c := range cases {
		require.Equal(t, c.public, checkDialAddress(c.address, false) == nil, "%s by default", c.address)
		require.Equal(t, c.inside, checkDialAddress(c.address, true) == nil, "%s with private networks allowed", c.address)
		if err := checkDialAddress(c.address, false); err != nil {
			require.ErrorIs(t, err, ErrAddressNotAllowed)
		}
	}
}

// TestWebhookClientRefusesLoopback posts to a real server on 127.0.0.1: the guarded
// client never connects, whatever the setting for private networks.
func TestWebhookClientRefusesLoopback(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	for _, allowPrivate := range []bool{false, true} {
		resp, err := NewWebhookClient(5*time.Second, allowPrivate).Post(srv.URL, "application/json", nil)
		if resp != nil {
			resp.Body.Close()
		}
		require.ErrorIs(t, err, ErrAddressNotAllowed)
	}
	require.Zero(t, hits.Load())

	// The same server is reachable with an ordinary client: the refusal is the guard's.
	resp, err := http.Post(srv.URL, "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.EqualValues(t, 1, hits.Load())
}
