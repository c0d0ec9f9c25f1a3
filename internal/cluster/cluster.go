// Package cluster runs Accord as several instances behind HAProxy, all on loopback
// with one PostgreSQL, and measures what a company running it that way would see:
// a session made on one instance works on the others, background work runs once,
// a rolling restart under load fails no request, and a killed instance costs only
// the requests it held. `make cluster` (cmd/accordcluster) prints the figures;
// internal/faults runs it as a test.
package cluster

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/localpg"
	"accord/internal/password"
	"accord/internal/store"
)

// Options say what to run. Zero values pick the defaults.
type Options struct {
	// DatabaseURL is a migrated database with the demo organisation (pgtest's
	// DemoLive); empty starts a private PostgreSQL in a temporary directory and
	// loads the demo organisation into it.
	DatabaseURL string
	// Binary is a built `accord`; empty builds one (go build, without -race).
	Binary string
	// HAProxy is the haproxy executable; FindHAProxy's when empty.
	HAProxy   string
	Instances int           // 3
	Clients   int           // concurrent clients, each with its own session: 16
	Settle    time.Duration // load before and after each disturbance: 2s
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Load is what the clients saw during one scenario.
type Load struct {
	Requests int
	Failures int // transport errors and 5xx answers
	Refused  int // 4xx answers: not failures, but a sign the workload is wrong
	P50, P99 time.Duration
	// FirstErrors are a few of the failures, for the report.
	FirstErrors []string
}

// Figures are the results of every scenario.
type Figures struct {
	Instances int
	Clients   int
	// Session: a session made through one instance, used on each instance directly
	// and through the balancer.
	SessionChecks int
	SessionOK     bool
	// Compression: a page asked for with gzip through the balancer came compressed
	// and whole; InstanceEncoding is what an instance sent for the same request.
	Compressed                 bool
	CompressedBytes, PageBytes int
	InstanceEncoding           string
	// Background: notifications caused through the balancer, their webhook
	// deliveries recorded in the database, the posts the receiver got, and posts it
	// got more than once; sweeps River ran and duplicated reminders.
	Notifications     int
	DeliveriesSent    int
	WebhookPosts      int
	Undelivered       int // notifications without a sent webhook delivery
	DuplicatePosts    int
	DeliveryKey       string // what posts were told apart by
	SweepRuns         int
	StaleRequests     int // requests made due for a reminder before the instances start
	Reminders         int
	DuplicateReminder int
	// Rolling: every instance in turn SIGTERM'd and restarted under load.
	Rolling       Load
	RestartTimes  []time.Duration // signal to ready and back in the balancer
	ShutdownTimes []time.Duration // signal to exit
	// Kill: one instance SIGKILL'd under load; Before/After the balancer noticed.
	KillBefore  Load
	KillAfter   Load
	KillNoticed time.Duration // kill to the balancer marking it down
	KillRestart time.Duration // restart to back in the balancer
	BuildTime   time.Duration
	Total       time.Duration
}

// Run starts everything, runs the scenarios and stops everything again.
func Run(ctx context.Context, opts Options) (Figures, error) {
	if opts.Instances == 0 {
		opts.Instances = 3
	}
	if opts.Clients == 0 {
		opts.Clients = 16
	}
	if opts.Settle == 0 {
		opts.Settle = 2 * time.Second
	}
	if opts.HAProxy == "" {
		p, err := FindHAProxy()
		if err != nil {
			return Figures{}, err
		}
		opts.HAProxy = p
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	started := time.Now()
	c := &cluster{opts: opts, fig: Figures{Instances: opts.Instances, Clients: opts.Clients}}
	defer c.stop()
	if err := c.setUp(ctx); err != nil {
		return c.fig, err
	}
	err := c.scenarios(ctx)
	c.fig.Total = time.Since(started)
	if err != nil {
		return c.fig, fmt.Errorf("%w\n%s", err, c.logTail())
	}
	return c.fig, nil
}

// The balancer's health check: an instance is out after fall failed checks inter
// apart, back after rise good ones. The drain must outlast inter × fall.
const (
	checkInter = 250 * time.Millisecond
	checkFall  = 2
	checkRise  = 2
	drainDelay = 2 * time.Second
)

type instance struct {
	name string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

type cluster struct {
	opts     Options
	fig      Figures
	dir      string
	pg       *localpg.Cluster
	dbURL    string
	pool     *pgxpool.Pool
	binary   string
	inst     []*instance
	haproxy  *exec.Cmd
	hpDone   chan struct{}
	base     string // the balancer
	stats    string // the balancer's stats, CSV
	receiver *receiver
	nudges   []nudge
	nudged   int // nudges accepted
}

func (c *cluster) logf(format string, args ...any) {
	fmt.Fprintf(c.opts.Log, "cluster: "+format+"\n", args...)
}

func (c *cluster) setUp(ctx context.Context) error {
	var err error
	if c.dir, err = os.MkdirTemp("", "accord-cluster-"); err != nil {
		return err
	}
	// As root, PostgreSQL runs as the postgres user, who must reach its directory.
	if err := os.Chmod(c.dir, 0o755); err != nil {
		return err
	}
	if err := c.database(ctx); err != nil {
		return err
	}
	if c.pool, err = pgxpool.New(ctx, c.dbURL); err != nil {
		return err
	}
	if err := c.build(ctx); err != nil {
		return err
	}
	if c.receiver, err = newReceiver(); err != nil {
		return err
	}
	if c.receiver == nil {
		c.logf("this machine has no network address but loopback, which Accord never posts webhooks to: webhook deliveries are not counted")
	} else if err := c.registerWebhooks(ctx); err != nil {
		return err
	}
	// Requests left idle for sixty days (past the demo projects' cadence) and due
	// for a reminder: the sweep, which River runs on one instance (on start, then
	// every five minutes), reminds each once, however many sweeps the restarts cause.
	aged, err := c.pool.Exec(ctx, `UPDATE requests SET last_activity_at = now() - interval '60 days',
		remind_at = now() - interval '1 minute' WHERE state IN ('requested', 'agreed', 'in_progress')`)
	if err != nil {
		return err
	}
	c.fig.StaleRequests = int(aged.RowsAffected())
	// The first instance migrates (a no-op on a current schema); the others wait
	// for it, as they would behind a one-shot migrate in compose.
	for i := range c.opts.Instances {
		port, err := freePort()
		if err != nil {
			return err
		}
		in := &instance{name: fmt.Sprintf("accord%d", i), port: port, log: filepath.Join(c.dir, fmt.Sprintf("accord%d.log", i))}
		c.inst = append(c.inst, in)
		if err := c.start(in, i == 0); err != nil {
			return err
		}
		if i == 0 {
			if err := c.waitReady(ctx, in); err != nil {
				return err
			}
		}
	}
	for _, in := range c.inst {
		if err := c.waitReady(ctx, in); err != nil {
			return err
		}
	}
	return c.startBalancer(ctx)
}

// database is the caller's, or a private cluster with the demo organisation.
func (c *cluster) database(ctx context.Context) error {
	if c.opts.DatabaseURL != "" {
		c.dbURL = c.opts.DatabaseURL
		return nil
	}
	bin, err := localpg.EnsureBinaries(ctx, c.opts.Log)
	if err != nil {
		return err
	}
	c.pg = &localpg.Cluster{Dir: filepath.Join(c.dir, "pg"), BinDir: bin}
	maintenance, err := c.pg.Start(ctx)
	if err != nil {
		return err
	}
	if err := store.EnsureDatabase(ctx, maintenance, "accord"); err != nil {
		return err
	}
	c.dbURL = c.pg.URL("accord")
	m, err := store.NewMigrator(c.dbURL)
	if err != nil {
		return err
	}
	err = m.Up()
	m.Close()
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, c.dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	// Cheap password hashes: sixteen sign-ins at once should measure the cluster,
	// not Argon2.
	_, err = demo.LoadLive(ctx, store.New(pool), password.Params{Time: 1, MemKiB: 1024, Threads: 1}, time.Now())
	c.logf("PostgreSQL on %s with the demo organisation", c.pg.URL(""))
	return err
}

func (c *cluster) build(ctx context.Context) error {
	if c.opts.Binary != "" {
		c.binary = c.opts.Binary
		return nil
	}
	c.binary = filepath.Join(c.dir, "accord")
	began := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", c.binary, "accord/cmd/accord")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build accord: %w\n%s", err, out)
	}
	c.fig.BuildTime = time.Since(began)
	c.logf("built accord in %v", c.fig.BuildTime.Round(100*time.Millisecond))
	return nil
}

// start runs one `accord serve`.
func (c *cluster) start(in *instance, migrate bool) error {
	args := []string{"serve"}
	if migrate {
		args = append(args, "--migrate")
	}
	logFile, err := os.OpenFile(in.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.binary, args...)
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+c.dbURL,
		fmt.Sprintf("PORT=%d", in.port),
		"ACCORD_HOST=127.0.0.1",
		"ACCORD_TRUSTED_PROXIES=127.0.0.1/32",
		"ACCORD_WEBHOOK_ALLOW_PRIVATE=true",
		"ACCORD_DRAIN_DELAY="+drainDelay.String(),
		"ACCORD_SHUTDOWN_TIMEOUT=10s",
		"ACCORD_LOG_LEVEL=warn",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start %s: %w", in.name, err)
	}
	in.cmd = cmd
	in.done = make(chan struct{})
	go func() {
		cmd.Wait()
		logFile.Close()
		close(in.done)
	}()
	return nil
}

