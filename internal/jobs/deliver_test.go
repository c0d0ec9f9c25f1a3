package jobs_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/internal/jobs"
	"accord/internal/store"
	"accord/internal/store/storetest"
	"accord/web/i18n"
)

// chat is a local chat platform's webhook endpoint: it keeps every body it gets and
// answers with the status it is set to.
type chat struct {
	mu     sync.Mutex
	bodies []string
	status int
	answer string
	srv    *httptest.Server
}

func newChat(t *testing.T, status int, answer string) *chat {
	c := &chat{status: status, answer: answer}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, string(body))
		status, answer := c.status, c.answer
		c.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *chat) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.bodies...)
}

func (c *chat) answerWith(status int, answer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.answer = status, answer
}

// mailbox stands in for the SMTP server (internal/delivery tests the real thing).
type mailbox struct {
	mu    sync.Mutex
	mails []delivery.Email
}

func (m *mailbox) Send(_ context.Context, e delivery.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, e)
	return nil
}

func (m *mailbox) received() []delivery.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]delivery.Email(nil), m.mails...)
}

type deliverBundle struct {
	ctx    context.Context
	st     *store.Store
	d      *jobs.Deliverer
	mail   *mailbox
	signAt time.Time
	lead   accord.User
	itNeed accord.Need      // the project's need IT holds
	units  map[string]int64 // by English name
}

// setupDelivery builds a project of After-sales, led by its head 张伟, with a need
// held by IT, headed by 黄磊; and Legal, which the project asks nothing.
func setupDelivery(t *testing.T) *deliverBundle {
	t.Helper()
	t.Parallel()
	w := storetest.New(t)
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	b := &deliverBundle{ctx: w.Ctx, st: w.Store, mail: &mailbox{}, signAt: time.Unix(1767225600, 0), units: map[string]int64{}}
	b.d = &jobs.Deliverer{
		Store:    w.Store,
		Mailer:   b.mail,
		Poster:   delivery.NewPoster(&http.Client{Timeout: 5 * time.Second}, func() time.Time { return b.signAt }),
		Localize: func(lang string) delivery.Translate { return bundle.Localizer(lang).T },
		BaseURL:  "https://accord.example.com",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	b.lead = w.Person(t, storetest.PersonOpts{Name: "张伟", NameEN: "Zhang Wei"})
	itHead := w.Person(t, storetest.PersonOpts{Name: "黄磊", NameEN: "Huang Lei", Email: "it.head@accord.test"})
	afterSales := w.Unit(t, storetest.UnitOpts{Name: "售后服务部", NameEN: "After-sales", Head: &b.lead})
	it := w.Unit(t, storetest.UnitOpts{Name: "信息技术部", NameEN: "IT", Head: &itHead})
	legal := w.Unit(t, storetest.UnitOpts{Name: "法务部", NameEN: "Legal"})
	for _, u := range []accord.Unit{afterSales, it, legal} {
		b.units[u.NameEN] = u.ID
	}
	p := w.Project(t, storetest.ProjectOpts{Name: "智能服务升级", NameEN: "Smart service upgrade", Owner: &afterSales})
	b.itNeed = w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Title: "CRM 系统开发", TitleEN: "CRM system development"})
	return b
}

func (b *deliverBundle) addWebhook(t *testing.T, unit string, platform accord.WebhookPlatform, url, secret string) accord.Webhook {
	t.Helper()
	w, err := b.st.CreateWebhook(b.ctx, 0, accord.WebhookInput{UnitID: b.units[unit], Platform: platform, URL: url, Secret: secret})
	require.NoError(t, err)
	return w
}

