package ui

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/web/i18n"
)

// agoChangesAt must name the very moment ago's words change: the same words up to
// just before it, other words from it.
func TestAgoChangesAtTheMomentItsWordsDo(t *testing.T) {
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(i18n.English))
	then := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	for _, since := range []time.Duration{-2 * time.Hour, 0, 59 * time.Minute, time.Hour, 90 * time.Minute,
		23*time.Hour + 59*time.Minute, 24 * time.Hour, 50 * time.Hour, 40 * 24 * time.Hour} {
		now := then.Add(since)
		at := agoChangesAt(now, then)
		require.True(t, at.After(now), "after %s: it changes later, not at %s", since, at)
		require.Equal(t, ago(ctx, now, then), ago(ctx, at.Add(-time.Nanosecond), then), "after %s: the same just before %s", since, at)
		require.NotEqual(t, ago(ctx, now, then), ago(ctx, at, then), "after %s: other words at %s", since, at)
	}
}

// SameUntil is the earliest of the next day, a request going stale and a line's
// "ago" changing; the tracker's flags agree with it either side.
func TestTrackerIsTheSameUntilItsFirstChange(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	line := func(state accord.RequestState, last time.Time) TrackerLine {
		return TrackerLine{Request: accord.Request{State: state, LastActivityAt: last}}
	}
	view := func(lines ...TrackerLine) TrackerView {
		return TrackerView{Project: accord.Project{CadenceDays: 7}, Now: now, Groups: []TrackerGroup{{Lines: lines}}}
	}
	midnight := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	require.Equal(t, midnight, view().SameUntil(), "with no line, the next day")
	// Delivered six days and two hours ago: its "6 days ago" lasts past midnight.
	old := now.Add(-(6*24*time.Hour + 2*time.Hour))
	require.Equal(t, midnight, view(line(accord.RequestDelivered, old)).SameUntil())
	// Six days and twelve hours ago: "7 days ago" from 21:30 today, the moment the
	// agreed request goes stale after.
	long := now.Add(-(6*24*time.Hour + 12*time.Hour))
	r := line(accord.RequestAgreed, long)
	until := view(r).SameUntil()
	require.Equal(t, long.Add(7*24*time.Hour), until)
	require.False(t, r.Request.Stale(until, 7))
	// Drawn at that moment, it is the same only until the request goes stale.
	at := view(r)
	at.Now = until
	require.Equal(t, until.Add(time.Nanosecond), at.SameUntil())
	require.True(t, r.Request.Stale(at.SameUntil(), 7))
	// An hour-old line changes within the hour.
	recent := now.Add(-80 * time.Minute)
	require.Equal(t, recent.Add(2*time.Hour), view(line(accord.RequestDelivered, old), line(accord.RequestRequested, recent)).SameUntil())
}
