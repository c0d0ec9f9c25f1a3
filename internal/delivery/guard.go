package delivery

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrAddressNotAllowed means a webhook resolved to an address Accord does not post to.
var ErrAddressNotAllowed = errors.New("delivery: webhook address not allowed")

// AddressError is ErrAddressNotAllowed for one address, so a page can name it.
type AddressError struct {
	Detail string // the address dialled
	Why    string // in English, for logs and the delivery record
}

func (e *AddressError) Error() string {
	return ErrAddressNotAllowed.Error() + ": " + e.Detail + " " + e.Why
}
func (e *AddressError) Unwrap() error { return ErrAddressNotAllowed }

// NewWebhookClient is the HTTP client chat webhooks are posted with. A webhook URL is
// typed by an administrator, so it must not become a way to reach what only the
// server can: loopback, link-local (cloud metadata services live there) and
// unspecified addresses are always refused, and private networks unless allowPrivate
// is set (for chat servers run inside the company). The check runs on the address
// actually dialled, after DNS, so a name that later resolves elsewhere, or a redirect,
// is held to the same rule.
func NewWebhookClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error { return checkDialAddress(address, allowPrivate) },
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialer.DialContext
	// A proxy would be dialled instead of the webhook, hiding its address from the check.
	transport.Proxy = nil
	return &http.Client{Timeout: timeout, Transport: transport}
}

// inPrefixes reports whether ip is in one of the CIDR ranges. Parsed on each call:
// webhooks dial rarely, and the ranges stay next to the rule that reads them.
func inPrefixes(ip netip.Addr, cidrs ...string) bool {
	for _, c := range cidrs {
		if netip.MustParsePrefix(c).Contains(ip) {
			return true
		}
	}
	return false
}

// refusedRange: ranges no webhook may reach beyond what netip classifies — "this
// network", shared address space (Alibaba Cloud serves instance metadata at
// 100.100.100.200), NAT64 (which maps onto any IPv4 address, metadata included) and
// deprecated site-local IPv6.
func refusedRange(ip netip.Addr) bool {
	return inPrefixes(ip, "0.0.0.0/8", "100.64.0.0/10", "64:ff9b::/96", "64:ff9b:1::/48", "fec0::/10")
}

// privateRange: private networks besides netip's IsPrivate — the benchmarking range,
// which some companies use internally.
func privateRange(ip netip.Addr) bool { return ip.IsPrivate() || inPrefixes(ip, "198.18.0.0/15") }

// checkDialAddress applies NewWebhookClient's rule to a dialled "ip:port".
func checkDialAddress(address string, allowPrivate bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &AddressError{Detail: address, Why: "is not an IP address"}
	}
	ip := ap.Addr().Unmap()
	switch {
	case ip.IsLoopback(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsUnspecified(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast(), refusedRange(ip):
		return &AddressError{Detail: ip.String(), Why: "is a local address"}
	case privateRange(ip) && !allowPrivate:
		return &AddressError{Detail: ip.String(),
			Why: "is on a private network (set ACCORD_WEBHOOK_ALLOW_PRIVATE=true to allow it)"}
	}
	return nil
}
