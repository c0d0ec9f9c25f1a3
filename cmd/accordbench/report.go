package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Targets from issue 18, for this 2-core machine.
const (
	targetShare      = 0.05                  // of the /healthz ceiling's throughput, every key page but the floor
	targetFloorShare = 0.25                  // of the /healthz ceiling's throughput, the signed-in floor
	targetP99        = 50 * time.Millisecond // under load from targetClients clients
	targetClients    = 32                    // the concurrency targetP99 is set at
	targetAlone      = 10 * time.Millisecond // one request alone, on the -scale organisation
	aloneSamples     = 7                     // requests sent alone per page, whose median is its time alone
	targetPageBytes  = 150 * 1024            // HTML per key page on the targetPageSize organisation
	targetPageSize   = "large"
	targetMemoryKB   = 150 * 1024
	targetSweep      = 100 * time.Millisecond
	targetQueryDrift = 0 // statements a page may add between the sizes
)

// report is everything one run measured.
type report struct {
	cfg       config
	started   time.Time
	finished  time.Time
	machine   machine
	loadStart loadAvg
	loadEnd   loadAvg
	seeds     []seedResult
	vacuum    []timed
	counts    []tableRows
	sweeps    []sweepResult
	superior  superiorResult
	pages     []*pageResult
	ceiling   []loadResult
	memory    memory
	signIns   int // distinct sign-ins before the load
	restarts  int // times the server was restarted to keep clear of its periodic sweep
	// The background sweeps River ran while the load ran, and when the server started
	// and restarted.
	sweepJobs    []sweepJob
	serverLog    logSummary
	serverStart  time.Time
	restartTimes []time.Time
	startup      startupSweep
	files        fileTransfer // a 10 MB attachment up and down
	compression  *compressionResult
	orgImport    orgImportResult
}

// peakMemory is the highest VmHWM of every server process, the load runs' own peaks
// (measured after a reset) included.
func (r *report) peakMemory() int {
	return max(r.memory.EndHWMKB, r.memory.AfterSignInHWMKB, r.memory.OtherProcessesHWMKB, r.memory.LoadPeakKB)
}

// ceilingRPS is the mean of the ceiling runs.
func (r *report) ceilingRPS() float64 {
	if len(r.ceiling) == 0 {
		return 0
	}
	var sum float64
	for _, c := range r.ceiling {
		sum += c.RPS
	}
	return sum / float64(len(r.ceiling))
}

func (r *report) loaded() []*pageResult {
	var out []*pageResult
	for _, p := range r.pages {
		if p.Built && p.Load != nil {
			out = append(out, p)
		}
	}
	return out
}

func (r *report) notBuilt() []string {
	var out []string
	for _, p := range r.pages {
		if !p.Built {
			out = append(out, p.Spec.Name)
		}
	}
	return out
}

func (r *report) sizes() []string {
	var out []string
	for _, s := range r.seeds {
		out = append(out, s.Size)
	}
	return out
}

// steadySweep is the second run of each sweep on the measured size, and their sum.
func (r *report) steadySweep() (runs []sweepRun, total time.Duration, plans []plan) {
	for _, s := range r.sweeps {
		if s.Size != r.cfg.scale {
			continue
		}
		for _, run := range s.Runs {
			if run.Run == 2 {
				runs = append(runs, run)
				total += run.Duration
			}
		}
		plans = s.Plans
	}
	return runs, total, plans
}

func (r *report) queriesConstant(p *pageResult) (bool, bool) {
	if r.cfg.compare == "" {
		return false, false
	}
	a, okA := p.Queries[r.cfg.compare]
	b, okB := p.Queries[r.cfg.scale]
	if !okA || !okB {
		return false, false
	}
	return b-a <= targetQueryDrift && a-b <= targetQueryDrift, true
}

// pageVerdict is how one key page stands against the per-page targets: a field is true
// when its target is met. A target that could not be judged is false and its judged
// flag says so: Share and P99 need the page loaded, Alone the page requested alone on
// the -scale organisation, Size the page measured on the large one.
type pageVerdict struct {
	Share, P99, Alone, Size bool
	Loaded, Timed, Sized    bool
}

