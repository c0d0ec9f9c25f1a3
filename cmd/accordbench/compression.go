package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"accord/internal/cluster"
)

// compressionResult answers issue 18's question of where a large page should be
// compressed: in Accord (Go's compress/gzip, timed in process on the page's own
// bytes, which is the work a compressing middleware would add to every request) or
// at the balancer (HAProxy, loaded through with compression off and on).
type compressionResult struct {
	Name, Path string
	Clients    int
	Bytes      int        // the page as Accord sends it
	InProcess  []gzipCost // per gzip level
	Balancer   []balancerRun
	Err        string
}

// gzipCost is one gzip level on the page: its size and the median time to compress it.
type gzipCost struct {
	Level   int
	Bytes   int
	PerPage time.Duration
}

// balancerRun is the page loaded through HAProxy, compressing or not.
type balancerRun struct {
	Compress  bool
	WireBytes int // one response's body as the client received it
	Load      loadResult
	// CPU per answered request, from /proc: HAProxy's and the server's.
	BalancerCPU, ServerCPU time.Duration
}

// gzipLevels are compress/gzip's fastest level and its default.
var gzipLevels = []int{gzip.BestSpeed, gzip.DefaultCompression}

// measureCompression fetches the page once, times gzip on it, then runs HAProxy in
// front of the server with two frontends (one compressing text/html with its own
// libslz gzip, as docs/deploy/haproxy.cfg does) and loads the page through each, the
// clients asking for gzip and reading the bytes as sent.
func measureCompression(ctx context.Context, cfg config, client *http.Client, base, tmp, name, path string, c credential,
	serverPID int, logf func(string, ...any)) compressionResult {
	res := compressionResult{Name: name, Path: path, Clients: cfg.clients}
	page, err := fetchBody(ctx, client, base+path, c, "identity")
	if err != nil {
		res.Err = "fetch the page: " + err.Error()
		return res
	}
	res.Bytes = len(page)
	for _, level := range gzipLevels {
		cost, err := timeGzip(page, level)
		if err != nil {
			res.Err = err.Error()
			return res
		}
		res.InProcess = append(res.InProcess, cost)
	}

	haproxy, err := cluster.FindHAProxy()
	if err != nil {
		res.Err = err.Error()
		return res
	}
	ports, err := freePorts(2)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	conf := filepath.Join(tmp, "haproxy-compression.cfg")
	if err := os.WriteFile(conf, []byte(compressionBalancer(ports, strings.TrimPrefix(base, "http://"))), 0o644); err != nil {
		res.Err = err.Error()
		return res
	}
	cmd := exec.CommandContext(ctx, haproxy, "-f", conf, "-db")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		res.Err = "start haproxy: " + err.Error()
		return res
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	for _, port := range ports {
		if err := waitListening(ctx, port, 10*time.Second); err != nil {
			res.Err = fmt.Sprintf("haproxy did not listen: %v: %s", err, strings.TrimSpace(stderr.String()))
			return res
		}
	}
	gz := c
	gz.Encoding = "gzip"
	for i, compress := range []bool{false, true} {
		u := fmt.Sprintf("http://127.0.0.1:%d%s", ports[i], path)
		run := balancerRun{Compress: compress}
		body, err := fetchBody(ctx, client, u, gz, "gzip")
		if err != nil {
			res.Err = "through haproxy: " + err.Error()
			return res
		}
		run.WireBytes = len(body)
		logf("  %-17s %s through HAProxy, compression %v, for %s …", name, path, compress, cfg.duration)
		drive(ctx, client, u, gz, cfg.clients, cfg.warmup)
		balancerBefore, serverBefore := processesCPU([]int{cmd.Process.Pid}), processesCPU([]int{serverPID})
		run.Load = drive(ctx, client, u, gz, cfg.clients, cfg.duration)
		if n := run.Load.Requests - run.Load.Errors; n > 0 {
			run.BalancerCPU = cpuPerRequest(processesCPU([]int{cmd.Process.Pid})-balancerBefore, n)
			run.ServerCPU = cpuPerRequest(processesCPU([]int{serverPID})-serverBefore, n)
		}
		res.Balancer = append(res.Balancer, run)
	}
	return res
}

func cpuPerRequest(seconds float64, n int) time.Duration {
	return time.Duration(seconds / float64(n) * float64(time.Second))
}

// compressionBalancer is HAProxy with a plain frontend and a compressing one, both
// in front of the one server.
func compressionBalancer(ports []int, server string) string {
	return fmt.Sprintf(`global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 60s

frontend plain
    bind 127.0.0.1:%d
    default_backend accord

frontend compressing
    bind 127.0.0.1:%d
    compression algo gzip
    compression type text/html
    default_backend accord

backend accord
    server accord %s
`, ports[0], ports[1], server)
}

// fetchBody reads one response's body as sent, asking for encoding.
func fetchBody(ctx context.Context, client *http.Client, u string, c credential, encoding string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if c.Cookie != nil {
		req.AddCookie(c.Cookie)
	}
	// Set by hand, so the client neither asks on its own nor decompresses.
	req.Header.Set("Accept-Encoding", encoding)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return body, err
}

