package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// machine describes where the figures were measured.
type machine struct {
	CPU      string
	Cores    int
	MemoryMB int
	OS       string
	Kernel   string
	Go       string
	Postgres string
}

func readMachine(ctx context.Context) machine {
	m := machine{Cores: runtime.NumCPU(), Go: goVersion(ctx), OS: osName(), Kernel: firstLine("/proc/sys/kernel/osrelease")}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			var kb int
			if n, _ := fmt.Sscanf(s.Text(), "MemTotal: %d kB", &kb); n == 1 {
				m.MemoryMB = kb / 1024
				break
			}
		}
		f.Close()
	}
	return m
}

// goVersion is the toolchain `go build` uses, which built the measured binary.
func goVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

func osName() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return runtime.GOOS
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return runtime.GOOS
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

func postgresVersion(ctx context.Context, url string) string {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "unknown"
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, `SHOW server_version`).Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// loadAvg is /proc/loadavg's one-minute figure at a moment.
type loadAvg struct {
	At  time.Time
	One float64
}

func readLoadAvg() loadAvg {
	var one float64
	fmt.Sscanf(firstLine("/proc/loadavg"), "%f", &one)
	return loadAvg{At: time.Now(), One: one}
}

// cpuSample counts CPU time since boot: all of it busy on the machine, and the parts
// spent by the processes this benchmark runs: itself (the load generator), the server
// and PostgreSQL.
type cpuSample struct {
	busy, bench, server, postgres float64 // seconds
	at                            time.Time
}

// cpuShare is how the CPU was used between two samples: shares of all cores, and the
// seconds the server and PostgreSQL used.
type cpuShare struct {
	Bench, Server, Postgres, Others float64
	ServerSeconds, PostgresSeconds  float64
}

// Ours is the share the benchmark's processes used together.
func (c cpuShare) Ours() float64 { return c.Bench + c.Server + c.Postgres }

func takeCPU(serverPID int, pgDir string) cpuSample {
	return cpuSample{busy: machineBusy(), bench: processesCPU([]int{os.Getpid()}), server: processesCPU([]int{serverPID}),
		postgres: postgresCPU(pgDir), at: time.Now()}
}

func (a cpuSample) until(b cpuSample) cpuShare {
	wall := b.at.Sub(a.at).Seconds() * float64(runtime.NumCPU())
	if wall <= 0 {
		return cpuShare{}
	}
	c := cpuShare{Bench: clamp01((b.bench - a.bench) / wall), Server: clamp01((b.server - a.server) / wall),
		Postgres: clamp01((b.postgres - a.postgres) / wall), ServerSeconds: b.server - a.server,
		PostgresSeconds: b.postgres - a.postgres}
	c.Others = clamp01((b.busy-a.busy)/wall - c.Ours())
	return c
}

func clamp01(f float64) float64 { return min(max(f, 0), 1) }

const clockTicks = 100 // USER_HZ on Linux

// machineBusy is the non-idle CPU time of all cores since boot.
func machineBusy() float64 {
	fields := strings.Fields(firstLine("/proc/stat")) // cpu user nice system idle iowait irq softirq steal …
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, f := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest time is already in user
			break
		}
		v, _ := strconv.ParseFloat(f, 64)
		busy += v
	}
	return busy / clockTicks
}

// processesCPU sums user and system time of the given processes.
func processesCPU(pids []int) float64 { return cpuOf(pids, false) }

// postgresCPU is the CPU time of the cluster's processes, including backends that have
// exited since: the postmaster reaps them, which adds their time to its children's.
func postgresCPU(dir string) float64 {
	pids := postgresPIDs(dir)
	if len(pids) == 0 {
		return 0
	}
	return cpuOf(pids, false) + cpuOf(pids[:1], true)
}

func cpuOf(pids []int, children bool) float64 {
	var total float64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		// The command name may hold spaces; the fields after it are fixed.
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) < 15 {
			continue
		}
		u, s := f[11], f[12]
		if children {
			u, s = f[13], f[14]
		}
		utime, _ := strconv.ParseFloat(u, 64)
		stime, _ := strconv.ParseFloat(s, 64)
		total += (utime + stime) / clockTicks
	}
	return total
}

// postgresPIDs lists the postmaster of the cluster in dir and its children.
func postgresPIDs(dir string) []int {
	line := firstLine(filepath.Join(dir, "data", "postmaster.pid"))
	master, err := strconv.Atoi(line)
	if err != nil {
		return nil
	}
	pids := []int{master}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) > 1 && f[1] == strconv.Itoa(master) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// buildBinary compiles the accord command the load runs against.
func buildBinary(ctx context.Context, out string, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/accord")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/accord: %w", err)
	}
	return nil
}

// seedResult is one `accord seed --scale` run.
type seedResult struct {
	Size     string
	Duration time.Duration
}

// seedDatabase runs the real command, its progress bar on our stderr.
func seedDatabase(ctx context.Context, bin, url, size string, stderr io.Writer) (seedResult, error) {
	cmd := exec.CommandContext(ctx, bin, "seed", "--scale", size)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if f, ok := stderr.(*os.File); ok {
		cmd.Stderr = f // a terminal stays a terminal, so the bar redraws in place
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return seedResult{}, fmt.Errorf("accord seed --scale %s: %w", size, err)
	}
	return seedResult{Size: size, Duration: time.Since(start)}, nil
}

// timed is a duration for one organisation size.
type timed struct {
	Size     string
	Duration time.Duration
}

// vacuum does what autovacuum would soon do on its own after millions of inserts, so
// it does not start in the middle of a measurement, and compacts the tables. The seed
// writes in one transaction, so every trigger's update of a kept count (a project's
// signals once per request added) stays behind as a dead version no page pruning can
// reclaim: project_signals came out twenty times its live size. A company writing
// request by request keeps such rows near their size through HOT updates.
func vacuum(ctx context.Context, url string) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	// A rewritten table's visibility map starts empty, which index-only scans read: the
	// second, plain pass sets it.
	for _, stmt := range []string{`VACUUM (FULL)`, `VACUUM (ANALYZE)`} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return 0, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return time.Since(start), nil
}

// tableRows counts the main tables of one organisation.
type tableRows struct {
	Size   string
	Tables []tableCount
}

type tableCount struct {
	Table string
	Rows  int64
}

func tableCounts(ctx context.Context, url, size string) tableRows {
	out := tableRows{Size: size}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return out
	}
	defer conn.Close(ctx)
	for _, t := range []string{"units", "users", "memberships", "projects", "needs", "project_units", "requests",
		"request_updates", "escalations", "notifications"} {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err == nil {
			out.Tables = append(out.Tables, tableCount{t, n})
		}
	}
	return out
}
