package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// sweepDue counts the requests each sweep step would read at now.
func sweepDue(t *testing.T, w *storetest.World, now time.Time) (remind, escalate int) {
	t.Helper()
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT count(*) FILTER (WHERE remind_at <= $1),
		count(*) FILTER (WHERE escalate_at <= $1) FROM requests`, now).Scan(&remind, &escalate))
	return remind, escalate
}

// sweepMarks reads a request's two recheck moments as text: '-infinity' means "look
// at the next sweep", "" means NULL, not until it changes.
func sweepMarks(t *testing.T, w *storetest.World, id int64) (remind, escalate string) {
	t.Helper()
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT COALESCE(remind_at::text, ''), COALESCE(escalate_at::text, '')
		FROM requests WHERE id = $1`, id).Scan(&remind, &escalate))
	return remind, escalate
}

// sendFour sends a new project's two P0 and two P1 needs, each to a unit of its own,
// at the given moment; the first request is a P0.
func sendFour(t *testing.T, w *storetest.World, at time.Time) (accord.Project, []accord.Request) {
	t.Helper()
	p := w.Project(t, storetest.ProjectOpts{})
	var sent []accord.Request
	for _, tier := range []accord.Tier{accord.TierRequired, accord.TierRequired, accord.TierImportant, accord.TierImportant} {
		need := w.Need(t, storetest.NeedOpts{Project: &p, Tier: tier})
		sent = append(sent, w.Request(t, storetest.RequestOpts{Need: &need, At: at}))
	}
	return p, sent
}

// sweepBoth runs the reminder and the escalation sweeps at now.
func sweepBoth(t *testing.T, w *storetest.World, now time.Time) (reminded int64, raised int) {
	t.Helper()
	reminded, err := w.Store.SweepStale(w.Ctx, now)
	require.NoError(t, err)
	raised, err = w.Store.SweepEscalations(w.Ctx, now, accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	return reminded, raised
}

// TestSweepLeavesNothingDueBehind: once a sweep has handled a request, the next one
// does not read it again until its next reminder period or its next cause.
func TestSweepLeavesNothingDueBehind(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	_, sent := sendFour(t, w, now.Add(-30*24*time.Hour)) // cadence 14: two periods idle, past twice the cadence
	reminded, raised := sweepBoth(t, w, now)
	require.Equal(t, int64(4), reminded)
	require.Positive(t, raised)

	remind, escalate := sweepDue(t, w, now.Add(time.Minute))
	require.Zero(t, remind, "every reminded request waits for its next period")
	require.Zero(t, escalate, "every escalated or not-yet-stalled request waits for its next cause")
	var atNextPeriod bool
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT remind_at = last_activity_at + interval '42 days'
		FROM requests WHERE id = $1`, sent[0].ID).Scan(&atNextPeriod))
	require.True(t, atNextPeriod, "reminded in period 2 of 14 days, next in period 3")

	reminded, raised = sweepBoth(t, w, now.Add(time.Hour))
	require.Equal(t, int64(0), reminded)
	require.Equal(t, 0, raised)

	// Twelve days on, the third period starts: every request is reminded again.
	reminded, _ = sweepBoth(t, w, now.Add(12*24*time.Hour+time.Hour))
	require.Equal(t, int64(4), reminded)
}

// TestSweepSeesPolicyAndCadenceChanges: a request the sweep has put aside for days is
// found at once when its project's cadence or escalation policy changes.
func TestSweepSeesPolicyAndCadenceChanges(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	project, sent := sendFour(t, w, now.Add(-10*24*time.Hour))
	wantRaised := 0
	for _, r := range sent {
		if r.Tier != accord.TierAlternative {
			wantRaised++
		}
	}
	require.Positive(t, wantRaised)
	reminded, raised := sweepBoth(t, w, now)
	require.Equal(t, int64(0), reminded, "ten days idle, cadence 14")
	require.Equal(t, 0, raised, "stale only after 28 days")
	remind, escalate := sweepDue(t, w, now.Add(time.Minute))
	require.Zero(t, remind)
	require.Zero(t, escalate)

	in := project.Input()
	in.CadenceDays = 7
	in.EscalationOverrides.StaleFactor = intPtr(1)
	_, err := w.Store.UpdateProject(w.Ctx, 0, project.ID, project.Version, in)
	require.NoError(t, err)
	for i, r := range sent {
		gotRemind, gotEscalate := sweepMarks(t, w, r.ID)
		require.Equal(t, "-infinity", gotRemind, i)
		require.Equal(t, "-infinity", gotEscalate, i)
	}

	reminded, raised = sweepBoth(t, w, now)
	require.Equal(t, int64(4), reminded, "ten days idle, cadence now 7")
	require.Equal(t, wantRaised, raised, "stale after one cadence now")
	var stale int
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT count(*) FROM escalations WHERE project_id = $1 AND cause = 'stale'`,
		project.ID).Scan(&stale))
	require.Equal(t, wantRaised, stale)
}