// startJobs runs a River client with the deliverer and lets the store enqueue through
// it, as cmd/accord does.
func (b *deliverBundle) startJobs(t *testing.T) {
	t.Helper()
	client, err := jobs.NewClient(b.st.Pool(), b.st, slog.New(slog.NewTextHandler(io.Discard, nil)),
		jobs.Options{SweepInterval: time.Hour, Deliverer: b.d})
	require.NoError(t, err)
	b.st.SetDeliveryEnqueuer(jobs.NewEnqueuer(client)) // inserting works before Start
	require.NoError(t, client.Start(b.ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, client.Stop(stopCtx))
	})
}

// sendITNeed has the lead send the project's IT need; the IT head is notified.
func (b *deliverBundle) sendITNeed(t *testing.T) (accord.Request, string) {
	t.Helper()
	sent, err := b.st.SendNeeds(b.ctx, b.lead.ID, b.itNeed.ProjectID, []int64{b.itNeed.ID}, "请支持", time.Now())
	require.NoError(t, err)
	require.Len(t, sent, 1)
	return sent[0], b.itNeed.Title
}

func feishuSign(ts, secret string) string {
	mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (b *deliverBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, sql, args...).Scan(&n))
	return n
}

// TestRequestActionIsDeliveredToTheUnitsChat sends a request; the River job posts the
// IT head's notification to IT's Feishu bot in Feishu's signed format, exactly once,
// and mails the head; a WeCom bot that answers 500 is retried with backoff and its
// failure is recorded, without the Feishu bot hearing twice.
func TestRequestActionIsDeliveredToTheUnitsChat(t *testing.T) {
	b := setupDelivery(t)
	feishu := newChat(t, http.StatusOK, `{"code":0,"msg":"success","data":{}}`)
	wecom := newChat(t, http.StatusInternalServerError, "upstream down")
	legal := newChat(t, http.StatusOK, "ok")
	feishuHook := b.addWebhook(t, "IT", accord.PlatformFeishu, feishu.srv.URL+"/open-apis/bot/v2/hook/token", "SECit")
	wecomHook := b.addWebhook(t, "IT", accord.PlatformWeCom, wecom.srv.URL+"/cgi-bin/webhook/send?key=k", "")
	b.addWebhook(t, "Legal", accord.PlatformSlack, legal.srv.URL+"/services/x", "")
	b.startJobs(t)

	r, title := b.sendITNeed(t)
	link := "https://accord.example.com/requests/" + strconv.FormatInt(r.ID, 10)
	text := "【协同】致 黄磊：张伟 向你的部门提出需求：“" + title + "”（智能服务升级）。\n" + link
	ts := strconv.FormatInt(b.signAt.Unix(), 10)
	want := `{"timestamp":"` + ts + `","sign":"` + feishuSign(ts, "SECit") + `","msg_type":"text","content":{"text":` + jsonString(text) + `}}`

	require.Eventually(t, func() bool { return len(feishu.received()) == 1 }, 20*time.Second, 20*time.Millisecond)
	require.JSONEq(t, want, feishu.received()[0])
	require.Equal(t, want, feishu.received()[0])

	mails := b.mail.received()
	require.Len(t, mails, 1)
	require.Equal(t, delivery.Email{ToName: "黄磊", To: "it.head@accord.test",
		Subject: "【协同】张伟 向你的部门提出需求：“" + title + "”（智能服务升级）。",
		Body: "黄磊，您好：\n\n张伟 向你的部门提出需求：“" + title + "”（智能服务升级）。\n\n在协同中打开：" + link +
			"\n\n-- \n您收到此邮件，是因为您在协同中有账号。全部通知：https://accord.example.com/notifications\n"}, mails[0])

	// The failing bot is tried again (River's first retry comes about a second later).
	require.Eventually(t, func() bool { return len(wecom.received()) >= 2 }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, `{"msgtype":"text","text":{"content":`+jsonString(text)+`}}`, wecom.received()[0])
	require.Eventually(t, func() bool {
		return b.count(t, `SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND status = 'failed' AND attempts >= 2`, wecomHook.ID) == 1
	}, 10*time.Second, 50*time.Millisecond)
	var lastError string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT last_error FROM deliveries WHERE webhook_id = $1`, wecomHook.ID).Scan(&lastError))
	require.Equal(t, "wecom answered HTTP 500: upstream down", lastError)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'accord_deliver' AND attempt >= 2 AND max_attempts = 8`))

	// Retries skip what was already sent: one Feishu post, one email, nothing for Legal.
	require.Len(t, feishu.received(), 1)
	require.Len(t, b.mail.received(), 1)
	require.Empty(t, legal.received())
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND status = 'sent' AND attempts = 1`, feishuHook.ID))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries WHERE channel = 'email' AND status = 'sent' AND attempts = 1`))
}

