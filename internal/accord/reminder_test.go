package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStaleReminderTo(t *testing.T) {
	t.Parallel()
	const lead, head, key = int64(1), int64(2), int64(3)
	keyPerson := func(v int64) *int64 { return &v }
	tests := []struct {
		state RequestState
		key   *int64
		head  int64
		want  int64
	}{
		{RequestRequested, nil, head, head},
		{RequestRequested, keyPerson(key), head, key},
		{RequestRequested, nil, 0, 0},
		{RequestRequested, keyPerson(key), 0, key},
		{RequestAgreed, nil, head, head},
		{RequestAgreed, keyPerson(key), head, key},
		{RequestInProgress, keyPerson(key), head, key},
		{RequestInProgress, nil, 0, 0},
		{RequestCountered, nil, head, lead},
		{RequestCountered, keyPerson(key), head, lead},
		{RequestCountered, nil, 0, lead},
		{RequestDeclined, keyPerson(key), head, 0},
		{RequestDraft, nil, head, 0},
		{RequestDelivered, keyPerson(key), head, 0},
		{RequestCancelled, nil, head, 0},
	}
	for _, tt := range tests {
		name := string(tt.state)
		if tt.key != nil {
			name += ", key person named"
		}
		if tt.head == 0 {
			name += ", nobody heads the unit"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := Request{State: tt.state, LeadUserID: lead, KeyPersonUserID: tt.key}
			require.Equal(t, tt.want, StaleReminderTo(r, tt.head))
		})
	}
}

func TestStaleReminderDue(t *testing.T) {
	t.Parallel()
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork) // the day after a 23-hour day
	tests := []struct {
		name    string
		active  time.Time
		cadence int
		want    bool
	}{
		{"active today", now.Add(-time.Hour), 14, false},
		{"quiet exactly the cadence", time.Date(2026, 2, 23, 10, 0, 0, 0, newYork), 14, false},
		{"quiet a moment longer", time.Date(2026, 2, 23, 9, 59, 59, 0, newYork), 14, true},
		// 14 × 24 hours reach back to 09:00: half an hour short of it is quiet already.
		{"14 calendar days, not 14 × 24 hours", time.Date(2026, 2, 23, 9, 30, 0, 0, newYork), 14, true},
		{"a day's cadence, exactly a day", time.Date(2026, 3, 8, 10, 0, 0, 0, newYork), 1, false},
		{"a day's cadence, a moment more", time.Date(2026, 3, 8, 9, 59, 59, 0, newYork), 1, true},
		{"never sooner than a day", now.Add(-23 * time.Hour), 0, false},
		{"a day with no cadence", time.Date(2026, 3, 8, 9, 0, 0, 0, newYork), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, StaleReminderDue(Request{State: RequestRequested, LastActivityAt: tt.active}, tt.cadence, now))
		})
	}
}
