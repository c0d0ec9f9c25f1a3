package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// The report's account of where each run's time went: the server's CPU profile and
// PostgreSQL's statement statistics.

// floorRPS is the signed-in floor's throughput, 0 when it was not measured.
func (r *report) floorRPS() float64 {
	for _, p := range r.loaded() {
		if p.Spec.Key == "floor" {
			return p.Load.RPS
		}
	}
	return 0
}

// share is a fraction as a percentage, with a decimal below 10%.
func share(f float64) string {
	if f < 0.1 {
		return fmt.Sprintf("%.1f%%", f*100)
	}
	return pct(f)
}

// profiledRun is one run with its name and path, for the section below.
type profiledRun struct {
	Name, Path string
	Load       *loadResult
}

func (r *report) profiledRuns() []profiledRun {
	var runs []profiledRun
	for i := range r.ceiling {
		name := "ceiling, before the pages"
		if i > 0 {
			name = "ceiling, after the pages"
		}
		runs = append(runs, profiledRun{name, "/healthz", &r.ceiling[i]})
	}
	for _, p := range r.loaded() {
		runs = append(runs, profiledRun{p.Spec.Name, p.Targets["load"].Path, p.Load})
	}
	return runs
}

// perReq divides a total among the run's requests.
func perReq(total time.Duration, requests int) string {
	if requests == 0 {
		return "—"
	}
	return ms(total / time.Duration(requests))
}

