package config

import (
	"errors"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(func(string) string { return "" })
	require.NoError(t, err)
	require.Equal(t, Config{Port: 8080, DataDir: ".data", LogLevel: slog.LevelInfo, LogFormat: "text", MaxUploadMB: 20,
		RenderedPagesMB: 16,
		SessionLifetime: 12 * time.Hour, ShutdownTimeout: 15 * time.Second, DrainDelay: 5 * time.Second, DecisionWindowDays: 3,
		BaseURL: "http://localhost:8080", SMTPPort: 587, SMTPTLS: "starttls", TimeZone: mustZone(t, "Asia/Shanghai"),
		TuneGC: true}, c)
	require.Equal(t, ":8080", c.Addr())
	require.False(t, c.EmailEnabled(), "email is off by default")
}

func TestLoadReadsEveryVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL": "postgres://a:b@db/accord", "ACCORD_HOST": "127.0.0.1", "PORT": "9000",
		"ACCORD_DATA_DIR": "/var/tmp/x", "ACCORD_LOG_LEVEL": "debug", "ACCORD_LOG_FORMAT": "json",
		"ACCORD_SECURE_COOKIES": "true", "ACCORD_SESSION_LIFETIME": "1h", "ACCORD_SHUTDOWN_TIMEOUT": "5s", "ACCORD_DRAIN_DELAY": "2s",
		"ACCORD_BASE_URL": "https://accord.example.com/", "ACCORD_SMTP_HOST": "smtp.example.com",
		"ACCORD_SMTP_PORT": "2525", "ACCORD_SMTP_USERNAME": "accord", "ACCORD_SMTP_PASSWORD": "pw",
		"ACCORD_SMTP_FROM": "Accord <accord@example.com>", "ACCORD_SMTP_TLS": "tls", "ACCORD_DECISION_WINDOW_DAYS": "5",
		"ACCORD_WEBHOOK_ALLOW_PRIVATE": "true", "ACCORD_TIME_ZONE": "Europe/Berlin", "ACCORD_MAX_UPLOAD_MB": "50",
		"ACCORD_RENDERED_PAGES_MB": "0",
		"ACCORD_TRUSTED_PROXIES":   "10.1.2.3/8, 192.168.1.5,::1",
		"ACCORD_METRICS_ADDR":      "127.0.0.1:9091", "ACCORD_METRICS_TOKEN": "a-long-metrics-secret",
		"GOGC": "200",
	}
	c, err := Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, Config{DatabaseURL: "postgres://a:b@db/accord", Host: "127.0.0.1", Port: 9000,
		DataDir: "/var/tmp/x", LogLevel: slog.LevelDebug, LogFormat: "json", SecureCookies: true,
		SessionLifetime: time.Hour, ShutdownTimeout: 5 * time.Second, DrainDelay: 2 * time.Second, DecisionWindowDays: 5,
		BaseURL: "https://accord.example.com", SMTPHost: "smtp.example.com", SMTPPort: 2525,
		SMTPUsername: "accord", SMTPPassword: "pw", SMTPFrom: "Accord <accord@example.com>", SMTPTLS: "tls",
		WebhookAllowPrivate: true, TimeZone: mustZone(t, "Europe/Berlin"), MaxUploadMB: 50,
		RenderedPagesMB: 0,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32"),
			netip.MustParsePrefix("::1/128")}, MetricsAddr: "127.0.0.1:9091", MetricsToken: "a-long-metrics-secret"}, c)
	require.True(t, c.EmailEnabled())
}

// TestLoadSMTPPortFollowsTLSMode checks the port each TLS mode uses when none is set.
func TestLoadSMTPPortFollowsTLSMode(t *testing.T) {
	t.Parallel()
	for mode, port := range map[string]int{"starttls": 587, "tls": 465, "none": 25} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"ACCORD_SMTP_HOST": "mail", "ACCORD_SMTP_FROM": "a@example.com", "ACCORD_SMTP_TLS": mode}
			c, err := Load(func(k string) string { return env[k] })
			require.NoError(t, err)
			require.Equal(t, port, c.SMTPPort)
			require.Equal(t, mode, c.SMTPTLS)
		})
	}
}

// TestLoadNamesTheBadDeliveryVariable covers the settings that only fail together
// with another one.
func TestLoadNamesTheBadDeliveryVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		bad  string
	}{
		{"base URL without scheme", map[string]string{"ACCORD_BASE_URL": "accord.example.com"}, "ACCORD_BASE_URL"},
		{"base URL with password", map[string]string{"ACCORD_BASE_URL": "https://u:secret@accord.example.com"}, "ACCORD_BASE_URL"},
		{"TLS mode", map[string]string{"ACCORD_SMTP_TLS": "ssl"}, "ACCORD_SMTP_TLS"},
		{"port", map[string]string{"ACCORD_SMTP_PORT": "0"}, "ACCORD_SMTP_PORT"},
		{"host without sender", map[string]string{"ACCORD_SMTP_HOST": "mail"}, "ACCORD_SMTP_FROM"},
		{"bad sender", map[string]string{"ACCORD_SMTP_FROM": "not an address"}, "ACCORD_SMTP_FROM"},
		{"password without user", map[string]string{"ACCORD_SMTP_PASSWORD": "secret"}, "ACCORD_SMTP_USERNAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(func(k string) string { return tt.env[k] })
			var cerr *Error
			require.True(t, errors.As(err, &cerr), "got %v", err)
			require.Equal(t, tt.bad, cerr.Variable)
			require.NotContains(t, err.Error(), "secret", "passwords must not be printed")
		})
	}
}

