package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestProjectStatusCountsFollowEveryWrite: the counts a list of every project takes
// its total from (migration 0053) equal a count of the table after every kind of
// write, and so does that list's total.
func TestProjectStatusCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st := w.Ctx, w.Store
	// An administrator and the root unit's head: both see every project.
	viewers := []accord.Viewer{w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true})), w.Viewer(t, w.Head(t, w.Root(t)))}
	// byStatus reads rows of (status, count).
	byStatus := func(sql string) map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		rows, err := st.Pool().Query(ctx, sql)
		require.NoError(t, err)
		for rows.Next() {
			var status string
			var n int64
			require.NoError(t, rows.Scan(&status, &n))
			out[status] = n
		}
		require.NoError(t, rows.Err())
		return out
	}
	check := func(step string) {
		t.Helper()
		kept := byStatus(`SELECT status, projects FROM project_status_counts WHERE projects <> 0`)
		counted := byStatus(`SELECT status, count(*) FROM projects GROUP BY status`)
		require.Equal(t, counted, kept, step)
		for _, v := range viewers {
			for _, status := range accord.ProjectStatuses() {
				list, total, err := st.Projects(ctx, v, store.ProjectFilter{Status: &status, Limit: 1})
				require.NoError(t, err)
				require.Equal(t, counted[string(status)] > 0, len(list) > 0, "%s: every %s project", step, status)
				if total > 0 { // a page past the end says 0
					require.Equal(t, counted[string(status)], int64(total), "%s: every %s project", step, status)
				}
			}
		}
	}
	check("none yet")
	var ids []int64
	for range 4 {
		ids = append(ids, w.Project(t, storetest.ProjectOpts{}).ID)
	}
	check("four started")
	_, err := st.Pool().Exec(ctx, `UPDATE projects SET status = 'on_hold' WHERE id = ANY ($1)`, ids[:2])
	require.NoError(t, err)
	check("two put on hold in one statement")
	_, err = st.Pool().Exec(ctx, `UPDATE projects SET status = CASE WHEN id = $1 THEN 'done' ELSE 'active' END
		WHERE id = ANY ($2)`, ids[0], ids[:3])
	require.NoError(t, err)
	check("one done, two active, in one statement")
	_, err = st.Pool().Exec(ctx, `UPDATE projects SET name = name || '（二期）'`)
	require.NoError(t, err)
	check("every project renamed, no status changed")
	_, err = st.Pool().Exec(ctx, `DELETE FROM projects WHERE id = $1`, ids[3])
	require.NoError(t, err)
	check("one removed")
}
