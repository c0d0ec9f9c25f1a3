package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The server's CPU profile during each load run, taken from net/http/pprof on the
// metrics listener (ACCORD_METRICS_ADDR; never on the public port) and summarised
// with `go tool pprof -top`.

// fnCost is one function's (or package's) share of the profile.
type fnCost struct {
	Name      string
	Flat, Cum time.Duration
}

// profileSummary is what the report shows of one profile.
type profileSummary struct {
	Path     string        // the raw profile, kept after the run
	Duration time.Duration // wall time profiled
	Samples  time.Duration // CPU time sampled
	Accord   []fnCost      // Accord's own functions, by cumulative time
	Flat     []fnCost      // every function, by flat time
	Packages []fnCost      // flat time summed by package
	// The runtime's share: garbage collection (the background mark workers),
	// allocation (mallocgc, cumulative) and system calls (network reads and writes).
	GC, Alloc, Syscalls time.Duration
	Err                 string
}

// profileTop is how many rows of each list the report keeps.
const profileTop = 8

// profileSeconds is the whole seconds a profile of a run of d takes: net/http/pprof
// takes whole seconds; the profile ends no later than the run.
func profileSeconds(d time.Duration) int {
	return max(1, int(math.Floor(d.Seconds())))
}

// takeProfile asks the server for a CPU profile of the next seconds and writes it to
// path. It runs alongside the load.
func takeProfile(ctx context.Context, metricsBase string, seconds int, path string) error {
	client := &http.Client{Timeout: time.Duration(seconds)*time.Second + time.Minute}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", metricsBase, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("profile: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// summariseProfile reads a profile with `go tool pprof -top`.
func summariseProfile(ctx context.Context, path string) profileSummary {
	s := profileSummary{Path: path}
	cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=100000", path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		s.Err = fmt.Sprintf("go tool pprof: %v: %s", err, firstWords(stderr.String(), 30))
		return s
	}
	fns, duration, samples, err := parsePprofTop(string(out))
	if err != nil {
		s.Err = err.Error()
		return s
	}
	s.Duration, s.Samples = duration, samples
	byCum := append([]fnCost(nil), fns...)
	sort.SliceStable(byCum, func(i, j int) bool { return byCum[i].Cum > byCum[j].Cum })
	for _, f := range byCum {
		if strings.HasPrefix(f.Name, "accord/") && !middleware(f.Name) && len(s.Accord) < profileTop {
			s.Accord = append(s.Accord, f)
		}
		switch f.Name {
		case "runtime.gcBgMarkWorker":
			s.GC = f.Cum
		case "runtime.mallocgc":
			s.Alloc = f.Cum
		}
		if strings.HasPrefix(f.Name, "internal/runtime/syscall") || strings.HasPrefix(f.Name, "syscall.") {
			s.Syscalls += f.Flat
		}
	}
	byFlat := append([]fnCost(nil), fns...)
	sort.SliceStable(byFlat, func(i, j int) bool { return byFlat[i].Flat > byFlat[j].Flat })
	s.Flat = byFlat[:min(profileTop, len(byFlat))]
	pkgs := map[string]time.Duration{}
	for _, f := range fns {
		pkgs[packageOf(f.Name)] += f.Flat
	}
	for name, flat := range pkgs {
		s.Packages = append(s.Packages, fnCost{Name: name, Flat: flat})
	}
	sort.Slice(s.Packages, func(i, j int) bool {
		if s.Packages[i].Flat != s.Packages[j].Flat {
			return s.Packages[i].Flat > s.Packages[j].Flat
		}
		return s.Packages[i].Name < s.Packages[j].Name
	})
	s.Packages = s.Packages[:min(profileTop, len(s.Packages))]
	return s
}

// parsePprofTop reads `go tool pprof -top` text: the header's duration and total
// samples, then one line per function: flat flat% sum% cum cum% name.
func parsePprofTop(text string) (fns []fnCost, duration, samples time.Duration, err error) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	inTable := false
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Duration: "); ok {
			// Duration: 20.01s, Total samples = 30.50s (152.45%)
			d, total, _ := strings.Cut(rest, ", Total samples = ")
			duration, _ = parsePprofDuration(strings.TrimSpace(d))
			if f := strings.Fields(total); len(f) > 0 {
				samples, _ = parsePprofDuration(f[0])
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == "flat" && f[3] == "cum" {
			inTable = true
			continue
		}
		if !inTable || len(f) < 6 {
			continue
		}
		flat, err1 := parsePprofDuration(f[0])
		cum, err2 := parsePprofDuration(f[3])
		if err1 != nil || err2 != nil {
			continue
		}
		name := strings.Join(f[5:], " ")
		name = strings.TrimSuffix(name, " (inline)")
		fns = append(fns, fnCost{Name: name, Flat: flat, Cum: cum})
	}
	if len(fns) == 0 && samples == 0 && duration == 0 {
		return nil, 0, 0, fmt.Errorf("go tool pprof -top: no table in its output")
	}
	return fns, duration, samples, nil
}

// parsePprofDuration reads pprof's "1.23s", "450ms", "0", "12.5mins", "1.2hrs".
func parsePprofDuration(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"mins", time.Minute}, {"hrs", time.Hour}, {"ms", time.Millisecond}, {"us", time.Microsecond},
		{"µs", time.Microsecond}, {"ns", time.Nanosecond}, {"s", time.Second}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("pprof duration %q", s)
}

// middleware reports whether fn is one of the wrappers every request passes through
// (the server package's own, and method values chained as middleware, such as the
// viewer's loading): their cumulative time includes the handler's, so they would
// fill the list without saying where the time goes.
func middleware(fn string) bool {
	return strings.HasPrefix(fn, "accord/internal/server.") || strings.Contains(fn, "-fm.") ||
		strings.HasPrefix(fn, "accord/cmd/")
}

// packageOf is the import path of a function's package: what comes before the first
// dot after the last slash ("net/http.(*conn).serve" is net/http). The runtime's
// internals count as the runtime, its system calls as system calls.
func packageOf(fn string) string {
	if strings.HasPrefix(fn, "internal/runtime/syscall") || strings.HasPrefix(fn, "syscall.") {
		return "system calls"
	}
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i] // a generic function's type arguments name other packages
	}
	start := strings.LastIndex(fn, "/") + 1
	i := strings.Index(fn[start:], ".")
	if i < 0 {
		return "runtime" // assembly such as aeshashbody
	}
	pkg := fn[:start+i]
	if strings.HasPrefix(pkg, "internal/runtime/") {
		return "runtime"
	}
	return pkg
}

// keepBinary copies the server binary next to the profiles, so `go tool pprof` can
// list source and disassembly after the temporary directory is gone.
func keepBinary(bin, dir string) error {
	in, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(filepath.Join(dir, "accord"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
