package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The report's sections, one method each, in the order markdown writes them.

func (r *report) writeData(w func(string, ...any)) {
	w("## Data\n\n")
	for _, s := range r.seeds {
		w("- `accord seed --scale %s`: %s (progress bar on stderr; one transaction, then ANALYZE)\n", s.Size, ms(s.Duration))
	}
	for _, v := range r.vacuum {
		w("- `VACUUM (FULL)` and `VACUUM (ANALYZE)` of the %s database: %s\n", v.Size, ms(v.Duration))
	}
	w("\nRows after the seed and the sweeps below (escalations and notifications are what the first sweep raised):\n\n")
	w("| table |")
	for _, c := range r.counts {
		w(" %s |", c.Size)
	}
	w("\n|---|")
	for range r.counts {
		w("--:|")
	}
	w("\n")
	if len(r.counts) > 0 {
		for i, t := range r.counts[0].Tables {
			w("| %s |", t.Table)
			for _, c := range r.counts {
				if i < len(c.Tables) {
					w(" %s |", thousands64(c.Tables[i].Rows))
				}
			}
			w("\n")
		}
	}
	w("%s", "\nThe large organisation: 1,000 units six levels deep (1, 6, 24, 96, 288, 585 per level), every one headed; "+
		"20,000 people spread evenly over the units; 10,000 projects, each led by a member of its owning unit, half "+
		"serving one of 50 goals; 200,000 needs (ten big projects of 200 needs, the rest about 20 each; a fifth held "+
		"by ten shared-service units) and one request per need: 30% agreed, 30% in progress, 15% requested, 10% "+
		"declined, 10% delivered, 5% countered, one open request in fifty stalled past twice its cadence; ten "+
		"progress entries per request. The small organisation is the same at a hundredth.\n\n")
}

func (r *report) writeSummary(w func(string, ...any), ceiling float64) {
	w("## Targets at a glance\n\n")
	w("The per-page targets are judged over the pages as they are served (kept between writes, and under "+
		"%d writes a second to what each shows); and apart, as harder cases, over the same pages drawn afresh on every "+
		"view (as if each view followed a write of its own) and over a working mix (many people at once, each on their "+
		"own pages, while their own writes come in).\n\n", writesPerSecond)
	w("| target (issue 18) | measured | result |\n|---|---|---|\n")
	var served, afresh, mixed []*pageResult
	for _, p := range r.pages {
		switch {
		case drawnAfresh(p):
			afresh = append(afresh, p)
		case p.Spec.Key == "mix":
			mixed = append(mixed, p)
		default:
			served = append(served, p)
		}
	}
	r.writePageTargets(w, ceiling, served, "as served", true)
	r.writePageTargets(w, ceiling, afresh, "drawn afresh on every view", false)
	if len(mixed) > 0 {
		r.writePageTargets(w, ceiling, mixed, "in a working mix", false)
	}
	constant, compared := 0, 0
	var drift []string
	for _, p := range r.pages {
		if !p.Built {
			continue
		}
		ok, judged := r.queriesConstant(p)
		if judged {
			compared++
			if ok {
				constant++
			} else {
				drift = append(drift, p.Spec.Name)
			}
		}
	}
	if compared > 0 {
		measured := fmt.Sprintf("%d of %d pages send the same number of statements at both sizes", constant, compared)
		if len(drift) > 0 {
			measured += "; differs: " + strings.Join(drift, ", ")
		}
		w("| queries per page constant in data size | %s | %s |\n", measured, metMissed(constant == compared))
	} else {
		w("| queries per page constant in data size | not compared (run with `-compare`) | — |\n")
	}
	peak := r.peakMemory()
	w("| < 150 MB of server memory | peak resident %s (VmHWM, sign-ins included); %s under load alone | %s |\n",
		mb(peak), mb(r.memory.LoadPeakKB), metMissed(peak < targetMemoryKB))
	runs, total, plans := r.steadySweep()
	var parts []string
	for _, run := range runs {
		parts = append(parts, fmt.Sprintf("%s %s", run.Name, ms(run.Duration)))
	}
	seq := seqScansOn(plans, "requests")
	indexNote := "indexes used"
	if len(seq) > 0 {
		indexNote = "sequential scan of requests in " + strings.Join(seq, ", ")
	}
	w("| stalled-item sweep < 100 ms using indexes | steady state %s (%s); %s | %s |\n", ms(total),
		strings.Join(parts, " + "), indexNote, metMissed(total < targetSweep && len(seq) == 0))
	if nb := r.notBuilt(); len(nb) > 0 {
		w("| key pages not built yet | %s: not measured | — |\n", strings.Join(nb, ", "))
	}
	w("\n")
}

