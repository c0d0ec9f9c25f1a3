// Package config reads Accord's settings from the environment and says exactly which
// variable is wrong when one is.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"accord/internal/accord"
)

// Config is every setting Accord reads from its environment.
type Config struct {
	DatabaseURL string // DATABASE_URL; empty lets `accord dev` start a private cluster
	// DirectDatabaseURL is ACCORD_DIRECT_DATABASE_URL: a connection straight to
	// PostgreSQL for what needs a session of its own, when DATABASE_URL goes through
	// PgBouncer in transaction mode: background jobs (River LISTENs) and migrations
	// (golang-migrate holds an advisory lock). Empty: DATABASE_URL serves for both.
	DirectDatabaseURL string
	Host              string     // ACCORD_HOST; interface to listen on, empty for all
	Port              int        // PORT
	DataDir           string     // ACCORD_DATA_DIR; the private cluster's home
	LogLevel          slog.Level // ACCORD_LOG_LEVEL: debug, info, warn, error
	LogFormat         string     // ACCORD_LOG_FORMAT: text or json
	SecureCookies     bool       // ACCORD_SECURE_COOKIES: set when served over HTTPS
	// MetricsAddr is ACCORD_METRICS_ADDR: host:port where /metrics is served on its
	// own, e.g. 127.0.0.1:9091, with the Go profiler (/debug/pprof/), which is served
	// nowhere else; empty serves neither.
	MetricsAddr string
	// MetricsToken is ACCORD_METRICS_TOKEN: when set, /metrics is also served on the
	// public port to requests with "Authorization: Bearer <token>". Neither set: no
	// metrics are served.
	MetricsToken string
	// TrustedProxies is ACCORD_TRUSTED_PROXIES: comma-separated addresses or CIDRs of
	// the load balancers in front; only their X-Forwarded-For/Forwarded headers name
	// the client. Empty trusts none: the peer is the client.
	TrustedProxies []netip.Prefix
	// WebhookAllowPrivate (ACCORD_WEBHOOK_ALLOW_PRIVATE) lets chat webhooks reach
	// private network addresses, for chat servers inside the company.
	WebhookAllowPrivate bool
	// MaxUploadMB is ACCORD_MAX_UPLOAD_MB: the largest file a conversation takes, 1 to
	// 1024 (default 20).
	MaxUploadMB int
	// RenderedPagesMB is ACCORD_RENDERED_PAGES_MB: the memory, 0 to 256 (default 16),
	// each instance keeps rendered project pages in to serve again while nothing they
	// show has changed; 0 keeps none.
	RenderedPagesMB int
	SessionLifetime time.Duration // ACCORD_SESSION_LIFETIME
	ShutdownTimeout time.Duration // ACCORD_SHUTDOWN_TIMEOUT: how long in-flight requests may finish
	// DrainDelay is ACCORD_DRAIN_DELAY (default 5s, "0s" for none): on SIGTERM,
	// how long /readyz answers 503 while everything else still serves, before the
	// server stops taking requests; longer than the load balancer takes to mark
	// an instance down (HAProxy: inter × fall).
	DrainDelay time.Duration

	// TuneGC is true when neither GOGC nor GOMEMLIMIT is set: `accord serve` then
	// collects garbage less often (GOGC 400) under a soft limit of 100 MiB, which
	// keeps the heap as small as GOGC 100 would once it nears the limit. Rendering
	// pages allocates: at the default the collector took a fifth of the CPU.
	TuneGC bool

	// DecisionWindowDays is ACCORD_DECISION_WINDOW_DAYS: the working days a superior
	// has to decide an escalation before it moves up, 1 to 30.
	DecisionWindowDays int
	// TimeZone is ACCORD_TIME_ZONE, an IANA zone name (default Asia/Shanghai): the
	// company's clock. Working days, decision windows and "today" are counted in it,
	// and it is the zone times are shown in to people who chose none of their own.
	TimeZone *time.Location

	// BaseURL is ACCORD_BASE_URL: where people reach Accord, for links in emails and
	// chat messages; http://localhost:PORT when unset.
	BaseURL string
	// Email is off while SMTPHost (ACCORD_SMTP_HOST) is empty.
	SMTPHost     string // ACCORD_SMTP_HOST
	SMTPPort     int    // ACCORD_SMTP_PORT; by default 587 for starttls, 465 for tls, 25 for none
	SMTPUsername string // ACCORD_SMTP_USERNAME; empty sends without authentication
	SMTPPassword string // ACCORD_SMTP_PASSWORD
	SMTPFrom     string // ACCORD_SMTP_FROM: the sender, e.g. "Accord <accord@example.com>"
	SMTPTLS      string // ACCORD_SMTP_TLS: starttls (required), tls (implicit, SMTPS) or none

	// OIDC is single sign-on (ACCORD_OIDC_*, see sso.go); off while its issuer is unset.
	OIDC OIDC
}

