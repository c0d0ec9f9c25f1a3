package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestRequestLoggedIsTheLogsSum: the effort kept per request (migration 0033) is the
// sum of its progress log after entries written one by one and at the same moment,
// and the unit's give and take reads the same days as from the log itself.
func TestRequestLoggedIsTheLogsSum(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	closedDrive(t, c.World, driveUnits{owner: c.fi, leads: c.afterSales, calls: c.service, publicity: c.marketing}, nil)
	r := c.Request(t, storetest.RequestOpts{State: accord.RequestInProgress, At: now})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Progress(t, storetest.ProgressOpts{Request: &r, EffortDays: 0.5 * float64(i+1), At: now})
		}()
	}
	wg.Wait()
	c.Progress(t, storetest.ProgressOpts{Request: &r, At: now}) // no effort: adds nothing

	var wrong, kept int
	require.NoError(t, c.Store.Pool().QueryRow(c.Ctx, `SELECT
			count(*) FILTER (WHERE COALESCE(l.days, 0) <> COALESCE(s.days, 0)), count(l.request_id)
		FROM requests r
		LEFT JOIN request_logged l ON l.request_id = r.id
		LEFT JOIN (SELECT request_id, sum(effort_days) AS days FROM request_updates GROUP BY request_id) s
			ON s.request_id = r.id`).Scan(&wrong, &kept))
	require.Zero(t, wrong, "every request's kept effort is its log's sum")
	require.Positive(t, kept)
	var days float64
	require.NoError(t, c.Store.Pool().QueryRow(c.Ctx, `SELECT days FROM request_logged WHERE request_id = $1`, r.ID).Scan(&days))
	require.Equal(t, 18.0, days, "0.5 + 1 + … + 4, written at once")

	ledger, _, err := c.Store.UnitLedgerAt(c.Ctx, c.Viewer(t, c.admin), c.service.ID, 50, now)
	require.NoError(t, err)
	require.Equal(t, 10.0, ledger.Balance[0].GivenDays, "customer service logged 10 days on the drive")
}

// TestUnitLedgerListsTheBiggestExchanges: the give and take is capped like the other
// lists, the biggest first, and still counts every unit and says whether any effort
// was logged.
func TestUnitLedgerListsTheBiggestExchanges(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	closedDrive(t, c.World, driveUnits{owner: c.fi, leads: c.afterSales, calls: c.service, publicity: c.marketing}, nil)
	admin := c.Viewer(t, c.admin)
	all, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.fi.ID, 50, now)
	require.NoError(t, err)
	require.Len(t, all.Balance, 3)
	require.Equal(t, 3, all.BalanceCount)
	require.True(t, all.BalanceLogged)

	top, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.fi.ID, 2, now)
	require.NoError(t, err)
	require.Equal(t, all.Balance[:2], top.Balance, "the two biggest, in the same order")
	require.Equal(t, 3, top.BalanceCount)
	require.True(t, top.BalanceLogged)

	none, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.legal.ID, 50, now)
	require.NoError(t, err)
	require.Empty(t, none.Balance)
	require.Zero(t, none.BalanceCount)
	require.False(t, none.BalanceLogged)
}

// TestUnitLedgerBreaksTiesInTheGiveAndTakeByPath: three units committed the same
// effort to Legal's project; a list cut at two keeps the first two of the whole list,
// which orders the tied units by their place in the organisation.
func TestUnitLedgerBreaksTiesInTheGiveAndTakeByPath(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	p := c.Project(t, storetest.ProjectOpts{NameEN: "Contract review", Owner: &c.legal})
	needs := map[string]accord.Need{}
	heads := map[string]accord.User{"Training": c.trainingHead, "Data": c.dataHead, "IT": c.itHead}
	for name, u := range map[string]accord.Unit{"Training": c.training, "Data": c.data, "IT": c.it} {
		needs[name] = c.Need(t, storetest.NeedOpts{Project: &p, Holder: &u, EffortDays: 5})
	}
	for name, r := range c.send(t, p, needs, now) {
		_, err := c.Store.ActOnRequest(c.Ctx, c.Viewer(t, heads[name]), r.ID, r.Version, accord.ActionAgree,
			accord.RequestInput{}, now)
		require.NoError(t, err)
	}
	admin := c.Viewer(t, c.admin)
	ledger := func(limit int) []string {
		t.Helper()
		l, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.legal.ID, limit, now)
		require.NoError(t, err)
		require.Equal(t, 3, l.BalanceCount)
		var names []string
		for _, b := range l.Balance {
			require.Equal(t, 5.0, b.ReceivedCommitted, b.NameEN)
			names = append(names, b.NameEN)
		}
		return names
	}
	// Technology centre (IT, Data) sits before Corporate functions (Training); IT was
	// added to it before Data.
	require.Equal(t, []string{"IT", "Data", "Training"}, ledger(50))
	require.Equal(t, []string{"IT", "Data"}, ledger(2))
	require.Equal(t, []string{"IT"}, ledger(1))
}