// TestSweepSeesATierChange: a P2 alternative never escalates, so the sweep sets it
// aside; raised to P0, it escalates at the next sweep.
func TestSweepSeesATierChange(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	_, sent := sendFour(t, w, now.Add(-60*24*time.Hour))
	it := sent[0]
	_, err := w.Store.Pool().Exec(w.Ctx, `UPDATE needs SET tier = 'P2' WHERE id = $1`, it.NeedID)
	require.NoError(t, err)
	_, _ = sweepBoth(t, w, now)
	var n int
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT count(*) FROM escalations WHERE request_id = $1`, it.ID).Scan(&n))
	require.Zero(t, n, "a P2 alternative never escalates by itself")
	_, escalate := sweepMarks(t, w, it.ID)
	require.Equal(t, "", escalate, "set aside until it changes")

	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE needs SET tier = 'P0' WHERE id = $1`, it.NeedID)
	require.NoError(t, err)
	_, escalate = sweepMarks(t, w, it.ID)
	require.Equal(t, "-infinity", escalate)
	_, raised := sweepBoth(t, w, now)
	require.Equal(t, 1, raised)
	var cause string
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT cause FROM escalations WHERE request_id = $1`, it.ID).Scan(&cause))
	require.Equal(t, string(accord.CauseStale), cause)
}

// TestSweepMarksResetOnlyWhenARuleInputChanges: a decline puts a request back in
// front of both steps; a nudge or a reworded message does not.
func TestSweepMarksResetOnlyWhenARuleInputChanges(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	_, sent := sendFour(t, w, now.Add(-10*24*time.Hour))
	it := sent[0]
	_, _ = sweepBoth(t, w, now)
	remind, escalate := sweepMarks(t, w, it.ID)
	require.NotEqual(t, "-infinity", remind)
	require.NotEqual(t, "", remind, "an open request is reminded one day")
	require.NotEqual(t, "-infinity", escalate)

	_, err := w.Store.Nudge(w.Ctx, w.Viewer(t, accord.User{ID: it.LeadUserID}), it.ID, now)
	require.NoError(t, err)
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE requests SET message = 'reworded' WHERE id = $1`, it.ID)
	require.NoError(t, err)
	gotRemind, gotEscalate := sweepMarks(t, w, it.ID)
	require.Equal(t, remind, gotRemind)
	require.Equal(t, escalate, gotEscalate)

	it, err = w.Store.Request(w.Ctx, it.ID)
	require.NoError(t, err)
	_, err = w.Store.ActOnRequest(w.Ctx, w.Viewer(t, w.Head(t, accord.Unit{ID: it.HolderUnitID})), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	gotRemind, gotEscalate = sweepMarks(t, w, it.ID)
	require.Equal(t, "-infinity", gotRemind)
	require.Equal(t, "-infinity", gotEscalate)

	// Declined: never reminded, escalated three days on (P0 default).
	_, _ = sweepBoth(t, w, now)
	gotRemind, _ = sweepMarks(t, w, it.ID)
	require.Equal(t, "", gotRemind, "a declined request owes no reminder")
	var inThreeDays bool
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT escalate_at = answered_at + interval '3 days'
		FROM requests WHERE id = $1`, it.ID).Scan(&inThreeDays))
	require.True(t, inThreeDays)
	_, raised := sweepBoth(t, w, now.Add(3*24*time.Hour+time.Minute))
	require.Equal(t, 1, raised)
}

// TestSweepWalksEveryBatch gives the sweep more due requests than one batch holds:
// all of them are reminded, the few P0 ones among them escalate, and nothing is left
// due.
func TestSweepWalksEveryBatch(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	project := w.Project(t, storetest.ProjectOpts{})
	holder := w.Unit(t, storetest.UnitOpts{})
	const total, p0 = 2100, 5
	_, err := w.Store.Pool().Exec(w.Ctx, `WITH n AS (
			INSERT INTO needs (project_id, title, holder_unit_id, tier)
			SELECT $1, 'bulk ' || g, $2, CASE WHEN g > $4 - $5 THEN 'P0' ELSE 'P2' END FROM generate_series(1, $4) g
			RETURNING id)
		INSERT INTO requests (need_id, project_id, holder_unit_id, state, sent_at, last_activity_at)
		SELECT id, $1, $2, 'requested', $3, $3 FROM n`,
		project.ID, holder.ID, now.Add(-60*24*time.Hour), total, p0)
	require.NoError(t, err)

	reminded, raised := sweepBoth(t, w, now)
	require.Equal(t, int64(total), reminded)
	require.Equal(t, p0, raised)
	remind, escalate := sweepDue(t, w, now.Add(time.Minute))
	require.Zero(t, remind)
	require.Zero(t, escalate)
}

// TestWindowReminderMomentFollowsTheWindow: the indexed moment of an escalation's next
// window reminder is kept three hours before its exact moment, moves on from half to
// three quarters when the half reminder goes out, and is cleared once decided.
func TestWindowReminderMomentFollowsTheWindow(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	_, sent := sendFour(t, w, now.Add(-60*24*time.Hour))
	it := sent[0]
	_, raised := sweepBoth(t, w, now)
	require.Positive(t, raised)
	var id int64
	var opened, due time.Time
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT id, window_opened_at, window_due_at FROM escalations
		WHERE request_id = $1 ORDER BY id LIMIT 1`, it.ID).Scan(&id, &opened, &due))
	mark := func() *time.Time {
		var at *time.Time
		require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT window_remind_at FROM escalations WHERE id = $1`, id).Scan(&at))
		return at
	}
	window := due.Sub(opened)
	require.WithinDuration(t, opened.Add(window/2-3*time.Hour), *mark(), time.Millisecond)

	_, err := w.Store.AdvanceWindows(w.Ctx, opened.Add(window/2-time.Hour), accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.WithinDuration(t, opened.Add(window/2-3*time.Hour), *mark(), time.Millisecond, "inside the margin, not yet half")

	_, err = w.Store.AdvanceWindows(w.Ctx, opened.Add(window/2+time.Minute), accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.WithinDuration(t, opened.Add(window*3/4-3*time.Hour), *mark(), time.Millisecond)

	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE escalations SET status = 'decided' WHERE id = $1`, id)
	require.NoError(t, err)
	require.Nil(t, mark())
}
