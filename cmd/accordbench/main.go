// Command accordbench is `make bench`: it measures Accord at enterprise scale on this
// machine and writes docs/benchmarks.md.
//
// It starts a private throwaway PostgreSQL (fsync off) in a temporary directory, seeds
// a small and a large organisation with `accord seed --scale`, counts the queries each
// key page needs at both sizes, times the stalled-item sweeps and the shared-superior
// lookup, then runs `accord serve` against the large database and loads each key page
// with concurrent signed-in clients, next to a bare page (/healthz) as the ceiling.
//
//	go run ./cmd/accordbench                      # the full run, minutes
//	go run ./cmd/accordbench -scale small -duration 3s -out /tmp/bench.md   # a quick trial
//	go run ./cmd/accordbench -only pages -keep /var/tmp/accordbench -pages inbox,floor   # one change, measured
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/localpg"
	"accord/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "accordbench:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	scale      string          // the size measured under load
	compare    string          // the other size, for queries per page; "" for none
	clients    int             // concurrent clients per page
	duration   time.Duration   // load per page
	warmup     time.Duration   // unrecorded load before each page
	iterations int             // shared-superior lookups timed
	out        string          // where the report goes
	only       string          // "org-import": time only the organisation import, print it; "pages": only the load
	keep       string          // where the PostgreSQL cluster lives and stays, seeded once; "" for the temporary directory
	pages      map[string]bool // the page keys to load; nil for all
	profiles   string          // where the raw CPU profiles are kept; "" for a new temporary directory
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("accordbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.scale, "scale", "large", "organisation measured under load: large or small")
	fs.StringVar(&c.compare, "compare", "", `second organisation for "queries per page, constant in data size" (default: small when -scale is large, else none; "none" to skip)`)
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients per page")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "load per page")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unrecorded load before each page")
	fs.IntVar(&c.iterations, "superior-iterations", 2000, "shared-superior lookups to time")
	fs.StringVar(&c.out, "out", "docs/benchmarks.md", "where to write the report")
	fs.StringVar(&c.profiles, "profiles", "", "where to keep the server's raw CPU profiles (default: a new directory under the temporary directory, named in the report)")
	fs.StringVar(&c.only, "only", "", `"org-import": time only the organisation import and print its section; `+
		`"pages": only load the pages (with -pages, those) and print what was measured, leaving -out alone`)
	fs.StringVar(&c.keep, "keep", "", "keep the PostgreSQL cluster and its seeded databases in this directory, "+
		"and reuse them when they are there (with -only pages: to measure one change without seeding again)")
	pageList := fs.String("pages", "", "comma-separated keys of the pages to load (floor, workbook, tracker, inbox, …); default all")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if *pageList != "" {
		c.pages = map[string]bool{}
		for key := range strings.SplitSeq(*pageList, ",") {
			if !slices.ContainsFunc(keyPages, func(p pageSpec) bool { return p.Key == key }) {
				return config{}, fmt.Errorf("-pages: no page %q", key)
			}
			c.pages[key] = true
		}
	}
	if c.scale != "large" && c.scale != "small" {
		return config{}, fmt.Errorf("-scale %q: say large or small", c.scale)
	}
	switch c.compare {
	case "":
		if c.scale == "large" {
			c.compare = "small"
		}
	case "none":
		c.compare = ""
	case "small", "large":
		if c.compare == c.scale {
			c.compare = ""
		}
	default:
		return config{}, fmt.Errorf("-compare %q: say small, large or none", c.compare)
	}
	switch c.only {
	case "", "org-import":
	case "pages":
		c.compare = "" // queries per page at one size only
	default:
		return config{}, fmt.Errorf("-only %q: say org-import or pages", c.only)
	}
	if c.clients < 1 || c.duration <= 0 || c.iterations < 1 {
		return config{}, errors.New("-clients, -duration and -superior-iterations must be positive")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the repository root (make bench does)")
	}
	rep := &report{cfg: cfg, started: time.Now()}
	rep.machine = readMachine(ctx)
	rep.loadStart = readLoadAvg()
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "accordbench: "+format+"\n", a...) }

	tmp, err := os.MkdirTemp("", "accordbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The postgres user must reach the cluster under tmp.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}

	bin := filepath.Join(tmp, "accord")
	if cfg.only != "org-import" {
		logf("building the binary …")
		if err := buildBinary(ctx, bin, stderr); err != nil {
			return err
		}
	}

	pgBin, err := localpg.FindBinaries()
	if err != nil {
		return err
	}
	clusterDir := filepath.Join(tmp, "pg")
	if cfg.keep != "" {
		clusterDir = cfg.keep
	}
	cluster := &localpg.Cluster{Dir: clusterDir, BinDir: pgBin, Log: stderr, Settings: pgStatSettings}
	logf("starting a throwaway PostgreSQL (fsync off) in %s …", cluster.Dir)
	maintenance, err := cluster.Start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := cluster.Stop(stopCtx); err != nil {
			logf("stop PostgreSQL: %v", err)
		}
	}()
	rep.machine.Postgres = postgresVersion(ctx, maintenance)
	if cfg.only == "org-import" {
		logf("timing the organisation import (1,000 units, 20,000 people) …")
		res, err := timeOrgImport(ctx, maintenance, cluster)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "## Organisation import\n\n%s", res.markdown())
		return nil
	}

	// Seed: the comparison size first, it takes seconds.
	sizes := []string{cfg.scale}
	if cfg.compare != "" {
		sizes = []string{cfg.compare, cfg.scale}
	}
	dbs := map[string]string{}
	for _, size := range sizes {
		name := "accord_" + size
		if err := store.EnsureDatabase(ctx, maintenance, name); err != nil {
			return err
		}
		dbs[size] = cluster.URL(name)
		// A kept database is migrated too: the code measured may have added migrations
		// since it was seeded.
		m, err := store.NewMigrator(dbs[size])
		if err != nil {
			return err
		}
		err = m.Up()
		m.Close()
		if err != nil {
			return err
		}
		if cfg.keep != "" && seeded(ctx, dbs[size]) {
			logf("the %s organisation is already seeded in %s", size, cfg.keep)
			continue
		}
		logf("seeding the %s organisation: accord seed --scale %s", size, size)
		seed, err := seedDatabase(ctx, bin, dbs[size], size, stderr)
		if err != nil {
			return err
		}
		rep.seeds = append(rep.seeds, seed)
	}

	if cfg.only == "pages" {
		return runPagesOnly(ctx, cfg, bin, dbs, clusterDir, tmp, rep, stdout, logf)
	}
	for _, size := range sizes {
		logf("settling %s: VACUUM (FULL), then VACUUM (ANALYZE) …", size)
		d, err := vacuum(ctx, dbs[size])
		if err != nil {
			return err
		}
		rep.vacuum = append(rep.vacuum, timed{size, d})
	}

	// The sweeps run before anything else touches the data, so the first run finds
	// the whole backlog; the second is the steady state every later run sees.
	for _, size := range sizes {
		logf("timing the stalled-item sweeps on %s …", size)
		sw, err := measureSweeps(ctx, dbs[size], size == cfg.scale)
		if err != nil {
			return err
		}
		sw.Size = size
		rep.sweeps = append(rep.sweeps, sw)
	}
	logf("timing the shared-superior lookup (%d lookups) …", cfg.iterations)
	if rep.superior, err = measureSuperior(ctx, dbs[cfg.scale], cfg.iterations); err != nil {
		return err
	}
	for _, size := range sizes {
		rep.counts = append(rep.counts, tableCounts(ctx, dbs[size], size))
	}
	logf("timing the organisation import (1,000 units, 20,000 people) …")
	if rep.orgImport, err = timeOrgImport(ctx, maintenance, cluster); err != nil {
		return err
	}

	logf("counting queries per page …")
	pages, err := countQueries(ctx, bin, sizes, dbs)
	if err != nil {
		return err
	}
	rep.pages = pages

	if cfg.profiles == "" {
		if cfg.profiles, err = os.MkdirTemp("", "accordbench-profiles-"+time.Now().Format("20060102-150405")+"-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(cfg.profiles, 0o755); err != nil {
		return err
	}
	rep.cfg.profiles = cfg.profiles
	if err := keepBinary(bin, cfg.profiles); err != nil {
		return err
	}
	logf("load: `accord serve` against the %s organisation, %d clients, %s per page …", cfg.scale, cfg.clients, cfg.duration)
	if err := runLoad(ctx, cfg, bin, dbs[cfg.scale], clusterDir, tmp, rep, logf); err != nil {
		return err
	}
	rep.loadEnd = readLoadAvg()
	rep.finished = time.Now()

	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(cfg.out, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.summary())
	logf("wrote %s", cfg.out)
	return nil
}

