package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

func TestEscalationStats(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	empty, err := w.Store.EscalationStats(w.Ctx)
	require.NoError(t, err)
	require.Equal(t, store.EscalationStats{DecisionBuckets: make([]uint64, len(store.DecisionHourBuckets()))}, empty)

	// One declined escalation decided after 30 hours, one manual still open.
	sentAt := time.Now().Add(-10 * 24 * time.Hour)
	project := w.Project(t, storetest.ProjectOpts{})
	required := w.Need(t, storetest.NeedOpts{Project: &project, Tier: accord.TierRequired})
	w.Request(t, storetest.RequestOpts{Need: &required, State: accord.RequestDeclined, At: sentAt})
	important := w.Need(t, storetest.NeedOpts{Project: &project})
	waiting := w.Request(t, storetest.RequestOpts{Need: &important, At: sentAt})
	raisedAt := sentAt.Add(5 * 24 * time.Hour)
	n, err := w.Store.SweepEscalations(w.Ctx, raisedAt, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	top := w.Head(t, w.Root(t))
	queue, _, err := w.Store.EscalationsAssigned(w.Ctx, top.ID, 0, 10)
	require.NoError(t, err)
	due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	_, err = w.Store.Decide(w.Ctx, w.Viewer(t, top), queue[0].ID, queue[0].Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, raisedAt.Add(30*time.Hour))
	require.NoError(t, err)
	w.Escalation(t, storetest.EscalationOpts{Request: &waiting, Reason: "需要决策", WindowDays: 3, At: raisedAt})

	got, err := w.Store.EscalationStats(w.Ctx)
	require.NoError(t, err)
	require.Equal(t, []store.EscalationCount{
		{Cause: accord.CauseDeclined, Status: accord.EscalationDecided, Count: 1},
		{Cause: accord.CauseManual, Status: accord.EscalationOpen, Count: 1},
	}, got.Counts)
	// Buckets 1, 4, 8, 24, 48, 72, 120, 168, 336, 720 hours: 30 hours falls from 48 on.
	require.Equal(t, []uint64{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, got.DecisionBuckets)
	require.Equal(t, uint64(1), got.Decided)
	require.InDelta(t, 30.0, got.DecisionHours, 0.001)
}
