package ui

import (
	"context"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin changes its clocks

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

// An escalation list is the same until one of its rows' age, window or overdue mark
// moves on: the first of them, or the next day.
func TestEscalationListIsTheSameUntilARowMovesOn(t *testing.T) {
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(i18n.English))
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	midnight := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	row := func(created, due time.Time) EscalationRow {
		return EscalationRow{Escalation: accord.Escalation{Status: accord.EscalationOpen, CreatedAt: created,
			WindowOpenedAt: created, WindowDueAt: due}}
	}
	look := func(v EscalationQueueView, at time.Time) string {
		var out string
		for _, r := range v.Rows {
			e := r.Escalation
			out += escAge(ctx, e.CreatedAt, at) + "|" + escWindowLeft(ctx, at, e.WindowDueAt) + "|" +
				map[bool]string{true: "overdue"}[escOverdue(e, at)] + ";"
		}
		return out
	}
	for name, rows := range map[string][]EscalationRow{
		"none":                             nil,
		"a day old at 14:00":               {row(now.Add(-20*time.Hour+time.Hour/2), now.AddDate(0, 0, 9))},
		"overdue at 11:00, aged long ago":  {row(now.AddDate(0, 0, -9).Add(-time.Hour), now.Add(90*time.Minute))},
		"the earlier of two rows' changes": {row(now.AddDate(0, 0, -3).Add(2*time.Hour), now.AddDate(0, 0, 8)), row(now.Add(-time.Hour), now.Add(5*time.Hour))},
	} {
		v := EscalationQueueView{Now: now, Rows: rows, List: accord.ListToDecide} // the tab that shows the time left
		until := v.SameUntil(time.UTC)
		require.True(t, until.After(now), name)
		require.False(t, until.After(midnight), name)
		require.Equal(t, look(v, now), look(v, until.Add(-time.Nanosecond)), "%s: the same just before %s", name, until)
		if until.Before(midnight) {
			require.NotEqual(t, look(v, now), look(v, until), "%s: moved on at %s", name, until)
		} else {
			require.Empty(t, rows, "%s: a row changes before midnight", name)
		}
	}
}

// Where the clocks change, every moment before SameUntil draws the window as the page
// was drawn: sampled every few minutes across the days around each change of 2026 in
// Berlin (at 02:00 and 03:00) and Santiago (at midnight), for windows opened at several
// times of day (review found "3 days left" turning back to 4 at 02:00 when counted day
// by day in the zone).
func TestEscalationPageIsTheSameUntilItsWindowMovesOnAcrossAChangeOfTheClocks(t *testing.T) {
	look := func(e accord.Escalation, at time.Time) escWindowLook {
		return escWindowLook{left: escWorkingDaysLeft(at, e.WindowDueAt), overdue: escOverdue(e, at), percent: escElapsedPercent(e, at)}
	}
	for _, zone := range []string{"Europe/Berlin", "America/Santiago"} {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		var changes []time.Time
		for at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc); at.Year() == 2026; {
			_, end := at.ZoneBounds()
			if end.IsZero() || end.Year() != 2026 {
				break
			}
			changes, at = append(changes, end), end
		}
		require.Len(t, changes, 2, zone)
		for _, change := range changes {
			for _, opened := range []time.Time{change.AddDate(0, 0, -7).Add(-45 * time.Minute),
				change.AddDate(0, 0, -5).Add(-10 * time.Hour), change.AddDate(0, 0, -2).Add(15 * time.Hour),
				change.AddDate(0, 0, -9).Add(15 * time.Minute), change.AddDate(0, 0, -4).Add(30 * time.Minute)} {
				e := accord.Escalation{Status: accord.EscalationOpen, WindowOpenedAt: opened,
					WindowDueAt: accord.AddWorkingDays(opened, 5, loc)}
				for now := change.AddDate(0, 0, -3); now.Before(change.AddDate(0, 0, 3)); now = now.Add(13 * time.Minute) {
					v := EscalationView{Escalation: e, Now: now.In(loc)}
					until := v.SameUntil(time.Time{}, loc)
					require.True(t, until.After(now), "%s at %s", zone, now)
					for at := now; at.Before(until); at = at.Add(4 * time.Minute) {
						require.Equal(t, look(e, now.In(loc)), look(e, at.In(loc)), "%s: drawn at %s, kept until %s, otherwise at %s",
							zone, now, until, at)
					}
				}
			}
		}
	}
}
