package accord

import (
	"testing"

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
