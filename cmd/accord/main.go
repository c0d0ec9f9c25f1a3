// Command accord is Accord's one binary: the web server, the migrations, the demo
// organisation, and `dev`, which `make run` uses to bring everything up locally.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	// The zone database, embedded: ACCORD_TIME_ZONE works on hosts without tzdata
	// (slim containers).
	_ "time/tzdata"

	"accord/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "accord:", err)
		os.Exit(1)
	}
}

const usage = `usage: accord <command>

commands:
  dev                   start a private PostgreSQL when DATABASE_URL is unset, migrate,
                        load the demo organisation into an empty database, and serve
  serve [--migrate] [--demo]
                        serve HTTP on PORT; --migrate applies migrations first,
                        --demo loads the demo organisation into an empty database
  migrate up|down|version
                        apply all migrations, revert the last one, or print the version
  seed demo             load the demo organisation into an empty database
  seed --scale small|large
                        fill an empty database with a generated organisation for
                        benchmarks (large: 1,000 units, 20,000 people, 200,000 requests)
  healthcheck           exit 0 when this machine's server answers /healthz (for containers)
  token create --email E [--name N]
                        print a new personal API token for that user (shown once)
  sso unlink --email E  forget the identity provider's subject bound to that user, so
                        their next single sign-on binds afresh by email
  org import FILE [FILE2] [--apply] [--as EMAIL]
                        check an organisation file (.xlsx, or a CSV per kind) and print
                        what would change; --apply applies it in one transaction
  org export FILE       write the organisation as .xlsx (FILE.csv: one CSV per kind)

configuration comes from the environment; see README.md.`

// run is main without the process: arguments, environment and output are passed in
// so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	switch args[0] {
	case "dev":
		return runDev(ctx, cfg, logger, stdout, stderr)
	case "serve":
		opts := serveOptions{}
		for _, a := range args[1:] {
			switch a {
			case "--migrate":
				opts.migrate = true
			case "--demo":
				opts.demo = true
			default:
				return fmt.Errorf("serve: unknown flag %q\n\n%s", a, usage)
			}
		}
		return serve(ctx, cfg, logger, opts, stdout)
	case "migrate":
		if len(args) != 2 {
			return errors.New("migrate: say up, down or version")
		}
		return runMigrate(cfg, args[1], stdout)
	case "seed":
		if len(args) > 1 && strings.HasPrefix(args[1], "--scale") {
			return runSeedScale(ctx, cfg, args[1:], stdout, stderr)
		}
		if len(args) != 2 || args[1] != "demo" {
			return errors.New("seed: say `seed demo` or `seed --scale small|large`")
		}
		return runSeedDemo(ctx, cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "token":
		return runToken(ctx, cfg, args[1:], stdout, stderr)
	case "sso":
		return runSSO(ctx, cfg, args[1:], stdout, stderr)
	case "org":
		return runOrg(ctx, cfg, args[1:], stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// errNoDatabase explains what to do when DATABASE_URL is missing.
var errNoDatabase = errors.New("DATABASE_URL is not set: point it at a PostgreSQL database " +
	"(postgres://user:password@host:5432/accord), or run `make run` to start a private one")
