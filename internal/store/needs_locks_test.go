package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/store/storetest"
)

// TestNeedEditWaitsForTheAnswerInsteadOfDeadlocking: a holder's answer holds the
// request and then touches its need (the portfolio triggers); a lead's edit of the
// need's effort at the same moment must queue behind the answer, not take the need
// first and deadlock with req.
func TestNeedEditWaitsForTheAnswerInsteadOfDeadlocking(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	req := w.Request(t, storetest.RequestOpts{})
	needs, err := w.Store.Needs(w.Ctx, req.ProjectID)
	require.NoError(t, err)
	var version int
	for _, n := range needs {
		if n.ID == req.NeedID {
			version = n.Version
			in := needInputOf(n)
			in.EffortDays++

			// The answer, as ActOnRequest takes it: the request row first.
			answer, err := w.Store.Pool().Begin(w.Ctx)
			require.NoError(t, err)
			defer answer.Rollback(w.Ctx)
			_, err = answer.Exec(w.Ctx, `SELECT 1 FROM requests WHERE id = $1 FOR UPDATE`, req.ID)
			require.NoError(t, err)

			edited := make(chan error, 1)
			go func() {
				_, err := w.Store.UpdateNeed(w.Ctx, req.LeadUserID, n.ID, version, in)
				edited <- err
			}()
			time.Sleep(200 * time.Millisecond) // the edit is now waiting, or holding the need
			_, err = answer.Exec(w.Ctx, `UPDATE requests SET state = 'agreed', answered_at = now(), last_activity_at = now()
				WHERE id = $1`, req.ID)
			require.NoError(t, err, "the answer must not deadlock with the edit")
			require.NoError(t, answer.Commit(w.Ctx))
			require.NoError(t, <-edited)
		}
	}
	require.NotZero(t, version, "the request's need was found")
}
