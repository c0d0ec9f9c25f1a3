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
		name   string
		counts LoginFailureCounts
		since  time.Duration // since the last failure
		want   time.Duration
	}{
		{"no failures", LoginFailureCounts{}, 0, 0},
		{"four from one address are free", LoginFailureCounts{Account: 4, AccountAddress: 4}, 0, 0},
		{"the fifth starts a 30 s wait", LoginFailureCounts{Account: 5, AccountAddress: 5}, 0, 30 * time.Second},
		{"the wait runs down", LoginFailureCounts{Account: 5, AccountAddress: 5}, 10 * time.Second, 20 * time.Second},
		{"and ends", LoginFailureCounts{Account: 5, AccountAddress: 5}, 31 * time.Second, 0},
		{"each further failure doubles it", LoginFailureCounts{Account: 7, AccountAddress: 7}, 0, 2 * time.Minute},
		{"capped at 15 minutes", LoginFailureCounts{Account: 30, AccountAddress: 30}, 0, 15 * time.Minute},
		{"guesses spread over addresses count for the account", LoginFailureCounts{Account: 21, AccountAddress: 1}, 0, time.Minute},
		{"an address that sprayed does not stop an account that never failed",
			LoginFailureCounts{AddressSpray: 500}, 0, 0},
		{"but slows it on accounts that did", LoginFailureCounts{Account: 1, AccountAddress: 1, AddressSpray: 101}, 0, time.Minute},
		{"a company behind one address fails a few dozen times freely",
			LoginFailureCounts{Account: 2, AccountAddress: 2, AddressSpray: 60}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.counts
			c.Last = now.Add(-tt.since)
			require.Equal(t, tt.want, LoginDelay(c, now))
		})
	}
}
