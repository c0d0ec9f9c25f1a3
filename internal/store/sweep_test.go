package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// sweepDue counts the requests each sweep step would read at now.
func sweepDue(t *testing.T, b testBundle, now time.Time) (remind, escalate int) {
	t.Helper()
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT count(*) FILTER (WHERE remind_at <= $1),
		count(*) FILTER (WHERE escalate_at <= $1) FROM requests`, now).Scan(&remind, &escalate))
	return remind, escalate
}

// sweepMarks reads a request's two recheck moments as text: '-infinity' means "look
// at the next sweep", "" means NULL, not until it changes.
func sweepMarks(t *testing.T, b testBundle, id int64) (remind, escalate string) {
	t.Helper()
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT COALESCE(remind_at::text, ''), COALESCE(escalate_at::text, '')
		FROM requests WHERE id = $1`, id).Scan(&remind, &escalate))
	return remind, escalate
}

func sweepBoth(t *testing.T, b testBundle, now time.Time) (reminded int64, raised int) {
	t.Helper()
	reminded, err := b.st.SweepStale(b.ctx, now)
	require.NoError(t, err)
	raised, err = b.st.SweepEscalations(b.ctx, now, accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	return reminded, raised
}

// TestSweepLeavesNothingDueBehind: once a sweep has handled a request, the next one
// does not read it again until its next reminder period or its next cause.
func TestSweepLeavesNothingDueBehind(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now.Add(-30*24*time.Hour)) // cadence 14: two periods idle, past twice the cadence
	reminded, raised := sweepBoth(t, b, now)
	require.Equal(t, int64(4), reminded)
	require.Positive(t, raised)

	remind, escalate := sweepDue(t, b, now.Add(time.Minute))
	require.Zero(t, remind, "every reminded request waits for its next period")
	require.Zero(t, escalate, "every escalated or not-yet-stalled request waits for its next cause")
	var atNextPeriod bool
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT remind_at = last_activity_at + interval '42 days'
		FROM requests WHERE id = $1`, sent["IT"].ID).Scan(&atNextPeriod))
	require.True(t, atNextPeriod, "reminded in period 2 of 14 days, next in period 3")

	reminded, raised = sweepBoth(t, b, now.Add(time.Hour))
	require.Equal(t, int64(0), reminded)
	require.Equal(t, 0, raised)

	// Twelve days on, the third period starts: every request is reminded again.
	reminded, _ = sweepBoth(t, b, now.Add(12*24*time.Hour+time.Hour))
	require.Equal(t, int64(4), reminded)
}

// TestSweepSeesPolicyAndCadenceChanges: a request the sweep has put aside for days is
// found at once when its project's cadence or escalation policy changes.
func TestSweepSeesPolicyAndCadenceChanges(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now.Add(-10*24*time.Hour))
	wantRaised := 0
	for _, r := range sent {
		if r.Tier != accord.TierAlternative {
			wantRaised++
		}
	}
	require.Positive(t, wantRaised)
	reminded, raised := sweepBoth(t, b, now)
	require.Equal(t, int64(0), reminded, "ten days idle, cadence 14")
	require.Equal(t, 0, raised, "stale only after 28 days")
	remind, escalate := sweepDue(t, b, now.Add(time.Minute))
	require.Zero(t, remind)
	require.Zero(t, escalate)

	smart := b.project(t, "Smart service upgrade")
	in := smart.Input()
	in.CadenceDays = 7
	in.EscalationOverrides.StaleFactor = intPtr(1)
	_, err := b.st.UpdateProject(b.ctx, 0, smart.ID, smart.Version, in)
	require.NoError(t, err)
	for name, r := range sent {
		gotRemind, gotEscalate := sweepMarks(t, b, r.ID)
		require.Equal(t, "-infinity", gotRemind, name)
		require.Equal(t, "-infinity", gotEscalate, name)
	}

	reminded, raised = sweepBoth(t, b, now)
	require.Equal(t, int64(4), reminded, "ten days idle, cadence now 7")
	require.Equal(t, wantRaised, raised, "stale after one cadence now")
	var stale int
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT count(*) FROM escalations WHERE project_id = $1 AND cause = 'stale'`,
		smart.ID).Scan(&stale))
	require.Equal(t, wantRaised, stale)
}

// TestSweepSeesATierChange: a P2 alternative never escalates, so the sweep sets it
// aside; raised to P0, it escalates at the next sweep.
func TestSweepSeesATierChange(t *testing.T) {
	b := setup(t)
	now := time.Now()
	it := sendSmart(t, b, now.Add(-60*24*time.Hour))["IT"]
	_, err := b.st.Pool().Exec(b.ctx, `UPDATE needs SET tier = 'P2' WHERE id = $1`, it.NeedID)
	require.NoError(t, err)
	_, _ = sweepBoth(t, b, now)
	var n int
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT count(*) FROM escalations WHERE request_id = $1`, it.ID).Scan(&n))
	require.Zero(t, n, "a P2 alternative never escalates by itself")
	_, escalate := sweepMarks(t, b, it.ID)
	require.Equal(t, "", escalate, "set aside until it changes")

	_, err = b.st.Pool().Exec(b.ctx, `UPDATE needs SET tier = 'P0' WHERE id = $1`, it.NeedID)
	require.NoError(t, err)
	_, escalate = sweepMarks(t, b, it.ID)
	require.Equal(t, "-infinity", escalate)
	_, raised := sweepBoth(t, b, now)
	require.Equal(t, 1, raised)
	var cause string
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT cause FROM escalations WHERE request_id = $1`, it.ID).Scan(&cause))
	require.Equal(t, string(accord.CauseStale), cause)
}

