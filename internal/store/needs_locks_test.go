package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestNeedEditWaitsForTheAnswerInsteadOfDeadlocking: a holder's answer holds the
// request and then touches its need (the portfolio triggers); a lead's edit of the
// need's effort at the same moment must queue behind the answer, not take the need
// first and deadlock with it.
func TestNeedEditWaitsForTheAnswerInsteadOfDeadlocking(t *testing.T) {
	b := setup(t)
	it := sendSmart(t, b, time.Now())["IT"]
	needs, err := b.st.Needs(b.ctx, it.ProjectID)
	require.NoError(t, err)
	var version int
	for _, n := range needs {
		if n.ID == it.NeedID {
			version = n.Version
			in := needInputOf(n)
			in.EffortDays++

			// The answer, as ActOnRequest takes it: the request row first.
			answer, err := b.st.Pool().Begin(b.ctx)
			require.NoError(t, err)
			defer answer.Rollback(b.ctx)
			_, err = answer.Exec(b.ctx, `SELECT 1 FROM requests WHERE id = $1 FOR UPDATE`, it.ID)
			require.NoError(t, err)

			edited := make(chan error, 1)
			go func() {
				_, err := b.st.UpdateNeed(b.ctx, b.users["aftersales@accord.demo"].ID, n.ID, version, in)
				edited <- err
			}()
			time.Sleep(200 * time.Millisecond) // the edit is now waiting, or holding the need
			_, err = answer.Exec(b.ctx, `UPDATE requests SET state = 'agreed', answered_at = now(), last_activity_at = now()
				WHERE id = $1`, it.ID)
			require.NoError(t, err, "the answer must not deadlock with the edit")
			require.NoError(t, answer.Commit(b.ctx))
			require.NoError(t, <-edited)
		}
	}
	require.NotZero(t, version, "the IT need was found")
}
