package config

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(func(string) string { return "" })
	require.NoError(t, err)
	require.Equal(t, Config{Port: 8080, DataDir: ".data", LogLevel: slog.LevelInfo, LogFormat: "text",
		SessionLifetime: 12 * time.Hour, ShutdownTimeout: 15 * time.Second}, c)
	require.Equal(t, ":8080", c.Addr())
}

func TestLoadReadsEveryVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL": "postgres://a:b@db/accord", "ACCORD_HOST": "127.0.0.1", "PORT": "9000",
		"ACCORD_DATA_DIR": "/var/tmp/x", "ACCORD_LOG_LEVEL": "debug", "ACCORD_LOG_FORMAT": "json",
		"ACCORD_SECURE_COOKIES": "true", "ACCORD_SESSION_LIFETIME": "1h", "ACCORD_SHUTDOWN_TIMEOUT": "5s",
	}
	c, err := Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, Config{DatabaseURL: "postgres://a:b@db/accord", Host: "127.0.0.1", Port: 9000,
		DataDir: "/var/tmp/x", LogLevel: slog.LevelDebug, LogFormat: "json", SecureCookies: true,
		SessionLifetime: time.Hour, ShutdownTimeout: 5 * time.Second}, c)
}

func TestLoadNamesTheBadVariable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"PORT":                    "eighty",
		"ACCORD_LOG_LEVEL":        "loud",
		"ACCORD_LOG_FORMAT":       "xml",
		"ACCORD_SECURE_COOKIES":   "maybe",
		"ACCORD_SESSION_LIFETIME": "-1h",
		"ACCORD_SHUTDOWN_TIMEOUT": "soon",
		"DATABASE_URL":            "mysql://root:secret@db/x",
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
