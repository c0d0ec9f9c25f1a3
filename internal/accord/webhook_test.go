package accord

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaskURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd": "https://open.feishu.cn/open-apis/bot/v2/hook/…86fd",
		"https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789":                "https://oapi.dingtalk.com/robot/send?access_token=…6789",
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx":                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…7xxx",
		"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX":     "https://hooks.slack.com/services/T00000000/B00000000/…XXXX",
		"https://example.com/hook?t=short":                                                  "https://example.com/hook?t=…",
		"https://example.com/":                                                              "https://example.com/",
		"not a url at all, but long":                                                        "…long",
	}
	for raw, want := range tests {
		require.Equal(t, want, MaskURL(raw), raw)
	}
}

func TestWebhookInputValidate(t *testing.T) {
	t.Parallel()
	valid := WebhookInput{UnitID: 3, Platform: PlatformDingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=x", Secret: "SEC1"}
	tests := []struct {
		name   string
		change func(*WebhookInput)
		want   map[string]string
	}{
		{"valid", func(*WebhookInput) {}, nil},
		{"no secret is fine", func(in *WebhookInput) { in.Secret = "" }, nil},
		{"http for a relay inside, where the operator allows it", func(in *WebhookInput) {
			in.URL, in.AllowPrivate = "http://10.0.0.5:8080/hook", true
		}, nil},
		{"a private address where the operator does not allow it", func(in *WebhookInput) { in.URL = "http://10.0.0.5:8080/hook" },
			map[string]string{"url": WebhookAddressPrivate}},
		{"loopback, refused on save as on delivery", func(in *WebhookInput) { in.URL = "http://127.0.0.1:9/hook" },
			map[string]string{"url": WebhookAddressLocal}},
		{"loopback even where private networks are allowed", func(in *WebhookInput) {
			in.URL, in.AllowPrivate = "http://127.0.0.1:9/hook", true
		}, map[string]string{"url": WebhookAddressLocal}},
		{"IPv6 loopback", func(in *WebhookInput) { in.URL = "https://[::1]/hook" }, map[string]string{"url": WebhookAddressLocal}},
		{"localhost by name", func(in *WebhookInput) { in.URL = "https://LocalHost./hook" }, map[string]string{"url": WebhookAddressLocal}},
		{"a name under localhost", func(in *WebhookInput) { in.URL = "https://bot.localhost:8443/hook" }, map[string]string{"url": WebhookAddressLocal}},
		{"cloud metadata", func(in *WebhookInput) { in.URL = "http://169.254.169.254/latest" }, map[string]string{"url": WebhookAddressLocal}},
		{"a public address", func(in *WebhookInput) { in.URL = "https://203.0.113.7/hook" }, nil},
		{"a name is judged when dialled", func(in *WebhookInput) { in.URL = "https://chat.example.test/hook" }, nil},
		{"everything missing", func(in *WebhookInput) { *in = WebhookInput{} },
			map[string]string{"unit_id": "field_required", "platform": "field_required", "url": "field_required"}},
		{"unknown platform", func(in *WebhookInput) { in.Platform = "teams"; in.Secret = "" },
			map[string]string{"platform": "webhook_platform_unknown"}},
		{"not http", func(in *WebhookInput) { in.URL = "ftp://example.com/x" }, map[string]string{"url": "webhook_url_invalid"}},
		{"no host", func(in *WebhookInput) { in.URL = "https:///x" }, map[string]string{"url": "webhook_url_invalid"}},
		{"credentials in URL", func(in *WebhookInput) { in.URL = "https://u:p@example.com/x" }, map[string]string{"url": "webhook_url_invalid"}},
		{"too long", func(in *WebhookInput) { in.URL = "https://example.com/" + strings.Repeat("a", 2000) },
			map[string]string{"url": "webhook_url_too_long"}},
		{"secret for an unsigned platform", func(in *WebhookInput) { in.Platform = PlatformWeCom },
			map[string]string{"secret": "webhook_secret_unused"}},
		{"control characters in secret", func(in *WebhookInput) { in.Secret = "SEC\x00" },
			map[string]string{"secret": "webhook_secret_invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := valid
			tt.change(&in)
			require.Equal(t, tt.want, FieldErrors(in.Validate()))
		})
	}
}

// TestRefuseWebhookAddress is the one rule for where a webhook may post, which saving
// and delivery both apply.
func TestRefuseWebhookAddress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ip             string
		public, inside string // why refused by default; with private networks allowed
	}{
		{"203.0.113.7", "", ""},
		{"2001:db8::1", "", ""},
		{"127.0.0.1", WebhookAddressLocal, WebhookAddressLocal},
		{"127.9.9.9", WebhookAddressLocal, WebhookAddressLocal},
		{"::1", WebhookAddressLocal, WebhookAddressLocal},
		{"::ffff:127.0.0.1", WebhookAddressLocal, WebhookAddressLocal},
		{"169.254.169.254", WebhookAddressLocal, WebhookAddressLocal}, // cloud metadata
		{"fe80::1", WebhookAddressLocal, WebhookAddressLocal},
		{"0.0.0.0", WebhookAddressLocal, WebhookAddressLocal},
		{"0.0.0.1", WebhookAddressLocal, WebhookAddressLocal},
		{"224.0.0.1", WebhookAddressLocal, WebhookAddressLocal},
		{"100.100.100.200", WebhookAddressLocal, WebhookAddressLocal},    // Alibaba Cloud metadata
		{"64:ff9b::a9fe:a9fe", WebhookAddressLocal, WebhookAddressLocal}, // NAT64 of 169.254.169.254
		{"fec0::1", WebhookAddressLocal, WebhookAddressLocal},
		{"10.1.2.3", WebhookAddressPrivate, ""},
		{"172.16.0.9", WebhookAddressPrivate, ""},
		{"192.168.1.20", WebhookAddressPrivate, ""},
		{"fd00::5", WebhookAddressPrivate, ""},
		{"198.18.0.9", WebhookAddressPrivate, ""},
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.ip)
		require.Equal(t, c.public, RefuseWebhookAddress(ip, false), "%s by default", c.ip)
		require.Equal(t, c.inside, RefuseWebhookAddress(ip, true), "%s with private networks allowed", c.ip)
		host := c.ip
		if ip.Is6() && !ip.Is4In6() {
			host = "[" + c.ip + "]"
		}
		require.Equal(t, c.public, RefuseWebhookHost(host, false), "host %s", host)
	}
}

