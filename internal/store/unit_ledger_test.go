package store_test

import (
	"accord/internal/accord"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUnitLedgerGiveAndTake(t *testing.T) {
	b := setup(t)
	now := time.Now()
	ledger, err := b.st.UnitLedger(b.ctx, b.viewer(t, "admin@accord.demo"), b.units["Customer service"].ID, 50, now)
	require.NoError(t, err)
	require.Empty(t, ledger.Queue, "the drive's calls were delivered")
	require.Equal(t, 1, ledger.PromisesKept)
	require.Equal(t, 0, ledger.PromisesBroken)
	require.Equal(t, 1, ledger.ThanksCount)
	require.Contains(t, ledger.Thanks[0].Text, "1,200")
	require.Equal(t, "Weekend insurance renewal drive", ledger.Thanks[0].ProjectNameEN)
	require.Equal(t, "Wu Jianhua", ledger.Thanks[0].ByNameEN)
	require.Equal(t, []accord.UnitBalance{{UnitID: b.units["Finance & insurance"].ID, Name: "金融保险部", NameEN: "Finance & insurance",
		GivenDays: 10, GivenCommitted: 8, GivenDelivered: 1}}, ledger.Balance)

	fi, err := b.st.UnitLedger(b.ctx, b.viewer(t, "admin@accord.demo"), b.units["Finance & insurance"].ID, 50, now)
	require.NoError(t, err)
	received := map[string]accord.UnitBalance{}
	for _, bal := range fi.Balance {
		received[bal.NameEN] = bal
	}
	require.Equal(t, 9.0, received["Marketing"].ReceivedDays)
	require.Equal(t, 5.5, received["After-sales"].ReceivedDays)
	require.Equal(t, 1, received["After-sales"].ReceivedDelivered)
	require.Equal(t, "Customer service", fi.Balance[0].NameEN, "the biggest exchange first: 10 days logged, 8 committed")

	// Marketing is asked by the Smart service upgrade: its queue, with effort asked.
	sent := sendSmart(t, b, now)
	mk, err := b.st.UnitLedger(b.ctx, b.viewer(t, "admin@accord.demo"), b.units["Marketing"].ID, 50, now)
	require.NoError(t, err)
	require.Equal(t, 1, mk.QueueCount)
	require.Equal(t, 15.0, mk.QueueAsked)
	require.Equal(t, 0.0, mk.QueueCommitted)
	require.Equal(t, sent["Marketing"].ID, mk.Queue[0].ID)
	require.Equal(t, "Launch promotion", mk.Queue[0].NeedTitleEN)
	require.Equal(t, "After-sales", mk.Queue[0].UnitNameEN, "the asking unit")
	require.Equal(t, 1, mk.PromisesBroken)
	after, err := b.st.UnitLedger(b.ctx, b.viewer(t, "admin@accord.demo"), b.units["After-sales"].ID, 50, now)
	require.NoError(t, err)
	require.Equal(t, 4, after.AsksCount)
	require.Equal(t, "Data", after.Asks[0].UnitNameEN, "P0 needed soonest first")
	require.NotNil(t, after.Asks[0].DueDate)
}

// TestUnitLedgerNamesOnlyWhatTheViewerMayOpen: the Legal head, involved in no
// project, sees Training's promises and thanks counted but not named; the
// Training head sees them named.
func TestUnitLedgerNamesOnlyWhatTheViewerMayOpen(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sendSmart(t, b, now)
	training := b.units["Training"].ID
	outsider, err := b.st.UnitLedger(b.ctx, b.viewer(t, "legal@accord.demo"), training, 50, now)
	require.NoError(t, err)
	insider, err := b.st.UnitLedger(b.ctx, b.viewer(t, "training@accord.demo"), training, 50, now)
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
	require.Len(t, outsider.Thanks, outsider.ThanksShown)
}
