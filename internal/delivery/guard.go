package delivery

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"accord/internal/accord"
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

// NewWebhookClient is the HTTP client chat webhooks are posted with. Every address it
// dials is held to accord.RefuseWebhookAddress — the rule saving a webhook applies to
// the address typed — with private networks allowed when allowPrivate is set (for
// chat servers run inside the company). The check runs on the address actually
// dialled, after DNS, so a name that later resolves elsewhere, or a redirect, is held
// to the same rule.
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
		return &AddressError{Detail: address, Why: "is not an IP address"}
	}
	ip := ap.Addr().Unmap()
	switch accord.RefuseWebhookAddress(ip, allowPrivate) {
	case accord.WebhookAddressLocal:
		return &AddressError{Detail: ip.String(), Why: "is a local address"}
	case accord.WebhookAddressPrivate:
		return &AddressError{Detail: ip.String(),
			Why: "is on a private network (set ACCORD_WEBHOOK_ALLOW_PRIVATE=true to allow it)"}
	}
	return nil
}
