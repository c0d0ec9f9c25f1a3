// Package localpg runs a private PostgreSQL cluster from the machine's own binaries:
// the durable one `make run` keeps under .data/, and the throwaway one the tests use.
package localpg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cluster is a PostgreSQL data directory this process manages.
type Cluster struct {
	Dir     string // holds data/ and the server log
	BinDir  string // where initdb, pg_ctl and postgres live
	Durable bool   // fsync on; off only for throwaway test clusters
	Log     io.Writer
	// Settings are extra server settings, "name=value" each (letters, digits and
	// _.,:/- only: pg_ctl hands them to a shell), passed as -c on start, e.g. "shared_preload_libraries=pg_stat_statements" for
	// the benchmark.
	Settings []string

	port    int
	started bool // this process started the server, so it stops it
}

// ErrNoBinaries means no PostgreSQL server binaries were found and none could be installed.
var ErrNoBinaries = errors.New(`localpg: no PostgreSQL server binaries found (looked for pg_ctl on PATH and in /usr/lib/postgresql/*/bin).
Install them, e.g. "sudo apt-get install postgresql" on Debian/Ubuntu or "brew install postgresql@16" on macOS,
or set DATABASE_URL to a PostgreSQL database you already have`)

// FindBinaries returns the directory holding pg_ctl, initdb and postgres: from PATH
// first, else the newest /usr/lib/postgresql/<version>/bin.
func FindBinaries() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		dir := filepath.Dir(p)
		if isFile(filepath.Join(dir, "initdb")) && isFile(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		if isFile(filepath.Join(dir, "pg_ctl")) && isFile(filepath.Join(dir, "initdb")) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

// EnsureBinaries finds the server binaries, installing Debian's postgresql package
// when none exist and this process is root on Debian or Ubuntu.
func EnsureBinaries(ctx context.Context, log io.Writer) (string, error) {
	if dir, err := FindBinaries(); err == nil {
		return dir, nil
	}
	if os.Geteuid() != 0 || !isFile("/usr/bin/apt-get") || runtime.GOOS != "linux" {
		return "", ErrNoBinaries
	}
	fmt.Fprintln(log, "accord: installing PostgreSQL with apt-get (one time only)…")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("localpg: apt-get %s: %w; %w", args[0], err, ErrNoBinaries)
		}
	}
	return FindBinaries()
}

// Start initialises the cluster if its data directory is empty, then starts the server
// on a free 127.0.0.1 port, or reuses one already running from the same directory.
// It returns the URL of the maintenance database "postgres".
func (c *Cluster) Start(ctx context.Context) (string, error) {
	if c.Log == nil {
		c.Log = io.Discard
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", fmt.Errorf("localpg: create %s: %w", c.Dir, err)
	}
	abs, err := filepath.Abs(c.Dir)
	if err != nil {
		return "", fmt.Errorf("localpg: %w", err)
	}
	c.Dir = abs
	if err := c.prepareOwner(ctx); err != nil {
		return "", err
	}
	data := filepath.Join(c.Dir, "data")
	if !isFile(filepath.Join(data, "PG_VERSION")) {
		args := []string{"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"}
		if !c.Durable {
			args = append(args, "--no-sync")
		}
		// Sorting stays bytewise ("C"), but characters are classified as UTF-8, so
		// pg_trgm indexes Chinese for search; a machine without the C.UTF-8 locale
		// gets a cluster whose search is right but cannot narrow Chinese by index.
		out, err := c.pg(ctx, "initdb", append(args, "--lc-ctype=C.UTF-8")...)
		if err != nil {
			os.RemoveAll(data)
			out, err = c.pg(ctx, "initdb", args...)
		}
		if err != nil {
			return "", fmt.Errorf("localpg: initdb in %s: %w\n%s", data, err, out)
		}
	}
	if port, ok := c.runningPort(ctx); ok {
		c.port = port
		return c.URL("postgres"), nil
	}
	// A cluster started before by this value comes back on its old port, so pools
	// holding its URL reconnect by themselves.
	port := c.port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return "", err
		}
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, c.Dir)
	if !c.Durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	// Tests open many databases in parallel; the default of 100 connections is tight.
	opts += " -c max_connections=300"
	for _, setting := range c.Settings {
		if !plainSetting(setting) {
			return "", fmt.Errorf("localpg: setting %q: say name=value in letters, digits and _.,:/- only", setting)
		}
		opts += " -c " + setting
	}
	logFile := filepath.Join(c.Dir, "server.log")
	if out, err := c.pg(ctx, "pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts, "start"); err != nil {
		return "", fmt.Errorf("localpg: start server (log in %s): %w\n%s", logFile, err, out)
	}
	c.port, c.started = port, true
	return c.URL("postgres"), nil
}

// URL is the connection URL of the named database on this cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// Stop shuts the server down cleanly if this process started it.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.started {
		return nil
	}
	data := filepath.Join(c.Dir, "data")
	if out, err := c.pg(ctx, "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("localpg: stop server: %w\n%s", err, out)
	}
	c.started = false
	return nil
}

// runningPort reports the port of a server already running on this data directory.
func (c *Cluster) runningPort(ctx context.Context) (int, bool) {
	data := filepath.Join(c.Dir, "data")
	if _, err := c.pg(ctx, "pg_ctl", "-D", data, "status"); err != nil {
		return 0, false
	}
	f, err := os.Open(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	// postmaster.pid: pid, data dir, start time, port, ...
	s := bufio.NewScanner(f)
	for line := 1; s.Scan(); line++ {
		if line == 4 {
			port, err := strconv.Atoi(strings.TrimSpace(s.Text()))
			return port, err == nil
		}
	}
	return 0, false
}

// prepareOwner makes the directory usable by the account the server runs as:
// PostgreSQL refuses to run as root, so as root it runs as the postgres user.
func (c *Cluster) prepareOwner(ctx context.Context) error {
	if os.Geteuid() != 0 {
		return nil
	}
	if _, err := user.Lookup("postgres"); err != nil {
		if out, err := exec.CommandContext(ctx, "useradd", "--system", "--home-dir", "/var/lib/postgresql", "--shell", "/bin/bash", "postgres").CombinedOutput(); err != nil {
			return fmt.Errorf("localpg: create the postgres system user: %w\n%s", err, out)
		}
	}
	if out, err := exec.CommandContext(ctx, "chown", "-R", "postgres:", c.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("localpg: chown %s to postgres: %w\n%s", c.Dir, err, out)
	}
	if err := exec.CommandContext(ctx, "runuser", "-u", "postgres", "--", "test", "-w", c.Dir).Run(); err != nil {
		return fmt.Errorf("localpg: the postgres user cannot reach %s (a parent directory is private); "+
			"set ACCORD_DATA_DIR to a directory it can reach, such as /var/tmp/accord, or set DATABASE_URL", c.Dir)
	}
	return nil
}

// pg runs one of the server's tools, as the postgres user when this process is root.
func (c *Cluster) pg(ctx context.Context, tool string, args ...string) ([]byte, error) {
	bin := filepath.Join(c.BinDir, tool)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server running; it must not hold our pipes open.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.Bytes(), err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("localpg: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// plainSetting reports whether setting is name=value with nothing a shell would read.
func plainSetting(setting string) bool {
	name, value, ok := strings.Cut(setting, "=")
	if !ok || name == "" || value == "" {
		return false
	}
	for _, r := range name + value {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.,:/-", r)) {
			return false
		}
	}
	return true
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// versionOf reads the major version from /usr/lib/postgresql/<v>/bin.
func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}
