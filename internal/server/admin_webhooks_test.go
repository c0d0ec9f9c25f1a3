package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/internal/jobs"
	"accord/internal/server"
	"accord/web/i18n"
)

func init() {
	addPolicies(map[string]policy{
		"GET /admin/webhooks": adminOnly, "POST /admin/webhooks": adminOnly,
		"POST /admin/webhooks/{id}/enable": adminOnly, "POST /admin/webhooks/{id}/disable": adminOnly,
		"POST /admin/webhooks/{id}/delete": adminOnly, "POST /admin/webhooks/{id}/test": adminOnly,
	})
}

// chatEndpoint is a local chat bot: it keeps what it is sent and answers as told.
type chatEndpoint struct {
	mu     sync.Mutex
	bodies []string
	status int
	srv    *httptest.Server
}

func newChatEndpoint(t *testing.T, status int, answer string) *chatEndpoint {
	c := &chatEndpoint{status: status}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.bodies = append(c.bodies, string(body))
		c.mu.Unlock()
		w.WriteHeader(c.status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// namedURL is the endpoint's address under a name: saving refuses the loopback
// address it listens on, and judges a name only when it is dialled (see chatClient).
func (c *chatEndpoint) namedURL() string {
	return strings.Replace(c.srv.URL, "127.0.0.1", "chat.test", 1)
}

// chatClient posts as the server would, but dials every name on this machine, where
// the test's chat endpoints listen.
func chatClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		return dialer.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}}
	return &http.Client{Timeout: 5 * time.Second, Transport: transport}
}

func (c *chatEndpoint) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.bodies...)
}

