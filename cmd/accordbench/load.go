package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// loadResult is one page under load.
type loadResult struct {
	Requests      int
	Errors        int
	Timeouts      int // requests the client gave up on after clientTimeout
	FirstError    string
	Elapsed       time.Duration
	P50, P95, P99 time.Duration
	Max           time.Duration
	RPS           float64
	CPU           cpuShare
	Load          loadAvg // the one-minute load average when the run ended
	PeakRSSKB     int     // the server's peak resident memory during this run
	Start, End    time.Time
	SweepDuring   bool            // a periodic background sweep ran during the run
	Profile       *profileSummary // the server's CPU profile over the run
	DB            *dbStats        // pg_stat_statements over the run
	Views         *viewCounts     // how the server answered views of kept pages over the run
	Writes        *writeCounts    // what the page's writer did over the run, if it had one
	// Slowest is, for a run over several pages (a working mix), how many of the
	// slowest 1% of its requests each page had, by pageOf.
	Slowest map[string]int
}

// pageOf names the page a URL shows, its numbers and query left out: /units/N,
// /projects/N/tracker, /search.
func pageOf(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	parts := strings.Split(parsed.Path, "/")
	for i, part := range parts {
		if _, err := strconv.ParseInt(part, 10, 64); err == nil {
			parts[i] = "N"
		}
	}
	return strings.Join(parts, "/")
}

// memory is what /proc/<pid>/status says about the server.
type memory struct {
	StartHWMKB       int // after start-up and the start-up sweep
	StartRSSKB       int
	GivenBackAfter   time.Duration // traffic it took to give the sign-ins' memory back
	SettledRSSKB     int
	AfterSignInHWMKB int // peak since start, sign-ins (argon2id, password.DefaultParams) included
	AfterSignInRSSKB int
	LoadPeakKB       int // highest peak over the load runs
	EndHWMKB         int
	EndRSSKB         int
	// OtherProcessesHWMKB is the highest peak of the processes restarted away.
	OtherProcessesHWMKB int
	CanReset            bool
}

// startupSweep is the background sweep `accord serve` runs when it starts.
type startupSweep struct {
	Duration time.Duration
	State    string
	Waited   time.Duration
}

// serverProc is one `accord serve` process.
type serverProc struct {
	bin, dbURL, logPath string
	port                int
	metricsPort         int // ACCORD_METRICS_ADDR, where the profiler answers
	cmd                 *exec.Cmd
	pid                 int
	exited              chan error
	started             time.Time
}

func (p *serverProc) start(ctx context.Context, client *http.Client) error {
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	p.cmd = exec.Command(p.bin, "serve")
	p.cmd.Env = append(os.Environ(), "DATABASE_URL="+p.dbURL, "PORT="+strconv.Itoa(p.port), "ACCORD_HOST=127.0.0.1",
		"ACCORD_LOG_LEVEL=warn", fmt.Sprintf("ACCORD_METRICS_ADDR=127.0.0.1:%d", p.metricsPort))
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		return err
	}
	p.pid, p.started = p.cmd.Process.Pid, time.Now()
	p.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, exited chan<- error) { exited <- cmd.Wait() }(p.cmd, p.exited)
	if err := waitHealthy(ctx, client, p.base(), p.exited); err != nil {
		return p.fail(err)
	}
	return nil
}

func (p *serverProc) base() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

func (p *serverProc) metricsBase() string { return fmt.Sprintf("http://127.0.0.1:%d", p.metricsPort) }

// stop ends the process the way a deployment would: SIGTERM, then a grace period.
func (p *serverProc) stop() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
}

// fail adds the end of the server's log to err.
func (p *serverProc) fail(err error) error {
	tail, _ := os.ReadFile(p.logPath)
	if len(tail) > 2000 {
		tail = tail[len(tail)-2000:]
	}
	return fmt.Errorf("%w\nserver log:\n%s", err, tail)
}

// sweepInterval is how often `accord serve` sweeps (jobs.Options' default); a run
// that would overlap the next sweep starts on a fresh process instead.
const sweepInterval = 5 * time.Minute

