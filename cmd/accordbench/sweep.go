package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
	"accord/internal/store"
)

// tracer counts every statement sent through a pool and, when capturing, keeps each
// one's text, arguments and time, so the sweeps' own queries can be explained without
// copying them here.
type tracer struct {
	count   atomic.Int64
	capture atomic.Bool
	mu      sync.Mutex
	stmts   []*statement
}

type statement struct {
	SQL      string
	Args     []any
	Duration time.Duration
	start    time.Time
}

type traceKey struct{}

func (t *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.count.Add(1)
	if !t.capture.Load() {
		return ctx
	}
	return context.WithValue(ctx, traceKey{}, &statement{SQL: d.SQL, Args: d.Args, start: time.Now()})
}

func (t *tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	s, ok := ctx.Value(traceKey{}).(*statement)
	if !ok {
		return
	}
	s.Duration = time.Since(s.start)
	t.mu.Lock()
	t.stmts = append(t.stmts, s)
	t.mu.Unlock()
}

// batchKey marks, in a batch's context, when its previous statement's result came.
type batchKey struct{}

// TraceBatchStart and its kin count a batch's statements too (the inbox sends one):
// each is timed from the previous one's result, a pipeline's statements running one
// after another.
func (t *tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if !t.capture.Load() {
		return ctx
	}
	mark := time.Now()
	return context.WithValue(ctx, batchKey{}, &mark)
}

func (t *tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	t.count.Add(1)
	mark, ok := ctx.Value(batchKey{}).(*time.Time)
	if !ok {
		return
	}
	now := time.Now()
	s := &statement{SQL: d.SQL, Args: d.Args, Duration: now.Sub(*mark)}
	*mark = now
	t.mu.Lock()
	t.stmts = append(t.stmts, s)
	t.mu.Unlock()
}

