package delivery_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/delivery"
)

// signedAt is the moment the known vectors below were computed for.
var signedAt = time.Unix(1599360473, 0)

// Known vectors, computed outside Go:
//
//	printf '' | openssl dgst -sha256 -mac HMAC -macopt "key:$(printf '1599360473\nSECtest')" -binary | base64
//	printf '1599360473000\nSECtest' | openssl dgst -sha256 -hmac 'SECtest' -binary | base64
const (
	feishuVector   = "bMjxHlJJlXMW0yjKHZsmMvrFnAOfMlmWpRUsH3qMAek="
	dingTalkVector = "9uMBwWNha8Pcr4QQCL9YQitwL0E0g2JIxycWz23gAkE="
)

func hmacBase64(key, msg string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestSignatureVectors(t *testing.T) {
	t.Parallel()
	// The vectors agree with crypto/hmac used directly, as each platform documents it.
	require.Equal(t, feishuVector, hmacBase64("1599360473\nSECtest", ""))
	require.Equal(t, dingTalkVector, hmacBase64("SECtest", "1599360473000\nSECtest"))
}

func TestBuildPayload(t *testing.T) {
	t.Parallel()
	const hook = "https://example.test/hook/abc"
	const text = "【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"
	tests := []struct {
		name     string
		platform accord.WebhookPlatform
		url      string
		secret   string
		wantURL  string
		wantJSON string
	}{
		{"feishu unsigned", accord.PlatformFeishu, hook, "", hook,
			`{"msg_type":"text","content":{"text":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"feishu signed", accord.PlatformFeishu, hook, "SECtest", hook,
			`{"timestamp":"1599360473","sign":"` + feishuVector + `","msg_type":"text","content":{"text":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"dingtalk unsigned", accord.PlatformDingTalk, "https://oapi.dingtalk.test/robot/send?access_token=tok", "",
			"https://oapi.dingtalk.test/robot/send?access_token=tok",
			`{"msgtype":"text","text":{"content":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"dingtalk signed", accord.PlatformDingTalk, "https://oapi.dingtalk.test/robot/send?access_token=tok", "SECtest",
			"https://oapi.dingtalk.test/robot/send?access_token=tok&timestamp=1599360473000&sign=" + url.QueryEscape(dingTalkVector),
			`{"msgtype":"text","text":{"content":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"dingtalk signed without query", accord.PlatformDingTalk, hook, "SECtest",
			hook + "?timestamp=1599360473000&sign=9uMBwWNha8Pcr4QQCL9YQitwL0E0g2JIxycWz23gAkE%3D",
			`{"msgtype":"text","text":{"content":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"wecom", accord.PlatformWeCom, "https://qyapi.weixin.test/cgi-bin/webhook/send?key=k", "",
			"https://qyapi.weixin.test/cgi-bin/webhook/send?key=k",
			`{"msgtype":"text","text":{"content":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}}`},
		{"slack", accord.PlatformSlack, hook, "", hook,
			`{"text":"【协同】致 黄磊：刘海涛 向你的部门提出需求：“A&B <x>”\nhttps://accord.example.com/requests/7"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := delivery.BuildPayload(tt.platform, tt.url, tt.secret, text, signedAt)
			require.NoError(t, err)
			require.Equal(t, tt.wantURL, p.URL)
			require.JSONEq(t, tt.wantJSON, string(p.Body))
			// Byte for byte too: no HTML escaping of & < >, no trailing newline.
			require.Equal(t, tt.wantJSON, string(p.Body))
		})
	}
}

func TestBuildPayloadRejectsUnknownPlatform(t *testing.T) {
	t.Parallel()
	_, err := delivery.BuildPayload("teams", "https://example.test", "", "hi", signedAt)
	require.ErrorContains(t, err, "teams")
}

func TestWeComTextIsCutAt2048Bytes(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("需", 1000) // 3000 bytes
	p, err := delivery.BuildPayload(accord.PlatformWeCom, "https://example.test", "", long, signedAt)
	require.NoError(t, err)
	content := string(p.Body[len(`{"msgtype":"text","text":{"content":"`) : len(p.Body)-len(`"}}`)])
	require.LessOrEqual(t, len(content), 2048)
	require.True(t, strings.HasSuffix(content, "…"))
	require.True(t, strings.HasPrefix(long, strings.TrimSuffix(content, "…")), "cut on a character boundary")
}

// receiver is a local chat platform: it records every call and answers as told.
type receiver struct {
	mu     sync.Mutex
	calls  []call
	status int
	answer string
}

type call struct {
	query       url.Values
	contentType string
	delivery    string // the X-Accord-Delivery header
	body        string
}

func newReceiver(t *testing.T, status int, answer string) (*receiver, *httptest.Server) {
	r := &receiver{status: status, answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, call{query: req.URL.Query(), contentType: req.Header.Get("Content-Type"),
			delivery: req.Header.Get(delivery.DeliveryHeader), body: string(body)})
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func TestPosterSendsThePlatformPayload(t *testing.T) {
	t.Parallel()
	rec, srv := newReceiver(t, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
	p := delivery.NewPoster(srv.Client(), func() time.Time { return signedAt })
	w := accord.Webhook{Platform: accord.PlatformDingTalk, URL: srv.URL + "/robot/send?access_token=tok", Secret: "SECtest"}
	require.NoError(t, p.Post(context.Background(), w, "acc-7-3", "hello"))
	require.Len(t, rec.calls, 1)
	c := rec.calls[0]
	require.Equal(t, "application/json; charset=utf-8", c.contentType)
	require.Equal(t, "acc-7-3", c.delivery)
	require.Equal(t, `{"msgtype":"text","text":{"content":"hello"}}`, c.body)
	require.Equal(t, url.Values{"access_token": {"tok"}, "timestamp": {"1599360473000"}, "sign": {dingTalkVector}}, c.query)
}

func TestPosterReportsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		platform accord.WebhookPlatform
		status   int
		answer   string
		want     string // "" for success
	}{
		{"feishu ok", accord.PlatformFeishu, 200, `{"code":0,"msg":"success","data":{}}`, ""},
		{"feishu old ok", accord.PlatformFeishu, 200, `{"StatusCode":0,"StatusMessage":"success"}`, ""},
		{"feishu bad sign", accord.PlatformFeishu, 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`,
			"feishu refused the message: code 19021: sign match fail"},
		{"dingtalk bad sign", accord.PlatformDingTalk, 200, `{"errcode":310000,"errmsg":"sign not match"}`,
			"dingtalk refused the message: errcode 310000: sign not match"},
		{"wecom bad key", accord.PlatformWeCom, 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`,
			"wecom refused the message: errcode 93000"},
		{"slack ok", accord.PlatformSlack, 200, "ok", ""},
		{"slack gone", accord.PlatformSlack, 404, "no_service", "slack answered HTTP 404: no_service"},
		{"server error", accord.PlatformFeishu, 500, "boom\n\n  upstream", "feishu answered HTTP 500: boom upstream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := newReceiver(t, tt.status, tt.answer)
			p := delivery.NewPoster(srv.Client(), nil)
			err := p.Post(context.Background(), accord.Webhook{Platform: tt.platform, URL: srv.URL + "/hook/secret-token"}, "acc-1-1", "hi")
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "secret-token", "errors are shown to admins: no token")
		})
	}
}

func TestPosterHidesTheURLWhenUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	p := delivery.NewPoster(&http.Client{Timeout: 5 * time.Second}, nil)
	err := p.Post(context.Background(), accord.Webhook{Platform: accord.PlatformSlack, URL: addr + "/services/T0/B0/secret-token"}, "acc-1-1", "hi")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret-token")
	require.Contains(t, err.Error(), "post to slack")
}
