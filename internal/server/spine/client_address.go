package spine

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddress is the address the request came from, for sign-in throttling and the
// log: the peer's, unless the peer is a proxy the operator trusts
// (ACCORD_TRUSTED_PROXIES); then the nearest address in X-Forwarded-For (else
// Forwarded) that is not itself a trusted proxy. Anyone else's forwarding headers are
// ignored: a client cannot pick its own address.
func (s *Spine) ClientAddress(r *http.Request) string {
	return ClientAddress(r.RemoteAddr, r.Header, s.Opts.TrustedProxies)
}

// ClientAddress is Spine.ClientAddress as a pure function of the peer's address, the
// headers and the trusted proxies.
func ClientAddress(remoteAddr string, h http.Header, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !trustedAddr(peer, trusted) {
		return peer.String()
	}
	hops := forwardedFor(h)
	current := peer
	// From the nearest hop outwards: each trusted proxy vouches for the one before it.
	for i := len(hops) - 1; i >= 0; i-- {
		next, ok := parseHop(hops[i])
		if !ok {
			break // a hop nobody can vouch for: the last trusted one is all we know
		}
		current = next
		if !trustedAddr(next, trusted) {
			break
		}
	}
	return current.String()
}

func trustedAddr(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor lists the hops the proxies recorded, farthest first: X-Forwarded-For
// when present, else the for= parameters of Forwarded (RFC 7239).
func forwardedFor(h http.Header) []string {
	var hops []string
	for _, line := range h.Values("X-Forwarded-For") {
		for _, part := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(part))
		}
	}
	if len(hops) > 0 {
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, element := range strings.Split(line, ",") {
			for _, pair := range strings.Split(element, ";") {
				key, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(key, "for") {
					hops = append(hops, strings.Trim(value, `"`))
				}
			}
		}
	}
	return hops
}

// parseHop reads one recorded address: 192.0.2.1, 192.0.2.1:4711, [2001:db8::1]:4711
// or 2001:db8::1. Obfuscated ("_hidden") and "unknown" ones are not addresses.
func parseHop(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
