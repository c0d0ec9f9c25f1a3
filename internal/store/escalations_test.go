package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestDeclinedRequestEscalatesToTheCEO(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	sentAt := time.Now().Add(-10 * 24 * time.Hour)
	it := c.sendUpgrade(t, sentAt)["IT"]
	itHead := c.Viewer(t, c.itHead)
	_, err := c.Store.ActOnRequest(c.Ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)

	now := time.Now()
	n, err := c.Store.SweepEscalations(c.Ctx, now, 3)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the declined P0 is stalled")
	ceo := c.ceo.ID
	queue, total, err := c.Store.EscalationsAssigned(c.Ctx, ceo, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	e := queue[0]
	require.Equal(t, accord.CauseDeclined, e.Cause)
	require.Equal(t, c.root.ID, e.AssignedUnitID)
	require.Equal(t, "CRM system development", e.Request.NeedTitleEN)
	require.Equal(t, accord.AddWorkingDays(now, 3, now.Location()).Unix(), e.WindowDueAt.Unix())
	require.Contains(t, c.kinds(t, c.itHead), "escalation_raised:CRM system development", "the holder is told and can speak")

	// The IT head adds a statement; only the CEO (or an admin) may decide.
	require.NoError(t, c.Store.AddStatement(c.Ctx, itHead, e.ID, "本季度排期已满，可先做一期。", 3, now))
	_, err = c.Store.Decide(c.Ctx, c.Viewer(t, c.cto), e.ID, e.Version+1, accord.DecisionInput{Kind: accord.DecideDrop, Note: "x"}, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))

	due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	decided, err := c.Store.Decide(c.Ctx, c.Viewer(t, c.ceo), e.ID, e.Version+1, accord.DecisionInput{
		Kind: accord.DecideDirect, Note: "数字化转型优先", Scope: "一期：客户档案与工单", DueDate: &due}, now)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, decided.Status)
	require.Equal(t, accord.RequestAgreed, decided.Request.State)
	require.True(t, decided.Request.Binding)
	require.Equal(t, "一期：客户档案与工单", decided.Request.Scope)

	// Binding: IT can no longer decline, only work on it.
	_, err = c.Store.ActOnRequest(c.Ctx, itHead, it.ID, decided.Request.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
	require.Contains(t, c.kinds(t, c.afterSalesHead), "escalation_decided:CRM system development")

	// A second sweep raises nothing new for the same cause.
	n, err = c.Store.SweepEscalations(c.Ctx, now.Add(time.Hour), 3)
	require.NoError(t, err)
	require.Equal(t, 0, n)
}

func TestSalesMarketingEscalatesToOperationsThenUp(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ads := c.sendPromotion(t, time.Now())
	lead := c.Viewer(t, c.salesHead)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // a Monday
	e, err := c.Store.Escalate(c.Ctx, lead, ads.ID, "宣传排期冲突", "", 3, now)
	require.NoError(t, err)
	require.Equal(t, c.opsHead.ID, e.AssignedUserID)
	_, err = c.Store.Escalate(c.Ctx, lead, ads.ID, "again", "", 3, now)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err), "once per cause")

	// Half-way: one reminder, even with two sweepers.
	half := now.Add(37 * time.Hour)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Store.AdvanceWindows(c.Ctx, half, 3)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	windowNotes := 0
	for _, k := range c.kinds(t, c.opsHead) {
		if k == "escalation_window:Advertising" {
			windowNotes++
		}
	}
	require.Equal(t, 1, windowNotes)

	// The window runs out (Thursday 09:00): it moves up to the CEO, keeping its history.
	moved, err := c.Store.AdvanceWindows(c.Ctx, now.Add(72*time.Hour), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, c.ceo.ID, e.AssignedUserID)
	require.Equal(t, 1, e.Level)
	require.False(t, e.AtTop)

	// At the top it stays and is flagged.
	moved, err = c.Store.AdvanceWindows(c.Ctx, now.Add(30*24*time.Hour), 3)
	require.NoError(t, err)
	require.Equal(t, 0, moved)
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, c.ceo.ID, e.AssignedUserID)
	require.True(t, e.AtTop)
	history, _, err := c.Store.ProjectHistory(c.Ctx, ads.ProjectID, 0, 5)
	require.NoError(t, err)
	require.Equal(t, accord.AuditMoveUp, history[0].Action)
}