// writePageTargets writes the summary's rows for the per-page targets, each saying
// how many of pages met it and which did worst; group says which pages they are.
func (r *report) writePageTargets(w func(string, ...any), ceiling float64, pages []*pageResult, group string, withFloor bool) {
	var floor *pageResult
	var others, built, loaded []*pageResult
	for _, p := range pages {
		if p.Built {
			built = append(built, p)
		}
		if p.Built && p.Load != nil {
			loaded = append(loaded, p)
		}
	}
	for _, p := range loaded {
		if p.Spec.Key == "floor" {
			floor = p
		} else {
			others = append(others, p)
		}
	}
	// withErrors names the pages whose load runs had errors, which miss the load targets.
	withErrors := func(pages []*pageResult) string {
		var names []string
		for _, p := range pages {
			if p.Load.Errors > 0 {
				names = append(names, fmt.Sprintf("%s (%d)", p.Spec.Name, p.Load.Errors))
			}
		}
		if len(names) == 0 {
			return ""
		}
		return "; errors: " + strings.Join(names, ", ")
	}

	floorTarget := fmt.Sprintf("signed-in floor ≥ %s of the /healthz ceiling's throughput", pct(targetFloorShare))
	switch {
	case !withFloor:
		// The floor keeps nothing: it is judged once, with the pages as served.
	case floor != nil:
		l := floor.Load
		w("| %s | %.0f req/s = %s of %.0f req/s%s | %s |\n", floorTarget, l.RPS, ofCeiling(l.RPS, ceiling), ceiling,
			withErrors([]*pageResult{floor}), metMissed(r.pageMeets(floor, ceiling).Share))
	default:
		w("| %s | not measured | — |\n", floorTarget)
	}

	shareTarget := fmt.Sprintf("every other key page, %s, ≥ %s of the ceiling's throughput", group, pct(targetShare))
	if _, met := r.tally(others, ceiling, func(pageVerdict) bool { return true }, func(v pageVerdict) bool { return v.Share }); len(others) > 0 {
		lowest := slices.MinFunc(others, func(a, b *pageResult) int { return cmp.Compare(a.Load.RPS, b.Load.RPS) })
		w("| %s | %d of %d pages; lowest: %s, %.0f req/s = %s of %.0f req/s%s | %s |\n", shareTarget, met, len(others),
			lowest.Spec.Name, lowest.Load.RPS, ofCeiling(lowest.Load.RPS, ceiling), ceiling, withErrors(others),
			metMissed(met == len(others)))
	} else {
		w("| %s | not measured | — |\n", shareTarget)
	}

	p99Target := fmt.Sprintf("p99 ≤ %d ms at %d clients, every key page %s", targetP99.Milliseconds(), targetClients, group)
	if _, met := r.tally(loaded, ceiling, func(pageVerdict) bool { return true }, func(v pageVerdict) bool { return v.P99 }); len(loaded) > 0 {
		worst := slices.MaxFunc(loaded, func(a, b *pageResult) int { return cmp.Compare(a.Load.P99, b.Load.P99) })
		clients := ""
		if r.cfg.clients != targetClients {
			clients = fmt.Sprintf(" (measured with %d clients)", r.cfg.clients)
		}
		w("| %s | %d of %d pages%s; worst: %s, p99 %s%s | %s |\n", p99Target, met, len(loaded), clients,
			worst.Spec.Name, latency(worst.Load.P99), withErrors(loaded), metMissed(met == len(loaded)))
	} else {
		w("| %s | not measured | — |\n", p99Target)
	}

	// Rows under writes, and the mix, are timed and sized as their pages, on those
	// pages' own rows: a group of them alone has nothing of its own to show.
	elsewhere := len(built) > 0 && !slices.ContainsFunc(built, func(p *pageResult) bool { return p.Targets[r.cfg.scale].Writes == nil })
	aloneTarget := fmt.Sprintf("one request alone ≤ %d ms, every key page %s", targetAlone.Milliseconds(), group)
	timed, met := r.tally(built, ceiling, func(v pageVerdict) bool { return v.Timed }, func(v pageVerdict) bool { return v.Alone })
	if len(timed) > 0 {
		scale := r.cfg.scale
		worst := slices.MaxFunc(timed, func(a, b *pageResult) int { return cmp.Compare(a.Alone[scale], b.Alone[scale]) })
		w("| %s | %d of %d pages, on the %s organisation; slowest: %s, %s | %s |\n", aloneTarget, met, len(timed), scale,
			worst.Spec.Name, ms(worst.Alone[scale]), metMissed(met == len(timed)))
	} else if elsewhere {
		w("| %s | its pages are timed on their own rows | — |\n", aloneTarget)
	} else {
		w("| %s | not measured | — |\n", aloneTarget)
	}

	sizeTarget := fmt.Sprintf("≤ %d kB of HTML per key page %s on the %s organisation", targetPageBytes/1024, group, targetPageSize)
	sized, met := r.tally(built, ceiling, func(v pageVerdict) bool { return v.Sized }, func(v pageVerdict) bool { return v.Size })
	if len(sized) > 0 {
		largest := slices.MaxFunc(sized, func(a, b *pageResult) int { return a.Bytes[targetPageSize] - b.Bytes[targetPageSize] })
		w("| %s | %d of %d pages; largest: %s, %s | %s |\n", sizeTarget, met, len(sized), largest.Spec.Name,
			pageKB(largest.Bytes[targetPageSize]), metMissed(met == len(sized)))
	} else if elsewhere {
		w("| %s | its pages are sized on their own rows | — |\n", sizeTarget)
	} else {
		w("| %s | not measured (the %s organisation was not measured: run with `-scale %s` or `-compare %s`) | — |\n",
			sizeTarget, targetPageSize, targetPageSize, targetPageSize)
	}
}

