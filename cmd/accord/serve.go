package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/config"
	"accord/internal/delivery"
	"accord/internal/demo"
	"accord/internal/jobs"
	"accord/internal/localpg"
	"accord/internal/password"
	"accord/internal/server"
	"accord/internal/sso"
	"accord/internal/store"
	"accord/web/i18n"
)

type serveOptions struct {
	migrate     bool
	demo        bool // load the demo organisation into an empty database
	printLogins bool
}

// runDev is `make run`: a private cluster under ACCORD_DATA_DIR unless DATABASE_URL
// is set, then migrate, demo data if empty, serve; the cluster stops on the way out.
func runDev(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout, stderr io.Writer) error {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1" // demo passwords are public: stay off the network unless asked
	}
	cfg.DrainDelay = 0 // no load balancer in front of `make run`: Ctrl-C stops at once
	if cfg.DatabaseURL == "" {
		bin, err := localpg.EnsureBinaries(ctx, stderr)
		if err != nil {
			return err
		}
		cluster := &localpg.Cluster{Dir: cfg.DataDir, BinDir: bin, Durable: true, Log: stderr}
		fmt.Fprintf(stdout, "accord: starting PostgreSQL in %s …\n", cfg.DataDir)
		maintenance, err := cluster.Start(ctx)
		if err != nil {
			return err
		}
		defer func() {
			// The signal context is done by now; stopping needs its own time.
			stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := cluster.Stop(stopCtx); err != nil {
				logger.Error("stop PostgreSQL", "err", err)
				return
			}
			fmt.Fprintln(stdout, "accord: PostgreSQL stopped; your data stays in", cfg.DataDir)
		}()
		if err := store.EnsureDatabase(ctx, maintenance, "accord"); err != nil {
			return err
		}
		cfg.DatabaseURL = cluster.URL("accord")
	}
	return serve(ctx, cfg, logger, serveOptions{migrate: true, demo: true, printLogins: true}, stdout)
}

// The collector's settings when GOGC and GOMEMLIMIT are unset (config.TuneGC): every
// page got 10–25% more requests per second from the same two cores in `make bench`,
// and the peak resident set stayed under 120 MB. Setting either variable restores
// Go's own defaults for both.
const (
	gcPercent     = 400
	gcMemoryLimit = 100 << 20
)

