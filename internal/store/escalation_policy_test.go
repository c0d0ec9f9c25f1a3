package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func intPtr(n int) *int { return &n }

func TestProjectEscalationOverridesRoundTrip(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	require.Equal(t, accord.EscalationOverrides{}, smart.EscalationOverrides, "the demo keeps the defaults")

	in := smart.Input()
	in.EscalationOverrides = accord.EscalationOverrides{P0DeclinedDays: intPtr(10), P1OverdueDays: intPtr(0), StaleFactor: intPtr(3)}
	saved, err := b.st.UpdateProject(b.ctx, 0, smart.ID, smart.Version, in)
	require.NoError(t, err)
	require.Equal(t, in.EscalationOverrides, saved.EscalationOverrides)
	require.Equal(t, in.EscalationOverrides, b.project(t, "Smart service upgrade").EscalationOverrides)

	// Emptied again, every threshold is back to the default.
	in = saved.Input()
	in.EscalationOverrides = accord.EscalationOverrides{}
	saved, err = b.st.UpdateProject(b.ctx, 0, smart.ID, saved.Version, in)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationOverrides{}, saved.EscalationOverrides)

	// A new project keeps what it is given.
	ops := b.users["ops@accord.demo"].ID
	created := accord.ProjectInput{Name: "门店焕新", LeadUserID: ops, OwningUnitID: b.units["Operations centre"].ID,
		EscalationOverrides: accord.EscalationOverrides{P0OverdueDays: intPtr(5), P1DeclinedDays: intPtr(365)}}
	created.Normalize()
	p, err := b.st.CreateProject(b.ctx, ops, created)
	require.NoError(t, err)
	require.Equal(t, created.EscalationOverrides, p.EscalationOverrides)

	// The database refuses what the form would: out of range is a constraint violation.
	_, err = b.st.Pool().Exec(b.ctx, `UPDATE projects SET p0_declined_days = 366 WHERE id = $1`, p.ID)
	require.ErrorContains(t, err, "p0_declined_days")
	_, err = b.st.Pool().Exec(b.ctx, `UPDATE projects SET stale_factor = -1 WHERE id = $1`, p.ID)
	require.ErrorContains(t, err, "stale_factor")
}

// TestSweepUsesTheProjectsPolicy gives the Smart service upgrade ten days for a
// declined P0 instead of three: declined four days ago, the IT request waits; eleven
// days after the decline, it escalates.
func TestSweepUsesTheProjectsPolicy(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	in := smart.Input()
	in.EscalationOverrides.P0DeclinedDays = intPtr(10)
	_, err := b.st.UpdateProject(b.ctx, 0, smart.ID, smart.Version, in)
	require.NoError(t, err)

	declinedAt := time.Now().Add(-4 * 24 * time.Hour)
	it := sendSmart(t, b, declinedAt.Add(-time.Hour))["IT"]
	require.Equal(t, accord.TierRequired, it.Tier)
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, declinedAt)
	require.NoError(t, err)

	n, err := b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 0, n, "four days declined: the default (3) would escalate, the project's 10 does not")

	later := declinedAt.Add(11 * 24 * time.Hour)
	n, err = b.st.SweepEscalations(b.ctx, later, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var cause string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT cause FROM escalations WHERE request_id = $1`, it.ID).Scan(&cause))
	require.Equal(t, string(accord.CauseDeclined), cause)
}

// TestSweepStaleFactorZeroNeverEscalatesForStaleness turns the stale cause off for one
// project; a long-untouched request then raises nothing.
func TestSweepStaleFactorZeroNeverEscalatesForStaleness(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	in := smart.Input()
	in.EscalationOverrides.StaleFactor = intPtr(0)
	_, err := b.st.UpdateProject(b.ctx, 0, smart.ID, smart.Version, in)
	require.NoError(t, err)
	sendSmart(t, b, time.Now().Add(-60*24*time.Hour))

	n, err := b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 0, n, "sixty days untouched, but staleness is off and nothing is declined or overdue")
}