// DefaultTimeZone is the company time zone when ACCORD_TIME_ZONE is unset.
const DefaultTimeZone = "Asia/Shanghai"

// EmailEnabled reports whether notifications also go out by email.
func (c Config) EmailEnabled() bool { return c.SMTPHost != "" }

// Error names the variable that holds a bad value.
type Error struct {
	Variable string
	Value    string
	Want     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s=%q is not valid: want %s", e.Variable, e.Value, e.Want)
}

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:       strings.TrimSpace(getenv("DATABASE_URL")),
		DirectDatabaseURL: strings.TrimSpace(getenv("ACCORD_DIRECT_DATABASE_URL")),
		Host:              getenv("ACCORD_HOST"),
		Port:              8080,
		DataDir:           ".data",
		LogLevel:          slog.LevelInfo,
		LogFormat:         "text",
		MaxUploadMB:       20,
		RenderedPagesMB:   16,
		SessionLifetime:   12 * time.Hour,
		ShutdownTimeout:   15 * time.Second,
		DrainDelay:        5 * time.Second,

		DecisionWindowDays: accord.DefaultDecisionWindowDays,
	}
	zone := strings.TrimSpace(getenv("ACCORD_TIME_ZONE"))
	if zone == "" {
		zone = DefaultTimeZone
	}
	// "Local" would silently follow the server's clock, the thing this setting replaces.
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return Config{}, &Error{"ACCORD_TIME_ZONE", zone, `an IANA time zone name such as "Asia/Shanghai", "Europe/Berlin" or "UTC"`}
	}
	c.TimeZone = loc
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return Config{}, &Error{"PORT", v, "a port number from 1 to 65535"}
		}
		c.Port = p
	}
	if v := getenv("ACCORD_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	if v := getenv("ACCORD_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return Config{}, &Error{"ACCORD_LOG_LEVEL", v, "debug, info, warn or error"}
		}
	}
	if v := getenv("ACCORD_LOG_FORMAT"); v != "" {
		if v != "text" && v != "json" {
			return Config{}, &Error{"ACCORD_LOG_FORMAT", v, "text or json"}
		}
		c.LogFormat = v
	}
	if v := getenv("ACCORD_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, &Error{"ACCORD_SECURE_COOKIES", v, "true or false"}
		}
		c.SecureCookies = b
	}
	if v := getenv("ACCORD_MAX_UPLOAD_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return Config{}, &Error{"ACCORD_MAX_UPLOAD_MB", v, "a whole number of megabytes from 1 to 1024"}
		}
		c.MaxUploadMB = n
	}
	if v := getenv("ACCORD_RENDERED_PAGES_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 256 {
			return Config{}, &Error{"ACCORD_RENDERED_PAGES_MB", v, "a whole number of megabytes from 0 (none) to 256"}
		}
		c.RenderedPagesMB = n
	}
	if v := strings.TrimSpace(getenv("ACCORD_METRICS_ADDR")); v != "" {
		// An empty host listens on every interface, as ACCORD_HOST does.
		_, port, err := net.SplitHostPort(v)
		if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 1 || p > 65535 {
			return Config{}, &Error{"ACCORD_METRICS_ADDR", v, `host:port for the metrics listener, such as "127.0.0.1:9091"`}
		}
		c.MetricsAddr = v
	}
	if v := getenv("ACCORD_METRICS_TOKEN"); v != "" {
		if len(v) < 16 || strings.ContainsAny(v, " \t\r\n") {
			return Config{}, &Error{"ACCORD_METRICS_TOKEN", "(hidden)", "a token of at least 16 characters without spaces"}
		}
		c.MetricsToken = v
	}
	if v := strings.TrimSpace(getenv("ACCORD_TRUSTED_PROXIES")); v != "" {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			p, err := netip.ParsePrefix(part)
			if err != nil {
				a, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return Config{}, &Error{"ACCORD_TRUSTED_PROXIES", v, `comma-separated addresses or CIDRs of your load balancers, such as "10.0.0.0/8,192.168.1.5"`}
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
	}
	if v := getenv("ACCORD_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, &Error{"ACCORD_WEBHOOK_ALLOW_PRIVATE", v, "true or false"}
		}
		c.WebhookAllowPrivate = b
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"ACCORD_SESSION_LIFETIME", &c.SessionLifetime}, {"ACCORD_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout}} {
		if v := getenv(d.name); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur <= 0 {
				return Config{}, &Error{d.name, v, `a positive duration such as "30s" or "12h"`}
			}
			*d.dst = dur
		}
	}
	c.TuneGC = getenv("GOGC") == "" && getenv("GOMEMLIMIT") == ""
	if v := getenv("ACCORD_DRAIN_DELAY"); v != "" {
		dur, err := time.ParseDuration(v)
		if err != nil || dur < 0 || dur > 5*time.Minute {
			return Config{}, &Error{"ACCORD_DRAIN_DELAY", v, `a duration from "0s" (no drain) to "5m", such as "5s"`}
		}
		c.DrainDelay = dur
	}
	if err := c.loadDelivery(getenv); err != nil {
		return Config{}, err
	}
	if err := c.loadOIDC(getenv); err != nil {
		return Config{}, err
	}
	if v := getenv("ACCORD_DECISION_WINDOW_DAYS"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 30 {
			return Config{}, &Error{"ACCORD_DECISION_WINDOW_DAYS", v, "a whole number of working days from 1 to 30"}
		}
		c.DecisionWindowDays = n
	}
	for _, setting := range [][2]string{{"DATABASE_URL", c.DatabaseURL}, {"ACCORD_DIRECT_DATABASE_URL", c.DirectDatabaseURL}} {
		variable, v := setting[0], setting[1]
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return Config{}, &Error{variable, redact(v), "a URL like postgres://user:password@host:5432/accord"}
		}
	}
	if c.DirectDatabaseURL != "" && c.DatabaseURL == "" {
		return Config{}, &Error{"ACCORD_DIRECT_DATABASE_URL", redact(c.DirectDatabaseURL), "to be set together with DATABASE_URL"}
	}
	return c, nil
}

