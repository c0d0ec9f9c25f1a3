package accord

import (
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WebhookPlatform is the group-chat service a webhook posts to.
type WebhookPlatform string

// Platforms Accord posts to, each in its own documented text-message format.
const (
	PlatformFeishu   WebhookPlatform = "feishu"   // Feishu / Lark custom bot
	PlatformDingTalk WebhookPlatform = "dingtalk" // DingTalk custom robot
	PlatformWeCom    WebhookPlatform = "wecom"    // WeCom (企业微信) group robot
	PlatformSlack    WebhookPlatform = "slack"    // Slack incoming webhook
)

// WebhookPlatforms lists every platform.
func WebhookPlatforms() []WebhookPlatform {
	return []WebhookPlatform{PlatformFeishu, PlatformDingTalk, PlatformWeCom, PlatformSlack}
}

// Valid reports whether p is a platform Accord knows.
func (p WebhookPlatform) Valid() bool {
	for _, known := range WebhookPlatforms() {
		if p == known {
			return true
		}
	}
	return false
}

// Signs reports whether the platform verifies a signature made with a secret.
func (p WebhookPlatform) Signs() bool { return p == PlatformFeishu || p == PlatformDingTalk }

// MessageID names the platform's translated label.
func (p WebhookPlatform) MessageID() string { return "webhook_platform_" + string(p) }

// Webhook posts a unit's notifications into a group chat.
type Webhook struct {
	ID         int64
	UnitID     int64
	UnitName   string
	UnitNameEN string
	Platform   WebhookPlatform
	URL        string // holds the bot's token: show MaskedURL instead
	Secret     string // the signing secret; never shown again once saved
	Enabled    bool
	CreatedAt  time.Time
	Version    int
}

// MaskedURL shows where the webhook points without the token that lets anyone post:
// the host and path stay, a long last path segment (Feishu's and Slack's token) and
// every query value (DingTalk's access_token, WeCom's key) keep only their last four
// characters.
func (w Webhook) MaskedURL() string { return MaskURL(w.URL) }

// MaskURL hides the credential parts of a webhook URL (see Webhook.MaskedURL).
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return maskTail(raw)
	}
	segments := strings.Split(u.Path, "/")
	if last := len(segments) - 1; last > 0 && utf8.RuneCountInString(segments[last]) > 8 {
		segments[last] = maskTail(segments[last])
	}
	out := u.Scheme + "://" + u.Host + strings.Join(segments, "/")
	if u.RawQuery != "" {
		var parts []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			parts = append(parts, k+"="+maskTail(v))
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

// maskTail keeps the last four characters of a token long enough to hide.
func maskTail(s string) string {
	if utf8.RuneCountInString(s) <= 8 {
		if s == "" {
			return s
		}
		return "…"
	}
	r := []rune(s)
	return "…" + string(r[len(r)-4:])
}

// WebhookInput is a new webhook as an admin typed it.
type WebhookInput struct {
	UnitID   int64
	Platform WebhookPlatform
	URL      string
	Secret   string
	// AllowPrivate is the operator's setting (ACCORD_WEBHOOK_ALLOW_PRIVATE), not the
	// admin's input: whether webhooks may reach private networks.
	AllowPrivate bool
}

// Why a webhook may not post to an address (message ids).
const (
	WebhookAddressLocal   = "webhook_address_local"
	WebhookAddressPrivate = "webhook_address_private"
)

// RefuseWebhookAddress says why a webhook may not post to ip, "" when it may.
// Webhook addresses are typed by an administrator, so they must not become a way to
// reach what only the server can: loopback, link-local (cloud metadata services live
// there), unspecified and multicast addresses, and the ranges netip does not classify
// ("this network", shared address space where Alibaba Cloud serves instance metadata,
// NAT64, which maps onto any IPv4 address, and deprecated site-local IPv6), are always
// refused; private networks (and the benchmarking range some companies use inside)
// unless allowPrivate. Delivery applies it to the address actually dialled, after DNS;
// saving applies it to the address typed (WebhookInput.Validate).
func RefuseWebhookAddress(ip netip.Addr, allowPrivate bool) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsUnspecified(),
		ip.IsMulticast(), ip.IsInterfaceLocalMulticast(),
		inPrefixes(ip, "0.0.0.0/8", "100.64.0.0/10", "64:ff9b::/96", "64:ff9b:1::/48", "fec0::/10"):
		return WebhookAddressLocal
	case (ip.IsPrivate() || inPrefixes(ip, "198.18.0.0/15")) && !allowPrivate:
		return WebhookAddressPrivate
	}
	return ""
}