func (b *testBundle) unitID(t *testing.T, nameEN string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT id FROM units WHERE name_en = $1`, nameEN).Scan(&id))
	return id
}

func (b *testBundle) webhookVersion(t *testing.T, id int64) string {
	t.Helper()
	w, err := b.st.Webhook(context.Background(), id)
	require.NoError(t, err)
	return strconv.Itoa(w.Version)
}

func TestAdminAddsAWebhook(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	it := b.unitID(t, "IT")

	resp := c.get("/admin/webhooks")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "No webhooks yet Create a custom bot in a unit's group chat, then add its webhook address below.",
		strings.Join(strings.Fields(resp.text("empty")), " "))
	require.Equal(t, 1, resp.doc.Find(`[data-testid="webhook-form"]`).Length())

	// Every problem at once, the input kept.
	form := url.Values{"unit_id": {itoa64(it)}, "platform": {"slack"}, "url": {"ftp://hooks.slack.test/services/T0/B0/abcdefghijkl"}, "secret": {"SECx"}}
	resp = c.post("/admin/webhooks", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Some fields need attention; see the messages below.", resp.text("form-alert"))
	require.Equal(t, "Enter the webhook address the bot gave you, starting with https://.", strings.TrimSpace(resp.doc.Find("#webhook-url-error").Text()))
	require.Equal(t, "This platform does not sign messages: leave the secret empty.", strings.TrimSpace(resp.doc.Find("#webhook-secret-error").Text()))
	require.Equal(t, "ftp://hooks.slack.test/services/T0/B0/abcdefghijkl", resp.doc.Find("#webhook-url").AttrOr("value", ""))
	require.Equal(t, "SECx", resp.doc.Find("#webhook-secret").AttrOr("value", ""))
	require.Equal(t, itoa64(it), resp.doc.Find("#webhook-unit option[selected]").AttrOr("value", ""))
	require.Equal(t, "slack", resp.doc.Find("#webhook-platform option[selected]").AttrOr("value", ""))

	resp = c.post("/admin/webhooks", url.Values{"unit_id": {""}, "platform": {"teams"}, "url": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", strings.TrimSpace(resp.doc.Find("#webhook-unit-error").Text()))
	require.Equal(t, "Choose one of the listed platforms.", strings.TrimSpace(resp.doc.Find("#webhook-platform-error").Text()))
	require.Equal(t, "Fill in this field.", strings.TrimSpace(resp.doc.Find("#webhook-url-error").Text()))

	// Saved: the list shows the unit's webhook without its token or secret.
	form = url.Values{"unit_id": {itoa64(it)}, "platform": {"feishu"},
		"url": {"https://open.feishu.test/open-apis/bot/v2/hook/5e3d587e-d78e-4a07"}, "secret": {"SECtopsecret"}}
	resp = c.post("/admin/webhooks", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/admin/webhooks", resp.Header.Get("Location"))
	resp = c.get("/admin/webhooks")
	require.Equal(t, "Webhook added for IT.", resp.text("flash"))
	require.Equal(t, "IT", strings.TrimSpace(resp.doc.Find(`[data-testid="webhook-unit"] h2`).Text()))
	require.Equal(t, "Feishu / Lark", resp.text("webhook-platform"))
	require.Equal(t, "https://open.feishu.test/open-apis/bot/v2/hook/…4a07", resp.text("webhook-url"))
	require.Equal(t, "On", resp.text("webhook-state"))
	require.Equal(t, "Nothing sent yet.", resp.text("webhook-last"))
	require.NotContains(t, resp.body, "5e3d587e", "the token stays hidden")
	require.NotContains(t, resp.body, "SECtopsecret", "the secret stays hidden")

	// In Chinese too.
	c.lang = "zh-CN"
	resp = c.get("/admin/webhooks")
	require.Equal(t, "飞书", resp.text("webhook-platform"))
	require.Equal(t, "启用", resp.text("webhook-state"))
	require.Equal(t, "信息技术部", strings.TrimSpace(resp.doc.Find(`[data-testid="webhook-unit"] h2`).Text()))
}

func TestAdminTurnsOffAndDeletesAWebhook(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	w, err := b.st.CreateWebhook(context.Background(), 0, accord.WebhookInput{UnitID: b.unitID(t, "Data"),
		Platform: accord.PlatformWeCom, URL: "https://qyapi.weixin.test/cgi-bin/webhook/send?key=0123456789"})
	require.NoError(t, err)
	path := "/admin/webhooks/" + itoa64(w.ID)

	resp := c.post(path+"/disable", url.Values{"version": {"7"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode, "a stale page is a conflict")
	require.Contains(t, resp.text("webhooks-alert"), "Someone changed this while you were editing.")
	require.Equal(t, "On", resp.text("webhook-state"), "the current state is on screen")

	resp = c.post(path+"/disable", url.Values{"version": {b.webhookVersion(t, w.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = c.get("/admin/webhooks")
	require.Equal(t, "Webhook turned off: its unit's notifications no longer go to that chat.", resp.text("flash"))
	require.Equal(t, "Off", resp.text("webhook-state"))
	require.Equal(t, "https://qyapi.weixin.test/cgi-bin/webhook/send?key=…6789", resp.text("webhook-url"))

	resp = c.post(path+"/enable", url.Values{"version": {b.webhookVersion(t, w.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "On", c.get("/admin/webhooks").text("webhook-state"))

	resp = c.post(path+"/delete", url.Values{"version": {"1"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	resp = c.post(path+"/delete", url.Values{"version": {b.webhookVersion(t, w.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = c.get("/admin/webhooks")
	require.Equal(t, "Webhook deleted.", resp.text("flash"))
	require.Zero(t, resp.doc.Find(`[data-testid="webhook"]`).Length())

	// A button on a page shown before another admin deleted it.
	resp = c.post(path+"/test", url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = c.get("/admin/webhooks")
	require.Equal(t, "This webhook no longer exists; another admin may have deleted it.", resp.text("flash"))
}

func TestAdminSendsATestMessage(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	good := newChatEndpoint(t, http.StatusOK, "ok")
	bad := newChatEndpoint(t, http.StatusOK, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`)
	ok, err := b.st.CreateWebhook(context.Background(), 0, accord.WebhookInput{UnitID: b.unitID(t, "IT"), Platform: accord.PlatformSlack, URL: good.srv.URL + "/services/T/B/x"})
	require.NoError(t, err)
	failing, err := b.st.CreateWebhook(context.Background(), 0, accord.WebhookInput{UnitID: b.unitID(t, "Legal"), Platform: accord.PlatformFeishu, URL: bad.srv.URL + "/hook/y", Secret: "SECwrong"})
	require.NoError(t, err)

	resp := c.post("/admin/webhooks/"+itoa64(ok.ID)+"/test", url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, []string{`{"text":"[Accord] Test message for IT: notifications for this unit will arrive in this chat."}`}, good.received())
	resp = c.get("/admin/webhooks")
	require.Equal(t, "Test message sent. Check that it arrived in the chat.", resp.text("flash"))
	row := resp.doc.Find(`[data-webhook-id="` + itoa64(ok.ID) + `"]`)
	require.Equal(t, "Sent", strings.TrimSpace(row.Find(`[data-testid="delivery-status"]`).Text()))
	require.Contains(t, row.Find(`[data-testid="webhook-last"]`).Text(), "test message")

	resp = c.post("/admin/webhooks/"+itoa64(failing.ID)+"/test", url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Len(t, bad.received(), 1)
	resp = c.get("/admin/webhooks")
	refused := "Feishu / Lark refused the message (error 19021). Check the webhook's secret and keywords, and that the bot is still in the group."
	require.Equal(t, "The test message failed: "+refused, resp.text("flash"))
	require.Equal(t, refused, resp.text("delivery-error"))
	require.Equal(t, "feishu refused the message: code 19021: sign match fail or timestamp is not within one hour from current time",
		resp.text("delivery-error-detail"), "the platform's own words stay, as the technical detail")

	// In Chinese the problem is said in Chinese; only the technical detail is the platform's.
	require.Equal(t, http.StatusSeeOther, c.post("/lang", url.Values{"lang": {"zh"}, "next": {"/admin/webhooks"}}).StatusCode)
	resp = c.get("/admin/webhooks")
	require.Contains(t, resp.text("delivery-error"), "拒收了消息（错误码 19021）")
	require.NotContains(t, resp.text("delivery-error"), "refused")
	require.Equal(t, "技术细节", resp.textOf(`[data-testid="delivery-error"] + details summary`))
}

