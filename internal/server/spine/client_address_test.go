package spine

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientAddressTrustsOnlyTheOperatorsProxies(t *testing.T) {
	t.Parallel()
	balancer := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name    string
		peer    string
		h       http.Header
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies trusted: the peer", "203.0.113.7:5000", hdr("X-Forwarded-For", "1.2.3.4"), nil, "203.0.113.7"},
		{"a spoofed header from an untrusted peer is ignored", "203.0.113.7:5000", hdr("X-Forwarded-For", "10.1.1.1"), balancer, "203.0.113.7"},
		{"the balancer names the client", "10.0.0.2:5000", hdr("X-Forwarded-For", "198.51.100.9"), balancer, "198.51.100.9"},
		{"a client's own prefix to the header is skipped", "10.0.0.2:5000", hdr("X-Forwarded-For", "6.6.6.6, 198.51.100.9"), balancer, "198.51.100.9"},
		{"chained trusted proxies", "10.0.0.2:5000", hdr("X-Forwarded-For", "198.51.100.9, 10.0.0.5"), balancer, "198.51.100.9"},
		{"several header lines", "10.0.0.2:5000", hdr("X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.9"), balancer, "198.51.100.9"},
		{"Forwarded when there is no X-Forwarded-For", "[::1]:5000", hdr("Forwarded", `for="[2001:db8::7]:4711";proto=https`), balancer, "2001:db8::7"},
		{"an obfuscated hop stops the walk", "10.0.0.2:5000", hdr("Forwarded", "for=_hidden"), balancer, "10.0.0.2"},
		{"garbage stops the walk", "10.0.0.2:5000", hdr("X-Forwarded-For", "<script>"), balancer, "10.0.0.2"},
		{"a trusted peer without a header is itself", "10.0.0.2:5000", nil, balancer, "10.0.0.2"},
		{"an IPv4-mapped peer", "[::ffff:203.0.113.7]:5000", nil, balancer, "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, ClientAddress(tc.peer, tc.h, tc.trusted))
		})
	}
}
