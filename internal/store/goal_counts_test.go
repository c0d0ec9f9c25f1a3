package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGoalProjectCountsFollowVisibility(t *testing.T) {
	b := setup(t)
	goals, err := b.st.Goals(b.ctx)
	require.NoError(t, err)
	byTitle := map[string]int64{}
	for _, g := range goals {
		byTitle[g.TitleEN] = g.ID
	}
	tests := []struct {
		email string
		want  map[int64]int
	}{
		{"ceo@accord.demo", map[int64]int{
			byTitle["Customer satisfaction in the industry's top three"]: 1,
			byTitle["Insurance renewal rate 65%"]:                        1,
			byTitle["Stock turnover under 45 days"]:                      1,
		}},
		{"it@accord.demo", map[int64]int{byTitle["Customer satisfaction in the industry's top three"]: 1}},
		{"legal@accord.demo", map[int64]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			counts, err := b.st.GoalProjectCounts(b.ctx, b.viewer(t, tt.email))
			require.NoError(t, err)
			require.Equal(t, tt.want, counts)
		})
	}
}