// missed is whether the page misses a target it was judged against.
func (v pageVerdict) missed() bool {
	return v.Loaded && (!v.Share || !v.P99) || v.Timed && !v.Alone || v.Sized && !v.Size
}

// shareNeeded is the share of the ceiling's throughput a page has to reach.
func shareNeeded(p *pageResult) float64 {
	if p.Spec.Key == "floor" {
		return targetFloorShare
	}
	return targetShare
}

// pageMeets judges one page against the per-page targets. Every table, the summary and
// the list of what is missed take their verdicts from here, so each rule is written
// once. A load run with errors meets neither the throughput nor the latency target.
func (r *report) pageMeets(p *pageResult, ceiling float64) pageVerdict {
	var v pageVerdict
	if !p.Built {
		return v
	}
	if l := p.Load; l != nil {
		v.Loaded = true
		v.Share = ceiling > 0 && l.RPS >= shareNeeded(p)*ceiling && l.Errors == 0
		v.P99 = l.P99 <= targetP99 && l.Errors == 0
	}
	var alone time.Duration
	alone, v.Timed = p.Alone[r.cfg.scale]
	v.Alone = v.Timed && alone <= targetAlone
	var n int
	n, v.Sized = p.Bytes[targetPageSize]
	v.Size = v.Sized && n <= targetPageBytes
	return v
}

// pageKB is a page size in kB, rounded up so that a page over the target never shows
// as the target itself.
func pageKB(n int) string { return thousandsInt((n+1023)/1024) + " kB" }

