package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// The content epochs (migration 0047) are taken at commit: taken by the first write,
// they deadlocked these two. A request passed from unit A to unit B (ActOnRequest, ActionTransfer: the request
// locked, moveNeed, then the request's UPDATE) while the lead edits the effort of
// another need of the same project held by B with an open request (UpdateNeed).
func TestATransferAndAnEffortEditOfTheSameProjectDoNotDeadlock(t *testing.T) {
	w := storetest.New(t)
	moved := w.Request(t, storetest.RequestOpts{})
	needs, err := w.Store.Needs(w.Ctx, moved.ProjectID)
	require.NoError(t, err)
	p := needs[0]
	b := w.Unit(t, storetest.UnitOpts{})
	w.Head(t, b)
	pr, err := w.Store.Project(w.Ctx, p.ProjectID)
	require.NoError(t, err)
	other := w.Need(t, storetest.NeedOpts{Project: &pr, Holder: &b, EffortDays: 2})
	w.Request(t, storetest.RequestOpts{Need: &other})
	other, err = w.Store.Need(w.Ctx, other.ID)
	require.NoError(t, err)

	transfer, err := w.Store.Pool().Begin(w.Ctx)
	require.NoError(t, err)
	defer transfer.Rollback(w.Ctx) //nolint:errcheck
	_, err = transfer.Exec(w.Ctx, `SELECT 1 FROM requests WHERE id = $1 FOR UPDATE`, moved.ID)
	require.NoError(t, err)
	_, err = transfer.Exec(w.Ctx, `UPDATE needs SET holder_unit_id = $2, version = version + 1 WHERE id = $1`, moved.NeedID, b.ID)
	require.NoError(t, err)

	edited := make(chan error, 1)
	go func() {
		in := needInputOf(other)
		in.EffortDays++
		_, err := w.Store.UpdateNeed(w.Ctx, 0, other.ID, other.Version, in)
		edited <- err
	}()
	time.Sleep(300 * time.Millisecond)
	_, err = transfer.Exec(w.Ctx, `UPDATE requests SET state = 'requested', holder_unit_id = $2, key_person_user_id = NULL,
		last_activity_at = now(), version = version + 1 WHERE id = $1`, moved.ID, b.ID)
	if err == nil {
		err = transfer.Commit(w.Ctx)
	} else {
		transfer.Rollback(w.Ctx) //nolint:errcheck
	}
	editErr := <-edited
	require.NoError(t, err, "the transfer")
	require.NoError(t, editErr, "the effort edit")
}

