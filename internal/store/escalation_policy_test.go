package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func intPtr(n int) *int { return &n }

func TestProjectEscalationOverridesRoundTrip(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	project := w.Project(t, storetest.ProjectOpts{})
	require.Equal(t, accord.EscalationOverrides{}, project.EscalationOverrides, "a project keeps the defaults unless told")

	in := project.Input()
	in.EscalationOverrides = accord.EscalationOverrides{P0DeclinedDays: intPtr(10), P1OverdueDays: intPtr(0), StaleFactor: intPtr(3)}
	saved, err := w.Store.UpdateProject(w.Ctx, 0, project.ID, project.Version, in)
	require.NoError(t, err)
	require.Equal(t, in.EscalationOverrides, saved.EscalationOverrides)
	reread, err := w.Store.Project(w.Ctx, project.ID)
	require.NoError(t, err)
	require.Equal(t, in.EscalationOverrides, reread.EscalationOverrides)

	// Emptied again, every threshold is back to the default.
	in = saved.Input()
	in.EscalationOverrides = accord.EscalationOverrides{}
	saved, err = w.Store.UpdateProject(w.Ctx, 0, project.ID, saved.Version, in)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationOverrides{}, saved.EscalationOverrides)

	// A new project keeps what it is given.
	owner := w.Unit(t, storetest.UnitOpts{})
	lead := w.Head(t, owner).ID
	created := accord.ProjectInput{Name: "门店焕新", LeadUserID: lead, OwningUnitID: owner.ID,
		EscalationOverrides: accord.EscalationOverrides{P0OverdueDays: intPtr(5), P1DeclinedDays: intPtr(365)}}
	created.Normalize()
	p, err := w.Store.CreateProject(w.Ctx, lead, created)
	require.NoError(t, err)
	require.Equal(t, created.EscalationOverrides, p.EscalationOverrides)

	// The database refuses what the form would: out of range is a constraint violation.
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE projects SET p0_declined_days = 366 WHERE id = $1`, p.ID)
	require.ErrorContains(t, err, "p0_declined_days")
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE projects SET stale_factor = -1 WHERE id = $1`, p.ID)
	require.ErrorContains(t, err, "stale_factor")
}

// TestSweepUsesTheProjectsPolicy gives a project ten days for a declined P0 instead of
// three: declined four days ago, its request waits; eleven days after the decline, it
// escalates.
func TestSweepUsesTheProjectsPolicy(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	project := w.Project(t, storetest.ProjectOpts{})
	in := project.Input()
	in.EscalationOverrides.P0DeclinedDays = intPtr(10)
	project, err := w.Store.UpdateProject(w.Ctx, 0, project.ID, project.Version, in)
	require.NoError(t, err)

	declinedAt := time.Now().Add(-4 * 24 * time.Hour)
	need := w.Need(t, storetest.NeedOpts{Project: &project, Tier: accord.TierRequired})
	it := w.Request(t, storetest.RequestOpts{Need: &need, At: declinedAt.Add(-time.Hour)})
	require.Equal(t, accord.TierRequired, it.Tier)
	holder := w.Viewer(t, w.Head(t, accord.Unit{ID: it.HolderUnitID}))
	_, err = w.Store.ActOnRequest(w.Ctx, holder, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, declinedAt)
	require.NoError(t, err)

	n, err := w.Store.SweepEscalations(w.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 0, n, "four days declined: the default (3) would escalate, the project's 10 does not")

	later := declinedAt.Add(11 * 24 * time.Hour)
	n, err = w.Store.SweepEscalations(w.Ctx, later, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var cause string
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT cause FROM escalations WHERE request_id = $1`, it.ID).Scan(&cause))
	require.Equal(t, string(accord.CauseDeclined), cause)
}

// TestSweepStaleFactorZeroNeverEscalatesForStaleness turns the stale cause off for one
// project; a long-untouched request then raises nothing.
func TestSweepStaleFactorZeroNeverEscalatesForStaleness(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	project := w.Project(t, storetest.ProjectOpts{Edit: func(in *accord.ProjectInput) {
		in.EscalationOverrides.StaleFactor = intPtr(0)
	}})
	sentAt := time.Now().Add(-60 * 24 * time.Hour)
	for _, tier := range accord.Tiers() {
		need := w.Need(t, storetest.NeedOpts{Project: &project, Tier: tier})
		w.Request(t, storetest.RequestOpts{Need: &need, At: sentAt})
	}

	n, err := w.Store.SweepEscalations(w.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 0, n, "sixty days untouched, but staleness is off and nothing is declined or overdue")
}
