package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestOpenEscalationsForAdmins(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sentAt := now.Add(-10 * 24 * time.Hour)
	it := sendSmart(t, b, sentAt)["IT"]
	_, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)
	n, err := b.st.SweepEscalations(b.ctx, now, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	promo := b.project(t, "Inventory car promotion")
	needs, err := b.st.Needs(b.ctx, promo.ID)
	require.NoError(t, err)
	var ads int64
	for _, n := range needs {
		if n.HolderNameEN == "Marketing" {
			ads = n.ID
		}
	}
	sent, err := b.st.SendNeeds(b.ctx, promo.LeadUserID, promo.ID, []int64{ads}, "", now)
	require.NoError(t, err)
	manual, err := b.st.Escalate(b.ctx, b.viewer(t, "sales@accord.demo"), sent[0].ID, "宣传排期冲突", "", 3, now)
	require.NoError(t, err)

	list, total, err := b.st.OpenEscalations(b.ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Len(t, list, 2)
	require.Equal(t, "CRM system development", list[0].Request.NeedTitleEN, "both P0: the larger project value first")
	require.Equal(t, b.users["ceo@accord.demo"].ID, list[0].AssignedUserID)
	require.Equal(t, "Advertising", list[1].Request.NeedTitleEN)
	require.Equal(t, b.users["ops@accord.demo"].ID, list[1].AssignedUserID)

	page, total, err := b.st.OpenEscalations(b.ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, 2, total)
	require.Equal(t, []int64{manual.ID}, []int64{page[0].ID})

	values, err := b.st.ProjectValues(b.ctx, []int64{promo.ID, list[0].ProjectID})
	require.NoError(t, err)
	require.Len(t, values, 2)
	require.Equal(t, int64(8_000_000), *values[promo.ID].ExpectedAmount)
	require.Equal(t, "CNY", values[promo.ID].Currency)
	require.Equal(t, "Inventory car promotion", values[promo.ID].NameEN)
	require.Equal(t, int64(20_000_000), *values[list[0].ProjectID].ExpectedAmount)
	empty, err := b.st.ProjectValues(b.ctx, nil)
	require.NoError(t, err)
	require.Empty(t, empty)

	// Sent back: still open for the overview, and the decider is known.
	before, err := b.st.Escalation(b.ctx, manual.ID)
	require.NoError(t, err)
	require.Empty(t, before.DecidedByNameEN)
	ops := b.viewer(t, "ops@accord.demo")
	_, err = b.st.Decide(b.ctx, ops, manual.ID, manual.Version, accord.DecisionInput{Kind: accord.DecideSendBack, Note: "请补充排期"}, now)
	require.NoError(t, err)
	after, err := b.st.Escalation(b.ctx, manual.ID)
	require.NoError(t, err)
	require.Equal(t, "Wang Liqun", after.DecidedByNameEN)
	_, total, err = b.st.OpenEscalations(b.ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 2, total)

	// Decided: off the list.
	crm := list[0]
	due := now.AddDate(0, 1, 0)
	_, err = b.st.Decide(b.ctx, b.viewer(t, "ceo@accord.demo"), crm.ID, crm.Version, accord.DecisionInput{
		Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, now)
	require.NoError(t, err)
	list, total, err = b.st.OpenEscalations(b.ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, manual.ID, list[0].ID)
	require.Equal(t, accord.EscalationSentBack, list[0].Status)

	ofRequest, err := b.st.LatestEscalations(b.ctx, []int64{crm.RequestID, 0})
	require.NoError(t, err)
	require.Len(t, ofRequest, 1)
	require.Equal(t, crm.ID, ofRequest[crm.RequestID].ID)
	require.Equal(t, accord.EscalationDecided, ofRequest[crm.RequestID].Status)
	none, err := b.st.LatestEscalations(b.ctx, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}
