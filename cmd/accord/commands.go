package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"accord/internal/config"
	"accord/internal/store"
)

func runMigrate(cfg config.Config, direction string, stdout io.Writer) error {
	if cfg.DatabaseURL == "" {
		return errNoDatabase
	}
	m, err := store.NewMigrator(cfg.SessionDatabaseURL()) // its advisory lock needs a session of its own
	if err != nil {
		return err
	}
	defer m.Close()
	switch direction {
	case "up":
		err = m.Up()
	case "down":
		err = m.Down()
	case "version":
	default:
		return fmt.Errorf("migrate: unknown direction %q; say up, down or version", direction)
	}
	if err != nil {
		return err
	}
	v, dirty, err := m.Version()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d", v)
	if dirty {
		fmt.Fprint(stdout, " (dirty: a migration failed half-way; fix it, then force the version)")
	}
	fmt.Fprintln(stdout)
	return nil
}

func runSeedDemo(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	if cfg.DatabaseURL == "" {
		return errNoDatabase
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	loaded, err := loadDemoIfEmpty(ctx, store.New(pool))
	if err != nil {
		return err
	}
	if loaded {
		fmt.Fprintln(stdout, "loaded the demo organisation")
	} else {
		fmt.Fprintln(stdout, "the database already holds an organisation; nothing loaded")
	}
	return nil
}

// healthcheck is for container runtimes whose image has no curl.
func healthcheck(ctx context.Context, cfg config.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/healthz", cfg.Port), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	return nil
}