// serve runs the HTTP server until ctx ends, then stops gracefully: it drains for
// cfg.DrainDelay (unready, still serving), lets in-flight requests finish, and only
// then stops the background jobs.
func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, opts serveOptions, stdout io.Writer) error {
	if cfg.DatabaseURL == "" {
		return errNoDatabase
	}
	if cfg.TuneGC {
		debug.SetGCPercent(gcPercent)
		// The rendered pages kept are live memory on top of what requests use.
		debug.SetMemoryLimit(gcMemoryLimit + int64(cfg.RenderedPagesMB)<<20)
	}
	if opts.migrate {
		if err := migrateUp(cfg.SessionDatabaseURL()); err != nil {
			return err
		}
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	// Signed-in sessions are kept while this listens for the writes that change them,
	// on a connection of its own: LISTEN needs a session (not PgBouncer's).
	listenCfg, err := store.PoolConfig(cfg.SessionDatabaseURL()) // reads and drops pool_* settings
	if err != nil {
		return err
	}
	if listenCfg.ConnConfig.RuntimeParams["application_name"] == "" {
		listenCfg.ConnConfig.RuntimeParams["application_name"] = sessionListenerName
	}
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	var listening sync.WaitGroup
	listening.Go(func() {
		st.ListenForViewerChanges(listenCtx, func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.ConnectConfig(ctx, listenCfg.ConnConfig.Copy())
		}, logger.With("component", "sessions"))
	})
	defer listening.Wait()
	defer stopListening()
	demoLoaded := false
	if opts.demo {
		if demoLoaded, err = loadDemoIfEmpty(ctx, st); err != nil {
			return err
		}
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return err
	}
	if opts.demo {
		bundle.AddContent(demo.English()) // the demo's texts, for English readers
	}
	// Background work gets its own few connections, so slow pages holding every web
	// connection cannot starve River: its leader must renew its lease in time, or it
	// steps down and the next leader sweeps again.
	jobPool, err := openJobPool(ctx, cfg.SessionDatabaseURL()) // River LISTENs: a session of its own
	if err != nil {
		return err
	}
	defer jobPool.Close() // after jobClient.Stop, deferred below
	jobStore := store.New(jobPool)
	deliverer, err := newDeliverer(cfg, jobStore, bundle, logger.With("component", "delivery"))
	if err != nil {
		return err
	}
	jobClient, err := jobs.NewClient(jobPool, jobStore, logger.With("component", "jobs"),
		jobs.Options{DecisionWindowDays: cfg.DecisionWindowDays, Location: cfg.TimeZone, Deliverer: deliverer})
	if err != nil {
		return err
	}
	// From here on every notification also goes out by email and webhook: its job is
	// enqueued in the notification's own transaction (inserting works before Start),
	// whether a page or the sweep raised it.
	enqueuer := jobs.NewEnqueuer(jobClient)
	st.SetDeliveryEnqueuer(enqueuer)
	jobStore.SetDeliveryEnqueuer(enqueuer)
	srv := server.New(st, bundle, logger, server.Options{
		WebhookClient:       delivery.NewWebhookClient(15*time.Second, cfg.WebhookAllowPrivate),
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		SecureCookies:       cfg.SecureCookies,
		SessionLifetime:     cfg.SessionLifetime,
		DemoHint:            opts.demo,

		DecisionWindowDays: cfg.DecisionWindowDays,
		Location:           cfg.TimeZone,
		BaseURL:            cfg.BaseURL,
		TrustedProxies:     cfg.TrustedProxies,
		MetricsToken:       cfg.MetricsToken,
		MaxUploadBytes:     int64(cfg.MaxUploadMB) << 20,
		RenderedPageBytes:  renderedPageBytes(cfg.RenderedPagesMB),
		SSO: sso.Settings{Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret,
			RedirectURL: cfg.BaseURL + sso.CallbackPath, EmailClaim: cfg.OIDC.EmailClaim, ButtonLabel: cfg.OIDC.ButtonLabel,
			PasswordsOff: cfg.OIDC.PasswordsOff, CreateUnknown: cfg.OIDC.CreateUnknown,
			TrustEmail: cfg.OIDC.TrustEmail, AllowedDomains: cfg.OIDC.AllowedDomains},
	})
	defer srv.Close()
	if err := jobClient.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := jobClient.Stop(stopCtx); err != nil {
			logger.Warn("stop background jobs", "err", err)
		}
	}()

	listener, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using PORT=%d?)", cfg.Addr(), err, cfg.Port)
	}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(listener) }()
	if cfg.MetricsAddr != "" {
		// Metrics on an address of their own, off the port people use.
		metricsListener, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen for metrics on ACCORD_METRICS_ADDR=%s: %w", cfg.MetricsAddr, err)
		}
		metricsServer := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go func() {
			if err := metricsServer.Serve(metricsListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Warn("metrics listener stopped", "err", err)
			}
		}()
		defer metricsServer.Close()
	}

	host := cfg.Host
	if host == "" || host == "0.0.0.0" || host == "127.0.0.1" {
		host = "localhost"
	}
	fmt.Fprintf(stdout, "accord: serving on http://%s:%d\n", host, cfg.Port)
	if opts.printLogins {
		printDemoLogins(stdout, demoLoaded)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Drain first: /readyz says 503 while every other route still serves, long
	// enough for the load balancer's health check to take this instance out, and
	// responses close their connections so the balancer reconnects elsewhere.
	srv.StartDraining()
	if cfg.DrainDelay > 0 {
		fmt.Fprintf(stdout, "accord: draining for %s: /readyz answers 503, requests are still served …\n", cfg.DrainDelay)
		select {
		case err := <-serveErr:
			return fmt.Errorf("serve: %w", err)
		case <-time.After(cfg.DrainDelay):
		}
	}
	fmt.Fprintln(stdout, "accord: shutting down, finishing requests in flight …")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newDeliverer sends notifications out by webhook, and by email when ACCORD_SMTP_HOST
// is set, linking to cfg.BaseURL.
func newDeliverer(cfg config.Config, st *store.Store, bundle *i18n.Bundle, logger *slog.Logger) (*jobs.Deliverer, error) {
	d := &jobs.Deliverer{
		Store:    st,
		Poster:   delivery.NewPoster(delivery.NewWebhookClient(15*time.Second, cfg.WebhookAllowPrivate), nil),
		Localize: func(lang string) delivery.Translate { return bundle.Localizer(lang).T },
		Text:     func(lang, s string) string { return bundle.Localizer(lang).Text(s) },
		BaseURL:  cfg.BaseURL,
		Logger:   logger,
	}
	if !cfg.EmailEnabled() {
		logger.Info("email notifications are off: set ACCORD_SMTP_HOST to send them")
		return d, nil
	}
	m, err := delivery.NewMailer(delivery.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
	if err != nil {
		return nil, err
	}
	d.Mailer = m
	logger.Info("email notifications are on", "smtp", fmt.Sprintf("%s:%d", cfg.SMTPHost, cfg.SMTPPort), "tls", cfg.SMTPTLS)
	return d, nil
}

// openPool connects and checks the database answers, waiting up to 30 s for one that
// is still starting (as in docker compose).
func openPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	pool, err := store.Open(ctx, databaseURL, nil)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err = pool.Ping(pingCtx)
		cancel()
		if err == nil {
			return pool, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			pool.Close()
			return nil, fmt.Errorf("cannot reach the database at %s: %w; check that PostgreSQL runs and DATABASE_URL is right",
				redactURL(databaseURL), err)
		}
		time.Sleep(time.Second)
	}
}

