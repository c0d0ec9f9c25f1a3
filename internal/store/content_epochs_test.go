package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