func (r *report) writeLatency(w func(string, ...any), ceiling float64) {
	w("## Targets: p99 ≤ %d ms at %d clients, and one request alone ≤ %d ms, per page\n\n", targetP99.Milliseconds(),
		targetClients, targetAlone.Milliseconds())
	w("%d concurrent clients for %s per page against the %s organisation. Each client sends its next request as "+
		"soon as the last one is answered, so the mean latency is clients ÷ throughput (Little's law): a p99 of 50 ms "+
		"with %d clients needs roughly %.0f requests per second or more, that is about %s of machine time per request "+
		"on %d cores, server and PostgreSQL together.", r.cfg.clients, r.cfg.duration, r.cfg.scale, r.cfg.clients,
		float64(r.cfg.clients)/0.025, ms(time.Duration(float64(r.machine.Cores)*0.025/float64(r.cfg.clients)*float64(time.Second))),
		r.machine.Cores)
	if r.cfg.clients != targetClients {
		w(" The p99 target is set at %d clients; this run used %d.", targetClients, r.cfg.clients)
	}
	w("\n\n")
	w("| page | path | signed in as | data on the page | one request alone | alone ≤ %d ms | p50 | p95 | p99 | max | p99 ≤ %d ms |\n"+
		"|---|---|---|---|--:|---|--:|--:|--:|--:|---|\n", targetAlone.Milliseconds(), targetP99.Milliseconds())
	for _, c := range r.ceiling {
		w("| %s | /healthz | nobody | — | — | — | %s | %s | %s | %s | — |\n", label("ceiling", c), ms(c.P50), ms(c.P95),
			ms(c.P99), ms(c.Max))
	}
	for _, p := range r.pages {
		if !p.Built || p.Load == nil {
			w("| %s | — | — | — | — | — | — | — | — | — | %s |\n", p.Spec.Name, notLoaded(p))
			continue
		}
		t := p.Targets["load"]
		l := p.Load
		v := r.pageMeets(p, ceiling)
		alone, aloneResult := "—", "—"
		if v.Timed {
			alone, aloneResult = ms(p.Alone[r.cfg.scale]), metMissed(v.Alone)
		}
		w("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label(p.Spec.Name, *l), t.Path, t.Who, t.Data,
			alone, aloneResult, latency(l.P50), latency(l.P95), latency(l.P99), latency(l.Max), metMissed(v.P99))
	}
	w("\n\"One request alone\" is the median of %d requests for the page sent one after another, with nothing else "+
		"running, on the server built in-process against the %s organisation, after a request that warms its "+
		"connections and the one whose statements are counted (see queries per page). Clients give up after %s; a "+
		"percentile at that limit means at least that share of requests was not answered in time. A page whose load "+
		"run had errors misses the p99 target whatever its percentiles.\n", aloneSamples, r.cfg.scale, ms(clientTimeout))
	w("\n")
}

