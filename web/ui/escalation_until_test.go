package ui

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/web/i18n"
)

// An open escalation's page is the same until its decision window's words or bar
// move on: every window in the table draws the same just before the moment SameUntil
// names and otherwise at it, or that moment is the next day.
func TestEscalationPageIsTheSameUntilItsWindowMovesOn(t *testing.T) {
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(i18n.English))
	// Wednesday 9:30; a five-working-day window opened two days before.
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	midnight := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	opened := now.AddDate(0, 0, -2)
	look := func(e accord.Escalation, at time.Time) string {
		return escWindowLeft(ctx, at, e.WindowDueAt) + " " + escElapsedClass(e, at) + " " + map[bool]string{true: "overdue"}[escOverdue(e, at)]
	}
	for _, due := range []time.Time{
		accord.AddWorkingDays(opened, 5, time.UTC), // days left, the bar moving on first
		now.Add(20 * time.Hour),                    // under a day left, overdue only after midnight
		now.Add(3 * time.Hour),                     // overdue at half past noon
		now.Add(-time.Hour),                        // overdue already: only the next day
	} {
		e := accord.Escalation{Status: accord.EscalationOpen, WindowOpenedAt: opened, WindowDueAt: due}
		v := EscalationView{Escalation: e, Now: now}
		until := v.SameUntil(time.Time{}, time.UTC)
		require.True(t, until.After(now), "due %s", due)
		require.False(t, until.After(midnight), "due %s: no later than the next day", due)
		require.Equal(t, look(e, now), look(e, until.Add(-time.Nanosecond)), "due %s: the same just before %s", due, until)
		if until.Before(midnight) {
			require.NotEqual(t, look(e, now), look(e, until), "due %s: moved on at %s", due, until)
		}
	}
	// A decided escalation shows no clock; a stand-in's turn before midnight bounds it.
	decided := EscalationView{Escalation: accord.Escalation{Status: accord.EscalationDecided}, Now: now}
	require.Equal(t, midnight, decided.SameUntil(time.Time{}, time.UTC))
	turn := now.Add(time.Hour)
	require.Equal(t, turn, decided.SameUntil(turn, time.UTC))
	// The reader's midnight comes first when theirs is earlier than the clock's zone's.
	east := time.FixedZone("UTC+8", 8*3600)
	require.Equal(t, time.Date(2026, 12, 3, 0, 0, 0, 0, east), decided.SameUntil(time.Time{}, east))
}
