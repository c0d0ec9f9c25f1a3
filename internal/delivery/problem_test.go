package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/web/i18n"
)

// TestProblemOfEveryDeliveryError makes each error a delivery can end in, reads its
// text back as the delivery record keeps it, and checks it is said in both languages
// with a message of its own, never as the raw error.
func TestProblemOfEveryDeliveryError(t *testing.T) {
	t.Parallel()
	post := func(client *http.Client, platform accord.WebhookPlatform, url string) error {
		return delivery.NewPoster(client, nil).Post(context.Background(), accord.Webhook{Platform: platform, URL: url}, "acc-1-1", "hi")
	}
	answering := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/hook/token"
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/hook"
	closed.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(2 * time.Second) }))
	t.Cleanup(slow.Close)
	plain := &http.Client{Timeout: 5 * time.Second}

	tests := []struct {
		name string
		err  error
		want delivery.Problem
	}{
		{"loopback refused by the guard", post(delivery.NewWebhookClient(5*time.Second, false), accord.PlatformFeishu, "http://127.0.0.1:9/hook"),
			delivery.Problem{ID: "delivery_problem_address", Platform: accord.PlatformFeishu, Detail: "127.0.0.1"}},
		{"private network refused by the guard", post(delivery.NewWebhookClient(5*time.Second, false), accord.PlatformWeCom, "http://10.1.2.3:9/hook"),
			delivery.Problem{ID: "delivery_problem_private_address", Platform: accord.PlatformWeCom, Detail: "10.1.2.3"}},
		{"nothing listens", post(plain, accord.PlatformSlack, closedURL),
			delivery.Problem{ID: "delivery_problem_connection_refused", Platform: accord.PlatformSlack}},
		{"too slow", post(&http.Client{Timeout: 50 * time.Millisecond}, accord.PlatformDingTalk, slow.URL),
			delivery.Problem{ID: "delivery_problem_timeout", Platform: accord.PlatformDingTalk}},
		{"HTTP error", post(plain, accord.PlatformSlack, answering(404, "no_service")),
			delivery.Problem{ID: "delivery_problem_http", Platform: accord.PlatformSlack, Status: "404"}},
		{"platform refuses", post(plain, accord.PlatformFeishu, answering(200, `{"code":19021,"msg":"sign match fail"}`)),
			delivery.Problem{ID: "delivery_problem_refused", Platform: accord.PlatformFeishu, Status: "19021"}},
		{"platform refuses, errcode", post(plain, accord.PlatformWeCom, answering(200, `{"errcode":93000,"errmsg":"invalid webhook url"}`)),
			delivery.Problem{ID: "delivery_problem_refused", Platform: accord.PlatformWeCom, Status: "93000"}},
		{"unusable URL", post(plain, accord.PlatformSlack, "http://exa mple.com/\x7f"),
			delivery.Problem{ID: "delivery_problem_url"}},
		{"unknown platform", post(plain, accord.WebhookPlatform("teams"), "https://example.com/hook"),
			delivery.Problem{ID: "delivery_problem_unknown_platform"}},
		{"unknown host", errors.New("post to slack: dial tcp: lookup hooks.invalid: no such host"),
			delivery.Problem{ID: "delivery_problem_host", Platform: accord.PlatformSlack}},
		{"certificate", errors.New("post to feishu: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
			delivery.Problem{ID: "delivery_problem_tls", Platform: accord.PlatformFeishu}},
		{"other network failure", errors.New("post to wecom: EOF"),
			delivery.Problem{ID: "delivery_problem_network", Platform: accord.PlatformWeCom}},
		{"email", errors.New("email to a@b.c: 550 mailbox unavailable"), delivery.Problem{ID: "delivery_problem_email"}},
		{"anything else", errors.New("something new"), delivery.Problem{ID: "delivery_problem_other"}},
	}
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			got := delivery.ProblemOf(tt.err.Error())
			require.Equal(t, tt.want, got, tt.err.Error())
			for _, lang := range []string{i18n.English, i18n.Chinese} {
				said := bundle.Localizer(lang).T(got.ID, map[string]any{"Platform": "Slack", "Status": got.Status, "Detail": got.Detail})
				require.NotEqual(t, got.ID, said, "%s has no %s message", got.ID, lang)
				require.NotContains(t, said, tt.err.Error())
				require.False(t, strings.Contains(said, "<no value>"), said)
			}
		})
	}
}
