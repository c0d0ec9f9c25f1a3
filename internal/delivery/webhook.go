package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"accord/internal/accord"
)

// Payload is one webhook call: the URL to post to (DingTalk signs in the query) and
// the JSON body.
type Payload struct {
	URL  string
	Body []byte
}

// maxWeComText is the WeCom group robot's limit on a text message, in bytes.
const maxWeComText = 2048

// BuildPayload formats text as the platform's documented text message, signed with
// secret at now when the platform signs and a secret is set:
//
//   - Feishu/Lark custom bot: {"msg_type":"text","content":{"text":…}}, plus
//     "timestamp" (seconds) and "sign" = base64(HMAC-SHA256 keyed with
//     "timestamp\nsecret" over an empty message).
//   - DingTalk custom robot: {"msgtype":"text","text":{"content":…}}; signing appends
//     &timestamp=<ms>&sign=<url-encoded base64(HMAC-SHA256(secret, "timestamp\nsecret"))>
//     to the URL.
//   - WeCom group robot: {"msgtype":"text","text":{"content":…}}, unsigned, at most
//     2048 bytes of text.
//   - Slack incoming webhook: {"text":…}, unsigned.
//
// None of these documents a de-duplication field, so the body carries no delivery id:
// Poster.Post sends it in the DeliveryHeader header.
func BuildPayload(platform accord.WebhookPlatform, rawURL, secret, text string, now time.Time) (Payload, error) {
	var body any
	target := rawURL
	switch platform {
	case accord.PlatformFeishu:
		msg := feishuText{MsgType: "text"}
		msg.Content.Text = text
		if secret != "" {
			ts := strconv.FormatInt(now.Unix(), 10)
			msg.Timestamp, msg.Sign = ts, feishuSign(ts, secret)
		}
		body = msg
	case accord.PlatformDingTalk:
		msg := dingTalkText{MsgType: "text"}
		msg.Text.Content = text
		body = msg
		if secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			sep := "?"
			if strings.Contains(rawURL, "?") {
				sep = "&"
			}
			target = rawURL + sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(dingTalkSign(ts, secret))
		}
	case accord.PlatformWeCom:
		msg := dingTalkText{MsgType: "text"} // WeCom's text message has the same shape
		msg.Text.Content = truncateBytes(text, maxWeComText)
		body = msg
	case accord.PlatformSlack:
		body = slackText{Text: text}
	default:
		return Payload{}, fmt.Errorf("delivery: unknown webhook platform %q", platform)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // chat apps show the text as is; keep links readable
	if err := enc.Encode(body); err != nil {
		return Payload{}, fmt.Errorf("delivery: encode %s payload: %w", platform, err)
	}
	return Payload{URL: target, Body: bytes.TrimRight(buf.Bytes(), "\n")}, nil
}

type feishuText struct {
	Timestamp string `json:"timestamp,omitempty"`
	Sign      string `json:"sign,omitempty"`
	MsgType   string `json:"msg_type"`
	Content   struct {
		Text string `json:"text"`
	} `json:"content"`
}

type dingTalkText struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

type slackText struct {
	Text string `json:"text"`
}

// feishuSign keys the HMAC with "timestamp\nsecret" and signs nothing, as Feishu's
// documentation does.
func feishuSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// dingTalkSign keys the HMAC with the secret and signs "timestamp\nsecret".
func dingTalkSign(timestamp, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// truncateBytes cuts s to at most n bytes without splitting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Poster posts text messages to webhooks.
type Poster struct {
	client *http.Client
	now    func() time.Time
}

// NewPoster posts with client (which should have a timeout) and signs at now
// (time.Now when nil).
func NewPoster(client *http.Client, now func() time.Time) *Poster {
	if now == nil {
		now = time.Now
	}
	return &Poster{client: client, now: now}
}

// Post sends text to the webhook, with deliveryID (DeliveryID, or TestDeliveryID for
// a test message) in the DeliveryHeader header so the receiver can drop a repeat. It
// fails on a non-2xx answer and on the error codes Feishu, DingTalk and WeCom return
// with status 200. Errors never include the URL, which holds the bot's token, so they
// can be shown to admins.
func (p *Poster) Post(ctx context.Context, w accord.Webhook, deliveryID, text string) error {
	pl, err := BuildPayload(w.Platform, w.URL, w.Secret, text, p.now())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pl.URL, bytes.NewReader(pl.Body))
	if err != nil {
		return errors.New("delivery: the webhook URL cannot be used")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if deliveryID != "" {
		req.Header.Set(DeliveryHeader, deliveryID)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // drop the URL and its token
		}
		return fmt.Errorf("post to %s: %w", w.Platform, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered HTTP %d: %s", w.Platform, resp.StatusCode, snippet(raw))
	}
	return platformError(w.Platform, raw)
}

// platformError reads the error code some platforms put in a 200 answer.
func platformError(platform accord.WebhookPlatform, raw []byte) error {
	var r struct {
		Code       *int   `json:"code"`
		Msg        string `json:"msg"`
		StatusCode *int   `json:"StatusCode"` // Feishu's older answer
		StatusMsg  string `json:"StatusMessage"`
		ErrCode    *int   `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
	}
	if platform == accord.PlatformSlack || json.Unmarshal(raw, &r) != nil {
		return nil
	}
	switch {
	case platform == accord.PlatformFeishu && r.Code != nil && *r.Code != 0:
		return fmt.Errorf("feishu refused the message: code %d: %s", *r.Code, r.Msg)
	case platform == accord.PlatformFeishu && r.StatusCode != nil && *r.StatusCode != 0:
		return fmt.Errorf("feishu refused the message: code %d: %s", *r.StatusCode, r.StatusMsg)
	case platform != accord.PlatformFeishu && r.ErrCode != nil && *r.ErrCode != 0:
		return fmt.Errorf("%s refused the message: errcode %d: %s", platform, *r.ErrCode, r.ErrMsg)
	}
	return nil
}

// snippet is the start of an answer's body on one line, for an error message.
func snippet(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if s == "" {
		return "(empty answer)"
	}
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return s
}
