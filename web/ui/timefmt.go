package ui

import (
	"context"
	"time"
)

// The reader's time zone travels on the context beside their language: the server
// puts the viewer's (their own, else the company's) there with WithLocation.
type locationKey struct{}

// WithLocation stores the reader's time zone in ctx for FormatTime.
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey{}, loc)
}

// Location is the reader's time zone, UTC when none was stored: FormatTime names the
// zone, so a time is never shown as if it were another zone's.
func Location(ctx context.Context) *time.Location {
	if loc, _ := ctx.Value(locationKey{}).(*time.Location); loc != nil {
		return loc
	}
	return time.UTC
}

// FormatTime is how Accord shows a moment, in every page: the date and time on the
// reader's clock with the zone named, "2026-12-03 14:05 (Asia/Shanghai)", in Chinese
// "2026-12-03 14:05（Asia/Shanghai）". The IANA name is used because abbreviations
// are ambiguous (CST is China's and America's).
func FormatTime(ctx context.Context, at time.Time) string {
	loc := Location(ctx)
	return t(ctx, "time_in_zone", map[string]any{"Time": at.In(loc).Format("2006-01-02 15:04"), "Zone": loc.String()})
}

// FormatDay is the calendar day a moment falls on for the reader, for places that show
// only the day of a timestamp. Dates stored as dates (due dates) are not moments:
// they are shown as they are, never shifted.
func FormatDay(ctx context.Context, at time.Time) string {
	return at.In(Location(ctx)).Format(time.DateOnly)
}
