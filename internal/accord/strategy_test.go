package accord

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryObstacleHasStrategies(t *testing.T) {
	t.Parallel()
	used := map[Strategy]bool{}
	for _, o := range Obstacles() {
		list := StrategiesFor(o)
		require.NotEmpty(t, list, o)
		for _, s := range list {
			used[s] = true
		}
	}
	for _, s := range AllStrategies() {
		require.True(t, used[s], "strategy %s is offered for no obstacle", s)
	}
	require.Equal(t, ActSplitNeed, StrategyPhase.Act())
	require.Equal(t, ActCommit, StrategyFutureReturn.Act())
	require.Equal(t, ActPack, StrategyApprovalPack.Act())
	require.Equal(t, ActNone, StrategyRaisePriority.Act())
	require.Equal(t, []Strategy{StrategyPhase, StrategyRaisePriority, StrategyBringResources}, StrategiesFor(ObstacleTooBusy))
}