// seeded reports whether the database at url already holds a seeded organisation.
func seeded(ctx context.Context, url string) bool {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return false
	}
	defer pool.Close()
	var projects int
	return pool.QueryRow(ctx, `SELECT count(*) FROM projects`).Scan(&projects) == nil && projects > 0
}

// runPagesOnly is -only pages: the queries and the load of the chosen pages against
// the (kept) database, printed, for measuring one change; docs/benchmarks.md comes
// only from a full run.
func runPagesOnly(ctx context.Context, cfg config, bin string, dbs map[string]string, clusterDir, tmp string,
	rep *report, stdout io.Writer, logf func(string, ...any)) error {
	pages, err := countQueries(ctx, bin, []string{cfg.scale}, dbs)
	if err != nil {
		return err
	}
	rep.pages = pages
	if cfg.profiles == "" {
		cfg.profiles = filepath.Join(tmp, "profiles")
	}
	if err := os.MkdirAll(cfg.profiles, 0o755); err != nil {
		return err
	}
	rep.cfg.profiles = cfg.profiles
	logf("load: %d clients, %s per page …", cfg.clients, cfg.duration)
	if err := runLoad(ctx, cfg, bin, dbs[cfg.scale], clusterDir, tmp, rep, logf); err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.summary())
	var b strings.Builder
	rep.writeProfiles(func(format string, a ...any) { fmt.Fprintf(&b, format, a...) })
	fmt.Fprint(stdout, "\n", b.String())
	return nil
}
