package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// The routing edge cases docs/escalation.md lists, through the sweep and the window.

// escAssigned maps each escalated request's holder (English name) to who it went to.
func escAssigned(t *testing.T, w *storetest.World) map[string]int64 {
	t.Helper()
	rows, err := w.Store.Pool().Query(w.Ctx, `SELECT h.name_en, e.assigned_user_id FROM escalations e
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
	t.Parallel()
	c := newCompany(t)
	ops, err := c.Store.Unit(c.Ctx, c.ops.ID)
	require.NoError(t, err)
	_, err = c.Store.SetUnitHead(c.Ctx, 0, ops.ID, ops.Version, nil)
	require.NoError(t, err)
	c.sendPromotion(t, time.Now().Add(-60*24*time.Hour))

	n, err := c.Store.SweepEscalations(c.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, map[string]int64{"Marketing": c.ceo.ID}, escAssigned(t, c.World))
}

// deactivate deactivates user u.
func deactivate(t *testing.T, c company, u accord.User) {
	t.Helper()
	u, err := c.Store.User(c.Ctx, u.ID)
	require.NoError(t, err)
	require.NoError(t, c.Store.DeactivateUser(c.Ctx, 0, u.ID, u.Version))
}

// TestSweepSkipsRequestsWithNoHeadAbove deactivates the CEO: the upgrade's requests
// to IT, Data and Training have no one above both units, so the sweep leaves them
// (the lead keeps getting stale reminders); the one to Marketing still reaches the
// Operations head.
func TestSweepSkipsRequestsWithNoHeadAbove(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	deactivate(t, c, c.ceo)
	c.sendUpgrade(t, time.Now().Add(-60*24*time.Hour))

	n, err := c.Store.SweepEscalations(c.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"Marketing": c.opsHead.ID}, escAssigned(t, c.World))
	require.Equal(t, 1, n)
	reminded, err := c.Store.SweepStale(c.Ctx, time.Now())
	require.NoError(t, err)
	require.Positive(t, reminded, "the stalled requests still remind the lead")

	// Nothing was recorded, so once an administrator fills the post the next sweep
	// raises the rest.
	root, err := c.Store.Unit(c.Ctx, c.root.ID)
	require.NoError(t, err)
	admin := c.admin.ID
	_, err = c.Store.SetUnitHead(c.Ctx, 0, root.ID, root.Version, &admin)
	require.NoError(t, err)
	n, err = c.Store.SweepEscalations(c.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Equal(t, map[string]int64{"Marketing": c.opsHead.ID, "IT": admin, "Data": admin, "Training": admin},
		escAssigned(t, c.World))
}

// TestVacantPostsAboveCountAsTheTop: when the window runs out and every post above is
// vacant (the CEO deactivated), the escalation stays where it is, flagged.
func TestVacantPostsAboveCountAsTheTop(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e := c.escalatePromotion(t, monday)
	deactivate(t, c, c.ceo)

	moved, err := c.Store.AdvanceWindows(c.Ctx, monday.AddDate(0, 0, 7), 3)
	require.NoError(t, err)
	require.Equal(t, 0, moved)
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, c.opsHead.ID, e.AssignedUserID)
	require.True(t, e.AtTop)
}

// TestSweepPassesOverTheLeadWhoIsTheSuperior: by hand the lead who heads the shared
// superior's unit decides directly (TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest);
// a stalled request the sweep raises goes to that lead's own superior, the CEO,
// since nobody judges their own case, with the facts recorded.
func TestSweepPassesOverTheLeadWhoIsTheSuperior(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ops := c.opsHead.ID
	c.opsProjectAsksSales(t, "Showroom staff", time.Now().Add(-60*24*time.Hour))

	n, err := c.Store.SweepEscalations(c.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	queue, _, err := c.Store.EscalationsAssigned(c.Ctx, ops, 0, 10)
	require.NoError(t, err)
	require.Empty(t, queue, "the lead does not judge their own case")
	queue, _, err = c.Store.EscalationsAssigned(c.Ctx, c.ceo.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, queue, 1)
	require.Equal(t, accord.CauseStale, queue[0].Cause)
	require.False(t, queue[0].PartyDecides)
	rec, err := c.Store.EscalationRecord(c.Ctx, queue[0].ID, time.Now())
	require.NoError(t, err)
	require.Equal(t, accord.CauseStale, rec.Raised.Cause, "the sweep records the facts too")
	require.Contains(t, c.kinds(t, c.salesHead), "escalation_raised:Showroom staff", "the holder is told and can speak")
}

// TestSendBackStopsTheClock: sent back to the lead, an escalation does not move up
// however long it waits; the lead's answer opens a full new window.
func TestSendBackStopsTheClock(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	lead := c.Viewer(t, c.salesHead)
	e := c.escalatePromotion(t, monday)
	e, err := c.Store.Decide(c.Ctx, c.Viewer(t, c.opsHead), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideSendBack, Note: "请补充排期"}, monday.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, accord.EscalationSentBack, e.Status)

	// A month later: nothing moved, nothing reminded.
	moved, err := c.Store.AdvanceWindows(c.Ctx, monday.AddDate(0, 1, 0), 3)
	require.NoError(t, err)
	require.Equal(t, 0, moved)
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, c.opsHead.ID, e.AssignedUserID)
	require.Equal(t, 0, e.Level)
	require.NotContains(t, c.kinds(t, c.opsHead), "escalation_window:Advertising")

	// The lead answers on a Wednesday: open again, with three working days from then.
	answered := time.Date(2026, 12, 23, 10, 0, 0, 0, time.UTC)
	require.NoError(t, c.Store.AddStatement(c.Ctx, lead, e.ID, "排期见附表。", 3, answered))
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationOpen, e.Status)
	require.Equal(t, answered.Unix(), e.WindowOpenedAt.Unix())
	require.Equal(t, accord.AddWorkingDays(answered, 3, answered.Location()).Unix(), e.WindowDueAt.Unix())
	moved, err = c.Store.AdvanceWindows(c.Ctx, e.WindowDueAt.Add(time.Minute), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved, "the new window runs out like any other")
}

// TestOneSweepMovesEveryExpiredWindowAtOnce: two windows run out together; the sweep
// moves one up (Operations → the CEO) and flags the other, already with the CEO, as at
// the top, in one pass: each lands where it should, its new superior is told, and the
// count of what each person may decide follows (migration 0044).
func TestOneSweepMovesEveryExpiredWindowAtOnce(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	promotion := c.escalatePromotion(t, monday)
	upgrade, _ := escalateUpgradeIT(t, c, monday)
	toDecide := func(who accord.User) int {
		t.Helper()
		n, err := c.Store.EscalationsToDecideCount(c.Ctx, c.Viewer(t, who))
		require.NoError(t, err)
		return n
	}
	require.Equal(t, [2]int{1, 1}, [2]int{toDecide(c.opsHead), toDecide(c.ceo)})
	toldTheCEO := func() int {
		t.Helper()
		list, _, err := c.Store.Notifications(c.Ctx, c.ceo.ID, 0, 50)
		require.NoError(t, err)
		var n int
		for _, x := range list {
			if x.Kind == accord.NotifyEscalationAssigned && x.EscalationID != nil && *x.EscalationID == promotion.ID {
				n++
			}
		}
		return n
	}
	require.Zero(t, toldTheCEO())

	moved, err := c.Store.AdvanceWindows(c.Ctx, monday.AddDate(0, 0, 7), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	after, err := c.Store.Escalation(c.Ctx, promotion.ID)
	require.NoError(t, err)
	require.Equal(t, [3]int64{c.ceo.ID, c.root.ID, int64(promotion.Level + 1)},
		[3]int64{after.AssignedUserID, after.AssignedUnitID, int64(after.Level)}, "moved up to the CEO")
	require.False(t, after.AtTop)
	stays, err := c.Store.Escalation(c.Ctx, upgrade.ID)
	require.NoError(t, err)
	require.Equal(t, c.ceo.ID, stays.AssignedUserID)
	require.True(t, stays.AtTop, "nobody above the CEO")
	require.Equal(t, [2]int{0, 2}, [2]int{toDecide(c.opsHead), toDecide(c.ceo)})
	requireNoDrift(t, c.Ctx, c.Store.Pool(), "one sweep")
	require.Equal(t, 1, toldTheCEO(), "the CEO is told it is theirs now")
}