func (c *cluster) waitReady(ctx context.Context, in *instance) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", in.port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-in.done:
			return fmt.Errorf("%s exited before it was ready", in.name)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := probe.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 30s", in.name)
}

func (c *cluster) startBalancer(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	statsPort, err := freePort()
	if err != nil {
		return err
	}
	cfg := balancerConfig{Bind: fmt.Sprintf("127.0.0.1:%d", port), StatsBind: fmt.Sprintf("127.0.0.1:%d", statsPort),
		Inter: checkInter, Fall: checkFall, Rise: checkRise}
	for _, in := range c.inst {
		cfg.Servers = append(cfg.Servers, fmt.Sprintf("127.0.0.1:%d", in.port))
	}
	text, err := cfg.render()
	if err != nil {
		return err
	}
	path := filepath.Join(c.dir, "haproxy.cfg")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "haproxy.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.opts.HAProxy, "-f", path, "-db")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start haproxy (%s): %w; install it with: apt-get install -y haproxy", c.opts.HAProxy, err)
	}
	c.haproxy, c.hpDone = cmd, make(chan struct{})
	go func() {
		cmd.Wait()
		logFile.Close()
		close(c.hpDone)
	}()
	c.base = "http://" + cfg.Bind
	c.stats = "http://" + cfg.StatsBind + "/stats;csv"
	for _, in := range c.inst {
		if err := c.waitBalancer(ctx, in, "UP", 15*time.Second); err != nil {
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("%w\nhaproxy:\n%s", err, out)
		}
	}
	c.logf("HAProxy on %s in front of %d instances", c.base, len(c.inst))
	return nil
}

