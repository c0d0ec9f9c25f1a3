package accord

import (
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
		{"http for a local relay", func(in *WebhookInput) { in.URL = "http://10.0.0.5:8080/hook" }, nil},
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