func (r *report) writeThroughput(w func(string, ...any), ceiling float64) {
	w("## Target: at least %s of the ceiling's throughput per page, %s for the signed-in floor\n\n", pct(targetShare),
		pct(targetFloorShare))
	w("The ceiling is `/healthz` served by the same binary in the same run (mean of the runs before and after the pages: %.0f req/s). "+
		"The signed-in floor is the cheapest signed-in page, so it has to reach %s of it; every other key page %s. A page "+
		"whose load run had errors misses the target.\n\n", ceiling, pct(targetFloorShare), pct(targetShare))
	floor := r.floorRPS()
	w("| page | requests | req/s | share of /healthz | target | share of the signed-in floor | errors | result |\n|---|--:|--:|--:|--:|--:|--:|---|\n")
	for i, c := range r.ceiling {
		when := "before the pages"
		if i > 0 {
			when = "after the pages"
		}
		w("| ceiling, %s | %s | %.0f | %s | — | — | %d | — |\n", when, thousandsInt(c.Requests), c.RPS, ofCeiling(c.RPS, ceiling), c.Errors)
	}
	for _, p := range r.pages {
		if !p.Built || p.Load == nil {
			w("| %s | — | — | — | — | — | — | %s |\n", p.Spec.Name, notLoaded(p))
			continue
		}
		l := p.Load
		ofFloor := "—"
		if floor > 0 {
			ofFloor = share(l.RPS / floor)
		}
		errs := fmt.Sprint(l.Errors)
		switch {
		case l.Timeouts == l.Errors && l.Errors > 0:
			errs += " (all timed out)"
		case l.Errors > 0:
			errs += " (" + l.FirstError + ")"
		}
		w("| %s | %s | %.0f | %s | ≥ %s | %s | %s | %s |\n", label(p.Spec.Name, *l), thousandsInt(l.Requests), l.RPS,
			ofCeiling(l.RPS, ceiling), pct(shareNeeded(p)), ofFloor, errs, metMissed(r.pageMeets(p, ceiling).Share))
	}
	w("\n")
}

// writeViews tells, per page, how the server answered its views (its counts of the
// pages it keeps rendered) and what the page's writer wrote meanwhile.
func (r *report) writeViews(w func(string, ...any)) {
	w("## How the views were answered, and the writes made meanwhile\n\n")
	w("From the server's own counts (`accord_rendered_page_views_total` on its metrics address) over each run: views " +
		"served as kept at once, served as kept after waiting for another request drawing the same page, and drawn " +
		"afresh. A page the server does not keep (the signed-in floor, the API list) counts no views. A row under " +
		"writes is flagged when its writes failed, fell below nine a second, or drew its page again fewer times than " +
		"nine in ten writes (they did not change what it shows).\n\n")
	w("| page | views | kept | waited for a drawing | drawn afresh | writes made | writes per second | writes failed |\n" +
		"|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range r.pages {
		l := p.Load
		if !p.Built || l == nil {
			continue
		}
		views := "—"
		kept, waited, drawn := "—", "—", "—"
		if v := l.Views; v != nil && v.Total() > 0 {
			views = thousandsInt(int(v.Total()))
			of := func(n int64) string {
				return fmt.Sprintf("%s (%.1f%%)", thousandsInt(int(n)), 100*float64(n)/float64(v.Total()))
			}
			kept, waited, drawn = of(v.Kept), of(v.Waited), of(v.Drawn)
		} else if v != nil {
			views = "0"
		}
		made, rate, failed := "—", "—", "—"
		if c := l.Writes; c != nil {
			perSecond := float64(c.Made) / l.Elapsed.Seconds()
			made, rate, failed = thousandsInt(c.Made), fmt.Sprintf("%.1f", perSecond), fmt.Sprint(c.Failed)
			if c.FirstError != "" {
				failed += " (" + c.FirstError + ")"
			}
			single := p.Spec.Key != "mix"
			if c.Failed > 0 || perSecond < 0.9*writesPerSecond ||
				single && (l.Views == nil || float64(l.Views.Drawn) < 0.9*float64(c.Made)) {
				made += " **flagged**"
			}
		}
		if v := l.Views; v != nil && len(v.DrawnBy) > 1 {
			pages := slices.Sorted(maps.Keys(v.DrawnBy))
			slices.SortStableFunc(pages, func(a, b string) int { return cmp.Compare(v.DrawnBy[b], v.DrawnBy[a]) })
			var by []string
			for _, page := range pages {
				by = append(by, fmt.Sprintf("%s %s", page, thousandsInt(int(v.DrawnBy[page]))))
			}
			drawn += ": " + strings.Join(by, ", ")
		}
		w("| %s | %s | %s | %s | %s | %s | %s | %s |\n", p.Spec.Name, views, kept, waited, drawn, made, rate, failed)
	}
	w("\n")
	for _, p := range r.pages {
		if p.Built && p.Load != nil && len(p.Load.Slowest) > 0 {
			w("The slowest 1%% of the views of the row “%s”, by page: %s.\n\n", p.Spec.Name, slowestPages(p.Load.Slowest))
		}
	}
}

