package delivery_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/web/i18n"
)

func ptr[T any](v T) *T { return &v }

func TestRender(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	n := accord.Notification{ID: 3, Kind: accord.NotifyRequestAnswered, ProjectID: ptr[int64](2), RequestID: ptr[int64](7),
		ActorName: "黄磊", ActorNameEN: "Huang Lei", NeedTitle: "客户数据接口", NeedTitleEN: "Customer data API",
		ProjectName: "智能服务升级", ProjectNameEN: "Smart service upgrade", State: accord.RequestDeclined}
	to := accord.Recipient{Name: "张伟", NameEN: "Zhang Wei", Email: "aftersales@accord.demo", Active: true}

	tests := []struct {
		lang string
		want delivery.Message
	}{
		{"en", delivery.Message{
			Subject: "[Accord] Huang Lei answered “Customer data API”: Declined.",
			Body: "Hello Zhang Wei,\n\nHuang Lei answered “Customer data API”: Declined.\n\n" +
				"Open it in Accord: https://accord.example.com/requests/7\n\n-- \n" +
				"You receive this email because you have an account in Accord. All your notifications: https://accord.example.com/notifications\n",
			Chat: "[Accord] For Zhang Wei: Huang Lei answered “Customer data API”: Declined.\nhttps://accord.example.com/requests/7",
			Link: "https://accord.example.com/requests/7",
		}},
		{"zh", delivery.Message{
			Subject: "【协同】黄磊 已答复“客户数据接口”：已婉拒。",
			Body: "张伟，您好：\n\n黄磊 已答复“客户数据接口”：已婉拒。\n\n" +
				"在协同中打开：https://accord.example.com/requests/7\n\n-- \n" +
				"您收到此邮件，是因为您在协同中有账号。全部通知：https://accord.example.com/notifications\n",
			Chat: "【协同】致 张伟：黄磊 已答复“客户数据接口”：已婉拒。\nhttps://accord.example.com/requests/7",
			Link: "https://accord.example.com/requests/7",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			got := delivery.Render(n, to, tt.lang, bundle.Localizer(tt.lang).T, "https://accord.example.com/")
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRenderWithoutActorOrRequest(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	n := accord.Notification{Kind: accord.NotifyReminder, ProjectID: ptr[int64](4), NeedTitle: "试驾车", ProjectName: "库存车促销"}
	got := delivery.Render(n, accord.Recipient{Name: "孙悦"}, "en", bundle.Localizer("en").T, "http://localhost:8080")
	require.Equal(t, "http://localhost:8080/projects/4", got.Link)
	require.Equal(t, "[Accord] For 孙悦: “试驾车” (库存车促销) has had no update for a full sync cycle. A short progress note keeps everyone aligned.\nhttp://localhost:8080/projects/4", got.Chat)
	require.Equal(t, "/notifications", delivery.Path(accord.Notification{}))
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	require.Equal(t, "en", delivery.Language(accord.Recipient{Locale: "en"}))
	require.Equal(t, "zh", delivery.Language(accord.Recipient{Locale: "zh"}))
	require.Equal(t, "zh", delivery.Language(accord.Recipient{}), "Chinese unless the person chose English")
}

func TestTestText(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	u := accord.Unit{Name: "信息技术部", NameEN: "IT"}
	require.Equal(t, "[Accord] Test message for IT: notifications for this unit will arrive in this chat.",
		delivery.TestText(u, "en", bundle.Localizer("en").T))
	require.Equal(t, "【协同】这是发给信息技术部的测试消息：本部门的通知将推送到这个群。",
		delivery.TestText(u, "zh", bundle.Localizer("zh").T))
}

// TestDecisionReasonReachesEveryChannel: a decided escalation's outcome and reason,
// and the link to the escalation, are in the email and in every chat platform's
// payload, in both languages.
func TestDecisionReasonReachesEveryChannel(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	n := accord.Notification{ID: 9, Kind: accord.NotifyEscalationDecided, ProjectID: ptr[int64](2), RequestID: ptr[int64](7),
		EscalationID: ptr[int64](5), ActorName: "陈总", ActorNameEN: "Chen Gang", NeedTitle: "客户管理系统开发",
		NeedTitleEN: "CRM system development", ProjectName: "智能服务升级", ProjectNameEN: "Smart service upgrade",
		State: accord.RequestAgreed, Decision: accord.DecideDirect, Reason: "客户满意度是今年第一目标"}
	to := accord.Recipient{Name: "黄磊", NameEN: "Huang Lei", Email: "it@accord.demo", Active: true}
	outcome := map[string]string{"en": "Direct the holder", "zh": "指令持有方执行"}
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			msg := delivery.Render(n, to, lang, bundle.Localizer(lang).T, "https://accord.example.com")
			require.Equal(t, "https://accord.example.com/escalations/5", msg.Link)
			for _, text := range []string{msg.Subject, msg.Body, msg.Chat} {
				require.Contains(t, text, "客户满意度是今年第一目标")
				require.Contains(t, text, outcome[lang])
			}
			for _, platform := range accord.WebhookPlatforms() {
				p, err := delivery.BuildPayload(platform, "https://hooks.example.com/x", "", msg.Chat, time.Now())
				require.NoError(t, err, platform)
				require.Contains(t, string(p.Body), "客户满意度是今年第一目标", platform)
				require.Contains(t, string(p.Body), outcome[lang], platform)
				require.Contains(t, string(p.Body), "/escalations/5", platform)
			}
		})
	}
}

// TestRightToLeftTextIsIsolatedInEmailAndChat: a title with U+202E (or Arabic) is
// wrapped in FSI … PDI in every plain-text channel, so it cannot reverse the words
// around it; ordinary names and titles stay as typed.
func TestRightToLeftTextIsIsolatedInEmailAndChat(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	const hostile = "Payroll \u202eexport report"
	n := accord.Notification{ID: 4, Kind: accord.NotifyRequestAnswered, ProjectID: ptr[int64](2), RequestID: ptr[int64](7),
		ActorName: "黄磊", ActorNameEN: "Huang Lei", NeedTitle: "工资导出", NeedTitleEN: hostile,
		ProjectName: "智能服务升级", ProjectNameEN: "Smart service upgrade", State: accord.RequestDeclined}
	to := accord.Recipient{Name: "张伟", NameEN: "مريم", Email: "aftersales@accord.demo", Active: true}
	got := delivery.Render(n, to, "en", bundle.Localizer("en").T, "https://accord.example.com")
	for channel, text := range map[string]string{"subject": got.Subject, "body": got.Body, "chat": got.Chat} {
		require.Contains(t, text, "\u2068"+hostile+"\u2069", channel)
		require.Contains(t, text, "Huang Lei answered", "%s: a plain name is left as typed", channel)
		require.NotContains(t, text, "\u2068Huang Lei", channel)
	}
	require.Contains(t, got.Body, "Hello \u2068مريم\u2069", "the reader's right-to-left name is isolated too")

	zh := delivery.Render(n, to, "zh", bundle.Localizer("zh").T, "https://accord.example.com")
	require.NotContains(t, zh.Chat, "\u2068", "nothing right-to-left in the Chinese message")
	require.Contains(t, delivery.TestText(accord.Unit{Name: "Unit \u202eX"}, "zh", bundle.Localizer("zh").T), "\u2068Unit \u202eX\u2069")
}
