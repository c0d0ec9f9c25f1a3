package store_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestGoalProjectCountsFollowVisibility(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	holder := w.Unit(t, storetest.UnitOpts{})
	uninvolved := w.Unit(t, storetest.UnitOpts{})
	// Three goals, one project each; only the first asks the holder for something.
	var goals []int64
	for i := range 3 {
		g, err := w.Store.CreateGoal(w.Ctx, 0, accord.GoalInput{Title: fmt.Sprintf("目标%d", i), TitleEN: fmt.Sprintf("Goal %d", i)})
		require.NoError(t, err)
		goals = append(goals, g.ID)
		p := w.Project(t, storetest.ProjectOpts{Edit: func(in *accord.ProjectInput) { in.GoalID = &g.ID }})
		if i == 0 {
			w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		}
	}
	tests := []struct {
		who  string
		user accord.User
		want map[int64]int
	}{
		{"the head above every unit", w.Head(t, w.Root(t)), map[int64]int{goals[0]: 1, goals[1]: 1, goals[2]: 1}},
		{"the head of a unit one project asks", w.Head(t, holder), map[int64]int{goals[0]: 1}},
		{"the head of a unit no project touches", w.Head(t, uninvolved), map[int64]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			counts, err := w.Store.GoalProjectCounts(w.Ctx, w.Viewer(t, tt.user))
			require.NoError(t, err)
			require.Equal(t, tt.want, counts)
		})
	}
}