func (r *report) writeQueries(w func(string, ...any), ceiling float64) {
	w("## Targets: queries per page constant in data size, and at most %d kB of HTML per page\n\n", targetPageBytes/1024)
	w("Statements sent to PostgreSQL for one request of the page (a warm one: the second), counted by a pgx "+
		"QueryTracer on the server built in-process; BEGIN and COMMIT count, and so do the session and viewer "+
		"look-ups every signed-in page makes. The slowest statement is from the same request, sent alone (no other "+
		"load from the benchmark). The page size is the body of that request; its target, %d kB, holds on the %s "+
		"organisation.\n\n", targetPageBytes/1024, targetPageSize)
	sizes := r.sizes()
	w("| page |")
	for _, s := range sizes {
		w(" statements, %s | page size, %s | data, %s |", s, s, s)
	}
	w(" slowest statement, %s | statements constant | ≤ %d kB, %s |\n|---|", r.cfg.scale, targetPageBytes/1024, targetPageSize)
	for range sizes {
		w("--:|--:|---|")
	}
	w("--:|---|---|\n")
	for _, p := range r.pages {
		if !p.Built {
			w("| %s |", p.Spec.Name)
			for range sizes {
				w(" — | — | — |")
			}
			w(" — | not built yet | — |\n")
			continue
		}
		if p.Targets[r.cfg.scale].Writes != nil {
			continue // under writes, or the mix: its pages' own rows say it
		}
		w("| %s |", p.Spec.Name)
		for _, s := range sizes {
			status := ""
			if st := p.Status[s]; st != 200 {
				status = fmt.Sprintf(" (status %d)", st)
			}
			w(" %d%s | %s | %s |", p.Queries[s], status, pageKB(p.Bytes[s]), p.Targets[s].Data)
		}
		slow := "—"
		if st := p.Slowest[r.cfg.scale]; st != nil {
			slow = ms(st.Duration)
		}
		ok, judged := r.queriesConstant(p)
		constant := "—"
		if judged {
			constant = metMissed(ok)
		}
		size := "—"
		if v := r.pageMeets(p, ceiling); v.Sized {
			size = metMissed(v.Size)
		}
		w(" %s | %s | %s |\n", slow, constant, size)
	}
	w("\n")
}

func (r *report) writeMemory(w func(string, ...any)) {
	w("## Target: under 150 MB of server memory\n\n")
	w("Read from /proc/<pid>/status of the `accord serve` process. Signing in checks an argon2id hash with " +
		"19 MiB of memory (password.DefaultParams), at most four at a time, so the peak since start includes the sign-ins; ")
	if r.memory.CanReset {
		w("then, before each load run, the resident set was left to settle (Go returns freed memory to the system " +
			"gradually) and the peak was reset (`echo 5 > /proc/<pid>/clear_refs`), so each run's figure is its own peak.\n\n")
	} else {
		w("the peak could not be reset on this kernel, so per-run figures are peaks since start.\n\n")
	}
	w("| moment | peak (VmHWM) | resident (VmRSS) |\n|---|--:|--:|\n")
	w("| after start-up and the start-up sweep | %s | %s |\n", mb(r.memory.StartHWMKB), mb(r.memory.StartRSSKB))
	w("| after %d sign-ins in a row | %s | %s |\n", r.signIns, mb(r.memory.AfterSignInHWMKB), mb(r.memory.AfterSignInRSSKB))
	w("| after %s of `/healthz` traffic, when the sign-ins' memory was given back | — | %s |\n",
		r.memory.GivenBackAfter.Round(time.Second), mb(r.memory.SettledRSSKB))
	w("| at the end of the run | %s | %s |\n\n", mb(r.memory.EndHWMKB), mb(r.memory.EndRSSKB))
	w("| load run | peak during the run |\n|---|--:|\n")
	for _, c := range r.ceiling {
		w("| %s | %s |\n", label("ceiling", c), mb(c.PeakRSSKB))
	}
	for _, p := range r.loaded() {
		w("| %s | %s |\n", label(p.Spec.Name, *p.Load), mb(p.Load.PeakRSSKB))
	}
	peak := r.peakMemory()
	w("\nResult: peak %s against a limit of 150 MB: %s.\n\n", mb(peak), metMissed(peak < targetMemoryKB))
}

