package jobs_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
)

// flakyChat is a chat webhook that answers 500 to its first post and takes the rest,
// keeping the delivery header of each.
type flakyChat struct {
	mu  sync.Mutex
	ids []string
	srv *httptest.Server
}

func newFlakyChat(t *testing.T) *flakyChat {
	c := &flakyChat{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		c.mu.Lock()
		c.ids = append(c.ids, r.Header.Get(delivery.DeliveryHeader))
		first := len(c.ids) == 1
		c.mu.Unlock()
		if first {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *flakyChat) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

// TestRetriedDeliveryCarriesTheSameID runs the job queue: IT's WeCom bot fails the
// first post, River retries, the bot sees the same delivery id twice — the one made of
// the notification and the webhook.
func TestRetriedDeliveryCarriesTheSameID(t *testing.T) {
	b := setupDelivery(t)
	chat := newFlakyChat(t)
	hook := b.addWebhook(t, "IT", accord.PlatformWeCom, chat.srv.URL+"/cgi-bin/webhook/send?key=k", "")
	b.startJobs(t)

	r, _ := b.sendITNeed(t)
	var nid int64
	var key string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id, delivery_key::text FROM notifications WHERE request_id = $1`, r.ID).Scan(&nid, &key))
	require.NotEmpty(t, key, "every new notification has its random delivery key")
	require.Eventually(t, func() bool { return len(chat.received()) >= 2 }, 30*time.Second, 50*time.Millisecond, "River retries the failed post")
	require.Eventually(t, func() bool {
		return b.count(t, `SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND status = 'sent'`, hook.ID) == 1
	}, 10*time.Second, 50*time.Millisecond)
	ids := chat.received()
	require.Len(t, ids, 2, "sent once it succeeded, not again")
	want := "acc-" + key + "-" + strconv.FormatInt(hook.ID, 10)
	require.Equal(t, []string{want, want}, ids, "the retry carries the first try's id")
}

// TestDeliveryIDIsTheSameOnAnotherInstance: two deliverers, as two instances would
// have, post the same notification with the same id; two notifications differ.
func TestDeliveryIDIsTheSameOnAnotherInstance(t *testing.T) {
	b := setupDelivery(t)
	var mu sync.Mutex
	var ids []string
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get(delivery.DeliveryHeader))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(chat.Close)
	hook := b.addWebhook(t, "IT", accord.PlatformDingTalk, chat.URL+"/robot/send?access_token=t", "")
	r, _ := b.sendITNeed(t)
	var nid int64
	var key string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id, delivery_key::text FROM notifications WHERE request_id = $1`, r.ID).Scan(&nid, &key))

	other := *b.d // another instance: its own poster and client
	other.Poster = delivery.NewPoster(&http.Client{Timeout: 5 * time.Second}, nil)
	require.NoError(t, b.d.Deliver(b.ctx, nid))
	// The first instance's answer was lost: the row still says failed, so the other retries.
	_, err := b.st.Pool().Exec(b.ctx, `UPDATE deliveries SET status = 'failed' WHERE webhook_id = $1`, hook.ID)
	require.NoError(t, err)
	require.NoError(t, other.Deliver(b.ctx, nid))

	// A second notification to the same person, so to the same bot: another id.
	var nid2 int64
	var key2 string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `INSERT INTO notifications (user_id, kind, project_id, request_id, actor_id, data)
		SELECT user_id, kind, project_id, request_id, actor_id, data FROM notifications WHERE id = $1
		RETURNING id, delivery_key::text`, nid).Scan(&nid2, &key2))
	require.NoError(t, other.Deliver(b.ctx, nid2))

	mu.Lock()
	defer mu.Unlock()
	first := "acc-" + key + "-" + strconv.FormatInt(hook.ID, 10)
	second := "acc-" + key2 + "-" + strconv.FormatInt(hook.ID, 10)
	require.Equal(t, []string{first, first, second}, ids)
}
