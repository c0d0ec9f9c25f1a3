package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes for the SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // no encryption: only for a relay on a trusted network
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	From     string // "Accord <accord@example.com>" or a bare address
	TLS      string // TLSStartTLS, TLSImplicit or TLSNone
	Timeout  time.Duration
}

// Email is one plain-text message to one person.
type Email struct {
	ToName  string
	To      string
	Subject string
	Body    string
}

// Mailer sends plain-text email through one SMTP server, one connection per message.
type Mailer struct {
	cfg SMTPConfig
}

// NewMailer checks the settings; it does not connect.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("delivery: no SMTP host")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("delivery: sender address %q: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	case "":
		cfg.TLS = TLSStartTLS
	default:
		return nil, fmt.Errorf("delivery: unknown TLS mode %q", cfg.TLS)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{cfg: cfg}, nil
}

// Send delivers e. The error says what the server answered, never the password.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("email: sender: %w", err)
	}
	if err := msg.AddToFormat(e.ToName, e.To); err != nil {
		return fmt.Errorf("email: recipient %s: %w", e.To, err)
	}
	msg.Subject(e.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, e.Body)

	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout)}
	switch m.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	client, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("email: configure SMTP client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("email to %s: %w", e.To, err)
	}
	return nil
}
