package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
)

func TestEscalationStats(t *testing.T) {
	b := setup(t)
	empty, err := b.st.EscalationStats(b.ctx)
	require.NoError(t, err)
	require.Equal(t, store.EscalationStats{DecisionBuckets: make([]uint64, len(store.DecisionHourBuckets()))}, empty)

	// One declined escalation decided after 30 hours, one manual still open.
	sentAt := time.Now().Add(-10 * 24 * time.Hour)
	sent := sendSmart(t, b, sentAt)
	it := sent["IT"]
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt)
	require.NoError(t, err)
	raisedAt := sentAt.Add(5 * 24 * time.Hour)
	n, err := b.st.SweepEscalations(b.ctx, raisedAt, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	queue, _, err := b.st.EscalationsAssigned(b.ctx, b.users["ceo@accord.demo"].ID, 0, 10)
	require.NoError(t, err)
	due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	_, err = b.st.Decide(b.ctx, b.viewer(t, "ceo@accord.demo"), queue[0].ID, queue[0].Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, raisedAt.Add(30*time.Hour))
	require.NoError(t, err)
	_, err = b.st.Escalate(b.ctx, b.viewer(t, "aftersales@accord.demo"), sent["Marketing"].ID, "需要决策", "", 3, raisedAt)
	require.NoError(t, err)

	got, err := b.st.EscalationStats(b.ctx)
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
