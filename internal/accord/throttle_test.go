package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoginDelay(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		byEmail, byIP int
		since         time.Duration // since the last failure
		want          time.Duration
	}{
		{"no failures", 0, 0, 0, 0},
		{"four failures are free", 4, 4, 0, 0},
		{"the fifth starts a 30 s wait", 5, 5, 0, 30 * time.Second},
		{"the wait runs down", 5, 5, 10 * time.Second, 20 * time.Second},
		{"and ends", 5, 5, 31 * time.Second, 0},
		{"each further failure doubles it", 7, 7, 0, 2 * time.Minute},
		{"capped at 15 minutes", 30, 30, 0, 15 * time.Minute},
		{"an address spraying many emails is slowed too", 1, 21, 0, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, LoginDelay(tt.byEmail, tt.byIP, now.Add(-tt.since), now))
		})
	}
}
