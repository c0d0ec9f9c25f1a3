// Command screenshots photographs every key page for every demo role, in English
// and Chinese, at a laptop's width (1366 px) and a phone's (390 px), for anyone to
// look at: `make screenshots` writes them to screenshots/ (not committed).
//
// It starts Accord on a throwaway PostgreSQL with the demo organisation, as `make run`
// shows it, unless -base names a running Accord whose demo logins work. Along the way
// it warns of pages that scroll sideways on a phone and of English pages showing
// Chinese text (outside the language switch).
//
//	go run ./cmd/screenshots [-out screenshots] [-base http://localhost:8080] [-roles admin,lead] [-langs en] [-widths 390]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"accord/internal/demo"
	"accord/internal/localpg"
	"accord/internal/password"
	"accord/internal/server"
	"accord/internal/store"
	"accord/internal/tour"
	"accord/web/i18n"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

type options struct {
	out, base string
	roles     []tour.Role
	langs     []string
	widths    []int
	parallel  int
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "screenshots", "folder to write the PNGs into (emptied first)")
	base := fs.String("base", "", "a running Accord with the demo organisation; empty: start one on a throwaway database")
	roles := fs.String("roles", "", "comma-separated roles to photograph (default all: "+roleNames(tour.Roles())+")")
	langs := fs.String("langs", "en,zh", "languages")
	widths := fs.String("widths", fmt.Sprintf("%d,%d", tour.Laptop, tour.Phone), "window widths in px")
	parallel := fs.Int("parallel", 2, "roles photographed at once")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	o := options{out: *out, base: strings.TrimRight(*base, "/"), parallel: max(1, *parallel)}
	for _, r := range tour.Roles() {
		if *roles == "" || slices.Contains(strings.Split(*roles, ","), r.Name) {
			o.roles = append(o.roles, r)
		}
	}
	if len(o.roles) == 0 {
		return o, fmt.Errorf("-roles %q names no role; the roles are %s", *roles, roleNames(tour.Roles()))
	}
	for _, l := range strings.Split(*langs, ",") {
		if _, ok := tour.AcceptLanguage[l]; !ok {
			return o, fmt.Errorf("-langs: %q is not en or zh", l)
		}
		o.langs = append(o.langs, l)
	}
	for _, w := range strings.Split(*widths, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 200 {
			return o, fmt.Errorf("-widths: %q is not a width in px", w)
		}
		o.widths = append(o.widths, n)
	}
	return o, nil
}