// A request's bookkeeping (the sweep's next times, the queues' keys) is no page's
// content: rewriting it alone keeps the project's epoch, so a sweep does not throw
// away the pages it passes over; any shown column moves it, at commit.
func TestOnlyAShownChangeToARequestMovesItsProjectsEpoch(t *testing.T) {
	w := storetest.New(t)
	r := w.Request(t, storetest.RequestOpts{})
	epoch := func() int64 {
		var e int64
		require.NoError(t, w.Store.Pool().QueryRow(w.Ctx,
			`SELECT COALESCE((SELECT epoch FROM project_epochs WHERE project_id = $1), 0)`, r.ProjectID).Scan(&e))
		return e
	}
	before := epoch()
	_, err := w.Store.Pool().Exec(w.Ctx, `UPDATE requests SET remind_at = now(), escalate_at = now(), queue_value = 7
		WHERE id = $1`, r.ID)
	require.NoError(t, err)
	require.Equal(t, before, epoch(), "bookkeeping alone")

	tx, err := w.Store.Pool().Begin(w.Ctx)
	require.NoError(t, err)
	defer tx.Rollback(w.Ctx) //nolint:errcheck
	_, err = tx.Exec(w.Ctx, `UPDATE requests SET message = message || '.', remind_at = now() WHERE id = $1`, r.ID)
	require.NoError(t, err)
	require.Equal(t, before, epoch(), "not before the commit")
	require.NoError(t, tx.Commit(w.Ctx))
	require.NotEqual(t, before, epoch(), "a shown column")
	var left int
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT count(*) FROM content_epoch_moves`).Scan(&left))
	require.Zero(t, left, "every commit empties what it noted")
}

// Only an escalation's conversation is on a kept page: a comment on a request leaves
// the project's epoch alone (a busy chat would otherwise throw away its kept pages);
// one on an escalation moves it.
func TestOnlyAnEscalationsCommentMovesItsProjectsEpoch(t *testing.T) {
	w := storetest.New(t)
	e := w.Escalation(t, storetest.EscalationOpts{})
	epoch := func() int64 {
		var v int64
		require.NoError(t, w.Store.Pool().QueryRow(w.Ctx,
			`SELECT COALESCE((SELECT epoch FROM project_epochs WHERE project_id = $1), 0)`, e.ProjectID).Scan(&v))
		return v
	}
	before := epoch()
	_, err := w.Store.Pool().Exec(w.Ctx, `INSERT INTO comments (project_id, request_id, author_user_id, body)
		SELECT project_id, id, (SELECT lead_user_id FROM projects WHERE id = project_id), '请求上的讨论' FROM requests WHERE id = $1`,
		e.RequestID)
	require.NoError(t, err)
	require.Equal(t, before, epoch(), "a request's comment")
	_, err = w.Store.Pool().Exec(w.Ctx, `INSERT INTO comments (project_id, escalation_id, author_user_id, body)
		SELECT project_id, id, assigned_user_id, '升级事项上的讨论' FROM escalations WHERE id = $1`, e.ID)
	require.NoError(t, err)
	require.NotEqual(t, before, epoch(), "an escalation's comment")
}

// An escalation written while its project is handed to another lead: the statement
// notes the lead it finds (the old one), but the new lead's lists are kept with the
// epochs of every project they lead, which the escalation's commit moves (review
// reproduced the race before they were).
func TestAnEscalationWrittenWhileItsProjectChangesLeadMovesTheNewLeadsLists(t *testing.T) {
	w := storetest.New(t)
	e := w.Escalation(t, storetest.EscalationOpts{})
	newLead := w.Person(t, storetest.PersonOpts{})
	tx, err := w.Store.Pool().Begin(w.Ctx)
	require.NoError(t, err)
	defer tx.Rollback(w.Ctx) //nolint:errcheck
	_, err = tx.Exec(w.Ctx, `UPDATE escalations SET lead_statement = '项目方说明', version = version + 1 WHERE id = $1`, e.ID)
	require.NoError(t, err)
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE projects SET lead_user_id = $2 WHERE id = $1`, e.ProjectID, newLead.ID)
	require.NoError(t, err)
	kept, err := w.Store.EscalationListEpochs(w.Ctx, newLead.ID)
	require.NoError(t, err)
	require.Contains(t, kept.Projects, e.ProjectID, "the project they now lead")
	require.NoError(t, tx.Commit(w.Ctx))
	now, err := w.Store.QueueEpochsNow(w.Ctx, newLead.ID, kept)
	require.NoError(t, err)
	require.False(t, now.Equal(kept), "the escalation's commit moves what the new lead's list was kept with")
}

// The sweep's reminders show nowhere: marking one sent moves no epoch.
func TestAReminderAloneMovesNoEpoch(t *testing.T) {
	w := storetest.New(t)
	e := w.Escalation(t, storetest.EscalationOpts{})
	read := func() reminderEpochs {
		var s reminderEpochs
		require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT
			COALESCE((SELECT epoch FROM project_epochs WHERE project_id = $1), 0),
			COALESCE((SELECT epoch FROM user_epochs WHERE user_id = $2), 0)`, e.ProjectID, e.AssignedUserID).Scan(&s.project, &s.superior))
		return s
	}
	before := read()
	_, err := w.Store.Pool().Exec(w.Ctx, `UPDATE escalations SET reminded_half = true WHERE id = $1`, e.ID)
	require.NoError(t, err)
	require.Equal(t, before, read(), "a reminder alone")
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE escalations SET lead_statement = '说明', version = version + 1 WHERE id = $1`, e.ID)
	require.NoError(t, err)
	after := read()
	require.NotEqual(t, before.project, after.project, "a statement moves the project")
	require.NotEqual(t, before.superior, after.superior, "and the superior")
}

// reminderEpochs is a project's and a person's epoch, read together.
type reminderEpochs struct{ project, superior int64 }

// listingEpochs are what a request's write can move for the pages of its project
// (the epoch) and for the pages listing it (the listed epoch, its unit's and its key
// person's).
type listingEpochs struct{ project, listed, unit, person int64 }

