package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestUnitLedgerGiveAndTake(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	drive := closedDrive(t, c.World, driveUnits{owner: c.fi, leads: c.afterSales, calls: c.service, publicity: c.marketing}, nil)
	admin := c.Viewer(t, c.admin)
	ledger, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.service.ID, 50, now)
	require.NoError(t, err)
	require.Empty(t, ledger.Queue, "the drive's calls were delivered")
	require.Equal(t, 1, ledger.PromisesKept)
	require.Equal(t, 0, ledger.PromisesBroken)
	require.Equal(t, 1, ledger.ThanksCount)
	require.Contains(t, ledger.Thanks[0].Text, "1,200")
	require.Equal(t, drive.NameEN, ledger.Thanks[0].ProjectNameEN)
	require.Equal(t, c.Head(t, c.fi).NameEN, ledger.Thanks[0].ByNameEN)
	require.Equal(t, []accord.UnitBalance{{UnitID: c.fi.ID, Name: "金融保险部", NameEN: "Finance & insurance",
		GivenDays: 10, GivenCommitted: 8, GivenDelivered: 1}}, ledger.Balance)

	fiLedger, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.fi.ID, 50, now)
	require.NoError(t, err)
	received := map[string]accord.UnitBalance{}
	for _, bal := range fiLedger.Balance {
		received[bal.NameEN] = bal
	}
	require.Equal(t, 9.0, received["Marketing"].ReceivedDays)
	require.Equal(t, 5.5, received["After-sales"].ReceivedDays)
	require.Equal(t, 1, received["After-sales"].ReceivedDelivered)
	require.Equal(t, "Customer service", fiLedger.Balance[0].NameEN, "the biggest exchange first: 10 days logged, 8 committed")

	// Marketing is asked by After-sales' upgrade: its queue, with effort asked.
	sent := c.sendUpgrade(t, now)
	mk, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.marketing.ID, 50, now)
	require.NoError(t, err)
	require.Equal(t, 1, mk.QueueCount)
	require.Equal(t, 15.0, mk.QueueAsked)
	require.Equal(t, 0.0, mk.QueueCommitted)
	require.Equal(t, sent["Marketing"].ID, mk.Queue[0].ID)
	require.Equal(t, "Launch promotion", mk.Queue[0].NeedTitleEN)
	require.Equal(t, "After-sales", mk.Queue[0].UnitNameEN, "the asking unit")
	require.Equal(t, 1, mk.PromisesBroken)
	after, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.afterSales.ID, 50, now)
	require.NoError(t, err)
	require.Equal(t, 4, after.AsksCount)
	require.Equal(t, "Data", after.Asks[0].UnitNameEN, "P0 needed soonest first")
	require.NotNil(t, after.Asks[0].DueDate)

	// An undated P0 of another After-sales project comes after the dated ones of its
	// tier and before every P1; a short list keeps the first of that order.
	other := c.Project(t, storetest.ProjectOpts{NameEN: "Undated", Owner: &c.afterSales})
	undated := c.Need(t, storetest.NeedOpts{Project: &other, Holder: &c.legal, Tier: accord.TierRequired})
	c.send(t, other, map[string]accord.Need{"Legal": undated}, now)
	asked := func(limit int) []string {
		t.Helper()
		l, _, err := c.Store.UnitLedgerAt(c.Ctx, admin, c.afterSales.ID, limit, now)
		require.NoError(t, err)
		require.Equal(t, 5, l.AsksCount)
		var units []string
		for _, r := range l.Asks {
			units = append(units, r.UnitNameEN)
		}
		return units
	}
	require.Equal(t, []string{"Data", "IT", "Legal", "Training", "Marketing"}, asked(50),
		"by tier, then the date needed (undated last), then the order sent")
	require.Equal(t, []string{"Data", "IT", "Legal"}, asked(3))
}

