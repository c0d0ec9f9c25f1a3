package store_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestSignalsMoveTheCompanyOnlyWhenTheyRank: a change to a project's signals moves the
// company's portfolio epoch only when it can change what ranks, sums or colours the
// project (migration 0061): a project's severity, or its oldest activity while that
// can lower it. Counts only its own row shows move its row alone.
func TestSignalsMoveTheCompanyOnlyWhenTheyRank(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	request := func(p accord.Project, state accord.RequestState, daysAgo int) accord.Request {
		return requestHeldBy(t, w, p, holder, state, now.AddDate(0, 0, -daysAgo))
	}
	// atRisk is at risk by itself (a declined request), so its activity never colours
	// it; onTrack and steady are on track by themselves, each with a 14-day cadence.
	atRisk, onTrack, steady, skewed := w.Project(t, storetest.ProjectOpts{}), w.Project(t, storetest.ProjectOpts{}),
		w.Project(t, storetest.ProjectOpts{}), w.Project(t, storetest.ProjectOpts{})
	request(atRisk, accord.RequestDeclined, 1)
	riskQuiet, riskActive := request(atRisk, accord.RequestAgreed, 20), request(atRisk, accord.RequestAgreed, 3)
	trackOldest, trackNext := request(onTrack, accord.RequestAgreed, 20), request(onTrack, accord.RequestAgreed, 16)
	request(onTrack, accord.RequestAgreed, 2)
	steadyOldest := request(steady, accord.RequestAgreed, 5)
	request(steady, accord.RequestAgreed, 2)
	skewedOldest, skewedNext := request(skewed, accord.RequestAgreed, 5), request(skewed, accord.RequestAgreed, 1)
	var sevs []int
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(sev_static ORDER BY project_id) FROM project_signals
		WHERE project_id = ANY ($1)`, []int64{atRisk.ID, onTrack.ID, steady.ID, skewed.ID}).Scan(&sevs))
	require.Equal(t, []int{1, 2, 2, 2}, sevs, "at risk, on track, on track, on track by themselves")

	progressAt := func(r accord.Request, risk accord.Risk, at time.Time) func() error {
		return func() error {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "x", Risk: risk}, at)
			return err
		}
	}
	progress := func(r accord.Request, risk accord.Risk) func() error { return progressAt(r, risk, now) }
	for _, step := range []struct {
		name         string
		project      accord.Project
		write        func() error
		company, row bool // moved
	}{
		{"a high-risk entry on a project already at risk", atRisk, progress(riskActive, accord.RiskHigh), false, true},
		{"a low-risk entry after it", atRisk, progress(riskActive, accord.RiskLow), false, true},
		{"progress on the quiet oldest request of a project at risk by itself", atRisk,
			progress(riskQuiet, accord.RiskLow), false, true}, // its row counts one quiet request fewer
		{"progress on the oldest request of a project on track, its next as quiet", onTrack,
			progress(trackOldest, accord.RiskLow), false, true},
		{"progress on its oldest again, the next active: it is no longer quiet", onTrack,
			progress(trackNext, accord.RiskLow), true, false},
		{"progress on the oldest request of a project on track, its next active too", steady,
			progress(steadyOldest, accord.RiskLow), false, false},
		{"a high-risk entry on a project on track: now at risk", steady, progress(steadyOldest, accord.RiskHigh), true, false},
		// A server whose clock is ten days ahead saw the oldest, five days before the
		// database's clock, fifteen days quiet: the project at risk. Its progress
		// leaves the next, a day before, the oldest: on track on every clock.
		{"progress by a server ten days ahead on the oldest of a project on track", skewed,
			progressAt(skewedOldest, accord.RiskLow, now.AddDate(0, 0, 10)), true, false},
		{"a request's activity moved earlier, below the oldest of a project on track", skewed, func() error {
			_, err := pool.Exec(ctx, `UPDATE requests SET last_activity_at = $2 WHERE id = $1`, skewedNext.ID,
				now.AddDate(0, 0, -3))
			return err
		}, true, false},
	} {
		before := portfolioEpochsOf(t, ctx, pool, step.project.ID)
		require.NoError(t, step.write(), step.name)
		after := portfolioEpochsOf(t, ctx, pool, step.project.ID)
		require.Equal(t, step.company, after.company != before.company, "%s: the company's portfolio epoch moved", step.name)
		if !step.company { // else every kept page is drawn again: the row needs no move
			require.Equal(t, step.row, after.row != before.row, "%s: the project's portfolio row moved", step.name)
		}
		requireNoDrift(t, ctx, pool, step.name)
	}

	// One transaction moving a row and the company's epoch moves the company's alone:
	// every page kept before it is drawn again.
	before := portfolioEpochsOf(t, ctx, pool, atRisk.ID)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	_, err = tx.Exec(ctx, `UPDATE project_signals SET delivered = delivered + 1 WHERE project_id = $1`, atRisk.ID)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `UPDATE projects SET name_en = name_en || ' (2)' WHERE id = $1`, steady.ID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	after := portfolioEpochsOf(t, ctx, pool, atRisk.ID)
	require.NotEqual(t, before.company, after.company, "a project renamed: the company's epoch")
	require.Equal(t, before.row, after.row, "the row moved in the same transaction: not moved apart")
}

// requestHeldBy sends a new need of p held by holder, moved to state, last active at.
func requestHeldBy(t *testing.T, w *storetest.World, p accord.Project, holder accord.Unit, state accord.RequestState,
	at time.Time) accord.Request {
	t.Helper()
	n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: at})
}

// TestPortfolioKeptWithTheRowsItLists: a portfolio kept with the company's epochs and
// the row epochs of the projects it lists (PortfolioRead.Listed, CompanyEpochs) is
// served again after a change to a project it does not list, and drawn again after
// one to a project it lists or to what ranks any (migration 0061).
func TestPortfolioKeptWithTheRowsItLists(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx := w.Ctx
	now := time.Now().Truncate(time.Second)
	admin := w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true}))
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	// Both at risk by themselves and alike: the first created is the one listed.
	listed, elsewhere := w.Project(t, storetest.ProjectOpts{}), w.Project(t, storetest.ProjectOpts{})
	request := func(p accord.Project, state accord.RequestState, daysAgo int) accord.Request {
		return requestHeldBy(t, w, p, holder, state, now.AddDate(0, 0, -daysAgo))
	}
	request(listed, accord.RequestDeclined, 1)
	request(elsewhere, accord.RequestDeclined, 1)
	listedQuiet, listedActive := request(listed, accord.RequestAgreed, 20), request(listed, accord.RequestAgreed, 3)
	elsewhereQuiet, elsewhereActive := request(elsewhere, accord.RequestAgreed, 20), request(elsewhere, accord.RequestAgreed, 3)

	var kept store.CompanyEpochs
	draw := func(step string) {
		t.Helper()
		at, err := w.Store.CompanyEpochsNow(ctx, store.PortfolioEpoch, nil) // before the page, as the server does
		require.NoError(t, err)
		read, err := w.Store.ReadPortfolio(ctx, admin, store.PortfolioFilter{Limit: 1}, 5, now)
		require.NoError(t, err)
		require.Len(t, read.Rows, 1, step)
		require.Equal(t, listed.ID, read.Rows[0].ID, step)
		require.Equal(t, []int64{listed.ID}, slices.Collect(maps.Keys(read.Listed)), step)
		at.Projects = read.Listed
		kept = at
	}
	servedAgain := func() bool {
		t.Helper()
		now, err := w.Store.CompanyEpochsNow(ctx, store.PortfolioEpoch, slices.Collect(maps.Keys(kept.Projects)))
		require.NoError(t, err)
		return now.Equal(kept)
	}
	progress := func(r accord.Request, risk accord.Risk) func() error {
		return func() error {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "x", Risk: risk}, now)
			return err
		}
	}
	draw("at first")
	for _, step := range []struct {
		name  string
		write func() error
		kept  bool
	}{
		{"a quiet request of a project not listed made active", progress(elsewhereQuiet, accord.RiskLow), true},
		{"a high-risk entry on a project not listed", progress(elsewhereActive, accord.RiskHigh), true},
		{"progress on an active request of the listed project", progress(listedActive, accord.RiskLow), true},
		{"a high-risk entry on the listed project", progress(listedActive, accord.RiskHigh), false},
		{"a quiet request of the listed project made active", progress(listedQuiet, accord.RiskLow), false},
		{"a request of a project not listed started: its state is counted", func() error {
			_, err := w.Store.ActOnRequest(ctx, head, elsewhereActive.ID, elsewhereActive.Version, accord.ActionStart,
				accord.RequestInput{}, now)
			return err
		}, false},
	} {
		require.NoError(t, step.write(), step.name)
		require.Equal(t, step.kept, servedAgain(), "%s: the page kept before it served after it", step.name)
		requireNoDrift(t, ctx, w.Store.Pool(), step.name)
		if !step.kept {
			draw(step.name)
			require.True(t, servedAgain(), "%s: drawn again, then kept", step.name)
		}
	}
}

// TestEveryPortfolioSignalIsFollowed: migration 0061 sorts project_signals' columns
// into those that move the company's portfolio epoch and those that move a project's
// row. Each column that can be written is changed in turn, on a blocked project (so
// no count changes its severity), and the epoch it moves is the one its sort says; a
// column added to the table fails here until it is sorted in the trigger and named
// below. (The oldest activity, judged apart, is TestSignalsMoveTheCompanyOnlyWhenTheyRank's.)
func TestEveryPortfolioSignalIsFollowed(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	p := w.Project(t, storetest.ProjectOpts{})
	request := func(state accord.RequestState) {
		n := w.Need(t, storetest.NeedOpts{Project: &p})
		w.Request(t, storetest.RequestOpts{Need: &n, State: state})
	}
	request(accord.RequestAgreed)
	request(accord.RequestDeclined)
	_, err := pool.Exec(ctx, `UPDATE project_signals SET escalations = 1 WHERE project_id = $1`, p.ID)
	require.NoError(t, err)
	company := map[string]bool{"status": true, "goal_id": true, "expected_amount": true, "currency": true,
		"escalations": true, "cadence_days": true, "next_due": true, "p0_next_due": true}
	row := map[string]bool{"live": true, "declined": true, "p0_declined": true, "high_risk": true, "delivered": true}
	apart := map[string]bool{"project_id": true, "oldest_activity": true} // the key; judged apart
	rows, err := pool.Query(ctx, `SELECT column_name::text, data_type::text, is_generated = 'ALWAYS'
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'project_signals'
		ORDER BY column_name`)
	require.NoError(t, err)
	type column struct {
		name, kind string
		generated  bool
	}
	columns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.name, &c.kind, &c.generated)
	})
	require.NoError(t, err)
	require.NotEmpty(t, columns)
	for _, c := range columns {
		if c.generated || apart[c.name] { // made from the others: moved with them
			continue
		}
		require.True(t, company[c.name] || row[c.name], "sort %s in note_portfolio_epoch_of_signals, then name it here", c.name)
		var change string
		switch c.kind {
		case "integer", "bigint", "smallint":
			change = `COALESCE(` + c.name + `, 0) + 1`
		case "date":
			change = `COALESCE(` + c.name + `, current_date) + 1`
		case "text":
			change = `COALESCE(` + c.name + `, '') || 'x'`
		default:
			t.Fatalf("column %s of type %s: say how to change it", c.name, c.kind)
		}
		before := portfolioEpochsOf(t, ctx, pool, p.ID)
		_, err := pool.Exec(ctx, `UPDATE project_signals SET `+c.name+` = `+change+` WHERE project_id = $1`, p.ID)
		require.NoError(t, err, c.name)
		after := portfolioEpochsOf(t, ctx, pool, p.ID)
		require.Equal(t, company[c.name], after.company != before.company, "%s: the company's epoch moved", c.name)
		require.Equal(t, row[c.name], after.row != before.row, "%s: the project's row moved", c.name)
	}
}
