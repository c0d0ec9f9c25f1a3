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

// TestProjectEditWaitsForTheAnswerInsteadOfDeadlocking: a project's edit holds the
// project and then rewrites its requests (queue keys, migration 0012); an answer or a
// progress entry holding a request at the same moment must not need the project row
// for its own triggers (the unit exchange of migration 0034 once locked it), or the
// two deadlock.
func TestProjectEditWaitsForTheAnswerInsteadOfDeadlocking(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]string{
		"an answer": `UPDATE requests SET state = 'agreed', answered_at = now(), last_activity_at = now() WHERE id = $1`,
		"effort logged": `INSERT INTO request_updates (request_id, author_user_id, body, effort_days)
			SELECT id, (SELECT lead_user_id FROM projects WHERE id = project_id), '进展', 2 FROM requests WHERE id = $1`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := storetest.New(t)
			req := w.Request(t, storetest.RequestOpts{})
			answer, err := w.Store.Pool().Begin(w.Ctx)
			require.NoError(t, err)
			defer answer.Rollback(w.Ctx) //nolint:errcheck // after Commit this is a no-op
			_, err = answer.Exec(w.Ctx, `SELECT 1 FROM requests WHERE id = $1 FOR UPDATE`, req.ID)
			require.NoError(t, err)

			edited := make(chan error, 1)
			go func() {
				_, err := w.Store.Pool().Exec(w.Ctx, `UPDATE projects SET expected_amount = COALESCE(expected_amount, 0) + 1
					WHERE id = $1`, req.ProjectID)
				edited <- err
			}()
			time.Sleep(200 * time.Millisecond) // the edit now holds the project, waiting for the request
			_, err = answer.Exec(w.Ctx, write, req.ID)
			require.NoError(t, err, "the write must not deadlock with the edit")
			require.NoError(t, answer.Commit(w.Ctx))
			require.NoError(t, <-edited)
		})
	}
}