// SessionDatabaseURL is where work that needs a database session of its own
// connects: background jobs and migrations (see DirectDatabaseURL).
func (c Config) SessionDatabaseURL() string {
	if c.DirectDatabaseURL != "" {
		return c.DirectDatabaseURL
	}
	return c.DatabaseURL
}

// loadDelivery reads the base URL for links and the SMTP settings.
func (c *Config) loadDelivery(getenv func(string) string) error {
	c.BaseURL = fmt.Sprintf("http://localhost:%d", c.Port)
	if v := strings.TrimSpace(getenv("ACCORD_BASE_URL")); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" {
			return &Error{"ACCORD_BASE_URL", redact(v), "the address people open Accord at, like https://accord.example.com"}
		}
		c.BaseURL = strings.TrimRight(v, "/")
	}
	c.SMTPHost = strings.TrimSpace(getenv("ACCORD_SMTP_HOST"))
	c.SMTPUsername = getenv("ACCORD_SMTP_USERNAME")
	c.SMTPPassword = getenv("ACCORD_SMTP_PASSWORD")
	c.SMTPFrom = strings.TrimSpace(getenv("ACCORD_SMTP_FROM"))
	c.SMTPTLS = "starttls"
	if v := getenv("ACCORD_SMTP_TLS"); v != "" {
		if v != "starttls" && v != "tls" && v != "none" {
			return &Error{"ACCORD_SMTP_TLS", v, "starttls, tls or none"}
		}
		c.SMTPTLS = v
	}
	c.SMTPPort = map[string]int{"starttls": 587, "tls": 465, "none": 25}[c.SMTPTLS]
	if v := getenv("ACCORD_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return &Error{"ACCORD_SMTP_PORT", v, "a port number from 1 to 65535"}
		}
		c.SMTPPort = p
	}
	if c.SMTPPassword != "" && c.SMTPUsername == "" {
		return &Error{"ACCORD_SMTP_USERNAME", "", "the user name that goes with ACCORD_SMTP_PASSWORD"}
	}
	if c.SMTPFrom != "" {
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			return &Error{"ACCORD_SMTP_FROM", c.SMTPFrom, `a sender address such as "Accord <accord@example.com>"`}
		}
	} else if c.SMTPHost != "" {
		return &Error{"ACCORD_SMTP_FROM", "", `a sender address such as "Accord <accord@example.com>" (required with ACCORD_SMTP_HOST)`}
	}
	return nil
}

// Addr is the address the HTTP server listens on.
func (c Config) Addr() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

// redact hides a password before a URL is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
