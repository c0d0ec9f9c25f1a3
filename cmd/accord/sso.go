package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"accord/internal/config"
	"accord/internal/store"
)

const ssoUsage = `usage: accord sso unlink --email E

forgets which person at the identity provider the Accord user with that email was
bound to at their first single sign-on; their next sign-in binds afresh by email.
Use it when the provider re-created someone's account (a new subject), after checking
it is the same person. Needs DATABASE_URL.`

// runSSO is `accord sso unlink`.
func runSSO(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "unlink" {
		return errors.New(ssoUsage)
	}
	fs := flag.NewFlagSet("sso unlink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the Accord user to unlink")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("sso: %w\n\n%s", err, ssoUsage)
	}
	if *email == "" || fs.NArg() > 0 {
		return errors.New(ssoUsage)
	}
	if cfg.DatabaseURL == "" {
		return errors.New("sso: set DATABASE_URL to the database Accord serves from")
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("sso: no user %q: %w", *email, err)
	}
	n, err := st.UnlinkIdentities(ctx, 0, u.ID)
	if err != nil {
		return fmt.Errorf("sso: %w", err)
	}
	fmt.Fprintf(stdout, "accord: %s unlinked from %d provider subject(s); the next single sign-on binds afresh by email\n", u.Email, n)
	return nil
}
