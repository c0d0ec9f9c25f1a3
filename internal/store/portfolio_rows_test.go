package store_test

import (
	"maps"
	"slices"
	"testing"
	"time"

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
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: now.AddDate(0, 0, -daysAgo)})
	}
	// atRisk is at risk by itself (a declined request), so its activity never colours
	// it; onTrack and steady are on track by themselves, each with a 14-day cadence.
	atRisk, onTrack, steady := w.Project(t, storetest.ProjectOpts{}), w.Project(t, storetest.ProjectOpts{}),
		w.Project(t, storetest.ProjectOpts{})
	request(atRisk, accord.RequestDeclined, 1)
	riskQuiet, riskActive := request(atRisk, accord.RequestAgreed, 20), request(atRisk, accord.RequestAgreed, 3)
	trackOldest, trackNext := request(onTrack, accord.RequestAgreed, 20), request(onTrack, accord.RequestAgreed, 16)
	request(onTrack, accord.RequestAgreed, 2)
	steadyOldest := request(steady, accord.RequestAgreed, 5)
	request(steady, accord.RequestAgreed, 2)
	var sevs []int
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(sev_static ORDER BY project_id) FROM project_signals
		WHERE project_id = ANY ($1)`, []int64{atRisk.ID, onTrack.ID, steady.ID}).Scan(&sevs))
	require.Equal(t, []int{1, 2, 2}, sevs, "at risk, on track, on track by themselves")

	progress := func(r accord.Request, risk accord.Risk) func() error {
		return func() error {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "x", Risk: risk}, now)
			return err
		}
	}
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
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: now.AddDate(0, 0, -daysAgo)})
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
// row; a column added to the table must be sorted there too, and named here.
func TestEveryPortfolioSignalIsFollowed(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	var columns []string
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT array_agg(column_name::text ORDER BY column_name)
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'project_signals'`).
		Scan(&columns))
	company := []string{"project_id", "status", "goal_id", "expected_amount", "currency", "escalations", "sev_static",
		"cadence_days", "next_due", "p0_next_due"}
	row := []string{"live", "declined", "p0_declined", "high_risk", "delivered"}
	clock := []string{"oldest_activity", "stale_at"} // judged apart; stale_at is made from them
	all := slices.Concat(company, row, clock)
	slices.Sort(all)
	require.Equal(t, all, columns, "sort a new column in note_portfolio_epoch_of_signals, then name it here")
}
