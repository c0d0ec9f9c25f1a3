package storetest_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestDefaultsBuildAWorkingWorld(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)

	root := w.Root(t)
	require.Nil(t, root.ParentID)
	require.NotNil(t, root.HeadUserID)
	require.Equal(t, root.ID, w.Root(t).ID, "one root per world")

	unit := w.Unit(t, storetest.UnitOpts{})
	require.Equal(t, []int64{root.ID, unit.ID}, unit.Path)
	require.NotNil(t, unit.HeadUserID)
	require.Nil(t, w.Unit(t, storetest.UnitOpts{Vacant: true}).HeadUserID)

	member := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{unit}})
	require.Len(t, w.Viewer(t, member).Memberships, 1)
	head := w.Person(t, storetest.PersonOpts{Head: &unit})
	require.Equal(t, accord.Roles{Head: true}, w.Viewer(t, head).Roles)
	require.Equal(t, head.ID, w.Head(t, unit).ID)

	p := w.Project(t, storetest.ProjectOpts{Owner: &unit})
	require.Equal(t, head.ID, p.LeadUserID, "the owner's head leads by default")
	n := w.Need(t, storetest.NeedOpts{Project: &p})
	require.Equal(t, accord.TierImportant, n.Tier)
	require.NotNil(t, n.HolderUnitID)

	for _, s := range accord.RequestStates() {
		if s == accord.RequestDraft {
			continue
		}
		r := w.Request(t, storetest.RequestOpts{State: s})
		require.Equal(t, s, r.State)
	}

	e := w.Escalation(t, storetest.EscalationOpts{})
	require.Equal(t, accord.EscalationOpen, e.Status)
	require.Equal(t, *root.HeadUserID, e.AssignedUserID, "two units under the root meet at its head")
}

func TestParallelSubtestsShareOneRoot(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	roots := make(chan int64, 4)
	t.Run("group", func(t *testing.T) {
		for range 4 {
			t.Run("unit", func(t *testing.T) {
				t.Parallel()
				roots <- w.Unit(t, storetest.UnitOpts{}).Path[0]
			})
		}
	})
	close(roots)
	root := w.Root(t).ID
	for id := range roots {
		require.Equal(t, root, id)
	}
}

func TestCommitmentAndGoalDefaults(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)

	c := w.Commitment(t, storetest.CommitmentOpts{})
	require.Equal(t, accord.CommitmentOpen, c.Status)
	require.NotZero(t, c.ProjectID)
	require.NotZero(t, c.UnitID)
	require.NotEmpty(t, c.What)
	require.Nil(t, c.DueDate)

	p := w.Project(t, storetest.ProjectOpts{})
	u := w.Unit(t, storetest.UnitOpts{})
	kept := w.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &u, Status: accord.CommitmentKept})
	require.Equal(t, p.ID, kept.ProjectID)
	require.Equal(t, u.ID, kept.UnitID)
	require.Equal(t, accord.CommitmentKept, kept.Status)

	company := w.Goal(t, storetest.GoalOpts{})
	require.Nil(t, company.ParentID)
	require.Nil(t, company.UnitID)
	require.NotEmpty(t, company.Title)
	kpi := w.Goal(t, storetest.GoalOpts{Parent: &company, Unit: &u})
	require.Equal(t, &company.ID, kpi.ParentID)
	require.Equal(t, &u.ID, kpi.UnitID)
}

func TestProgressAndThanksDefaults(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)

	e := w.Progress(t, storetest.ProgressOpts{})
	require.Equal(t, accord.RiskLow, e.Risk)
	require.NotEmpty(t, e.Body)
	require.Zero(t, e.EffortDays)
	r, err := w.Store.Request(w.Ctx, e.RequestID)
	require.NoError(t, err)
	require.Equal(t, accord.RequestInProgress, r.State)
	require.Equal(t, w.Head(t, accord.Unit{ID: r.HolderUnitID}).ID, e.AuthorUserID, "the holder's head writes by default")

	lead := accord.User{ID: r.LeadUserID}
	at := time.Now().Add(-time.Hour)
	logged := w.Progress(t, storetest.ProgressOpts{Request: &r, By: &lead, Risk: accord.RiskHigh, EffortDays: 2.5, At: at})
	require.Equal(t, lead.ID, logged.AuthorUserID)
	require.Equal(t, accord.RiskHigh, logged.Risk)
	require.Equal(t, 2.5, logged.EffortDays)
	require.Equal(t, at.Unix(), logged.CreatedAt.Unix())

	th := w.Thanks(t, storetest.ThanksOpts{})
	require.NotZero(t, th.ProjectID)
	require.NotZero(t, th.UnitID)
	require.NotEmpty(t, th.Text)
	p := w.Project(t, storetest.ProjectOpts{})
	u := w.Unit(t, storetest.UnitOpts{})
	th = w.Thanks(t, storetest.ThanksOpts{Project: &p, Unit: &u, Text: "谢谢"})
	require.Equal(t, p.ID, th.ProjectID)
	require.Equal(t, u.ID, th.UnitID)
	require.Equal(t, "谢谢", th.Text)
}