// TestConcurrentSweepsRaiseOncePerCause stalls many requests and runs two sweepers
// at the same moment.
func TestConcurrentSweepsRaiseOncePerCause(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	project := w.Project(t, storetest.ProjectOpts{})
	lead := project.LeadUserID
	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"}).ID
	var ins []accord.NeedInput
	for i := range 40 {
		ins = append(ins, accord.NeedInput{Title: fmt.Sprintf("接口 %d", i), HolderUnitID: &it, Tier: accord.TierRequired})
	}
	needs, err := w.Store.ImportNeeds(w.Ctx, lead, project.ID, ins)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	longAgo := time.Now().Add(-60 * 24 * time.Hour)
	sent, err := w.Store.SendNeeds(w.Ctx, lead, project.ID, ids, "", longAgo)
	require.NoError(t, err)
	require.Len(t, sent, 40)

	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.Store.SweepEscalations(w.Ctx, time.Now(), 3)
			require.NoError(t, err)
			counts[i] = n
		}()
	}
	wg.Wait()
	require.Equal(t, 40, counts[0]+counts[1], "one stale escalation per request")
	var rows, distinct int
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT count(*), count(DISTINCT (request_id, cause)) FROM escalations`).Scan(&rows, &distinct))
	require.Equal(t, 40, rows)
	require.Equal(t, 40, distinct)
}

// TestSweepRaisesOneEscalationPerRequestAtATime: a request stalled for several causes
// at once gets one escalation; the next waits until that one is decided, and is raised
// then only if the request is still stalled for it. A manual escalation waiting for a
// decision holds the sweep back the same way.
func TestSweepRaisesOneEscalationPerRequestAtATime(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	sentAt := time.Now().Add(-30 * 24 * time.Hour)
	sent := c.sendUpgrade(t, sentAt)
	it := sent["IT"]
	itHead := c.Viewer(t, c.itHead)
	// Declined long ago, past its date and idle: stalled as declined, overdue and stale.
	past := time.Now().AddDate(0, 0, -20)
	_, err := c.Store.ActOnRequest(c.Ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, DueDate: &past}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)
	_, err = c.Store.Pool().Exec(c.Ctx, `UPDATE requests SET due_date = $2 WHERE id = $1`, it.ID, past)
	require.NoError(t, err)
	it, err = c.Store.Request(c.Ctx, it.ID)
	require.NoError(t, err)
	pol := accord.DefaultEscalationPolicy(it.Tier)
	require.GreaterOrEqual(t, len(accord.StalledCauses(it, 7, pol, time.Now())), 2, "the setup: several causes at once")

	causesOf := func(requestID int64) []accord.EscalationCause {
		list := escalationsOf(t, c.World, requestID)
		var out []accord.EscalationCause
		for _, e := range list {
			out = append(out, e.Cause)
		}
		return out
	}
	now := time.Now()
	// A manual escalation waiting for a decision holds the sweep back too: Data is
	// declined and idle as long as IT, and escalated by the lead before any sweep.
	data := sent["Data"]
	_, err = c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.dataHead), data.ID, data.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)
	_, err = c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), data.ID, "数据部无排期", "", 3, now)
	require.NoError(t, err)

	_, err = c.Store.SweepEscalations(c.Ctx, now, 3)
	require.NoError(t, err)
	require.Equal(t, []accord.EscalationCause{accord.CauseDeclined}, causesOf(it.ID))
	require.Equal(t, []accord.EscalationCause{accord.CauseManual}, causesOf(data.ID))
	_, err = c.Store.SweepEscalations(c.Ctx, now.Add(time.Hour), 3)
	require.NoError(t, err)
	require.Len(t, causesOf(it.ID), 1, "nothing more while the first one waits")

	// Sent back: still waiting; decided without changing the request: the next cause goes up.
	list := escalationsOf(t, c.World, it.ID)
	e := list[0]
	ceo := c.Viewer(t, c.ceo)
	e, err = c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideSendBack, Note: "请补充影响"}, now)
	require.NoError(t, err)
	_, err = c.Store.SweepEscalations(c.Ctx, now.Add(2*time.Hour), 3)
	require.NoError(t, err)
	require.Len(t, causesOf(it.ID), 1, "a sent-back escalation still waits")
	require.NoError(t, c.Store.AddStatement(c.Ctx, c.Viewer(t, c.afterSalesHead), e.ID, "影响一期上线。", 3, now))
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	_, err = c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideRescope, Note: "先观察一周", Scope: "保持原范围"}, now)
	require.NoError(t, err)
	_, err = c.Store.SweepEscalations(c.Ctx, now.Add(3*time.Hour), 3)
	require.NoError(t, err)
	got := causesOf(it.ID)
	require.ElementsMatch(t, []accord.EscalationCause{accord.CauseDeclined, accord.CauseOverdue}, got, "the next cause, one at a time")

}

// escalationsOf lists a request's escalations, newest first.
func escalationsOf(t *testing.T, w *storetest.World, requestID int64) []accord.Escalation {
	t.Helper()
	rows, err := w.Store.Pool().Query(w.Ctx, `SELECT id FROM escalations WHERE request_id = $1 ORDER BY created_at DESC, id DESC`, requestID)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	var out []accord.Escalation
	for _, id := range ids {
		e, err := w.Store.Escalation(w.Ctx, id)
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}