func msDuration(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func (r *report) writeProfiles(w func(string, ...any)) {
	runs := r.profiledRuns()
	if len(runs) == 0 {
		return
	}
	w("## Where the time goes\n\n")
	w("During each recorded run the benchmark takes a CPU profile of `accord serve` (net/http/pprof, served only on the " +
		"metrics listener, `ACCORD_METRICS_ADDR`, never on the public port) and reads PostgreSQL's own statistics " +
		"(pg_stat_statements, loaded only in the benchmark's throwaway cluster, reset just before the run). The profile " +
		"covers the run's whole seconds; CPU per request is the sampled CPU time divided by the run's requests, so it " +
		"includes the server's background work. Accord's functions are listed without the middleware every request " +
		"passes through (its cumulative time includes the handler's). Database time is PostgreSQL's execution and planning time of the " +
		"statements, not the round trips.")
	if r.cfg.profiles != "" {
		w(" The raw profiles and the binary they came from are kept in `%s` (not committed): "+
			"`go tool pprof -http=: %s %s` explores one.", r.cfg.profiles, filepath.Join(r.cfg.profiles, "accord"),
			filepath.Join(r.cfg.profiles, "<page>.pb.gz"))
	}
	w("\n\n")
	w("| run | req/s | server CPU per request | database time per request | statements per request | costliest Accord function (cumulative) | costliest package (flat) |\n")
	w("|---|--:|--:|--:|--:|---|---|\n")
	for _, run := range runs {
		l := run.Load
		cpu, db, stmts, fn, pkg := "—", "—", "—", "—", "—"
		if p := l.Profile; p != nil && p.Err == "" {
			cpu = perReq(p.Samples, l.Requests)
			if len(p.Accord) > 0 {
				fn = fmt.Sprintf("`%s` %s", shortFn(p.Accord[0].Name), share(ratio(p.Accord[0].Cum, p.Samples)))
			}
			if len(p.Packages) > 0 {
				pkg = fmt.Sprintf("%s %s", p.Packages[0].Name, share(ratio(p.Packages[0].Flat, p.Samples)))
			}
		}
		if d := l.DB; d != nil && d.Err == "" && l.Requests > 0 {
			db = perReq(msDuration(d.ExecMS+d.PlanMS), l.Requests)
			stmts = fmt.Sprintf("%.1f", float64(d.Calls)/float64(l.Requests))
		}
		w("| %s | %.0f | %s | %s | %s | %s | %s |\n", run.Name, l.RPS, cpu, db, stmts, fn, pkg)
	}
	w("\nStatements per request counts every statement the database ran during the run, the server's background work " +
		"(River's polling and leadership) included, divided by the run's requests. For the rows under writes and the " +
		"working mix, the server's CPU and the statements per request include the writer's posts, divided by the views " +
		"alone.\n\n")

	for _, run := range runs {
		r.writeProfileOf(w, run)
	}
}

func (r *report) writeProfileOf(w func(string, ...any), run profiledRun) {
	l := run.Load
	w("### %s: `%s`\n\n", run.Name, run.Path)
	w("%s requests, %.0f req/s, p99 %s.", thousandsInt(l.Requests), l.RPS, latency(l.P99))
	p := l.Profile
	switch {
	case p == nil:
		w(" No profile.\n\n")
	case p.Err != "":
		w(" No profile: %s.\n\n", p.Err)
	default:
		w(" Server CPU sampled: %s over %s (%.2f cores), %s per request; profile `%s`.\n\n", ms(p.Samples), ms(p.Duration),
			ratio(p.Samples, p.Duration), perReq(p.Samples, l.Requests), filepath.Base(p.Path))
		if len(p.Accord) > 0 {
			w("| Accord's code, by cumulative time | cumulative | share | per request |\n|---|--:|--:|--:|\n")
			for _, f := range p.Accord {
				w("| `%s` | %s | %s | %s |\n", shortFn(f.Name), ms(f.Cum), share(ratio(f.Cum, p.Samples)), perReq(f.Cum, l.Requests))
			}
			w("\n")
		}
		w("| every function, by flat time | flat | share | cumulative |\n|---|--:|--:|--:|\n")
		for _, f := range p.Flat {
			w("| `%s` | %s | %s | %s |\n", shortFn(f.Name), ms(f.Flat), share(ratio(f.Flat, p.Samples)), ms(f.Cum))
		}
		var pkgs []string
		for _, f := range p.Packages {
			pkgs = append(pkgs, fmt.Sprintf("%s %s", f.Name, share(ratio(f.Flat, p.Samples))))
		}
		w("\nFlat time by package: %s. Garbage collection (background marking) %s, allocation (mallocgc, "+
			"cumulative) %s, system calls %s.\n\n", strings.Join(pkgs, ", "), share(ratio(p.GC, p.Samples)),
			share(ratio(p.Alloc, p.Samples)), share(ratio(p.Syscalls, p.Samples)))
	}
	d := l.DB
	switch {
	case d == nil:
		return
	case d.Err != "":
		w("No PostgreSQL statistics: %s.\n\n", d.Err)
		return
	case d.Calls == 0:
		w("PostgreSQL ran no statements.\n\n")
		return
	}
	total := d.ExecMS + d.PlanMS
	w("PostgreSQL: %s statements (%.1f per request), %s executing and %s planning in all, %s per request.\n\n",
		thousands64(d.Calls), float64(d.Calls)/float64(max(1, l.Requests)), ms(msDuration(d.ExecMS)), ms(msDuration(d.PlanMS)),
		perReq(msDuration(total), l.Requests))
	w("| statement | calls per request | mean | mean planning | share of database time | rows per call | shared blocks hit / read per call |\n")
	w("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range d.Statements {
		calls := max(1, s.Calls)
		w("| `%s` | %.2f | %s | %s | %s | %.1f | %.1f / %.1f |\n", s.Query, float64(s.Calls)/float64(max(1, l.Requests)),
			ms(msDuration(s.ExecMS/float64(calls))), ms(msDuration(s.PlanMS/float64(calls))), share((s.ExecMS+s.PlanMS)/total),
			float64(s.Rows)/float64(calls), float64(s.Hit)/float64(calls), float64(s.Read)/float64(calls))
	}
	w("\n")
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// shortFn drops the module prefix of Accord's functions and escapes table pipes.
func shortFn(name string) string {
	name = strings.TrimPrefix(name, "accord/internal/")
	if len(name) > 110 {
		name = name[:110] + "…"
	}
	return strings.ReplaceAll(name, "|", "\\|")
}