func TestLoadNamesTheBadVariable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"PORT":                         "eighty",
		"ACCORD_LOG_LEVEL":             "loud",
		"ACCORD_LOG_FORMAT":            "xml",
		"ACCORD_SECURE_COOKIES":        "maybe",
		"ACCORD_WEBHOOK_ALLOW_PRIVATE": "sometimes",
		"ACCORD_TRUSTED_PROXIES":       "10.0.0.0/8,the balancer",
		"ACCORD_METRICS_ADDR":          "9091",
		"ACCORD_METRICS_TOKEN":         "short",
		"ACCORD_MAX_UPLOAD_MB":         "2048",
		"ACCORD_RENDERED_PAGES_MB":     "300",
		"ACCORD_SESSION_LIFETIME":      "-1h",
		"ACCORD_SHUTDOWN_TIMEOUT":      "soon",
		"ACCORD_DRAIN_DELAY":           "-1s",
		"DATABASE_URL":                 "mysql://root:secret@db/x",
		"ACCORD_DIRECT_DATABASE_URL":   "postgres://root:secret@db/x", // without DATABASE_URL
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(func(k string) string {
				if k == name {
					return value
				}
				return ""
			})
			var cerr *Error
			require.True(t, errors.As(err, &cerr))
			require.Equal(t, name, cerr.Variable)
			require.Contains(t, err.Error(), name)
			require.NotContains(t, err.Error(), "secret", "passwords must not be printed")
		})
	}
}

// TestDirectDatabaseURL: jobs and migrations connect straight to PostgreSQL when
// pages go through PgBouncer, and use DATABASE_URL otherwise.
func TestDirectDatabaseURL(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "postgres://a:b@bouncer:6432/accord"}
	c, err := Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, "postgres://a:b@bouncer:6432/accord", c.SessionDatabaseURL())

	env["ACCORD_DIRECT_DATABASE_URL"] = "postgres://a:b@db:5432/accord"
	c, err = Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, "postgres://a:b@bouncer:6432/accord", c.DatabaseURL)
	require.Equal(t, "postgres://a:b@db:5432/accord", c.SessionDatabaseURL())

	env["ACCORD_DIRECT_DATABASE_URL"] = "mysql://a:secret@db/accord"
	_, err = Load(func(k string) string { return env[k] })
	var cerr *Error
	require.True(t, errors.As(err, &cerr))
	require.Equal(t, "ACCORD_DIRECT_DATABASE_URL", cerr.Variable)
	require.NotContains(t, err.Error(), "secret")
}

func TestLoadDecisionWindowDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  int // 0: refused
	}{
		{"", 3}, {"1", 1}, {"30", 30}, {" 7 ", 7},
		{"0", 0}, {"31", 0}, {"-2", 0}, {"2.5", 0}, {"three", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			c, err := Load(func(k string) string {
				if k == "ACCORD_DECISION_WINDOW_DAYS" {
					return tt.value
				}
				return ""
			})
			if tt.want == 0 {
				var cerr *Error
				require.True(t, errors.As(err, &cerr), "got %v", err)
				require.Equal(t, "ACCORD_DECISION_WINDOW_DAYS", cerr.Variable)
				require.Equal(t, tt.value, cerr.Value)
				require.Contains(t, err.Error(), "from 1 to 30")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, c.DecisionWindowDays)
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// TestLoadTimeZone checks the company zone: a default, any IANA name, and a clear
// refusal at start for a name that is not one.
func TestLoadTimeZone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  string // the zone's name; empty: refused
	}{
		{"", "Asia/Shanghai"}, {"UTC", "UTC"}, {" America/New_York ", "America/New_York"}, {"Asia/Tokyo", "Asia/Tokyo"},
		{"Beijing", ""}, {"Local", ""}, {"+08:00", ""}, {"../etc/passwd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			c, err := Load(func(k string) string {
				if k == "ACCORD_TIME_ZONE" {
					return tt.value
				}
				return ""
			})
			if tt.want == "" {
				var cerr *Error
				require.True(t, errors.As(err, &cerr), "got %v", err)
				require.Equal(t, "ACCORD_TIME_ZONE", cerr.Variable)
				require.Equal(t, strings.TrimSpace(tt.value), cerr.Value)
				require.Contains(t, err.Error(), `an IANA time zone name such as "Asia/Shanghai"`)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, c.TimeZone.String())
		})
	}
}

// TestTuneGCOnlyWhenGoIsNotTold: Accord's collector settings apply only when neither
// of Go's own variables is set; setting one leaves both to Go.
func TestTuneGCOnlyWhenGoIsNotTold(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]bool{"": true, "GOGC": false, "GOMEMLIMIT": false} {
		c, err := Load(func(k string) string {
			if k == env {
				return "off"
			}
			return ""
		})
		require.NoError(t, err)
		require.Equal(t, want, c.TuneGC, "set: %q", env)
	}
}