// ofCeiling is a throughput as a share of the ceiling's.
func ofCeiling(rps, ceiling float64) string {
	if ceiling <= 0 {
		return "—"
	}
	return share(rps / ceiling)
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	m := r.machine
	ceiling := r.ceilingRPS()

	w("# Benchmarks\n\n")
	w("Measured by `make bench` ([cmd/accordbench](../cmd/accordbench)) on %s, against the **%s** organisation; "+
		"the run took %s. This file is generated: rerun `make bench` rather than edit it.\n\n",
		r.started.Format("2006-01-02 15:04 MST"), r.cfg.scale, r.finished.Sub(r.started).Round(time.Second))

	w("## Machine\n\n| | |\n|---|---|\n")
	w("| CPU | %s, %d cores |\n| Memory | %s MB |\n| OS | %s, Linux %s |\n| Go | %s |\n", m.CPU, m.Cores,
		thousandsInt(m.MemoryMB), m.OS, m.Kernel, m.Go)
	w("| PostgreSQL | %s: a private throwaway cluster on the same machine, fsync off, otherwise default settings "+
		"(shared_buffers 128 MB) |\n", m.Postgres)
	w("| Server | `accord serve` built from this tree, default settings (pgx pool of max(4, cores) connections, " +
		"GOMAXPROCS = cores), ACCORD_LOG_LEVEL=warn |\n")
	w("| Load generator | in the benchmark process, on the same 2 cores as the server and PostgreSQL |\n")
	others := r.otherLoad()
	w("| Other work on the machine | load average %.2f at the start, %.2f at the end; during the load runs, "+
		"processes outside the benchmark used %s of the CPU on average (%s to %s per run) |\n\n",
		r.loadStart.One, r.loadEnd.One, pct(others.mean), pct(others.min), pct(others.max))

	w("## How to reproduce\n\n```\nmake bench\n```\n\n")
	w("runs `go run ./cmd/accordbench`, which needs the PostgreSQL server binaries (found on PATH or in " +
		"/usr/lib/postgresql/*/bin) and about 2 GB of free disk in the temporary directory. Flags, passed with " +
		"`make bench BENCHFLAGS='…'`:\n\n")
	w("| flag | default | |\n|---|---|---|\n")
	w("| `-scale` | large | organisation measured under load: `large` or `small` |\n")
	w("| `-compare` | small | second organisation for queries per page (`none` to skip) |\n")
	w("| `-clients` | 32 | concurrent clients per page |\n| `-duration` | 20s | load per page |\n")
	w("| `-warmup` | 2s | unrecorded load before each page |\n")
	w("| `-superior-iterations` | 2000 | shared-superior lookups timed |\n")
	w("| `-out` | docs/benchmarks.md | where this report goes |\n")
	w("| `-profiles` | a new temporary directory | where the server's raw CPU profiles are kept (named below) |\n")
	w("| `-only` | | `org-import`: time only the organisation import and print its section; `pages`: only load the pages and print what was measured (this file is left alone) |\n")
	w("| `-keep` | | keep the PostgreSQL cluster and its seeded databases in this directory and reuse them: `-only pages -keep DIR` measures one change without seeding again |\n")
	keys := make([]string, len(keyPages))
	for i, p := range keyPages {
		keys[i] = "`" + p.Key + "`"
	}
	w("| `-pages` | all | comma-separated keys of the pages to load (%s) |\n\n", strings.Join(keys, ", "))
	w("A quick trial: `go run ./cmd/accordbench -scale small -duration 3s -out /tmp/bench.md`.\n\n")
	w("The run: build `cmd/accord`; start a throwaway cluster in a temporary directory; migrate and fill one "+
		"database per size with `accord seed --scale`; `VACUUM (FULL)` then `VACUUM (ANALYZE)` so autovacuum does not start "+
		"mid-measurement and the tables are not left bloated by the seed's single transaction (its triggers update "+
		"each kept count once per row added, and no dead version can be pruned before it commits) and the visibility map "+
		"is set for index-only scans; "+
		"time the stalled-item sweeps (first run with the seeded backlog, then the steady state) and the "+
		"shared-superior lookup; build the server in-process with a pgx tracer and count the statements each key page "+
		"sends at both sizes; then run `accord serve` against the %s database and load `/healthz` (the ceiling), "+
		"each key page, and `/healthz` again, each with %d signed-in clients (clients of one user share a session) for %s "+
		"after a %s warm-up. Latency is measured by the clients, from sending the request to reading the last byte. "+
		"`accord serve` sweeps in the background on start and every 5 minutes; the load waits for the start-up sweep, "+
		"and whenever a run could overlap the next periodic one the server is restarted first (sessions live in the "+
		"database, so clients stay signed in): %d restart(s) in this run.\n\n",
		r.cfg.scale, r.cfg.clients, r.cfg.duration, r.cfg.warmup, r.restarts)
	w("The server keeps rendered workbooks, trackers, inboxes, escalation queues, escalation pages, start pages and "+
		"department pages (for a viewer who sees the unit's projects through it) while nothing "+
		"they show changes (docs/architecture.md), and no write is made during the load, so their rows measure a page "+
		"served as kept: "+
		"views between two writes. The rows *rendered afresh* load the same pages under a query no request repeats, "+
		"so none is ever served as kept: what each view costs after a write. The rows *under writes* load the kept pages "+
		"while a writer in the benchmark changes what each shows %d times a second, through the server as a browser "+
		"would (a progress entry, or for search a comment holding the word searched for, on one of the open requests the "+
		"page shows, in turn, posted by someone allowed to, signed in apart): the first view after each write draws the "+
		"page afresh, and views arriving while it is drawn wait for it (docs/architecture.md). As in every page row, "+
		"their %d clients are one person, the best case for waiting: one view draws, the others wait. The *working mix* "+
		"is %d different people instead, each on their own pages, while the heads and leads among them write. The "+
		"writes made, and the pages drawn, are counted per run below.\n\n", writesPerSecond, r.cfg.clients, r.cfg.clients)

	r.writeData(w)
	r.writeSummary(w, ceiling)
	r.writeLatency(w, ceiling)
	r.writeThroughput(w, ceiling)
	r.writeViews(w)
	r.writeProfiles(w)
	r.writeQueries(w, ceiling)
	r.writeMemory(w)
	if r.compression != nil {
		w("## Compression: in Accord or at the balancer\n\n%s\n", r.compression.markdown())
	}
	w("## Attachments\n\n%s\n", r.files.markdown())
	w("## Organisation import\n\n%s\n", r.orgImport.markdown())
	r.writeSweep(w)
	r.writeSuperior(w)
	r.writeMachineLoad(w)
	r.writeMissed(w, ceiling)
	return b.String()
}