// probe asks health and status pages; a hung answer is a failed probe, not a hung run.
var probe = &http.Client{Timeout: 2 * time.Second}

// serverStatus is the balancer's view of each instance: UP, DOWN, …
func (c *cluster) serverStatus() (map[string]string, error) {
	resp, err := probe.Get(c.stats)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := csv.NewReader(bufio.NewReader(resp.Body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	status := map[string]string{}
	col := -1
	for i, row := range rows {
		if i == 0 {
			for j, h := range row {
				if h == "status" {
					col = j
				}
			}
			continue
		}
		if col >= 0 && len(row) > col && row[0] == "accord" {
			status[row[1]] = row[col]
		}
	}
	if col < 0 {
		return nil, errors.New("haproxy stats: no status column")
	}
	return status, nil
}

// waitBalancer waits until the balancer reports the instance's status as want
// (its status starts with it: "UP 1/2" is on its way up, not up).
func (c *cluster) waitBalancer(ctx context.Context, in *instance, want string, limit time.Duration) error {
	server := "accord" + strings.TrimPrefix(in.name, "accord")
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if st, err := c.serverStatus(); err == nil {
			last = st[server]
			if last == want {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the balancer still reports %s as %q after %v, not %s", in.name, last, limit, want)
}

// stop ends everything this run started, and removes its directory.
func (c *cluster) stop() {
	if c.haproxy != nil && c.haproxy.Process != nil {
		c.haproxy.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.hpDone:
		case <-time.After(5 * time.Second):
			c.haproxy.Process.Kill()
			<-c.hpDone
		}
	}
	for _, in := range c.inst {
		if in.cmd != nil {
			in.cmd.Process.Kill()
			<-in.done
		}
	}
	if c.receiver != nil {
		c.receiver.Close()
	}
	if c.pool != nil {
		c.pool.Close()
	}
	if c.pg != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c.pg.Stop(stopCtx)
		cancel()
	}
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}

// logTail is the end of every instance's log and the balancer's, for a failure.
func (c *cluster) logTail() string {
	var b strings.Builder
	files := []string{filepath.Join(c.dir, "haproxy.log")}
	for _, in := range c.inst {
		files = append(files, in.log)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(data) > 3000 {
			data = data[len(data)-3000:]
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(f), data)
	}
	return b.String()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// registerWebhooks gives every open unit a Slack-style webhook to the receiver, so
// each notification's delivery reaches it.
func (c *cluster) registerWebhooks(ctx context.Context) error {
	rows, err := c.pool.Query(ctx, `SELECT id FROM units WHERE closed_at IS NULL ORDER BY id`)
	if err != nil {
		return err
	}
	var units []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		units = append(units, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	st := store.New(c.pool)
	for _, id := range units {
		if _, err := st.CreateWebhook(ctx, 0, accord.WebhookInput{UnitID: id, Platform: accord.PlatformSlack,
			URL: fmt.Sprintf("%s/services/unit-%d", c.receiver.URL, id), AllowPrivate: true}); err != nil {
			return fmt.Errorf("webhook for unit %d: %w", id, err)
		}
	}
	return nil
}

// Passed reports whether the run kept every promise: a session good everywhere, text
// compressed by the balancer and not by the instances, no failed request through the rolling restart or once
// the balancer noticed the kill, every webhook delivery received exactly once, no
// duplicated reminder.
func (f Figures) Passed() bool {
	return f.SessionOK && f.Compressed && f.InstanceEncoding == "" && f.Rolling.Requests > 0 && f.Rolling.Failures == 0 &&
		f.KillAfter.Requests > 0 && f.KillAfter.Failures == 0 &&
		(f.DeliveryKey == "" || f.DeliveriesSent > 0 && f.WebhookPosts == f.DeliveriesSent && f.DuplicatePosts == 0 && f.Undelivered == 0) &&
		f.Reminders > 0 && f.DuplicateReminder == 0
}
