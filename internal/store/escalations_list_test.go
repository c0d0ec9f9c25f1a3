package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestOpenEscalationsForAdmins(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	upgrade, needs := c.upgrade(t)
	upgrade = c.valued(t, upgrade, 20_000_000, nil)
	promo, ads := c.promotion(t)
	promo = c.valued(t, promo, 8_000_000, nil)

	// The promotion's Advertising is escalated by hand first; the upgrade's CRM, sent
	// ten days ago and declined, is raised by the sweep after it.
	sent := c.Request(t, storetest.RequestOpts{Need: &ads, At: now})
	manual, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.salesHead), sent.ID, "宣传排期冲突", "", 3, now)
	require.NoError(t, err)
	sentAt := now.Add(-10 * 24 * time.Hour)
	it := c.send(t, upgrade, needs, sentAt)["IT"]
	_, err = c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)
	n, err := c.Store.SweepEscalations(c.Ctx, now, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	list, total, err := c.Store.OpenEscalations(c.Ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Len(t, list, 2)
	require.Equal(t, "CRM system development", list[0].Request.NeedTitleEN, "both P0: the larger project value first")
	require.Equal(t, c.ceo.ID, list[0].AssignedUserID)
	require.Equal(t, "Advertising", list[1].Request.NeedTitleEN)
	require.Equal(t, c.opsHead.ID, list[1].AssignedUserID)

	page, total, err := c.Store.OpenEscalations(c.Ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Equal(t, []int64{manual.ID}, []int64{page[0].ID})

	values, err := c.Store.ProjectValues(c.Ctx, []int64{promo.ID, list[0].ProjectID})
	require.NoError(t, err)
	require.Len(t, values, 2)
	require.Equal(t, int64(8_000_000), *values[promo.ID].ExpectedAmount)
	require.Equal(t, "CNY", values[promo.ID].Currency)
	require.Equal(t, "Car promotion", values[promo.ID].NameEN)
	require.Equal(t, int64(20_000_000), *values[list[0].ProjectID].ExpectedAmount)
	empty, err := c.Store.ProjectValues(c.Ctx, nil)
	require.NoError(t, err)
	require.Empty(t, empty)

	// Sent back: still open for the overview, and the decider is known.
	before, err := c.Store.Escalation(c.Ctx, manual.ID)
	require.NoError(t, err)
	require.Empty(t, before.DecidedByNameEN)
	ops := c.Viewer(t, c.opsHead)
	_, err = c.Store.Decide(c.Ctx, ops, manual.ID, manual.Version, accord.DecisionInput{Kind: accord.DecideSendBack, Note: "请补充排期"}, now)
	require.NoError(t, err)
	after, err := c.Store.Escalation(c.Ctx, manual.ID)
	require.NoError(t, err)
	require.Equal(t, c.opsHead.NameEN, after.DecidedByNameEN)
	_, total, err = c.Store.OpenEscalations(c.Ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 2, total)

	// Decided: off the list.
	crm := list[0]
	due := now.AddDate(0, 1, 0)
	_, err = c.Store.Decide(c.Ctx, c.Viewer(t, c.ceo), crm.ID, crm.Version, accord.DecisionInput{
		Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, now)
	require.NoError(t, err)
	list, total, err = c.Store.OpenEscalations(c.Ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, manual.ID, list[0].ID)
	require.Equal(t, accord.EscalationSentBack, list[0].Status)

	ofRequest, err := c.Store.LatestEscalations(c.Ctx, []int64{crm.RequestID, 0})
	require.NoError(t, err)
	require.Len(t, ofRequest, 1)
	require.Equal(t, crm.ID, ofRequest[crm.RequestID].ID)
	require.Equal(t, accord.EscalationDecided, ofRequest[crm.RequestID].Status)
	none, err := c.Store.LatestEscalations(c.Ctx, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}