// RefuseWebhookHost applies RefuseWebhookAddress to a URL's host before anything is
// dialled: an IP address is judged as it stands, and so is a name that always means
// this machine ("localhost", "*.localhost"). Any other name is judged when it is
// dialled, on the addresses it resolves to then.
func RefuseWebhookHost(host string, allowPrivate bool) string {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return WebhookAddressLocal
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return RefuseWebhookAddress(ip, allowPrivate)
	}
	return ""
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

// Limits on webhook input.
const (
	MaxWebhookURLLength    = 2000
	MaxWebhookSecretLength = 200
)

// Normalize trims the input.
func (in *WebhookInput) Normalize() {
	in.URL = strings.TrimSpace(in.URL)
	in.Secret = strings.TrimSpace(in.Secret)
	in.Platform = WebhookPlatform(strings.TrimSpace(string(in.Platform)))
}

// Validate reports every problem with the input at once. Only Feishu and DingTalk
// sign, so a secret for another platform is refused rather than silently unused.
func (in WebhookInput) Validate() error {
	var v Validation
	if in.UnitID <= 0 {
		v.Add("unit_id", "field_required")
	}
	switch {
	case in.Platform == "":
		v.Add("platform", "field_required")
	case !in.Platform.Valid():
		v.Add("platform", "webhook_platform_unknown")
	}
	switch u, err := url.Parse(in.URL); {
	case in.URL == "":
		v.Add("url", "field_required")
	case len(in.URL) > MaxWebhookURLLength:
		v.Add("url", "webhook_url_too_long")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		strings.ContainsFunc(in.URL, unicode.IsControl):
		v.Add("url", "webhook_url_invalid")
	default:
		if why := RefuseWebhookHost(u.Hostname(), in.AllowPrivate); why != "" {
			v.Add("url", why)
		}
	}
	switch {
	case in.Secret == "":
	case in.Platform.Valid() && !in.Platform.Signs():
		v.Add("secret", "webhook_secret_unused")
	case len(in.Secret) > MaxWebhookSecretLength || TextProblem(in.Secret, TextRule{}) != "":
		v.Add("secret", "webhook_secret_invalid")
	}
	return v.Err()
}

// DeliveryChannel is how a notification leaves Accord.
type DeliveryChannel string

// Delivery channels.
const (
	ChannelEmail   DeliveryChannel = "email"
	ChannelWebhook DeliveryChannel = "webhook"
)

// DeliveryStatus is where one delivery stands.
type DeliveryStatus string

// Delivery statuses. A failed delivery is retried with backoff until its job runs out
// of attempts (MaxDeliveryAttempts).
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
)

// MessageID names the status's translated label.
func (s DeliveryStatus) MessageID() string { return "delivery_status_" + string(s) }

// MaxDeliveryAttempts is how often a notification's delivery is tried before it is
// given up.
const MaxDeliveryAttempts = 8

// Delivery is one attempt history: a notification sent by email, or to one webhook.
type Delivery struct {
	ID             int64
	NotificationID *int64 // nil for an admin's test message
	Channel        DeliveryChannel
	WebhookID      *int64
	Status         DeliveryStatus
	Attempts       int
	LastError      string
	UpdatedAt      time.Time
}

// GaveUp reports whether a failed delivery will not be tried again.
func (d Delivery) GaveUp() bool {
	return d.Status == DeliveryFailed && d.NotificationID != nil && d.Attempts >= MaxDeliveryAttempts
}

// Recipient is who a notification is for, as far as delivery needs to know.
type Recipient struct {
	UserID int64
	Email  string
	Name   string
	NameEN string
	Locale string // "", "zh" or "en"
	Active bool
}

// Outgoing is a notification ready to leave Accord: what it says, whom it is for,
// the webhooks it goes to, and the deliveries already made for it.
type Outgoing struct {
	Notification Notification
	// DeliveryKey is the notification's random key for its deliveries' ids; empty
	// for notifications made before it existed.
	DeliveryKey string
	Recipient   Recipient
	Webhooks    []Webhook // enabled ones only
	Deliveries  []Delivery
}

// Sent reports whether the channel (and webhook, for ChannelWebhook) already has it.
func (o Outgoing) Sent(channel DeliveryChannel, webhookID int64) bool {
	for _, d := range o.Deliveries {
		if d.Channel == channel && d.Status == DeliverySent && (channel != ChannelWebhook || (d.WebhookID != nil && *d.WebhookID == webhookID)) {
			return true
		}
	}
	return false
}