// TestDeliveryFailureVisibleToAdmin runs the job queue as the server does: a request
// notifies the IT head, the job posts to IT's bot, which answers 500; the admin sees
// the failure and that it will be retried.
func TestDeliveryFailureVisibleToAdmin(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	down := newChatEndpoint(t, http.StatusInternalServerError, "bot is down")

	// Wired before the first request, as cmd/accord does.
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	d := &jobs.Deliverer{Store: b.st, Poster: delivery.NewPoster(chatClient(), nil),
		Localize: func(lang string) delivery.Translate { return bundle.Localizer(lang).T }, BaseURL: b.srv.URL}
	client, err := jobs.NewClient(b.st.Pool(), b.st, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Options{SweepInterval: time.Hour, Deliverer: d})
	require.NoError(t, err)
	b.st.SetDeliveryEnqueuer(jobs.NewEnqueuer(client))
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, client.Stop(stopCtx))
	})

	admin := b.login(t, "admin@accord.demo")
	resp := admin.post("/admin/webhooks", url.Values{"unit_id": {itoa64(b.unitID(t, "IT"))}, "platform": {"wecom"},
		"url": {down.namedURL() + "/cgi-bin/webhook/send?key=k"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// The lead sends the Smart service upgrade's IT need.
	var project, need int64
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT p.id, d.id FROM projects p JOIN needs d ON d.project_id = p.id
		JOIN units u ON u.id = d.holder_unit_id WHERE p.name_en = 'Smart service upgrade' AND u.name_en = 'IT' ORDER BY d.id LIMIT 1`).Scan(&project, &need))
	_, err = b.st.SendNeeds(ctx, mustUserID(t, b, "aftersales@accord.demo"), project, []int64{need}, "", time.Now())
	require.NoError(t, err)

	require.Eventually(t, func() bool { return len(down.received()) >= 2 }, 30*time.Second, 50*time.Millisecond, "River retries the failed post")
	require.Eventually(t, func() bool {
		resp = admin.get("/admin/webhooks")
		return strings.Contains(resp.text("webhook-last"), "tried 2×")
	}, 10*time.Second, 100*time.Millisecond)
	require.Equal(t, "Failed", resp.text("delivery-status"))
	require.Contains(t, resp.text("webhook-last"), "will retry")
	require.Equal(t, "WeCom answered with an error (HTTP 500). Check that the webhook address is still current; Accord tries again.",
		resp.text("delivery-error"))
	require.Equal(t, "wecom answered HTTP 500: bot is down", resp.text("delivery-error-detail"))
	require.Contains(t, down.received()[0], "/requests/", "the message links to the request")
}

func mustUserID(t *testing.T, b *testBundle, email string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT id FROM users WHERE email = $1`, email).Scan(&id))
	return id
}

