package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
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

func TestProjectNames(t *testing.T) {
	b := setup(t)
	smart, promo := b.project(t, "Smart service upgrade"), b.project(t, "Inventory car promotion")
	names, err := b.st.ProjectNames(b.ctx, []int64{smart.ID, promo.ID, smart.ID, 99999999})
	require.NoError(t, err)
	require.Equal(t, map[int64]accord.Project{
		smart.ID: {ID: smart.ID, Name: "智能服务升级", NameEN: "Smart service upgrade"},
		promo.ID: {ID: promo.ID, Name: "库存车促销", NameEN: "Inventory car promotion"},
	}, names)
	none, err := b.st.ProjectNames(b.ctx, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}
