package delivery_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
)

func TestDeliveryID(t *testing.T) {
	t.Parallel()
	const key = "5f0c2d3e-8a1b-4c6d-9e7f-0a1b2c3d4e5f"
	require.Equal(t, "acc-"+key+"-7", delivery.DeliveryID(key, 42, 7))
	require.Equal(t, delivery.DeliveryID(key, 42, 7), delivery.DeliveryID(key, 42, 7), "the same for the same message and webhook")
	require.NotEqual(t, delivery.DeliveryID(key, 42, 7), delivery.DeliveryID(key, 42, 8), "another webhook")
	require.NotEqual(t, delivery.DeliveryID(key, 42, 7), delivery.DeliveryID("0b7e9c1a-2f3d-4e5a-8b6c-7d8e9f0a1b2c", 42, 7),
		"another notification with the same number, after a restore rewound the sequence")
	require.Equal(t, "acc-42-7", delivery.DeliveryID("", 42, 7), "a notification from before keys")
	require.NotEqual(t, delivery.DeliveryID("", 1, 23), delivery.DeliveryID("", 12, 3), "the separator keeps the two apart")
	a, b := delivery.TestDeliveryID(7), delivery.TestDeliveryID(7)
	require.Regexp(t, regexp.MustCompile(`^acc-test-7-[0-9a-f]{16}$`), a)
	require.NotEqual(t, a, b, "each test message is a message of its own")
}

// TestEveryPlatformGetsTheDeliveryHeader posts to each platform: the id is in the
// header, and the body is exactly the platform's documented payload, with no field of
// ours added (a bot that refuses unknown fields would refuse the message).
func TestEveryPlatformGetsTheDeliveryHeader(t *testing.T) {
	t.Parallel()
	answers := map[accord.WebhookPlatform]string{
		accord.PlatformFeishu:   `{"code":0,"msg":"success","data":{}}`,
		accord.PlatformDingTalk: `{"errcode":0,"errmsg":"ok"}`,
		accord.PlatformWeCom:    `{"errcode":0,"errmsg":"ok"}`,
		accord.PlatformSlack:    "ok",
	}
	for _, platform := range accord.WebhookPlatforms() {
		t.Run(string(platform), func(t *testing.T) {
			t.Parallel()
			answer, ok := answers[platform]
			require.True(t, ok, "a new platform: say what it answers, and check its documentation for a de-duplication field")
			rec, srv := newReceiver(t, http.StatusOK, answer)
			p := delivery.NewPoster(srv.Client(), func() time.Time { return signedAt })
			w := accord.Webhook{ID: 3, Platform: platform, URL: srv.URL + "/hook?token=t", Secret: "SECtest"}
			require.NoError(t, p.Post(context.Background(), w, delivery.DeliveryID("", 41, w.ID), "hello"))
			require.Len(t, rec.calls, 1)
			require.Equal(t, "acc-41-3", rec.calls[0].delivery)
			want, err := delivery.BuildPayload(platform, w.URL, w.Secret, "hello", signedAt)
			require.NoError(t, err)
			require.Equal(t, string(want.Body), rec.calls[0].body)
			require.NotContains(t, rec.calls[0].body, "acc-41-3")
		})
	}
}

// TestRetrySendsTheSameDeliveryID: a receiver that fails the first post and takes the
// second sees the same id twice, so it can tell the second is a repeat.
func TestRetrySendsTheSameDeliveryID(t *testing.T) {
	t.Parallel()
	rec, srv := newReceiver(t, http.StatusBadGateway, "try later")
	p := delivery.NewPoster(srv.Client(), nil)
	w := accord.Webhook{ID: 9, Platform: accord.PlatformWeCom, URL: srv.URL + "/cgi-bin/webhook/send?key=k"}
	id := delivery.DeliveryID("", 100, w.ID)
	require.ErrorContains(t, p.Post(context.Background(), w, id, "hello"), "HTTP 502")
	rec.mu.Lock()
	rec.status, rec.answer = http.StatusOK, `{"errcode":0,"errmsg":"ok"}`
	rec.mu.Unlock()
	require.NoError(t, p.Post(context.Background(), w, id, "hello"))
	require.NoError(t, p.Post(context.Background(), w, delivery.DeliveryID("", 101, w.ID), "another"))
	require.Len(t, rec.calls, 3)
	require.Equal(t, rec.calls[0].delivery, rec.calls[1].delivery, "the retry carries the first try's id")
	require.Equal(t, "acc-100-9", rec.calls[1].delivery)
	require.Equal(t, "acc-101-9", rec.calls[2].delivery, "another notification, another id")
}