func (t *tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// begin resets the counter and starts capturing.
func (t *tracer) begin(capture bool) {
	t.mu.Lock()
	t.stmts = nil
	t.mu.Unlock()
	t.count.Store(0)
	t.capture.Store(capture)
}

// end stops capturing and returns what was captured.
func (t *tracer) end() (int, []*statement) {
	t.capture.Store(false)
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(t.count.Load()), t.stmts
}

// sweepRun is one timed call of a sweep.
type sweepRun struct {
	Name       string
	Run        int // 1: the first run, with the seeded backlog; 2: steady state
	Duration   time.Duration
	Result     int64 // reminders added or escalations raised
	Statements int
	Kinds      []kindCount // the statements by kind, most frequent first
	Slowest    *statement  // the slowest statement EXPLAIN can run (no BEGIN, COMMIT or SET)
	Settings   []string    // SET LOCAL statements the sweep sent, in the order first sent
}

type kindCount struct {
	Kind  string
	Count int
}

// statementKind names a statement by its verb and, for writes, its table.
func statementKind(sql string) string {
	f := strings.Fields(strings.ToUpper(sql))
	if len(f) == 0 {
		return "empty"
	}
	switch f[0] {
	case "INSERT", "DELETE":
		if len(f) > 2 {
			return f[0] + " " + strings.ToLower(f[2])
		}
	case "UPDATE":
		if len(f) > 1 {
			return f[0] + " " + strings.ToLower(f[1])
		}
	case "WITH":
		return "WITH … SELECT"
	}
	return f[0]
}

// explainable reports whether EXPLAIN can run the statement: not BEGIN or COMMIT.
func explainable(sql string) bool {
	switch k := statementKind(sql); {
	case k == "SELECT", k == "WITH … SELECT", strings.HasPrefix(k, "INSERT "), strings.HasPrefix(k, "UPDATE "),
		strings.HasPrefix(k, "DELETE "):
		return true
	}
	return false
}

func kindsOf(stmts []*statement) []kindCount {
	counts := map[string]int{}
	for _, s := range stmts {
		counts[statementKind(s.SQL)]++
	}
	var out []kindCount
	for k, n := range counts {
		out = append(out, kindCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// plan is EXPLAIN ANALYZE of a sweep's slowest statement in its steady state.
type plan struct {
	Name     string
	Text     string
	Indexes  []string // indexes the plan reads
	SeqScans []string // tables it reads whole
	JIT      string   // PostgreSQL's JIT compilation time, when it compiled
	Total    string   // execution time
}

type sweepResult struct {
	Size  string
	Runs  []sweepRun
	Plans []plan
}

// sweeps are the stalled-item sweeps the background job runs, by name.
var sweeps = []struct {
	name string
	run  func(ctx context.Context, st *store.Store, now time.Time) (int64, error)
}{
	{"SweepStale (reminders)", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		return st.SweepStale(ctx, now)
	}},
	{"SweepEscalations", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		n, err := st.SweepEscalations(ctx, now, accord.DefaultDecisionWindowDays)
		return int64(n), err
	}},
	// The third step of every periodic sweep: window reminders and moves up.
	{"AdvanceWindows", func(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
		n, err := st.AdvanceWindows(ctx, now, accord.DefaultDecisionWindowDays)
		return int64(n), err
	}},
	// The last: the portfolio's kept sums folded (migration 0062), with the changes
	// the escalations raised above appended; left unfolded, the pages measured next
	// would each sum them.
	{"FoldPortfolioTotals", func(ctx context.Context, st *store.Store, _ time.Time) (int64, error) {
		return st.FoldPortfolioTotals(ctx)
	}},
}

// measureSweeps times each sweep twice and, when explain is set, runs EXPLAIN
// (ANALYZE, BUFFERS) on the slowest statement of each second run.
func measureSweeps(ctx context.Context, url string, explain bool) (sweepResult, error) {
	tr := &tracer{}
	pool, err := store.Open(ctx, url, tr)
	if err != nil {
		return sweepResult{}, err
	}
	defer pool.Close()
	st := store.New(pool)
	var res sweepResult
	for run := 1; run <= 2; run++ {
		if run == 2 {
			// What autovacuum would do after the backlog's inserts, and after the
			// first sweep set the recheck moments of every request, before the next
			// periodic sweep five minutes later: without it, the next index scan
			// steps over every superseded entry once.
			if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) requests, escalations, notifications, audit_log`); err != nil {
				return sweepResult{}, fmt.Errorf("analyze after the first sweep: %w", err)
			}
		}
		for _, sw := range sweeps {
			tr.begin(true)
			start := time.Now()
			n, err := sw.run(ctx, st, start)
			d := time.Since(start)
			count, stmts := tr.end()
			if err != nil {
				return sweepResult{}, fmt.Errorf("%s: %w", sw.name, err)
			}
			r := sweepRun{Name: sw.name, Run: run, Duration: d, Result: n, Statements: count, Kinds: kindsOf(stmts)}
			for _, s := range stmts {
				if statementKind(s.SQL) == "SET" {
					// A sweep's SET LOCAL is replayed before the EXPLAIN, not explained.
					if !slices.Contains(r.Settings, s.SQL) {
						r.Settings = append(r.Settings, s.SQL)
					}
					continue
				}
				if explainable(s.SQL) && (r.Slowest == nil || s.Duration > r.Slowest.Duration) {
					r.Slowest = s
				}
			}
			res.Runs = append(res.Runs, r)
		}
	}
	if !explain {
		return res, nil
	}
	for _, r := range res.Runs {
		if r.Run != 2 || r.Slowest == nil {
			continue
		}
		p, err := explainStatement(ctx, pool, r.Slowest, r.Settings)
		if err != nil {
			return sweepResult{}, fmt.Errorf("explain %s: %w", r.Name, err)
		}
		p.Name = r.Name
		res.Plans = append(res.Plans, p)
	}
	return res, nil
}

var (
	jitTotal  = regexp.MustCompile(`Timing: .*Total ([0-9.]+ ms)`)
	execTime  = regexp.MustCompile(`Execution Time: ([0-9.]+ ms)`)
	indexScan = regexp.MustCompile(`(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)`)
	seqScan   = regexp.MustCompile(`Seq Scan on (\w+)`)
)

// explainStatement runs the statement again under EXPLAIN ANALYZE in a transaction it
// rolls back, so an INSERT it explains leaves nothing behind, after the settings the
// sweep made for its own transaction (such as SET LOCAL jit = off).
func explainStatement(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, s *statement, settings []string) (plan, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return plan{}, err
	}
	defer tx.Rollback(ctx)
	for _, set := range settings {
		if _, err := tx.Exec(ctx, set); err != nil {
			return plan{}, fmt.Errorf("replay %q: %w", set, err)
		}
	}
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+s.SQL, s.Args...)
	if err != nil {
		return plan{}, err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return plan{}, err
	}
	p := plan{Text: strings.Join(lines, "\n")}
	for _, m := range indexScan.FindAllStringSubmatch(p.Text, -1) {
		if !slices.Contains(p.Indexes, m[1]) {
			p.Indexes = append(p.Indexes, m[1])
		}
	}
	if m := jitTotal.FindStringSubmatch(p.Text); m != nil {
		p.JIT = m[1]
	}
	if m := execTime.FindStringSubmatch(p.Text); m != nil {
		p.Total = m[1]
	}
	for _, m := range seqScan.FindAllStringSubmatch(p.Text, -1) {
		if !slices.Contains(p.SeqScans, m[1]) {
			p.SeqScans = append(p.SeqScans, m[1])
		}
	}
	return p, nil
}

// superiorResult times store.SharedSuperior between units on the deepest level.
type superiorResult struct {
	Lookups             int
	Depth               int
	Mean, P50, P99, Max time.Duration
	AtRoot              int // lookups whose answer was the root
}

func measureSuperior(ctx context.Context, url string, iterations int) (superiorResult, error) {
	pool, err := store.Open(ctx, url, nil)
	if err != nil {
		return superiorResult{}, err
	}
	defer pool.Close()
	st := store.New(pool)
	var res superiorResult
	if err := pool.QueryRow(ctx, `SELECT max(cardinality(path)) FROM units`).Scan(&res.Depth); err != nil {
		return res, err
	}
	var root int64
	if err := pool.QueryRow(ctx, `SELECT id FROM units WHERE parent_id IS NULL`).Scan(&root); err != nil {
		return res, err
	}
	rows, err := pool.Query(ctx, `SELECT id FROM units WHERE cardinality(path) = $1 ORDER BY id`, res.Depth)
	if err != nil {
		return res, err
	}
	leaves, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return res, err
	}
	if len(leaves) < 2 {
		return res, errors.New("shared superior: fewer than two units on the deepest level")
	}
	pair := func(i int) (int64, int64) {
		n := len(leaves)
		a, b := i%n, (i*7919+n/2)%n
		if a == b {
			b = (b + 1) % n
		}
		return leaves[a], leaves[b]
	}
	for i := range 50 { // warm the connections and the plan cache
		a, b := pair(i)
		if _, err := st.SharedSuperior(ctx, a, b, 0); err != nil {
			return res, err
		}
	}
	times := make([]time.Duration, 0, iterations)
	var total time.Duration
	for i := range iterations {
		a, b := pair(i)
		start := time.Now()
		sup, err := st.SharedSuperior(ctx, a, b, 0)
		d := time.Since(start)
		if err != nil {
			return res, err
		}
		if sup.UnitID == root {
			res.AtRoot++
		}
		times = append(times, d)
		total += d
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	res.Lookups = iterations
	res.Mean = total / time.Duration(iterations)
	res.P50, res.P99, res.Max = percentile(times, 50), percentile(times, 99), times[len(times)-1]
	return res, nil
}

// percentile reads the p-th percentile from sorted durations (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