func TestDeliverRetriesOnlyWhatFailed(t *testing.T) {
	b := setupDelivery(t)
	feishu := newChat(t, http.StatusOK, `{"code":0}`)
	dingtalk := newChat(t, http.StatusOK, `{"errcode":310000,"errmsg":"sign not match"}`)
	off := newChat(t, http.StatusOK, "ok")
	b.addWebhook(t, "IT", accord.PlatformFeishu, feishu.srv.URL, "")
	ding := b.addWebhook(t, "IT", accord.PlatformDingTalk, dingtalk.srv.URL+"/robot/send?access_token=t", "SECwrong")
	disabled := b.addWebhook(t, "IT", accord.PlatformSlack, off.srv.URL, "")
	_, err := b.st.SetWebhookEnabled(b.ctx, 0, disabled.ID, disabled.Version, false)
	require.NoError(t, err)
	r, _ := b.sendITNeed(t) // no enqueuer: the test drives Deliver itself
	var nid int64
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id FROM notifications WHERE request_id = $1`, r.ID).Scan(&nid))

	err = b.d.Deliver(b.ctx, nid)
	require.ErrorContains(t, err, "dingtalk refused the message: errcode 310000: sign not match")
	require.Len(t, feishu.received(), 1)
	require.Len(t, dingtalk.received(), 1)
	require.Empty(t, off.received(), "a disabled webhook gets nothing")

	dingtalk.answerWith(http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	require.NoError(t, b.d.Deliver(b.ctx, nid))
	require.Len(t, feishu.received(), 1, "sent once, not again on the retry")
	require.Len(t, dingtalk.received(), 2)
	require.Len(t, b.mail.received(), 1)
	var status string
	var attempts int
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT status, attempts FROM deliveries WHERE webhook_id = $1`, ding.ID).Scan(&status, &attempts))
	require.Equal(t, "sent", status)
	require.Equal(t, 2, attempts)

	require.NoError(t, b.d.Deliver(b.ctx, nid), "a repeat after success sends nothing")
	require.Len(t, feishu.received(), 1)
	require.Len(t, dingtalk.received(), 2)
	require.Len(t, b.mail.received(), 1)
}

func TestDeliverWithoutEmailOrWebhooksDoesNothing(t *testing.T) {
	b := setupDelivery(t)
	b.d.Mailer = nil // ACCORD_SMTP_HOST unset
	r, _ := b.sendITNeed(t)
	var nid int64
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id FROM notifications WHERE request_id = $1`, r.ID).Scan(&nid))
	require.NoError(t, b.d.Deliver(b.ctx, nid))
	require.Zero(t, b.count(t, `SELECT count(*) FROM deliveries`))

	err := b.d.Deliver(b.ctx, 987654)
	var cancel *river.JobCancelError
	require.True(t, errors.As(err, &cancel), "a notification that does not exist cancels the job: %v", err)
}

// jsonString quotes s as encoding/json does without HTML escaping.
func jsonString(s string) string {
	out := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"':
			out = append(out, '\\', '"')
		case '\\':
			out = append(out, '\\', '\\')
		case '\n':
			out = append(out, '\\', 'n')
		default:
			out = append(out, string(r)...)
		}
	}
	return string(append(out, '"'))
}