// jobPoolConns is the size of River's own pool: one connection LISTENs for its
// notifications, one runs a sweep batch, and the rest serve leader election, fetching
// and completing jobs and the delivery workers' short reads.
const jobPoolConns = 6

// jobPoolName is the jobs pool's application_name, unless DATABASE_URL sets one;
// sessionListenerName the session listener's.
const (
	jobPoolName         = "accord jobs"
	sessionListenerName = "accord sessions"
)

// openJobPool opens the background jobs' pool on the same database as the web pool,
// which openPool has already found answering.
func openJobPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	pcfg, err := store.PoolConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("jobs pool: %w", err)
	}
	pcfg.MaxConns = jobPoolConns
	if pcfg.ConnConfig.RuntimeParams["application_name"] == "" {
		// Tells them apart from the web pool's in pg_stat_activity.
		pcfg.ConnConfig.RuntimeParams["application_name"] = jobPoolName
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("jobs pool: connect to %s: %w", redactURL(databaseURL), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs pool: reach %s: %w", redactURL(databaseURL), err)
	}
	return pool, nil
}

func migrateUp(databaseURL string) error {
	m, err := store.NewMigrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up()
}

func loadDemoIfEmpty(ctx context.Context, st *store.Store) (bool, error) {
	has, err := st.HasOrganisation(ctx)
	if err != nil || has {
		return false, err
	}
	if _, err := demo.LoadLive(ctx, st, password.DefaultParams(), time.Now()); err != nil {
		return false, err
	}
	return true, nil
}

func printDemoLogins(w io.Writer, justLoaded bool) {
	if justLoaded {
		fmt.Fprintln(w, "accord: loaded the demo organisation")
	}
	fmt.Fprintf(w, "accord: demo logins (password %q):\n", demo.Password)
	for _, p := range demo.People() {
		fmt.Fprintf(w, "  %-28s %s (%s)\n", p.Email, p.NameEN, p.Name)
	}
	fmt.Fprintln(w, "accord: press Ctrl-C to stop")
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}

// renderedPageBytes turns ACCORD_RENDERED_PAGES_MB into the server's setting, where
// 0 is the default and a negative number keeps none.
func renderedPageBytes(mb int) int64 {
	if mb == 0 {
		return -1
	}
	return int64(mb) << 20
}