func (r *report) writeSweep(w func(string, ...any)) {
	w("## Target: stalled-item sweep under 100 ms, using indexes\n\n")
	w("`store.SweepStale` (reminders for requests idle past their cadence), `store.SweepEscalations` (escalate " +
		"declined, overdue and stale requests under each project's policy), `store.AdvanceWindows` (decision-window " +
		"reminders and moves up) and `store.FoldPortfolioTotals` (the portfolio's kept sums folded, migration 0062; " +
		"its rows added are the rows it folded away), " +
		"called directly on the seeded database, in the periodic sweep's order. Each request carries the next moment the " +
		"sweep must look at it (migration 0011, reset by triggers whenever something a rule reads changes), so a sweep " +
		"reads only the rows due through partial indexes. The first run meets the seeded backlog and raises everything " +
		"at once, in batches of 2,000; the second run, moments later (after `VACUUM (ANALYZE)` of the tables the first " +
		"one rewrote, as autovacuum would do), is what every periodic sweep (every 5 minutes) costs from then on.\n\n")
	w("| sweep | organisation | run | time | rows added | statements sent | slowest statement |\n|---|---|---|--:|--:|--:|--:|\n")
	for _, s := range r.sweeps {
		for _, run := range s.Runs {
			which := "first (backlog)"
			if run.Run == 2 {
				which = "second (steady state)"
			}
			slow := "—"
			if run.Slowest != nil {
				slow = ms(run.Slowest.Duration)
			}
			w("| %s | %s | %s | %s | %s | %s (%s) | %s |\n", run.Name, s.Size, which, ms(run.Duration),
				thousands64(run.Result), thousandsInt(run.Statements), kindsText(run.Kinds), slow)
		}
	}
	if r.startup.State != "" {
		w("\nThe server's own start-up sweep (River job `accord_sweep`: sessions, login failures, both sweeps above and "+
			"the decision windows, in steady state) took %s (%s); the load waited for it.\n", ms(r.startup.Duration), r.startup.State)
	}
	if len(r.sweepJobs) > 0 {
		w("\nBackground sweep jobs (River, kind `accord_sweep`) from the server's first start to the end of the load, "+
			"in seconds since that start; %s.\n\n", r.restartList())
		w("| job | state | attempts | errors | created | started | finished |\n|--:|---|--:|--:|--:|--:|--:|\n")
		for _, j := range r.sweepJobs {
			w("| %d | %s | %d | %d | %s | %s | %s |\n", j.ID, j.State, j.Attempt, j.Errors, r.since(j.Created),
				r.since(j.Attempted), r.since(j.Finished))
		}
	}
	_, total, plans := r.steadySweep()
	seq := seqScansOn(plans, "requests")
	w("\nResult: steady state %s against 100 ms", ms(total))
	if len(seq) > 0 {
		w(", with a sequential scan of requests in %s", strings.Join(seq, ", "))
	}
	w(": %s.\n\n", metMissed(total < targetSweep && len(seq) == 0))
	for _, p := range plans {
		jit := ""
		if p.JIT != "" {
			jit = "; JIT compilation " + p.JIT + " (all workers), execution " + p.Total
		}
		w("<details><summary>EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of %s, steady state — indexes: %s; "+
			"sequential scans: %s%s</summary>\n\n```\n%s\n```\n</details>\n\n",
			p.Name, listOrNone(p.Indexes), listOrNone(p.SeqScans), jit, p.Text)
	}
}

func (r *report) writeSuperior(w func(string, ...any)) {
	s := r.superior
	w("## Shared-superior lookup\n\n")
	w("`store.SharedSuperior` between two units on the deepest level (depth %d) of the %s organisation, %s lookups "+
		"over varied pairs, one at a time with no other load from the benchmark (%s of them resolved to the root).\n\n",
		s.Depth, r.cfg.scale, thousandsInt(s.Lookups), thousandsInt(s.AtRoot))
	w("| mean | p50 | p99 | max |\n|--:|--:|--:|--:|\n| %s | %s | %s | %s |\n\n", ms(s.Mean), ms(s.P50), ms(s.P99), ms(s.Max))
}

