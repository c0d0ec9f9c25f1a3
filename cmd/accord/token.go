package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"accord/internal/config"
	"accord/internal/localpg"
	"accord/internal/store"
)

const tokenUsage = `usage: accord token create --email E [--name N]

prints a new personal API token for the user with that email; it acts with exactly
their rights. The token is shown once: Accord keeps only its hash. Without
DATABASE_URL it uses the private database of "make run" (ACCORD_DATA_DIR).`

// runToken is `accord token create`: it issues a token through the store, as the
// settings page will, and prints the secret once.
func runToken(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(tokenUsage)
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the user the token acts for")
	name := fs.String("name", "", "a label to tell the token apart, e.g. chat-bot")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("token: %w\n\n%s", err, tokenUsage)
	}
	if *email == "" || fs.NArg() > 0 {
		return errors.New(tokenUsage)
	}
	if cfg.DatabaseURL == "" {
		// Beside `make run`: use its private cluster (started here if it is not running).
		bin, err := localpg.EnsureBinaries(ctx, stderr)
		if err != nil {
			return err
		}
		cluster := &localpg.Cluster{Dir: cfg.DataDir, BinDir: bin, Durable: true, Log: stderr}
		if _, err := cluster.Start(ctx); err != nil {
			return err
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = cluster.Stop(stopCtx) // a no-op when `make run` owns the cluster
		}()
		cfg.DatabaseURL = cluster.URL("accord")
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("token: no user %q: %w", *email, err)
	}
	if !u.Active() {
		return fmt.Errorf("token: %s is deactivated", u.Email)
	}
	tok, secret, err := st.CreateToken(ctx, u.ID, u.ID, *name, time.Now())
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintf(stderr, "accord: token %s… for %s created; it is shown once, store it now\n", tok.Prefix, u.Email)
	fmt.Fprintln(stdout, secret)
	return nil
}