func roleNames(rs []tour.Role) string {
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return strings.Join(names, ",")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	chromium := tour.ChromiumPath()
	if chromium == "" {
		return errors.New("Chromium is not installed; install it with `make browser` (as root: apt-get install -y chromium fonts-noto-cjk)")
	}
	if o.base == "" {
		base, stopServer, err := startAccord(ctx, stderr)
		if err != nil {
			return err
		}
		defer stopServer()
		o.base = base
	}
	if err := os.RemoveAll(o.out); err != nil {
		return err
	}
	b, err := tour.StartBrowser(chromium)
	if err != nil {
		return err
	}
	defer b.Close()

	start := time.Now()
	var (
		mu       sync.Mutex
		shots    int
		warnings []string
		errs     []error
	)
	report := func(n int, warns []string, err error) {
		mu.Lock()
		defer mu.Unlock()
		shots += n
		warnings = append(warnings, warns...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	roles := make(chan tour.Role)
	var wg sync.WaitGroup
	for range o.parallel {
		wg.Go(func() {
			for r := range roles {
				n, warns, err := photograph(ctx, b, o, r, stdout)
				report(n, warns, err)
			}
		})
	}
	for _, r := range o.roles {
		roles <- r
	}
	close(roles)
	wg.Wait()

	for _, w := range warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintf(stdout, "%d screenshots in %s/ in %s; %d warnings\n", shots, o.out, time.Since(start).Round(time.Second), len(warnings))
	return errors.Join(errs...)
}

// photograph walks one role's tour in every language and width.
func photograph(ctx context.Context, b *tour.Browser, o options, r tour.Role, stdout io.Writer) (int, []string, error) {
	session, pages, err := tour.Plan(ctx, o.base, demo.Password, r)
	if err != nil {
		return 0, nil, err
	}
	tab, err := b.Tab(session)
	if err != nil {
		return 0, nil, err
	}
	defer tab.Close()
	dir := filepath.Join(o.out, r.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, nil, err
	}
	shots := 0
	var warnings []string
	shoot := func(name string) error {
		png, err := tab.Screenshot(ctx)
		if err != nil {
			return err
		}
		shots++
		return os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	for i, p := range pages {
		for _, lang := range o.langs {
			for _, width := range o.widths {
				where := fmt.Sprintf("%s (%s) %s in %s at %d px", r.Name, r.Email, p.Path, lang, width)
				if err := tab.Open(ctx, p.Path, width, lang); err != nil {
					return shots, warnings, fmt.Errorf("%s: %w", where, err)
				}
				name := fmt.Sprintf("%02d-%s-%s-%d", i+1, p.Name, lang, width)
				if err := shoot(name + ".png"); err != nil {
					return shots, warnings, fmt.Errorf("%s: %w", where, err)
				}
				if width <= tour.Phone {
					ov, err := tab.Overflow(ctx)
					if err != nil {
						return shots, warnings, fmt.Errorf("%s: %w", where, err)
					}
					if ov.Overflows() {
						warnings = append(warnings, fmt.Sprintf("%s scrolls sideways (%d px wide in %d): %s",
							where, ov.ScrollWidth, ov.ClientWidth, strings.Join(ov.Culprits, "; ")))
					}
					if p.Name == "home" {
						if err := tab.OpenMenu(ctx); err != nil {
							return shots, warnings, fmt.Errorf("%s: open the menu: %w", where, err)
						}
						if err := shoot(name + "-menu.png"); err != nil {
							return shots, warnings, fmt.Errorf("%s: %w", where, err)
						}
					}
					unfolded, err := tab.Unfold(ctx)
					if err != nil {
						return shots, warnings, fmt.Errorf("%s: unfold: %w", where, err)
					}
					if unfolded {
						if err := shoot(name + "-unfolded.png"); err != nil {
							return shots, warnings, fmt.Errorf("%s: %w", where, err)
						}
						ov, err := tab.Overflow(ctx)
						if err != nil {
							return shots, warnings, fmt.Errorf("%s: %w", where, err)
						}
						if ov.Overflows() {
							warnings = append(warnings, fmt.Sprintf("%s unfolded scrolls sideways (%d px wide in %d): %s",
								where, ov.ScrollWidth, ov.ClientWidth, strings.Join(ov.Culprits, "; ")))
						}
					}
				}
				if lang == "en" && width == o.widths[0] {
					han, err := tab.HanTexts(ctx)
					if err != nil {
						return shots, warnings, fmt.Errorf("%s: %w", where, err)
					}
					if len(han) > 0 {
						warnings = append(warnings, fmt.Sprintf("%s (%s) %s in English shows Chinese: %s",
							r.Name, r.Email, p.Path, strings.Join(han, " | ")))
					}
				}
			}
		}
	}
	fmt.Fprintf(stdout, "%-12s %2d pages, %d screenshots\n", r.Name, len(pages), shots)
	return shots, warnings, nil
}

// startAccord serves Accord on a free local port over a throwaway PostgreSQL cluster
// holding the demo organisation as `make run` loads it. stop ends both.
func startAccord(ctx context.Context, stderr io.Writer) (base string, stop func(), err error) {
	bin, err := localpg.EnsureBinaries(ctx, stderr)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "accord-screenshots-")
	if err != nil {
		return "", nil, err
	}
	cluster := &localpg.Cluster{Dir: dir, BinDir: bin}
	var cleanups []func()
	stop = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	maintenance, err := cluster.Start(ctx)
	if err != nil {
		return "", nil, err
	}
	cleanups = append(cleanups, func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := cluster.Stop(stopCtx); err != nil {
			fmt.Fprintln(stderr, "screenshots: stop PostgreSQL:", err)
		}
	})
	if err = store.EnsureDatabase(ctx, maintenance, "accord"); err != nil {
		return "", nil, err
	}
	dbURL := cluster.URL("accord")
	m, err := store.NewMigrator(dbURL)
	if err != nil {
		return "", nil, err
	}
	err = m.Up()
	m.Close()
	if err != nil {
		return "", nil, err
	}
	pool, err := store.Open(ctx, dbURL, nil)
	if err != nil {
		return "", nil, err
	}
	cleanups = append(cleanups, pool.Close)
	st := store.New(pool)
	// Cheap password hashes: the database lives for one run and the tour signs in often.
	cheap := password.Params{Time: 1, MemKiB: 1024, Threads: 1}
	if _, err = demo.LoadLive(ctx, st, cheap, time.Now()); err != nil {
		return "", nil, err
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return "", nil, err
	}
	bundle.AddContent(demo.English()) // as `accord dev` does: the demo's texts in English
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := server.New(st, bundle, logger, server.Options{PasswordParams: cheap, DemoHint: true})
	cleanups = append(cleanups, srv.Close)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go httpServer.Serve(listener)
	cleanups = append(cleanups, func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		httpServer.Shutdown(shutdownCtx)
	})
	return "http://" + listener.Addr().String(), stop, nil
}
