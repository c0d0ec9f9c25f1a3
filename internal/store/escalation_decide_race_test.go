package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestConcurrentDecisionsOneWins: the superior submits two different decisions on the
// same escalation at the same moment (two tabs, or a double click with a changed
// mind). Exactly one is recorded, the other is refused, and the
// request follows the winner alone: one decision, one audit entry, one outcome.
func TestConcurrentDecisionsOneWins(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e, it := escalateUpgradeIT(t, c, at)
	ceo := c.Viewer(t, c.ceo)
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	decisions := []accord.DecisionInput{
		{Kind: accord.DecideDirect, Note: "IT delivers by March", DueDate: &due},
		{Kind: accord.DecideDrop, Note: "The project goes on without it"},
	}
	results := make([]error, len(decisions))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, in := range decisions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, results[i] = c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, in, at.Add(24*time.Hour))
		}()
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range results {
		if err == nil {
			require.Equal(t, -1, winner, "both decisions were recorded")
			winner = i
			continue
		}
		// Depending on which check meets it first, the loser hears that the escalation
		// changed under it or that it is no longer open; never that it was recorded.
		require.Contains(t, []accord.ErrorCode{accord.ECodeConflict, accord.ECodeInvalid}, accord.ErrorCodeOf(err), "%v", err)
	}
	require.NotEqual(t, -1, winner, "neither decision was recorded")

	got, err := c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, got.Status)
	require.NotNil(t, got.Decision)
	require.Equal(t, decisions[winner].Kind, *got.Decision)
	require.Equal(t, decisions[winner].Note, got.DecisionNote)

	req, err := c.Store.Request(c.Ctx, it.ID)
	require.NoError(t, err)
	if decisions[winner].Kind == accord.DecideDirect {
		require.Equal(t, accord.RequestAgreed, req.State, "a direct decision binds the holder")
	} else {
		require.NotEqual(t, accord.RequestAgreed, req.State, "a dropped need is not agreed")
	}

	var decideEntries int
	require.NoError(t, c.Store.Pool().QueryRow(c.Ctx, `SELECT count(*) FROM audit_log
		WHERE entity = 'escalation' AND entity_id = $1 AND action = 'decide'`, e.ID).Scan(&decideEntries))
	require.Equal(t, 1, decideEntries, "one decision, one audit entry")
}
