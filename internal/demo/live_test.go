package demo_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/pgtest"
	"accord/internal/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestLiveDemoGivesEveryRoleSomething loads what `make run` loads and signs in, in
// effect, as each role: each finds the festival where it should be.
func TestLiveDemoGivesEveryRoleSomething(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDB(t, pgtest.Empty()))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	now := time.Now()
	org, err := demo.LoadLive(ctx, st, pgtest.CheapPasswords(), now)
	require.NoError(t, err)
	require.Len(t, org.Projects, 4)
	festival := org.Projects[3]
	require.Equal(t, "Spring test-drive festival", festival.NameEN)

	states := map[string]accord.RequestState{}
	requests, err := st.ProjectRequests(ctx, festival.ID)
	require.NoError(t, err)
	for _, r := range requests {
		states[r.HolderNameEN] = r.State
	}
	require.Equal(t, map[string]accord.RequestState{"IT": accord.RequestInProgress, "Sales": accord.RequestDeclined,
		"Data": accord.RequestCountered, "Customer service": accord.RequestRequested, "Finance": accord.RequestRequested}, states)

	inbox := func(key string) int {
		_, total, err := st.Inbox(ctx, org.Users[key].ID, 0, 10)
		require.NoError(t, err)
		return total
	}
	require.Equal(t, 1, inbox("it"), "IT is at work on the booking page")
	require.Equal(t, 1, inbox("service"), "Customer service has not answered")
	require.Equal(t, 1, inbox("finance"), "Finance has not answered")

	// The Sales decline went to the Operations head, whom Marketing and Sales share.
	queue, total, err := st.EscalationsAssigned(ctx, org.Users["ops"].ID, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, accord.CauseManual, queue[0].Cause)
	require.Equal(t, "Weekend test-drive consultants", queue[0].Request.NeedTitleEN)

	// The lead has Data's counter to answer and Sales' decline to follow up; Sales'
	// head owes the Operations head a statement.
	items, counts, err := st.Agenda(ctx, org.Users["marketing"].ID, 5, now)
	require.NoError(t, err)
	require.Equal(t, 2, counts[accord.AgendaNext])
	var next []string
	for _, it := range items[accord.AgendaNext] {
		next = append(next, it.TitleEN)
	}
	require.ElementsMatch(t, []string{"Prospect list", "Weekend test-drive consultants"}, next)
	items, counts, err = st.Agenda(ctx, org.Users["sales"].ID, 5, now)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.AgendaStatement])
	require.Equal(t, queue[0].ID, items[accord.AgendaStatement][0].ID)

	// Nothing is stalled yet: the first sweep `make run` does raises nothing more.
	raised, err := st.SweepEscalations(ctx, now, accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.Zero(t, raised)
}
