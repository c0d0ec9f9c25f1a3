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

// TestDecidingWhileAnEscalationIsRaisedOnTheProjectDoesNotDeadlock: a decision writes
// its request, then its escalation; meanwhile another escalation on the same project,
// for the same superior, is raised (the sweep). Both lock the project's signal row
// and the superior's count of what they may decide (migration 0044) and must take
// them in the same order, or one of the two is killed as a deadlock.
func TestDecidingWhileAnEscalationIsRaisedOnTheProjectDoesNotDeadlock(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e, _ := escalateUpgradeIT(t, c, at)
	pool := c.Store.Pool()
	var other int64
	require.NoError(t, pool.QueryRow(c.Ctx, `SELECT r.id FROM requests r WHERE r.project_id = $1 AND r.id <> $2
		AND NOT EXISTS (SELECT 1 FROM escalations x WHERE x.request_id = r.id) ORDER BY r.id LIMIT 1`,
		e.ProjectID, e.RequestID).Scan(&other))

	deciding, err := pool.Begin(c.Ctx)
	require.NoError(t, err)
	defer func() { _ = deciding.Rollback(c.Ctx) }()
	raising, err := pool.Begin(c.Ctx)
	require.NoError(t, err)
	defer func() { _ = raising.Rollback(c.Ctx) }()
	var raiser int
	require.NoError(t, raising.QueryRow(c.Ctx, `SELECT pg_backend_pid()`).Scan(&raiser))

	// The decision writes its request first (as applyDecision does) …
	_, err = deciding.Exec(c.Ctx, `UPDATE requests SET last_activity_at = $2, version = version + 1 WHERE id = $1`,
		e.RequestID, at)
	require.NoError(t, err)
	// … the sweep raises another escalation on the project, for the same superior, and waits …
	raised := make(chan error, 1)
	go func() {
		_, err := raising.Exec(c.Ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id,
				assigned_unit_id, window_opened_at, window_due_at)
			VALUES ($1, $2, 'stale', $3, $4, $5, $5)`, other, e.ProjectID, e.AssignedUserID, e.AssignedUnitID, at)
		raised <- err
	}()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(c.Ctx, `SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1`,
			raiser).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "the raise waits for the decision's lock")
	// … and the decision then writes its escalation.
	_, err = deciding.Exec(c.Ctx, `UPDATE escalations SET status = 'decided', version = version + 1 WHERE id = $1`, e.ID)
	require.NoError(t, err, "the decision goes through")
	require.NoError(t, deciding.Commit(c.Ctx))
	require.NoError(t, <-raised, "and the raise after it")
	require.NoError(t, raising.Commit(c.Ctx))
	requireNoDrift(t, c.Ctx, pool, "decided while another was raised")
}