// timeGzip is the median of 15 compressions of page at level, after 3 to warm up,
// on one core of an otherwise idle machine (the load has ended), with one writer
// reset between pages as a pooling middleware would.
func timeGzip(page []byte, level int) (gzipCost, error) {
	cost := gzipCost{Level: level}
	var times []time.Duration
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, level)
	if err != nil {
		return cost, err
	}
	for i := range 18 {
		out.Reset()
		start := time.Now()
		zw.Reset(&out)
		if _, err := zw.Write(page); err != nil {
			return cost, err
		}
		if err := zw.Close(); err != nil {
			return cost, err
		}
		if i >= 3 {
			times = append(times, time.Since(start))
		}
		cost.Bytes = out.Len()
	}
	slices.Sort(times)
	cost.PerPage = times[len(times)/2]
	return cost, nil
}

// waitListening waits until something accepts connections on the loopback port.
func waitListening(ctx context.Context, port int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// markdown reports both ways and what they mean.
func (cr compressionResult) markdown() string {
	if cr.Err != "" && len(cr.Balancer) < 2 {
		return "Compression could not be measured: " + strings.TrimSpace(cr.Err) + ".\n"
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("The %s (`%s`) is %s as Accord sends it.\n\n", strings.ToLower(cr.Name), cr.Path, kb(cr.Bytes))
	w("**In Accord**: Go's `compress/gzip` on the page's own bytes in the bench's process, one writer reset between " +
		"pages as a pooling middleware would (the work it would add to every request, on the server's cores); wall time " +
		"on one core after the load ended, median of 15 after 3 to warm up:\n\n")
	w("| gzip level | bytes | time per page |\n|---|--:|--:|\n")
	for _, c := range cr.InProcess {
		w("| %s | %s (%s) | %s |\n", gzipLevelName(c.Level), kb(c.Bytes), pct(float64(c.Bytes)/float64(cr.Bytes)), ms(c.PerPage))
	}
	off, on := cr.Balancer[0], cr.Balancer[1]
	w("\n**At the balancer**: HAProxy (its own gzip, libslz, as Debian builds it) in front of the server, the page "+
		"loaded through it by %d clients asking for gzip and reading the bytes as sent, with compression off and on "+
		"(`compression algo gzip`, `compression type text/html`); CPU per request from /proc over each run:\n\n", cr.Clients)
	w("| compression | bytes sent | req/s | p50 | p99 | HAProxy CPU per request | server CPU per request |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range cr.Balancer {
		state := "off"
		if r.Compress {
			state = "on"
		}
		w("| %s | %s | %.0f | %s | %s | %s | %s |\n", state, kb(r.WireBytes), r.Load.RPS, latency(r.Load.P50),
			latency(r.Load.P99), ms(r.BalancerCPU), ms(r.ServerCPU))
	}
	best := cr.InProcess[0]
	for _, c := range cr.InProcess {
		if c.PerPage < best.PerPage {
			best = c
		}
	}
	// The difference of two runs: compressing, less the copying saved on fewer bytes.
	extra := on.BalancerCPU - off.BalancerCPU
	w("\nWith compression on, HAProxy spent %s more CPU per page (compressing, less what it saved copying %s instead "+
		"of %s); Go's gzip at its cheaper level here (%s) takes %s per page for %s. ",
		ms(extra), kb(on.WireBytes), kb(off.WireBytes), gzipLevelName(best.Level), ms(best.PerPage), kb(best.Bytes))
	cheaper := extra > 0 && best.PerPage > extra
	if cheaper {
		w("Compressing at the balancer costs %.1f× less, and not on the cores that render pages (on one machine, "+
			"PostgreSQL's too). ", float64(best.PerPage)/float64(extra))
	} else if extra <= 0 {
		w("The balancer's extra cost is within the runs' noise. ")
	}
	w("Through the balancer, %d clients were served %.0f req/s compressed and %.0f uncompressed. ", cr.Clients,
		on.Load.RPS, off.Load.RPS)
	if cheaper || extra <= 0 {
		w("So compression belongs at the balancer: cheaper there, it grows with the balancer rather than with " +
			"Accord's instances, and the balancer already terminates TLS. ")
	} else {
		w("In this run the balancer's gzip was not the cheaper one; the choice below rests on the other reasons: it " +
			"grows with the balancer rather than with Accord's instances, and the balancer already terminates TLS. ")
	}
	w("docs/deploy/haproxy.cfg and `make cluster` compress text responses (the cluster test checks it); Accord " +
		"sends them uncompressed.\n")
	return b.String()
}

func gzipLevelName(level int) string {
	switch level {
	case gzip.BestSpeed:
		return "1 (fastest)"
	case gzip.DefaultCompression:
		return "6 (default)"
	}
	return fmt.Sprint(level)
}

// kb is a size in kilobytes.
func kb(n int) string { return fmt.Sprintf("%.1f kB", float64(n)/1024) }
