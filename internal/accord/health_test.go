package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	require.Equal(t, []Health{"blocked", "at_risk", "on_track"}, Healths(), "worst first")
	tests := []struct {
		h        Health
		valid    bool
		message  string
		troubled bool
	}{
		{HealthBlocked, true, "health_blocked", true},
		{HealthAtRisk, true, "health_at_risk", true},
		{HealthOnTrack, true, "health_on_track", false},
		{"", false, "health_", true},
		{"ok", false, "health_ok", true},
		{"Blocked", false, "health_Blocked", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.h), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.valid, tt.h.Valid())
			require.Equal(t, tt.message, tt.h.MessageID())
			require.Equal(t, tt.troubled, tt.h.Troubled())
		})
	}
}

func TestHealthOf(t *testing.T) {
	t.Parallel()
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	// 10:00 on the day after daylight saving began in New York (8 March had 23 hours).
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork)
	date := func(m time.Month, d int) *time.Time { t := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC); return &t } // as pgx reads a date
	at := func(t time.Time) *time.Time { return &t }
	quiet := time.Date(2026, 2, 23, 10, 0, 0, 0, newYork) // 14 calendar days before now: 335 hours
	tests := []struct {
		name string
		s    HealthSignals
		now  time.Time
		want Health
	}{
		{"nothing sent", HealthSignals{CadenceDays: 14}, now, HealthOnTrack},
		{"open, dated and active", HealthSignals{NextDue: date(3, 9), P0NextDue: date(3, 20), OldestActivity: at(now),
			CadenceDays: 14}, now, HealthOnTrack},

		{"a P0 declined", HealthSignals{Declined: 1, P0Declined: 1, CadenceDays: 14}, now, HealthBlocked},
		{"a P0 due yesterday", HealthSignals{NextDue: date(3, 8), P0NextDue: date(3, 8), CadenceDays: 14}, now, HealthBlocked},
		{"a P0 due today", HealthSignals{NextDue: date(3, 9), P0NextDue: date(3, 9), CadenceDays: 14}, now, HealthOnTrack},
		{"an escalation waiting", HealthSignals{Escalations: 1, CadenceDays: 14}, now, HealthBlocked},
		{"blocked outranks at risk", HealthSignals{Declined: 2, P0Declined: 1, HighRisk: 1, NextDue: date(1, 1),
			OldestActivity: at(quiet.AddDate(0, 0, -30)), CadenceDays: 14}, now, HealthBlocked},

		{"a P1 declined", HealthSignals{Declined: 1, CadenceDays: 14}, now, HealthAtRisk},
		{"a P1 due yesterday", HealthSignals{NextDue: date(3, 8), P0NextDue: date(3, 20), CadenceDays: 14}, now, HealthAtRisk},
		{"a P1 due today", HealthSignals{NextDue: date(3, 9), CadenceDays: 14}, now, HealthOnTrack},
		{"a high risk", HealthSignals{HighRisk: 1, CadenceDays: 14}, now, HealthAtRisk},
		{"quiet for exactly the cadence", HealthSignals{OldestActivity: at(quiet), CadenceDays: 14}, now, HealthOnTrack},
		{"quiet a moment longer", HealthSignals{OldestActivity: at(quiet.Add(-time.Microsecond)), CadenceDays: 14}, now,
			HealthAtRisk},
		// Counted as 14 × 24 hours, the cadence would reach back to 09:00 on the 23rd.
		{"14 calendar days, not 14 × 24 hours", HealthSignals{OldestActivity: at(quiet.Add(-30 * time.Minute)),
			CadenceDays: 14}, now, HealthAtRisk},
		{"a shorter cadence", HealthSignals{OldestActivity: at(now.AddDate(0, 0, -3).Add(-time.Second)), CadenceDays: 3},
			now, HealthAtRisk},

		// The day is now's: 00:30 on 10 March in Shanghai is still 9 March in New York.
		{"yesterday in now's zone", HealthSignals{P0NextDue: date(3, 9), NextDue: date(3, 9), CadenceDays: 14},
			time.Date(2026, 3, 10, 0, 30, 0, 0, time.FixedZone("UTC+8", 8*3600)), HealthBlocked},
		{"today in now's zone", HealthSignals{P0NextDue: date(3, 9), NextDue: date(3, 9), CadenceDays: 14},
			time.Date(2026, 3, 10, 0, 30, 0, 0, time.FixedZone("UTC+8", 8*3600)).In(newYork), HealthOnTrack},
		{"a date read in another zone keeps its day", HealthSignals{NextDue: at(time.Date(2026, 3, 9, 0, 0, 0, 0, newYork)),
			CadenceDays: 14}, now, HealthOnTrack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, HealthOf(tt.s, tt.now))
		})
	}
}
