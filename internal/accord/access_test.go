package accord

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMayViewProject(t *testing.T) {
	t.Parallel()
	// HQ(1) ─┬─ Ops(2) ─ Sales(4)
	//        └─ Tech(3) ─ IT(6)
	p := ProjectReach{LeadUserID: 40, UnitPaths: [][]int64{{1, 2, 4}, {1, 3, 6}}}
	tests := []struct {
		name string
		v    ProjectViewer
		want bool
	}{
		{"the lead", ProjectViewer{UserID: 40}, true},
		{"an administrator", ProjectViewer{UserID: 1, Admin: true}, true},
		{"a member of the holding unit", ProjectViewer{UserID: 2, MemberOf: map[int64]bool{6: true}}, true},
		{"a member of a unit above is not enough", ProjectViewer{UserID: 3, MemberOf: map[int64]bool{3: true}}, false},
		{"the head of a unit above", ProjectViewer{UserID: 4, Heads: map[int64]bool{3: true}}, true},
		{"the head of a sibling unit", ProjectViewer{UserID: 5, Heads: map[int64]bool{5: true}}, false},
		{"nobody in particular", ProjectViewer{UserID: 6}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewProject(tt.v, p))
		})
	}
}