func (r *report) writeMachineLoad(w func(string, ...any)) {
	w("## How busy the machine was\n\n")
	w("Other engineers share this machine. For each load run: the share of all CPU time (both cores) used by the " +
		"load generator, the server, PostgreSQL and everything else on the machine, the one-minute load average at " +
		"the run's end, and the CPU time the server and PostgreSQL spent per request.\n\n")
	if l := r.serverLog; l.Warnings+l.Errors > 0 {
		w("The server (ACCORD_LOG_LEVEL=warn) logged %d warnings and %d errors during the load; distinct messages, "+
			"first seen first:\n\n", l.Warnings, l.Errors)
		for _, e := range l.Examples {
			w("- `%s`\n", strings.ReplaceAll(e, "`", "'"))
		}
		w("\n")
	} else {
		w("The server (ACCORD_LOG_LEVEL=warn) logged no warnings or errors during the load.\n\n")
	}
	w("| run | load generator | server | PostgreSQL | everything else | load average | server CPU per request | PostgreSQL CPU per request |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(name string, l loadResult) {
		name = label(name, l)
		w("| %s | %s | %s | %s | %s | %.2f | %s | %s |\n", name, pct(l.CPU.Bench), pct(l.CPU.Server), pct(l.CPU.Postgres),
			pct(l.CPU.Others), l.Load.One, perRequest(l.CPU.ServerSeconds, l.Requests), perRequest(l.CPU.PostgresSeconds, l.Requests))
	}
	for _, c := range r.ceiling {
		row("ceiling", c)
	}
	for _, p := range r.loaded() {
		row(p.Spec.Name, *p.Load)
	}
	w("\n")
}