// TestSweepMarksResetOnlyWhenARuleInputChanges: a decline puts a request back in
// front of both steps; a nudge or a reworded message does not.
func TestSweepMarksResetOnlyWhenARuleInputChanges(t *testing.T) {
	b := setup(t)
	now := time.Now()
	it := sendSmart(t, b, now.Add(-10*24*time.Hour))["IT"]
	_, _ = sweepBoth(t, b, now)
	remind, escalate := sweepMarks(t, b, it.ID)
	require.NotEqual(t, "-infinity", remind)
	require.NotEqual(t, "", remind, "an open request is reminded one day")
	require.NotEqual(t, "-infinity", escalate)

	_, err := b.st.Nudge(b.ctx, b.viewer(t, "aftersales@accord.demo"), it.ID, now)
	require.NoError(t, err)
	_, err = b.st.Pool().Exec(b.ctx, `UPDATE requests SET message = 'reworded' WHERE id = $1`, it.ID)
	require.NoError(t, err)
	gotRemind, gotEscalate := sweepMarks(t, b, it.ID)
	require.Equal(t, remind, gotRemind)
	require.Equal(t, escalate, gotEscalate)

	it, err = b.st.Request(b.ctx, it.ID)
	require.NoError(t, err)
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	gotRemind, gotEscalate = sweepMarks(t, b, it.ID)
	require.Equal(t, "-infinity", gotRemind)
	require.Equal(t, "-infinity", gotEscalate)

	// Declined: never reminded, escalated three days on (P0 default).
	_, _ = sweepBoth(t, b, now)
	gotRemind, _ = sweepMarks(t, b, it.ID)
	require.Equal(t, "", gotRemind, "a declined request owes no reminder")
	var inThreeDays bool
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT escalate_at = answered_at + interval '3 days'
		FROM requests WHERE id = $1`, it.ID).Scan(&inThreeDays))
	require.True(t, inThreeDays)
	_, raised := sweepBoth(t, b, now.Add(3*24*time.Hour+time.Minute))
	require.Equal(t, 1, raised)
}

// TestSweepWalksEveryBatch gives the sweep more due requests than one batch holds:
// all of them are reminded, the few P0 ones among them escalate, and nothing is left
// due.
func TestSweepWalksEveryBatch(t *testing.T) {
	b := setup(t)
	now := time.Now()
	_, _ = sweepBoth(t, b, now) // whatever the demo owes, out of the way
	smart := b.project(t, "Smart service upgrade")
	const total, p0 = 2100, 5
	_, err := b.st.Pool().Exec(b.ctx, `WITH n AS (
			INSERT INTO needs (project_id, title, holder_unit_id, tier)
			SELECT $1, 'bulk ' || g, $2, CASE WHEN g > $4 - $5 THEN 'P0' ELSE 'P2' END FROM generate_series(1, $4) g
			RETURNING id)
		INSERT INTO requests (need_id, project_id, holder_unit_id, state, sent_at, last_activity_at)
		SELECT id, $1, $2, 'requested', $3, $3 FROM n`,
		smart.ID, b.units["IT"].ID, now.Add(-60*24*time.Hour), total, p0)
	require.NoError(t, err)

	reminded, raised := sweepBoth(t, b, now)
	require.Equal(t, int64(total), reminded)
	require.Equal(t, p0, raised)
	remind, escalate := sweepDue(t, b, now.Add(time.Minute))
	require.Zero(t, remind)
	require.Zero(t, escalate)
}

// TestWindowReminderMomentFollowsTheWindow: the indexed moment of an escalation's next
// window reminder is kept three hours before its exact moment, moves on from half to
// three quarters when the half reminder goes out, and is cleared once decided.
func TestWindowReminderMomentFollowsTheWindow(t *testing.T) {
	b := setup(t)
	now := time.Now()
	it := sendSmart(t, b, now.Add(-60*24*time.Hour))["IT"]
	_, raised := sweepBoth(t, b, now)
	require.Positive(t, raised)
	var id int64
	var opened, due time.Time
	require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT id, window_opened_at, window_due_at FROM escalations
		WHERE request_id = $1 ORDER BY id LIMIT 1`, it.ID).Scan(&id, &opened, &due))
	mark := func() *time.Time {
		var at *time.Time
		require.NoError(t, b.st.Pool().QueryRow(b.ctx, `SELECT window_remind_at FROM escalations WHERE id = $1`, id).Scan(&at))
		return at
	}
	window := due.Sub(opened)
	require.WithinDuration(t, opened.Add(window/2-3*time.Hour), *mark(), time.Millisecond)

	_, err := b.st.AdvanceWindows(b.ctx, opened.Add(window/2-time.Hour), accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.WithinDuration(t, opened.Add(window/2-3*time.Hour), *mark(), time.Millisecond, "inside the margin, not yet half")

	_, err = b.st.AdvanceWindows(b.ctx, opened.Add(window/2+time.Minute), accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.WithinDuration(t, opened.Add(window*3/4-3*time.Hour), *mark(), time.Millisecond)

	_, err = b.st.Pool().Exec(b.ctx, `UPDATE escalations SET status = 'decided' WHERE id = $1`, id)
	require.NoError(t, err)
	require.Nil(t, mark())
}
