package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/store"
)

// TestQuietAfterIsNeverLateAcrossDaylightSaving holds quietAfter, the moment a kept
// portfolio is drawn again for a project going quiet, to the condition it bounds
// ("at < now - days", days in the session's zone), in zones with and without daylight
// saving (one moving by half an hour), for moments a few hours apart all year round
// and the repeated and skipped hours themselves: never after the condition first holds
// (or a kept page would be stale), and at most an hour before it; exactly it where
// the zone has no daylight saving. And a moment portfolioClockSpan or more later never
// goes quiet first, so the portfolio reckons quietAfter only for the requests active
// within that span of the least recently active one.
func TestQuietAfterIsNeverLateAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	quiet := store.QuietAfter("c.at", "c.days")
	for _, zone := range []string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		_, err := conn.Exec(ctx, "SET TimeZone = '"+zone+"'")
		require.NoError(t, err)
		var cases, late, early, inexact, overtaken int
		require.NoError(t, conn.QueryRow(ctx, `WITH c AS (
				SELECT at, days FROM generate_series('2025-12-01'::timestamptz, '2027-01-31'::timestamptz,
					interval '3 hours 17 minutes') at,
				unnest(ARRAY[1, 3, 7, 30, 245, 273]) days
				UNION ALL
				-- the reviewer's: 2026-11-01 01:30 comes twice in New York
				SELECT '2026-03-01 06:30+00', 245),
			q AS (SELECT at, days, `+quiet+` AS q FROM c)
			SELECT count(*),
				-- late: the condition held at some moment before the one given, every
				-- ten minutes of the three hours before it (during a repeated hour it
				-- holds, then does not, then holds again)
				count(*) FILTER (WHERE EXISTS (SELECT FROM generate_series(q - interval '3 hours', q, interval '10 minutes') t
					WHERE at < t - make_interval(days => days))),
				-- early by more than an hour
				count(*) FILTER (WHERE NOT at < q + interval '1 hour 1 microsecond' - make_interval(days => days)),
				-- not exactly the moment
				count(*) FILTER (WHERE NOT at < q + interval '1 microsecond' - make_interval(days => days)),
				-- overtaken: a moment a span or more later (every ten minutes of the three
				-- hours after that) goes quiet before this one
				count(*) FILTER (WHERE EXISTS (SELECT FROM generate_series(at + `+store.PortfolioClockSpan+`,
					at + `+store.PortfolioClockSpan+` + interval '3 hours', interval '10 minutes') later (at)
					WHERE `+store.QuietAfter("later.at", "q.days")+` < q))
			FROM q`).Scan(&cases, &late, &early, &inexact, &overtaken))
		require.Greater(t, cases, 18000, zone)
		require.Zero(t, late, "%s: the condition held before the moment quietAfter gave", zone)
		require.Zero(t, early, "%s: more than an hour before the condition holds", zone)
		require.Zero(t, overtaken, "%s: a moment a span later went quiet first", zone)
		if zone == "UTC" || zone == "Asia/Shanghai" {
			require.Zero(t, inexact, "%s: no daylight saving, so exactly the moment", zone)
		}
	}
}