// runLoad serves the database with the real binary and loads the ceiling and each
// built page in turn.
func runLoad(ctx context.Context, cfg config, bin, dbURL, pgDir, tmp string, rep *report, logf func(string, ...any)) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	client := newHTTPClient(cfg.clients)
	srv := &serverProc{bin: bin, dbURL: dbURL, logPath: filepath.Join(tmp, "server.log"), port: ports[0], metricsPort: ports[1]}
	if err := srv.start(ctx, client); err != nil {
		return err
	}
	defer srv.stop()
	rep.serverStart = srv.started

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	logf("waiting for the server's start-up sweep to finish …")
	rep.startup = waitStartupSweep(ctx, pool, 0)

	pgStatErr := enablePgStat(ctx, pool)
	if pgStatErr != nil {
		logf("no pg_stat_statements: %v", pgStatErr)
	}

	apiRoute := ""
	for _, p := range rep.pages {
		if p.Spec.Key == "api" && p.Built {
			apiRoute = p.Route
		}
	}
	targets, err := resolveTargets(ctx, pool, apiRoute)
	if err != nil {
		return err
	}
	rep.memory.StartHWMKB, rep.memory.StartRSSKB = readMemory(srv.pid)
	creds := &credentials{bin: bin, dbURL: dbURL, base: srv.base(), client: client}
	cred := map[string]credential{}
	for _, p := range rep.pages {
		if !p.Built {
			continue
		}
		t, ok := targets[p.Spec.Key]
		if !ok {
			continue
		}
		if cred[p.Spec.Key], err = creds.of(ctx, t); err != nil {
			return srv.fail(err)
		}
		for _, m := range t.Mix {
			if _, err := creds.of(ctx, target{Email: m.Email}); err != nil {
				return srv.fail(err)
			}
		}
	}
	// Writers sign in apart from the pages' clients, as other people or other devices.
	writers := map[string]*http.Cookie{}
	for _, p := range rep.pages {
		t, ok := targets[p.Spec.Key]
		if !p.Built || !ok || t.Writes == nil {
			continue
		}
		for _, by := range t.Writes.By {
			if writers[by.Email] != nil {
				continue
			}
			if writers[by.Email], err = signIn(ctx, client, srv.base(), by.Email); err != nil {
				return srv.fail(err)
			}
			rep.signIns++
		}
	}
	for _, c := range creds.have {
		if c.Cookie != nil {
			rep.signIns++
		}
	}
	rep.memory.AfterSignInHWMKB, rep.memory.AfterSignInRSSKB = readMemory(srv.pid)
	rep.memory.CanReset = resetPeak(srv.pid) == nil
	// Wait, under traffic (a garbage collection needs allocations), until the memory
	// the sign-ins took is given back, so the page loads measure only themselves.
	settleStart := time.Now()
	for time.Since(settleStart) < time.Minute {
		if _, rss := readMemory(srv.pid); rss <= rep.memory.StartRSSKB+32*1024 {
			break
		}
		drive(ctx, client, srv.base()+"/healthz", credential{}, cfg.clients, time.Second)
	}
	rep.memory.GivenBackAfter = time.Since(settleStart)
	_, rep.memory.SettledRSSKB = readMemory(srv.pid)

	// The longest a run can take: warm-up and run, each perhaps waiting out the
	// client's timeout, and the settling in between.
	longest := cfg.warmup + cfg.duration + 2*clientTimeout + 35*time.Second
	// routeOf is each client's n-th request for a page: its own paths in turn, as its own
	// person, for a mix; the page's path for the others.
	routeOf := func(t target, c credential) func(int, int) (string, credential) {
		if len(t.Mix) == 0 {
			return func(int, int) (string, credential) { return srv.base() + t.Path, c }
		}
		return func(i, n int) (string, credential) {
			m := t.Mix[i%len(t.Mix)]
			return srv.base() + m.Paths[n%len(m.Paths)], creds.session(m.Email)
		}
	}
	load := func(key, name, path string, route func(int, int) (string, credential), plan *writePlan) (loadResult, error) {
		if err := ctx.Err(); err != nil {
			return loadResult{}, err // interrupted: do not settle and profile each remaining page
		}
		if time.Since(srv.started)+longest > sweepInterval {
			// Sessions and tokens live in the database: they survive the restart.
			logf("  restarting `accord serve` so the next run does not overlap its periodic sweep …")
			hwm, _ := readMemory(srv.pid)
			rep.memory.OtherProcessesHWMKB = max(rep.memory.OtherProcessesHWMKB, hwm)
			var lastJob int64
			pool.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM river_job`).Scan(&lastJob)
			srv.stop()
			rep.restartTimes = append(rep.restartTimes, time.Now())
			if err := srv.start(ctx, client); err != nil {
				return loadResult{}, err
			}
			rep.restarts++
			waitStartupSweep(ctx, pool, lastJob)
		}
		logf("  %-17s %s for %s (+%s warm-up) …", name, path, cfg.duration, cfg.warmup)
		var writing *writer
		if plan != nil {
			writing = startWriting(ctx, client, srv.base(), writers, plan)
		}
		driveEach(ctx, client, route, cfg.clients, cfg.warmup)
		// Go hands freed memory back to the system gradually; let the resident set
		// settle so a run's peak is its own, not what the one before left behind.
		settleRSS(srv.pid)
		resetPeak(srv.pid)
		if pgStatErr == nil {
			if err := resetPgStat(ctx, pool); err != nil {
				logf("  pg_stat_statements_reset: %v", err)
			}
		}
		profilePath := filepath.Join(cfg.profiles, key+".pb.gz")
		profiled := make(chan error, 1)
		go func() { profiled <- takeProfile(ctx, srv.metricsBase(), profileSeconds(cfg.duration), profilePath) }()
		viewsBefore, viewsErr := readViewCounts(ctx, client, srv.metricsBase())
		var wroteBefore writeCounts
		if writing != nil {
			wroteBefore = writing.snapshot()
		}
		before := takeCPU(srv.pid, pgDir)
		start := time.Now()
		res := driveEach(ctx, client, route, cfg.clients, cfg.duration)
		res.Start, res.End = start, time.Now()
		res.CPU = before.until(takeCPU(srv.pid, pgDir))
		if writing != nil {
			wrote := writing.finish().since(wroteBefore)
			res.Writes = &wrote
		}
		if viewsAfter, err := readViewCounts(ctx, client, srv.metricsBase()); err == nil && viewsErr == nil {
			views := viewsAfter.minus(viewsBefore)
			res.Views = &views
		} else {
			logf("  counts of kept views: %v", errors.Join(viewsErr, err))
		}
		if pgStatErr == nil {
			db := readPgStat(ctx, pool)
			res.DB = &db
		}
		if err := <-profiled; err != nil {
			res.Profile = &profileSummary{Path: profilePath, Err: err.Error()}
		} else {
			p := summariseProfile(ctx, profilePath)
			res.Profile = &p
		}
		res.Load = readLoadAvg()
		res.PeakRSSKB, _ = readMemory(srv.pid)
		rep.memory.LoadPeakKB = max(rep.memory.LoadPeakKB, res.PeakRSSKB)
		logf("  %-17s p50 %s  p99 %s  %.0f req/s  %d errors", name, res.P50.Round(100*time.Microsecond),
			res.P99.Round(100*time.Microsecond), res.RPS, res.Errors)
		select {
		case err := <-srv.exited:
			return res, srv.fail(fmt.Errorf("the server exited during the load: %v", err))
		default:
		}
		return res, nil
	}
	// The ceiling before and after the pages: the machine is shared, so a drift
	// between the two shows in the report.
	healthz := routeOf(target{Path: "/healthz"}, credential{})
	res, err := load("ceiling-before", "ceiling", "/healthz", healthz, nil)
	if err != nil {
		return err
	}
	rep.ceiling = append(rep.ceiling, res)
	for _, p := range rep.pages {
		if !p.Built || (cfg.pages != nil && !cfg.pages[p.Spec.Key]) {
			continue
		}
		t, ok := targets[p.Spec.Key]
		if !ok {
			continue
		}
		if len(t.Mix) > 0 && cfg.clients != len(t.Mix) {
			logf("  %s: %d clients for %d people: some view as two, or some not at all", p.Spec.Name, cfg.clients, len(t.Mix))
			t.Who += fmt.Sprintf(" (run with %d clients: client i is person i mod %d)", cfg.clients, len(t.Mix))
		}
		res, err := load(p.Spec.Key, p.Spec.Name, t.Path, routeOf(t, cred[p.Spec.Key]), t.Writes)
		if err != nil {
			return err
		}
		p.Load = &res
		p.Targets["load"] = t
	}
	if res, err = load("ceiling-after", "ceiling", "/healthz", healthz, nil); err != nil {
		return err
	}
	rep.ceiling = append(rep.ceiling, res)
	rep.memory.EndHWMKB, rep.memory.EndRSSKB = readMemory(srv.pid)
	if lead, ok := cred["workbook"]; ok && (cfg.pages == nil || cfg.pages["workbook"]) {
		// The biggest page, the workbook, is the one compression matters for.
		c := measureCompression(ctx, cfg, client, srv.base(), tmp, "Workbook", targets["workbook"].Path, lead, srv.pid, logf)
		rep.compression = &c
	}
	if lead, ok := cred["workbook"]; ok {
		var project int64
		fmt.Sscanf(targets["workbook"].Path, "/projects/%d", &project)
		logf("  a 10 MB attachment, up and down …")
		rep.files = measureFileTransfer(ctx, client, srv.base(), project, lead, pool, srv.pid)
	}
	markSweeps(ctx, pool, rep)
	rep.serverLog = summariseLog(srv.logPath)
	return nil
}

// logSummary counts the warnings and errors the server logged, with a few examples.
type logSummary struct {
	Warnings, Errors int
	Examples         []string // distinct messages, first seen first
	LeaderLost       int      // River leadership errors: re-election or resignation failed
}

func summariseLog(path string) logSummary {
	var sum logSummary
	b, err := os.ReadFile(path)
	if err != nil {
		return sum
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.Contains(line, "level=WARN"):
			sum.Warnings++
		case strings.Contains(line, "level=ERROR"):
			sum.Errors++
		default:
			continue
		}
		if strings.Contains(line, "leadership.Elector") {
			sum.LeaderLost++
		}
		msg := line
		if i := strings.Index(line, "msg="); i >= 0 {
			msg = line[i:]
		}
		if len(msg) > 160 {
			msg = msg[:160] + "…"
		}
		key := msg
		if len(key) > 60 {
			key = key[:60]
		}
		if !seen[key] && len(sum.Examples) < 8 {
			seen[key] = true
			sum.Examples = append(sum.Examples, msg)
		}
	}
	return sum
}

// drive runs clients concurrent loops of GET u for d and gathers the latencies.
func drive(ctx context.Context, client *http.Client, u string, c credential, clients int, d time.Duration) loadResult {
	return driveEach(ctx, client, func(int, int) (string, credential) { return u, c }, clients, d)
}

// driveEach is drive with each client's n-th request given by route.
func driveEach(ctx context.Context, client *http.Client, route func(client, n int) (string, credential), clients int,
	d time.Duration) loadResult {
	var mu sync.Mutex
	var all []time.Duration
	var res loadResult
	type timed struct {
		took time.Duration
		page string
	}
	var each []timed
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var mineEach []timed
			var errs, timeouts int
			var first string
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				u, c := route(i, n)
				t0 := time.Now()
				status, _, err := get(ctx, client, u, c)
				mine = append(mine, time.Since(t0))
				mineEach = append(mineEach, timed{mine[len(mine)-1], u})
				if err != nil || status != http.StatusOK {
					errs++
					if errors.Is(err, context.DeadlineExceeded) || strings.Contains(fmt.Sprint(err), "Client.Timeout") {
						timeouts++
					}
					if first == "" {
						if err != nil {
							first = err.Error()
						} else {
							first = fmt.Sprintf("%s: status %d", u, status)
						}
					}
				}
			}
			mu.Lock()
			all = append(all, mine...)
			each = append(each, mineEach...)
			res.Errors += errs
			res.Timeouts += timeouts
			if res.FirstError == "" {
				res.FirstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res.Requests = len(all)
	res.P50, res.P95, res.P99 = percentile(all, 50), percentile(all, 95), percentile(all, 99)
	if len(all) > 0 {
		res.Max = all[len(all)-1]
	}
	// Only for a run over several pages: whichever page its slowest were of.
	visited := map[string]bool{}
	for _, t := range each {
		visited[pageOf(t.page)] = true
	}
	if len(visited) > 1 {
		sort.Slice(each, func(i, j int) bool { return each[i].took > each[j].took })
		res.Slowest = map[string]int{}
		for _, t := range each[:len(each)/100] {
			res.Slowest[pageOf(t.page)]++
		}
	}
	res.RPS = float64(res.Requests) / res.Elapsed.Seconds()
	return res
}

func waitHealthy(ctx context.Context, client *http.Client, base string, exited <-chan error) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("accord serve exited: %v", err)
		default:
		}
		if status, _, err := get(ctx, client, base+"/healthz", credential{}); err == nil && status == http.StatusOK {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("accord serve did not answer /healthz within 2 minutes")
}

// waitStartupSweep waits for the sweep River runs on start, so it does not share the
// CPU with a measurement, and reports how long it took.
func waitStartupSweep(ctx context.Context, pool *pgxpool.Pool, afterID int64) startupSweep {
	start := time.Now()
	for time.Since(start) < 10*time.Minute && ctx.Err() == nil {
		var s startupSweep
		var took *time.Duration
		err := pool.QueryRow(ctx, `SELECT finalized_at - attempted_at, state::text FROM river_job
			WHERE kind = 'accord_sweep' AND finalized_at IS NOT NULL AND id > $1 ORDER BY id LIMIT 1`, afterID).Scan(&took, &s.State)
		if err == nil {
			if took != nil {
				s.Duration = *took
			}
			s.Waited = time.Since(start)
			return s
		}
		if !strings.Contains(err.Error(), "no rows") {
			time.Sleep(10 * time.Second) // no River table to read: give it a moment
			return startupSweep{State: "unknown (" + err.Error() + ")", Waited: time.Since(start)}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return startupSweep{State: "still running", Waited: time.Since(start)}
}

// sweepJob is one background sweep River ran during the load.
type sweepJob struct {
	ID                           int64
	State                        string
	Attempt, Errors              int
	Created, Attempted, Finished *time.Time
}

// markSweeps lists the background sweeps and flags the load runs that overlapped one.
func markSweeps(ctx context.Context, pool *pgxpool.Pool, rep *report) {
	rows, err := pool.Query(ctx, `SELECT id, state::text, attempt, COALESCE(array_length(errors, 1), 0), created_at,
			attempted_at, finalized_at
		FROM river_job WHERE kind = 'accord_sweep' ORDER BY id`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var j sweepJob
		if rows.Scan(&j.ID, &j.State, &j.Attempt, &j.Errors, &j.Created, &j.Attempted, &j.Finished) == nil {
			rep.sweepJobs = append(rep.sweepJobs, j)
		}
	}
	mark := func(l *loadResult) {
		for _, j := range rep.sweepJobs {
			if j.Attempted == nil {
				continue
			}
			// A job cut short by a restart keeps no end: count it until the restart.
			end := time.Now()
			if j.Finished != nil {
				end = *j.Finished
			}
			for _, r := range rep.restartTimes {
				if r.After(*j.Attempted) && r.Before(end) {
					end = r
				}
			}
			if j.Attempted.Before(l.End) && end.After(l.Start) {
				l.SweepDuring = true
			}
		}
	}
	for i := range rep.ceiling {
		mark(&rep.ceiling[i])
	}
	for _, p := range rep.pages {
		if p.Load != nil {
			mark(p.Load)
		}
	}
}

// readMemory returns VmHWM and VmRSS in kB.
func readMemory(pid int) (hwm, rss int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var v int
		if n, _ := fmt.Sscanf(line, "VmHWM: %d kB", &v); n == 1 {
			hwm = v
		}
		if n, _ := fmt.Sscanf(line, "VmRSS: %d kB", &v); n == 1 {
			rss = v
		}
	}
	return hwm, rss
}

// settleRSS waits, up to 30 s, until the resident set stops shrinking for 2 s.
func settleRSS(pid int) {
	_, last := readMemory(pid)
	stable := time.Now()
	for start := time.Now(); time.Since(start) < 30*time.Second && time.Since(stable) < 2*time.Second; {
		time.Sleep(250 * time.Millisecond)
		if _, rss := readMemory(pid); rss < last-1024 {
			last, stable = rss, time.Now()
		}
	}
}

// resetPeak sets VmHWM back to the current RSS (Linux: write 5 to clear_refs).
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// freePorts finds n distinct free loopback ports, holding each until all are found.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