func listingEpochsOf(t *testing.T, w *storetest.World, r accord.Request) listingEpochs {
	t.Helper()
	var e listingEpochs
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT
			COALESCE((SELECT epoch FROM project_epochs WHERE project_id = r.project_id), 0),
			COALESCE((SELECT listed_epoch FROM project_epochs WHERE project_id = r.project_id), 0),
			COALESCE((SELECT epoch FROM unit_epochs WHERE unit_id = r.holder_unit_id), 0),
			COALESCE((SELECT epoch FROM user_epochs WHERE user_id = r.key_person_user_id), 0)
		FROM requests r WHERE r.id = $1`, r.ID).Scan(&e.project, &e.listed, &e.unit, &e.person))
	return e
}

// TestActivityAloneLeavesTheListingPagesKept: a request's activity alone (progress
// logging no effort, a later last activity from a moment the request was not quiet)
// moves its project's epoch, which its own pages are kept by, and leaves the listed
// epoch, its unit's and its key person's, which the inbox, the escalation lists, the
// start page and a unit's page are kept by (migration 0063). Near a quiet spell, moved
// earlier, with effort or with anything else shown, it moves them all.
func TestActivityAloneLeavesTheListingPagesKept(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, pool := w.Ctx, w.Store.Pool()
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	keyPerson := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{holder}})
	p := w.Project(t, storetest.ProjectOpts{})
	require.Equal(t, 14, p.CadenceDays)
	request := func(quietDays float64) accord.Request {
		n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
		return w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed, KeyPerson: &keyPerson,
			At: now.Add(-time.Duration(quietDays * float64(24*time.Hour)))})
	}
	active, lately, edge, quiet := request(2), request(5), request(13.5), request(20)
	require.Equal(t, keyPerson.ID, *active.KeyPersonUserID)
	progress := func(r accord.Request, effort float64, at time.Time) func() error {
		return func() error {
			_, err := w.Store.AddProgress(ctx, head, r.ID, accord.ProgressInput{Body: "进展", Risk: accord.RiskLow,
				EffortDays: effort}, at)
			return err
		}
	}
	exec := func(sql string, args ...any) func() error {
		return func() error {
			_, err := pool.Exec(ctx, sql, args...)
			return err
		}
	}
	type moves struct{ listed, unit, person bool }
	all := moves{true, true, true}
	for _, step := range []struct {
		name  string
		r     accord.Request
		write func() error
		moved moves // the listed epoch, the unit's and the key person's
	}{
		{"progress logging no effort on a request active two days ago", active, progress(active, 0, now), moves{}},
		{"the same request's activity moved later by a statement of its own", active,
			exec(`UPDATE requests SET last_activity_at = $2 WHERE id = $1`, active.ID, now.Add(time.Minute)), moves{}},
		// The effort is the units' give and take (their epochs move with it); no page
		// kept by a person's epoch shows it.
		{"progress logging effort", active, progress(active, 1.5, now.Add(2*time.Minute)), moves{true, true, false}},
		{"progress half a day short of a quiet spell", edge, progress(edge, 0, now), all},
		{"progress on a quiet request", quiet, progress(quiet, 0, now), all},
		{"activity moved earlier, still within the cadence", lately,
			exec(`UPDATE requests SET last_activity_at = $2 WHERE id = $1`, lately.ID, now.AddDate(0, 0, -6)), all},
		{"activity moved later with the message reworded", lately,
			exec(`UPDATE requests SET last_activity_at = $2, message = message || '。' WHERE id = $1`, lately.ID, now), all},
		{"activity alone on one request and its message reworded on another, in one statement", active,
			exec(`UPDATE requests SET last_activity_at = CASE WHEN id = $1 THEN $3 ELSE last_activity_at END,
				message = CASE WHEN id = $2 THEN message || '。' ELSE message END WHERE id IN ($1, $2)`,
				active.ID, lately.ID, now.Add(3*time.Minute)), all},
		{"progress by a server whose clock is fourteen days ahead: quiet on its clock", active,
			progress(active, 0, now.AddDate(0, 0, 14)), all},
	} {
		before := listingEpochsOf(t, w, step.r)
		require.NoError(t, step.write(), step.name)
		after := listingEpochsOf(t, w, step.r)
		require.NotEqual(t, before.project, after.project, "%s: the project's epoch", step.name)
		require.Equal(t, step.moved, moves{after.listed != before.listed, after.unit != before.unit,
			after.person != before.person}, step.name)
	}
}
