package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// The routing edge cases docs/escalation.md lists, through the sweep and the window.

// escAssigned maps each escalated request's holder (English name) to who it went to.
func escAssigned(t *testing.T, b testBundle) map[string]int64 {
	t.Helper()
	rows, err := b.st.Pool().Query(b.ctx, `SELECT h.name_en, e.assigned_user_id FROM escalations e
		JOIN requests r ON r.id = e.request_id JOIN units h ON h.id = r.holder_unit_id`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var holder string
		var user int64
		require.NoError(t, rows.Scan(&holder, &user))
		out[holder] = user
	}
	require.NoError(t, rows.Err())
	return out
}

// TestSweepSkipsAVacantSharedSuperior leaves the Operations centre without a head: a
// stalled Sales ↔ Marketing request goes past the vacant post to the CEO.
func TestSweepSkipsAVacantSharedSuperior(t *testing.T) {
	b := setup(t)
	ops := b.units["Operations centre"]
	_, err := b.st.SetUnitHead(b.ctx, 0, ops.ID, ops.Version, nil)
	require.NoError(t, err)
	sendPromoAds(t, b, time.Now().Add(-60*24*time.Hour))

	n, err := b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, map[string]int64{"Marketing": b.users["ceo@accord.demo"].ID}, escAssigned(t, b))
}

// TestSweepSkipsRequestsWithNoHeadAbove deactivates the CEO: the Smart service
// upgrade's requests to IT, Data and Training have no one above both units, so the
// sweep leaves them (the lead keeps getting stale reminders); the one to Marketing
// still reaches the Operations head.
func TestSweepSkipsRequestsWithNoHeadAbove(t *testing.T) {
	b := setup(t)
	ceo := b.users["ceo@accord.demo"]
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, ceo.ID, ceo.Version))
	sendSmart(t, b, time.Now().Add(-60*24*time.Hour))

	n, err := b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"Marketing": b.users["ops@accord.demo"].ID}, escAssigned(t, b))
	require.Equal(t, 1, n)
	reminded, err := b.st.SweepStale(b.ctx, time.Now())
	require.NoError(t, err)
	require.Positive(t, reminded, "the stalled requests still remind the lead")

	// Nothing was recorded, so once an administrator fills the post the next sweep
	// raises the rest.
	units, err := b.st.Units(b.ctx)
	require.NoError(t, err)
	var hq accord.Unit
	for _, u := range units {
		if u.NameEN == "HQ" {
			hq = u
		}
	}
	admin := b.users["admin@accord.demo"].ID
	_, err = b.st.SetUnitHead(b.ctx, 0, hq.ID, hq.Version, &admin)
	require.NoError(t, err)
	n, err = b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Equal(t, map[string]int64{"Marketing": b.users["ops@accord.demo"].ID, "IT": admin, "Data": admin, "Training": admin},
		escAssigned(t, b))
}

// TestVacantPostsAboveCountAsTheTop: when the window runs out and every post above is
// vacant (the CEO deactivated), the escalation stays where it is, flagged.
func TestVacantPostsAboveCountAsTheTop(t *testing.T) {
	b := setup(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e := escalatePromoAds(t, b, monday)
	ceo := b.users["ceo@accord.demo"]
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, ceo.ID, ceo.Version))

	moved, err := b.st.AdvanceWindows(b.ctx, monday.AddDate(0, 0, 7), 3)
	require.NoError(t, err)
	require.Equal(t, 0, moved)
	e, err = b.st.Escalation(b.ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, b.users["ops@accord.demo"].ID, e.AssignedUserID)
	require.True(t, e.AtTop)
}

// TestSweepPassesOverTheLeadWhoIsTheSuperior: by hand the lead who heads the shared
// superior's unit decides directly (TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest);
// a stalled request the sweep raises goes to that lead's own superior, the CEO,
// since nobody judges their own case, with the facts recorded.
func TestSweepPassesOverTheLeadWhoIsTheSuperior(t *testing.T) {
	b := setup(t)
	ops := b.users["ops@accord.demo"].ID
	opsProjectAsksSales(t, b, "展厅人手", time.Now().Add(-60*24*time.Hour))

	n, err := b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	queue, _, err := b.st.EscalationsAssigned(b.ctx, ops, 0, 10)
	require.NoError(t, err)
	require.Empty(t, queue, "the lead does not judge their own case")
	queue, _, err = b.st.EscalationsAssigned(b.ctx, b.users["ceo@accord.demo"].ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, queue, 1)
	require.Equal(t, accord.CauseStale, queue[0].Cause)
	require.False(t, queue[0].PartyDecides)
	rec, err := b.st.EscalationRecord(b.ctx, queue[0].ID, time.Now())
	require.NoError(t, err)
	require.Equal(t, accord.CauseStale, rec.Raised.Cause, "the sweep records the facts too")
	require.Contains(t, kinds(t, b, "sales@accord.demo"), "escalation_raised:", "the holder is told and can speak")
}

// TestSendBackStopsTheClock: sent back to the lead, an escalation does not move up
// however long it waits; the lead's answer opens a full new window.
func TestSendBackStopsTheClock(t *testing.T) {
	b := setup(t)
	promo := b.project(t, "Inventory car promotion")
	needs, err := b.st.Needs(b.ctx, promo.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		if n.HolderNameEN == "Marketing" {
			ids = append(ids, n.ID)
		}
	}
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	sent, err := b.st.SendNeeds(b.ctx, promo.LeadUserID, promo.ID, ids, "", monday)
	require.NoError(t, err)
	lead := b.viewer(t, "sales@accord.demo")
	e, err := b.st.Escalate(b.ctx, lead, sent[0].ID, "宣传排期冲突", "", 3, monday)
	require.NoError(t, err)
	e, err = b.st.Decide(b.ctx, b.viewer(t, "ops@accord.demo"), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideSendBack, Note: "请补充排期"}, monday.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, accord.EscalationSentBack, e.Status)

	// A month later: nothing moved, nothing reminded.
	moved, err := b.st.AdvanceWindows(b.ctx, monday.AddDate(0, 1, 0), 3)
	require.NoError(t, err)
	require.Equal(t, 0, moved)
	e, err = b.st.Escalation(b.ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, b.users["ops@accord.demo"].ID, e.AssignedUserID)
	require.Equal(t, 0, e.Level)
	require.NotContains(t, kinds(t, b, "ops@accord.demo"), "escalation_window:Advertising")

	// The lead answers on a Wednesday: open again, with three working days from then.
	answered := time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)
	require.NoError(t, b.st.AddStatement(b.ctx, lead, e.ID, "排期见附表。", 3, answered))
	e, err = b.st.Escalation(b.ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationOpen, e.Status)
	require.Equal(t, answered.Unix(), e.WindowOpenedAt.Unix())
	require.Equal(t, accord.AddWorkingDays(answered, 3, answered.Location()).Unix(), e.WindowDueAt.Unix())
	moved, err = b.st.AdvanceWindows(b.ctx, e.WindowDueAt.Add(time.Minute), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved, "the new window runs out like any other")
}