// TestWebhooksPageQueriesStayFixed: more webhooks and deliveries, same query count.
func TestWebhooksPageQueriesStayFixed(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	c := b.login(t, "admin@accord.demo")
	add := func(unit string) {
		w, err := b.st.CreateWebhook(ctx, 0, accord.WebhookInput{UnitID: b.unitID(t, unit), Platform: accord.PlatformSlack, URL: "https://hooks.slack.test/" + unit})
		require.NoError(t, err)
		for i := range 4 {
			require.NoError(t, b.st.RecordDelivery(ctx, accord.Delivery{Channel: accord.ChannelWebhook, WebhookID: &w.ID,
				Status: accord.DeliveryFailed, LastError: "HTTP 500 #" + strconv.Itoa(i)}, time.Now()))
		}
	}
	add("IT")
	c.get("/admin/webhooks") // the viewer is read whole once, then kept
	one := b.countQueries(func() { require.Equal(t, http.StatusOK, c.get("/admin/webhooks").StatusCode) })
	for _, u := range []string{"Data", "Legal", "Finance", "Marketing"} {
		add(u)
	}
	var resp response
	many := b.countQueries(func() { resp = c.get("/admin/webhooks") })
	require.Equal(t, one, many)
	require.Equal(t, 5, resp.doc.Find(`[data-testid="webhook"]`).Length())
	require.Equal(t, 15, resp.doc.Find(`[data-testid="webhook-failure"]`).Length(), "the latest three failures of each")
}

// TestTestMessageNeverReachesLocalAddresses: with the server's default client, a
// webhook pointing at this machine is refused before any connection, and the admin
// is told why.
func TestTestMessageNeverReachesLocalAddresses(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.WebhookClient = nil })
	c := b.login(t, "admin@accord.demo")
	local := newChatEndpoint(t, http.StatusOK, "ok")
	hook, err := b.st.CreateWebhook(context.Background(), 0, accord.WebhookInput{UnitID: b.unitID(t, "IT"),
		Platform: accord.PlatformSlack, URL: local.srv.URL + "/services/T/B/x"})
	require.NoError(t, err)

	resp := c.post("/admin/webhooks/"+itoa64(hook.ID)+"/test", url.Values{})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Empty(t, local.received())
	resp = c.get("/admin/webhooks")
	require.Equal(t, "Accord does not post to this address (127.0.0.1). Use the chat platform's public webhook address; "+
		"for a chat server inside your network, the operator can set ACCORD_WEBHOOK_ALLOW_PRIVATE=true.", resp.text("flash"))
	require.Equal(t, "Accord does not post to this address (127.0.0.1): it is a local address. Use the chat platform's public webhook address.",
		resp.text("delivery-error"))
	require.Contains(t, resp.text("delivery-error-detail"), "127.0.0.1 is a local address", "the record keeps the technical reason")
}

// TestWebhookAddressesAreJudgedOnSave: an address delivery would refuse is refused on
// save, by the same rule (accord.RefuseWebhookAddress), in the admin's language;
// delivery never gets to try it.
func TestWebhookAddressesAreJudgedOnSave(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	it := itoa64(b.unitID(t, "IT"))
	for _, tt := range []struct{ url, lang, want string }{
		{"http://127.0.0.1:9/hook", "en", "Accord never posts to this machine or to link-local addresses. " +
			"Enter the public webhook address the chat platform gave you, starting with https://."},
		{"https://localhost/hook", "en", "Accord never posts to this machine or to link-local addresses. " +
			"Enter the public webhook address the chat platform gave you, starting with https://."},
		{"http://192.168.1.20/hook", "en", "This address is on a private network, which Accord does not post to. " +
			"Use the chat platform's public webhook address; for a chat server inside your network, the operator can set ACCORD_WEBHOOK_ALLOW_PRIVATE=true."},
		{"http://127.0.0.1:9/hook", "zh-CN", "Accord 不会向本机或链路本地地址发送消息。请填写聊天平台提供的公网 webhook 地址，以 https:// 开头。"},
	} {
		c.lang = tt.lang
		resp := c.post("/admin/webhooks", url.Values{"unit_id": {it}, "platform": {"slack"}, "url": {tt.url}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, tt.url)
		require.Equal(t, tt.want, strings.TrimSpace(resp.doc.Find("#webhook-url-error").Text()), tt.url)
		require.Equal(t, tt.url, resp.doc.Find("#webhook-url").AttrOr("value", ""), "the address typed is kept")
	}
	hooks, err := b.st.Webhooks(context.Background())
	require.NoError(t, err)
	require.Empty(t, hooks, "nothing was saved")

	// Where the operator lets webhooks reach the company's network, a private address is
	// saved; this machine still is not.
	inside := setupWith(t, func(o *server.Options) { o.WebhookAllowPrivate = true })
	admin := inside.login(t, "admin@accord.demo")
	it = itoa64(inside.unitID(t, "IT"))
	resp := admin.post("/admin/webhooks", url.Values{"unit_id": {it}, "platform": {"slack"}, "url": {"http://192.168.1.20/hook"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = admin.post("/admin/webhooks", url.Values{"unit_id": {it}, "platform": {"slack"}, "url": {"http://127.0.0.1:9/hook"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
}