func TestWebhookInputNormalize(t *testing.T) {
	t.Parallel()
	in := WebhookInput{Platform: " slack ", URL: " https://hooks.slack.com/x \n", Secret: "  "}
	in.Normalize()
	require.Equal(t, WebhookInput{Platform: PlatformSlack, URL: "https://hooks.slack.com/x"}, in)
}

func TestPlatformsSign(t *testing.T) {
	t.Parallel()
	signs := map[WebhookPlatform]bool{}
	for _, p := range WebhookPlatforms() {
		require.True(t, p.Valid())
		signs[p] = p.Signs()
	}
	require.Equal(t, map[WebhookPlatform]bool{PlatformFeishu: true, PlatformDingTalk: true, PlatformWeCom: false, PlatformSlack: false}, signs)
	require.False(t, WebhookPlatform("teams").Valid())
}

func TestOutgoingSent(t *testing.T) {
	t.Parallel()
	hook := int64(7)
	other := int64(8)
	n := int64(1)
	o := Outgoing{Deliveries: []Delivery{
		{NotificationID: &n, Channel: ChannelWebhook, WebhookID: &hook, Status: DeliverySent},
		{NotificationID: &n, Channel: ChannelWebhook, WebhookID: &other, Status: DeliveryFailed},
		{NotificationID: &n, Channel: ChannelEmail, Status: DeliveryFailed},
	}}
	require.True(t, o.Sent(ChannelWebhook, 7))
	require.False(t, o.Sent(ChannelWebhook, 8))
	require.False(t, o.Sent(ChannelWebhook, 9))
	require.False(t, o.Sent(ChannelEmail, 0))

	require.False(t, Delivery{NotificationID: &n, Status: DeliveryFailed, Attempts: 7}.GaveUp())
	require.True(t, Delivery{NotificationID: &n, Status: DeliveryFailed, Attempts: 8}.GaveUp())
	require.False(t, Delivery{Status: DeliveryFailed, Attempts: 9}.GaveUp(), "test messages are never retried")
}