// TestUnitLedgerNamesOnlyWhatTheViewerMayOpen: the Legal head, involved in no
// project, sees Training's queue, promises and thanks counted but not named; the
// Training head sees them named.
func TestUnitLedgerNamesOnlyWhatTheViewerMayOpen(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	p, needs := c.upgrade(t)
	c.send(t, p, needs, now)
	c.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &c.training, What: "年会上公开感谢培训部"})
	c.Thanks(t, storetest.ThanksOpts{Project: &p, Unit: &c.training, Text: "培训部排出了培训师"})
	training := c.training.ID
	outsider, _, err := c.Store.UnitLedgerAt(c.Ctx, c.Viewer(t, c.legalHead), training, 50, now)
	require.NoError(t, err)
	insider, _, err := c.Store.UnitLedgerAt(c.Ctx, c.Viewer(t, c.trainingHead), training, 50, now)
	require.NoError(t, err)
	require.Equal(t, insider.QueueCount, outsider.QueueCount, "totals count everything")
	require.Equal(t, insider.PromisesOpen+insider.PromisesKept+insider.PromisesBroken,
		outsider.PromisesOpen+outsider.PromisesKept+outsider.PromisesBroken)
	require.Positive(t, insider.QueueCount)
	require.Len(t, insider.Queue, insider.QueueShown)
	require.Equal(t, insider.QueueCount, insider.QueueShown)
	require.NotEmpty(t, insider.Promises)
	require.Empty(t, outsider.Queue, "not named to someone who cannot open the project")
	require.Zero(t, outsider.QueueShown)
	require.Empty(t, outsider.Promises)
	require.Zero(t, outsider.PromisesShown)
	require.Equal(t, outsider.ThanksCount, insider.ThanksCount)
	require.Positive(t, insider.ThanksCount)
	require.Len(t, insider.Thanks, insider.ThanksCount)
	require.Empty(t, outsider.Thanks, "thanks are counted, not named")
	require.Len(t, outsider.Thanks, outsider.ThanksShown)
}

// TestUnitLedgerFollowsWritesAndLostAccess: Training's page names its queue to those
// who see through Training (its head, its trainer). When the lead moves the need to
// Legal, the request stays in Training's queue, but Training no longer holds anything
// of the project: the row is counted and no longer named to them. When the trainer
// leaves Training, the page stops naming what only membership showed. Each read is
// fresh: nothing is kept between them.
func TestUnitLedgerFollowsWritesAndLostAccess(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	p, needs := c.upgrade(t)
	sent := c.send(t, p, needs, now)
	training := c.training.ID
	ledger := func(u accord.User) accord.UnitLedger {
		t.Helper()
		l, _, err := c.Store.UnitLedgerAt(c.Ctx, c.Viewer(t, u), training, 50, now)
		require.NoError(t, err)
		return l
	}
	named := func(l accord.UnitLedger) []int64 {
		return sortedIDsOf(l.Queue, func(r accord.LedgerRequest) int64 { return r.ID })
	}
	want := []int64{sent["Training"].ID}
	for _, u := range []accord.User{c.trainingHead, c.trainer, c.corpHead} {
		l := ledger(u)
		require.Equal(t, want, named(l), "%s sees through Training", u.NameEN)
		require.Equal(t, 1, l.QueueCount)
	}

	// The lead gives the need to Legal; Training keeps the request it was sent.
	n, err := c.Store.Need(c.Ctx, needs["Training"].ID)
	require.NoError(t, err)
	in := needInputOf(n)
	in.HolderUnitID = &c.legal.ID
	_, err = c.Store.UpdateNeed(c.Ctx, p.LeadUserID, n.ID, n.Version, in)
	require.NoError(t, err)
	for _, u := range []accord.User{c.trainingHead, c.trainer} {
		l := ledger(u)
		require.Empty(t, named(l), "%s: the project no longer touches Training but through this request", u.NameEN)
		require.Zero(t, l.QueueShown)
		require.Equal(t, 1, l.QueueCount, "still counted")
	}
	l := ledger(c.corpHead)
	require.Equal(t, want, named(l), "Corporate's head sees through Legal, which now holds the need")

	// Back with Training; then the trainer leaves it.
	n, err = c.Store.Need(c.Ctx, n.ID)
	require.NoError(t, err)
	in.HolderUnitID = &c.training.ID
	_, err = c.Store.UpdateNeed(c.Ctx, p.LeadUserID, n.ID, n.Version, in)
	require.NoError(t, err)
	require.Equal(t, want, named(ledger(c.trainer)))
	require.NoError(t, c.Store.RemoveMembership(c.Ctx, c.admin.ID, c.trainer.ID, training))
	l = ledger(c.trainer)
	require.Empty(t, named(l), "no longer a member: counted, not named")
	require.Equal(t, 1, l.QueueCount)
	require.Equal(t, want, named(ledger(c.trainingHead)), "the head still sees through Training")
}