type otherLoad struct{ mean, min, max float64 }

func (r *report) otherLoad() otherLoad {
	var runs []loadResult
	runs = append(runs, r.ceiling...)
	for _, p := range r.loaded() {
		runs = append(runs, *p.Load)
	}
	if len(runs) == 0 {
		return otherLoad{}
	}
	o := otherLoad{min: 1}
	for _, l := range runs {
		o.mean += l.CPU.Others
		o.min = min(o.min, l.CPU.Others)
		o.max = max(o.max, l.CPU.Others)
	}
	o.mean /= float64(len(runs))
	return o
}

// summary is what the command prints when it is done.
func (r *report) summary() string {
	var b strings.Builder
	ceiling := r.ceilingRPS()
	fmt.Fprintf(&b, "ceiling /healthz: %.0f req/s\n", ceiling)
	for _, p := range r.pages {
		if !p.Built || p.Load == nil {
			fmt.Fprintf(&b, "%-17s not built\n", p.Spec.Name)
			continue
		}
		l := p.Load
		fmt.Fprintf(&b, "%-17s p50 %8s p95 %8s p99 %8s  %6.0f req/s (%s)  errors %d  queries %v\n", p.Spec.Name,
			latency(l.P50), latency(l.P95), latency(l.P99), l.RPS, pct(l.RPS/ceiling), l.Errors, p.Queries)
		if v := l.Views; v != nil && v.Total() > 0 {
			fmt.Fprintf(&b, "%-17s views kept %d, waited %d, drawn %d %v\n", "", v.Kept, v.Waited, v.Drawn, v.DrawnBy)
		}
		if len(l.Slowest) > 0 {
			fmt.Fprintf(&b, "%-17s slowest 1%%: %s\n", "", slowestPages(l.Slowest))
		}
		if c := l.Writes; c != nil {
			fmt.Fprintf(&b, "%-17s writes made %d (%.1f/s), failed %d %s\n", "", c.Made, float64(c.Made)/l.Elapsed.Seconds(),
				c.Failed, c.FirstError)
		}
	}
	fmt.Fprintf(&b, "memory: peak %s, under load %s\n", mb(r.peakMemory()), mb(r.memory.LoadPeakKB))
	fmt.Fprintf(&b, "attachment: %s", r.files.markdown())
	if r.compression != nil {
		fmt.Fprintf(&b, "compression:\n%s", r.compression.markdown())
	}
	for _, s := range r.sweeps {
		for _, run := range s.Runs {
			fmt.Fprintf(&b, "%-24s %s run %d: %s, %d rows, %d statements\n", run.Name, s.Size, run.Run, ms(run.Duration), run.Result, run.Statements)
		}
	}
	fmt.Fprintf(&b, "shared superior: mean %s, p99 %s\n", ms(r.superior.Mean), ms(r.superior.P99))
	return b.String()
}

// since is a moment in seconds after the server's first start.
func (r *report) since(t *time.Time) string {
	if t == nil || r.serverStart.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%.0f", t.Sub(r.serverStart).Seconds())
}

func (r *report) restartList() string {
	if len(r.restartTimes) == 0 {
		return "the server was not restarted"
	}
	var parts []string
	for _, t := range r.restartTimes {
		parts = append(parts, r.since(&t)+" s")
	}
	return "the server was restarted at " + strings.Join(parts, ", ")
}

// slowestPages lists the pages of the slowest 1% of a run's requests, most first:
// "/search 61, /units/N 40".
func slowestPages(by map[string]int) string {
	pages := slices.Collect(maps.Keys(by))
	slices.SortFunc(pages, func(a, b string) int { return cmp.Or(by[b]-by[a], strings.Compare(a, b)) })
	parts := make([]string, len(pages))
	for i, p := range pages {
		parts[i] = fmt.Sprintf("%s %d", p, by[p])
	}
	return strings.Join(parts, ", ")
}
