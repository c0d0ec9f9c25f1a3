package delivery

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrAddressNotAllowed means a webhook resolved to an address Accord does not post to.
var ErrAddressNotAllowed = errors.New("delivery: webhook address not allowed")

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

// checkDialAddress applies NewWebhookClient's rule to a dialled "ip:port".
func checkDialAddress(address string, allowPrivate bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s is not an IP address", ErrAddressNotAllowed, address)
	}
	ip := ap.Addr().Unmap()
	switch {
	case ip.IsLoopback(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsUnspecified(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is a local address", ErrAddressNotAllowed, ip)
	case ip.IsPrivate() && !allowPrivate:
		return fmt.Errorf("%w: %s is on a private network (set ACCORD_WEBHOOK_ALLOW_PRIVATE=true to allow it)",
			ErrAddressNotAllowed, ip)
	}
	return nil
}
