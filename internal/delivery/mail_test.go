package delivery_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/delivery"
)

// smtpSink is an in-process SMTP server that keeps every message it is handed. It
// speaks just enough SMTP for a client that sends without TLS or authentication.
type smtpSink struct {
	addr   *net.TCPAddr
	mu     sync.Mutex
	mails  []sunkMail
	refuse bool // answer RCPT TO with a permanent failure
}

type sunkMail struct {
	from string
	to   []string
	data string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &smtpSink{addr: ln.Addr().(*net.TCPAddr)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return s
}

func (s *smtpSink) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 sink.test ESMTP ready")
	var m sunkMail
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-sink.test greets you")
			tp.PrintfLine("250-8BITMIME")
			tp.PrintfLine("250 SMTPUTF8")
		case "MAIL":
			m = sunkMail{from: addrOf(arg)}
			tp.PrintfLine("250 OK")
		case "RCPT":
			if s.refuse {
				tp.PrintfLine("550 5.1.1 No such user here")
				continue
			}
			m.to = append(m.to, addrOf(arg))
			tp.PrintfLine("250 OK")
		case "DATA":
			tp.PrintfLine("354 End data with <CR><LF>.<CR><LF>")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			m.data = string(data)
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			tp.PrintfLine("250 OK queued")
		case "QUIT":
			tp.PrintfLine("221 Bye")
			return
		default: // RSET, NOOP
			tp.PrintfLine("250 OK")
		}
	}
}

// addrOf reads the address out of "FROM:<a@b> BODY=8BITMIME".
func addrOf(arg string) string {
	start, end := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>')
	if start < 0 || end < start {
		return arg
	}
	return arg[start+1 : end]
}

func (s *smtpSink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.mails...)
}

func TestMailerSendsThroughSMTP(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	m, err := delivery.NewMailer(delivery.SMTPConfig{Host: "127.0.0.1", Port: sink.addr.Port,
		From: "Accord <accord@example.com>", TLS: delivery.TLSNone, Timeout: 5 * time.Second})
	require.NoError(t, err)
	body := "张伟，您好：\n\n黄磊 已答复“客户数据接口”：已婉拒。\n\n在协同中打开：https://accord.example.com/requests/7\n"
	err = m.Send(context.Background(), delivery.Email{ToName: "张伟", To: "aftersales@accord.demo",
		Subject: "【协同】黄磊 已答复“客户数据接口”：已婉拒。", Body: body})
	require.NoError(t, err)

	mails := sink.received()
	require.Len(t, mails, 1)
	require.Equal(t, "accord@example.com", mails[0].from)
	require.Equal(t, []string{"aftersales@accord.demo"}, mails[0].to)

	msg, err := mail.ReadMessage(strings.NewReader(mails[0].data))
	require.NoError(t, err)
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "【协同】黄磊 已答复“客户数据接口”：已婉拒。", subject)
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	require.NoError(t, err)
	require.Equal(t, &mail.Address{Name: "张伟", Address: "aftersales@accord.demo"}, to)
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	require.Equal(t, &mail.Address{Name: "Accord", Address: "accord@example.com"}, from)
	require.True(t, strings.HasPrefix(msg.Header.Get("Content-Type"), "text/plain"), msg.Header.Get("Content-Type"))
	require.Contains(t, strings.ToLower(msg.Header.Get("Content-Type")), "charset=utf-8")
	require.Equal(t, "quoted-printable", msg.Header.Get("Content-Transfer-Encoding"))
	raw, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	require.Equal(t, body, strings.ReplaceAll(string(raw), "\r\n", "\n"))
	require.NotEmpty(t, msg.Header.Get("Message-Id"))
	require.NotEmpty(t, msg.Header.Get("Date"))
}

func TestMailerReportsARefusal(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	sink.refuse = true
	m, err := delivery.NewMailer(delivery.SMTPConfig{Host: "127.0.0.1", Port: sink.addr.Port,
		From: "accord@example.com", TLS: delivery.TLSNone, Timeout: 5 * time.Second})
	require.NoError(t, err)
	err = m.Send(context.Background(), delivery.Email{To: "nobody@example.com", Subject: "s", Body: "b"})
	require.ErrorContains(t, err, "nobody@example.com")
	require.ErrorContains(t, err, "550")
	require.Empty(t, sink.received())
}

func TestMailerRequiresTLSByDefault(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t) // offers no STARTTLS
	m, err := delivery.NewMailer(delivery.SMTPConfig{Host: "127.0.0.1", Port: sink.addr.Port,
		From: "accord@example.com", Timeout: 5 * time.Second})
	require.NoError(t, err)
	err = m.Send(context.Background(), delivery.Email{To: "a@example.com", Subject: "s", Body: "b"})
	require.Error(t, err, "starttls is mandatory unless TLS is set to none")
	require.Empty(t, sink.received())
}

func TestNewMailerChecksSettings(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]delivery.SMTPConfig{
		"no host":    {From: "a@example.com"},
		"bad sender": {Host: "mail", From: "not an address"},
		"bad TLS":    {Host: "mail", From: "a@example.com", TLS: "ssl"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := delivery.NewMailer(cfg)
			require.Error(t, err)
		})
	}
}
