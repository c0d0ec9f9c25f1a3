// Package config reads Accord's settings from the environment and says exactly which
// variable is wrong when one is.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Accord reads from its environment.
type Config struct {
	DatabaseURL     string        // DATABASE_URL; empty lets `accord dev` start a private cluster
	Host            string        // ACCORD_HOST; interface to listen on, empty for all
	Port            int           // PORT
	DataDir         string        // ACCORD_DATA_DIR; the private cluster's home
	LogLevel        slog.Level    // ACCORD_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // ACCORD_LOG_FORMAT: text or json
	SecureCookies   bool          // ACCORD_SECURE_COOKIES: set when served over HTTPS
	SessionLifetime time.Duration // ACCORD_SESSION_LIFETIME
	ShutdownTimeout time.Duration // ACCORD_SHUTDOWN_TIMEOUT: how long in-flight requests may finish
}

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
		DatabaseURL:     strings.TrimSpace(getenv("DATABASE_URL")),
		Host:            getenv("ACCORD_HOST"),
		Port:            8080,
		DataDir:         ".data",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		SessionLifetime: 12 * time.Hour,
		ShutdownTimeout: 15 * time.Second,
	}
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
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return Config{}, &Error{"DATABASE_URL", redact(c.DatabaseURL), "a URL like postgres://user:password@host:5432/accord"}
		}
	}
	return c, nil
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