func (r *report) writeMissed(w func(string, ...any), ceiling float64) {
	w("## What is missed, and why\n\n")
	var any bool
	for _, p := range r.pages {
		v := r.pageMeets(p, ceiling)
		if !v.missed() {
			continue
		}
		any = true
		path := p.Targets[r.cfg.scale].Path
		if t, ok := p.Targets["load"]; ok {
			path = t.Path
		}
		l := p.Load
		var misses []string
		errs := ""
		if l != nil && l.Errors > 0 {
			errs = fmt.Sprintf(", %s errors", thousandsInt(l.Errors))
		}
		if v.Loaded && !v.Share {
			misses = append(misses, fmt.Sprintf("throughput (%.0f req/s, %s of the ceiling%s; needs %s)", l.RPS,
				ofCeiling(l.RPS, ceiling), errs, pct(shareNeeded(p))))
		}
		if v.Loaded && !v.P99 {
			misses = append(misses, fmt.Sprintf("p99 (%s%s; needs ≤ %d ms)", latency(l.P99), errs, targetP99.Milliseconds()))
		}
		if v.Timed && !v.Alone {
			misses = append(misses, fmt.Sprintf("one request alone (%s; needs ≤ %d ms)", ms(p.Alone[r.cfg.scale]),
				targetAlone.Milliseconds()))
		}
		if v.Sized && !v.Size {
			misses = append(misses, fmt.Sprintf("page size (%s of HTML on the %s organisation; needs ≤ %d kB)",
				pageKB(p.Bytes[targetPageSize]), targetPageSize, targetPageBytes/1024))
		}
		w("- **%s** (`%s`): misses %s.", p.Spec.Name, path, andList(misses))
		if v.Loaded && (!v.Share || !v.P99) {
			alone := "takes " + ms(p.Alone[r.cfg.scale])
			if !v.Timed {
				alone = "is timed on its page's own row" // under writes, or the mix
			}
			switch {
			case l.Timeouts > 0:
				w(" %s of %s requests were still unanswered when their clients gave up after %s. Sent alone, the page "+
					"%s; %d clients at once queue behind one another for the server's few database connections "+
					"and the two cores.", thousandsInt(l.Timeouts), thousandsInt(l.Requests), ms(clientTimeout),
					alone, r.cfg.clients)
			case l.RPS > 0:
				// Little's law for a closed loop: clients = throughput × mean latency.
				w(" Sent alone, the page %s. With %d clients always waiting, latency is mostly queueing: "+
					"%d ÷ %.0f req/s ≈ %s per request on average (Little's law).", alone,
					r.cfg.clients, r.cfg.clients, l.RPS, ms(time.Duration(float64(r.cfg.clients)/l.RPS*float64(time.Second))))
			}
			if answered := l.Requests - l.Timeouts; answered > 0 {
				w(" Each answered request cost %s of server CPU and %s of PostgreSQL CPU.",
					perRequest(l.CPU.ServerSeconds, answered), perRequest(l.CPU.PostgresSeconds, answered))
			}
			w(" Meanwhile PostgreSQL used %s of both cores, the server %s, and other work on the machine %s.",
				pct(l.CPU.Postgres), pct(l.CPU.Server), pct(l.CPU.Others))
			if l.SweepDuring {
				w(" A periodic background sweep ran during this run.")
			}
		}
		if st := p.Slowest[r.cfg.scale]; st != nil {
			w(" Sent alone, its slowest statement took %s (`%s`).", ms(st.Duration), firstWords(st.SQL, 12))
		}
		if l != nil && l.Errors > l.Timeouts {
			w(" %d requests failed (%s).", l.Errors-l.Timeouts, l.FirstError)
		}
		w("\n")
	}
	if extra := len(r.sweepJobs) - 1 - r.restarts; extra > 0 && r.serverLog.LeaderLost > 0 {
		any = true
		w("- **Background sweeps under load**: %d sweep jobs ran during the load, %d more than one per server start. "+
			"The job client shares the server's pool of database connections; while the pages held every connection, "+
			"River's leader could not renew its lease in time (%d `leadership.Elector` errors in the log) and stepped "+
			"down, and each newly elected leader ran the whole sweep again on start (RunOnStart), several seconds of "+
			"PostgreSQL time each, during the runs marked \"a periodic sweep ran meanwhile\".\n",
			len(r.sweepJobs), extra, r.serverLog.LeaderLost)
	}
	for _, p := range r.pages {
		if ok, judged := r.queriesConstant(p); judged && !ok {
			any = true
			w("- **%s** sends %d statements at %s and %d at %s: the count grows with the data.\n", p.Spec.Name,
				p.Queries[r.cfg.compare], r.cfg.compare, p.Queries[r.cfg.scale], r.cfg.scale)
		}
	}
	peak := r.peakMemory()
	if peak >= targetMemoryKB {
		any = true
		w("- **Memory**: peak %s since start; %s at most during the page loads. ", mb(peak), mb(r.memory.LoadPeakKB))
		if r.memory.LoadPeakKB < targetMemoryKB && r.memory.AfterSignInHWMKB >= targetMemoryKB {
			w("The peak comes from signing in, not from serving pages: each sign-in checks an argon2id hash with 19 MiB "+
				"(password.DefaultParams), and %d sign-ins in a row reached %s before the garbage collector and the "+
				"scavenger gave the memory back. At most four sign-ins are checked at once (fewer on fewer cores).",
				r.signIns, mb(r.memory.AfterSignInHWMKB))
		}
		w("\n")
	}
	runs, total, plans := r.steadySweep()
	seq := seqScansOn(plans, "requests")
	if total >= targetSweep || len(seq) > 0 {
		any = true
		w("- **Stalled-item sweep**: %s in steady state.", ms(total))
		for _, run := range runs {
			w(" %s took %s and sent %s statements (%s).", run.Name, ms(run.Duration), thousandsInt(run.Statements),
				kindsText(run.Kinds))
			inserts := 0
			for _, k := range run.Kinds {
				if strings.HasPrefix(k.Kind, "INSERT") {
					inserts += k.Count
				}
			}
			if int64(inserts) > 10*max(run.Result, 1) {
				w(" It raised %s yet tried %s INSERTs, nearly all meeting ON CONFLICT DO NOTHING: its candidate "+
					"query does not leave out requests already escalated for a cause, so every periodic run re-selects "+
					"the whole backlog, works out the shared superior per row, and retries it one statement at a time.",
					thousands64(run.Result), thousandsInt(inserts))
			}
		}
		if len(seq) > 0 {
			w(" The plans read requests sequentially in %s.", strings.Join(seq, ", "))
		}
		for _, p := range plans {
			if p.JIT != "" {
				w(" PostgreSQL JIT-compiled the plan of %s (%s of compilation, summed over parallel workers, for an "+
					"execution of %s): its cost estimate passes jit_above_cost.", p.Name, p.JIT, p.Total)
			}
		}
		w(" See the plans above.\n")
	}
	for _, name := range r.notBuilt() {
		any = true
		w("- **%s**: not built yet, so not measured.\n", name)
	}
	if !any {
		w("Nothing: every target is met.\n")
	}
	w("\n")
}

// notLoaded says why a page has no load run.
func notLoaded(p *pageResult) string {
	if p.Built {
		return "not loaded in this run"
	}
	return "not built yet"
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func seqScansOn(plans []plan, table string) []string {
	var out []string
	for _, p := range plans {
		if slices.Contains(p.SeqScans, table) {
			out = append(out, p.Name)
		}
	}
	return out
}

// tally keeps the pages judged against a target and counts those that meet it, both
// read from pageMeets.
func (r *report) tally(pages []*pageResult, ceiling float64, judged, met func(pageVerdict) bool) ([]*pageResult, int) {
	var in []*pageResult
	n := 0
	for _, p := range pages {
		v := r.pageMeets(p, ceiling)
		if !judged(v) {
			continue
		}
		in = append(in, p)
		if met(v) {
			n++
		}
	}
	return in, n
}

// drawnAfresh is whether a page row is drawn afresh on every view (a query no request
// repeats), the worst case, judged apart from the pages as served.
func drawnAfresh(p *pageResult) bool { return strings.HasSuffix(p.Spec.Key, "-afresh") }
