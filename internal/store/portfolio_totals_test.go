package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestPortfolioTotalsFoldWhileWritten: the portfolio's sums by sev_static (migration
// 0062) follow the writes to the signals as appended changes; the sweep's fold leaves
// one row per group with the same sums — a portfolio of every project reads the same
// before and after — and keeps a change appended by a writer still open while it runs,
// or committed while it is open.
func TestPortfolioTotalsFoldWhileWritten(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	admin := w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true}))
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	var agreed []accord.Request
	for range 3 {
		p := w.Project(t, storetest.ProjectOpts{})
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		agreed = append(agreed, w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed, At: now}))
	}
	for _, r := range agreed[:2] { // two projects at risk and back: four changes of severity
		for _, risk := range []accord.Risk{accord.RiskHigh, accord.RiskLow} {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "x", Risk: risk}, now)
			require.NoError(t, err)
		}
	}
	requireNoDrift(t, ctx, pool, "written")
	count := func(sql string) int {
		t.Helper()
		var n int
		require.NoError(t, pool.QueryRow(ctx, sql).Scan(&n))
		return n
	}
	const rows, groups = `SELECT count(*) FROM portfolio_totals`,
		`SELECT count(*) FROM (SELECT DISTINCT goal_id, status, sev_static, currency FROM portfolio_totals) g`
	require.Greater(t, count(rows), count(groups), "changes appended")
	// Scored over every project, not by the rows' ranks, whatever the company's size.
	w.Store.SetPortfolioDenseScope(0)
	read := func() store.PortfolioRead {
		t.Helper()
		r, err := w.Store.ReadPortfolio(ctx, admin, store.PortfolioFilter{Limit: 10}, 5, now)
		require.NoError(t, err)
		return r
	}
	before := read()

	folded, err := w.Store.FoldPortfolioTotals(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(count(rows)), int64(count(groups)), "one row a group")
	require.Positive(t, folded)
	requireNoDrift(t, ctx, pool, "folded")
	require.Equal(t, before.Goals, read().Goals, "the same sums")
	folded, err = w.Store.FoldPortfolioTotals(ctx)
	require.NoError(t, err)
	require.Zero(t, folded, "folded already")

	// A writer open while the fold runs: its change is not seen, so not removed.
	var escalations int
	var amount *int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT escalations, expected_amount FROM project_signals WHERE project_id = $1`,
		agreed[2].ProjectID).Scan(&escalations, &amount))
	writer, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer writer.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	_, err = writer.Exec(ctx, `UPDATE project_signals SET escalations = escalations + 1, expected_amount = 700
		WHERE project_id = $1`, agreed[2].ProjectID)
	require.NoError(t, err)
	_, err = w.Store.FoldPortfolioTotals(ctx)
	require.NoError(t, err)
	require.NoError(t, writer.Commit(ctx))
	// A fold open while a writer commits.
	fold, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer fold.Rollback(ctx) //nolint:errcheck // as writer's
	_, err = fold.Exec(ctx, `SELECT fold_portfolio_totals()`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE project_signals SET escalations = $2, expected_amount = $3 WHERE project_id = $1`,
		agreed[2].ProjectID, escalations, amount) // as it was
	require.NoError(t, err)
	require.NoError(t, fold.Commit(ctx))
	// (The signals were set by statements of their own: only the sums are compared.)
	require.Zero(t, count(portfolioTotalsDriftSQL), "the sums follow the writes made around the folds")
	require.Equal(t, before.Goals, read().Goals, "the same sums again")

	// A project deleted takes its signal row, and its part of the sums, with it.
	gone := w.Project(t, storetest.ProjectOpts{})
	_, err = pool.Exec(ctx, `DELETE FROM projects WHERE id = $1`, gone.ID)
	require.NoError(t, err)
	require.Zero(t, count(portfolioTotalsDriftSQL), "a project deleted")
	require.Equal(t, before.Goals, read().Goals, "as before it came")
}
