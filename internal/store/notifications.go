package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"accord/internal/accord"
)

// notify adds a notification inside the caller's transaction, so it exists exactly
// when the change that caused it does. A zero userID (a vacant post) or the actor
// themselves gets nothing. A non-empty dedupeKey makes repeats no-ops.
func notify(ctx context.Context, tx pgx.Tx, userID int64, kind accord.NotificationKind, r accord.Request, actorID int64, state accord.RequestState, dedupeKey string) error {
	return insertNotification(ctx, tx, notice{to: userID, kind: kind, request: r, actor: actorID, state: state, dedupe: dedupeKey})
}

// notice is one notification to add.
type notice struct {
	to         int64
	kind       accord.NotificationKind
	request    accord.Request
	actor      int64
	state      accord.RequestState
	dedupe     string
	escalation int64               // the escalation it is about, where the reader acts; 0 for none
	decision   accord.DecisionKind // an escalation's outcome, kept as it was decided
	reason     string              // the decision's or reassignment's reason, kept as given
	comment    int64               // the comment it is about, which the link points at; 0 for none
	actorFor   *accord.ActingFor   // the absent head the actor stood in for; nil for none
}

// insertNotification adds n, and a copy for whoever stands in for its reader at
// the moment of the transaction (accord.StandIn: the stand-in hears what the absent
// head hears), each copy naming the head it was for.
func insertNotification(ctx context.Context, tx pgx.Tx, n notice) error {
	if n.to == 0 || n.to == n.actor {
		return nil
	}
	var actor, dedupe, escalation, request, comment any
	if n.request.ID > 0 {
		request = n.request.ID
	}
	if n.comment > 0 {
		comment = n.comment
	}
	if n.actor > 0 {
		actor = n.actor
	}
	if n.dedupe != "" {
		dedupe = n.dedupe
	}
	if n.escalation > 0 {
		escalation = n.escalation
	}
	var forName, forNameEN string
	if n.actorFor != nil {
		forName, forNameEN = n.actorFor.Name, n.actorFor.NameEN
	}
	// The stand-in's copy is keyed on the original's key, so a repeat adds neither.
	rows, err := tx.Query(ctx, `WITH data AS (
			SELECT jsonb_strip_nulls(jsonb_build_object('state', NULLIF($6::text, ''),
				'decision', NULLIF($8::text, ''), 'reason', NULLIF($9::text, ''), 'comment', $11::bigint,
				'actor_for', NULLIF($12::text, ''), 'actor_for_en', NULLIF($13::text, ''))) AS d),
		original AS (
			INSERT INTO notifications (user_id, kind, project_id, request_id, actor_id, data, dedupe_key, escalation_id)
			SELECT $1, $2, $3, $4, $5, d, $7, $10 FROM data
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING id),
		copies AS (INSERT INTO notifications (user_id, kind, project_id, request_id, actor_id, data, dedupe_key, escalation_id)
			SELECT s.stand_in_user_id, $2, $3, $4, $5,
				data.d || jsonb_build_object('on_behalf', h.name, 'on_behalf_en', h.name_en),
				$7 || ':stand-in:' || s.stand_in_user_id, $10
			FROM stand_ins s JOIN users h ON h.id = s.principal_user_id
				JOIN users a ON a.id = s.stand_in_user_id AND a.deactivated_at IS NULL, data
			WHERE s.principal_user_id = $1 AND s.starts_at <= now() AND s.ends_at > now()
				AND (s.ended_at IS NULL OR s.ended_at > now())
				AND s.stand_in_user_id IS DISTINCT FROM $5::bigint
				AND EXISTS (SELECT 1 FROM original)
				-- Only what the arrangement lets the stand-in act on (accord.RequestPartyOf,
				-- EscalationPartyOf): a request held by a unit the head heads, or an
				-- escalation waiting for the head's decision. The head's own projects,
				-- mentions and advice stay theirs.
				AND (EXISTS (SELECT 1 FROM requests cr JOIN units ch ON ch.id = cr.holder_unit_id
						WHERE cr.id = $4::bigint AND ch.head_user_id = $1 AND ch.closed_at IS NULL)
					OR EXISTS (SELECT 1 FROM escalations ce WHERE ce.id = $10::bigint AND ce.assigned_user_id = $1
						AND ce.status IN ('open', 'sent_back')))
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING id)
		SELECT id FROM original UNION ALL SELECT id FROM copies`,
		n.to, n.kind, n.request.ProjectID, request, actor, n.state, dedupe, n.decision, n.reason, escalation, comment,
		forName, forNameEN)
	if err != nil {
		return fmt.Errorf("notify user %d of %s: %w", n.to, n.kind, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("notify user %d of %s: %w", n.to, n.kind, err)
	}
	if len(ids) == 0 {
		return nil // a repeat: it was delivered the first time
	}
	return enqueueDeliveries(ctx, tx, ids...)
}

// notificationColumns are what every reader of a notification shows; notificationFrom
// joins them.
const notificationColumns = `n.id, n.user_id, n.kind, n.project_id, n.request_id,
	COALESCE(a.name, ''), COALESCE(a.name_en, ''), COALESCE(d.title, ''), COALESCE(d.title_en, ''),
	COALESCE(p.name, ''), COALESCE(p.name_en, ''), COALESCE(n.data->>'state', ''), n.escalation_id,
	COALESCE(n.data->>'decision', ''), COALESCE(n.data->>'reason', ''), (n.data->>'comment')::bigint, n.read_at, n.created_at,
	COALESCE(n.data->>'actor_for', ''), COALESCE(n.data->>'actor_for_en', ''),
	COALESCE(n.data->>'on_behalf', ''), COALESCE(n.data->>'on_behalf_en', '')`

const notificationFrom = ` FROM notifications n
	LEFT JOIN users a ON a.id = n.actor_id
	LEFT JOIN requests r ON r.id = n.request_id LEFT JOIN needs d ON d.id = r.need_id
	LEFT JOIN projects p ON p.id = n.project_id `

func notificationDest(n *accord.Notification) []any {
	return []any{&n.ID, &n.UserID, &n.Kind, &n.ProjectID, &n.RequestID, &n.ActorName, &n.ActorNameEN,
		&n.NeedTitle, &n.NeedTitleEN, &n.ProjectName, &n.ProjectNameEN, &n.State, &n.EscalationID,
		&n.Decision, &n.Reason, &n.CommentID, &n.ReadAt, &n.CreatedAt, &n.ActorForName, &n.ActorForNameEN,
		&n.OnBehalfName, &n.OnBehalfNameEN}
}

func holderHead(ctx context.Context, tx pgx.Tx, unitID int64) (int64, error) {
	var head *int64
	if err := tx.QueryRow(ctx, `SELECT head_user_id FROM units WHERE id = $1`, unitID).Scan(&head); err != nil {
		return 0, err
	}
	if head == nil {
		return 0, nil
	}
	return *head, nil
}

// notifyAction tells whoever accord.RequestActionAudience names what an action did
// to request r (as it is after the action).
func notifyAction(ctx context.Context, tx pgx.Tx, actorID int64, actorFor *accord.ActingFor, action accord.RequestAction, r accord.Request) error {
	head, err := holderHead(ctx, tx, r.HolderUnitID)
	if err != nil {
		return err
	}
	reason := ""
	if action == accord.ActionTransfer {
		reason = r.TransferReason // a transfer says why, in the words given then
	}
	told := accord.RequestActionAudience(action, r, head)
	followers, err := followerIDs(ctx, tx, accord.CommentOnRequest, r.ID)
	if err != nil {
		return err
	}
	for _, n := range append(told, accord.FollowerAudience(actorID, followers, told)...) {
		if err := insertNotification(ctx, tx, notice{to: n.To, kind: n.Kind, request: r, actor: actorID, state: r.State,
			reason: reason, actorFor: actorFor}); err != nil {
			return err
		}
	}
	return nil
}

// SweepStale reminds the person who owes the next step on every request with no
// activity within its project's cadence: the key person (else the head) for the
// holder's steps, the lead for an open counter-proposal. Each request is reminded
// once per cadence period since its last activity, however many instances sweep at
// once. It returns how many reminders were added.
//
// Only requests whose remind_at has come are read (migration 0011), in batches; each
// leaves with the start of its next period, so a request already reminded costs
// nothing until then.
func (s *Store) SweepStale(ctx context.Context, now time.Time) (int64, error) {
	var added int64
	cur := newSweepCursor()
	for {
		var n int
		err := s.WithTx(ctx, func(tx pgx.Tx) error {
			if err := sweepTx(ctx, tx); err != nil {
				return err
			}
			var ids []int64
			var lastAt pgtype.Timestamptz
			var lastID *int64
			if err := tx.QueryRow(ctx, sweepStaleSQL, now, cur.at, cur.id, sweepBatch).Scan(&n, &lastAt, &lastID, &ids); err != nil {
				return err
			}
			if lastID != nil {
				cur.at, cur.id = lastAt, *lastID
			}
			added += int64(len(ids))
			return enqueueDeliveries(ctx, tx, ids...)
		})
		if err != nil {
			return added, fmt.Errorf("store: sweep stale requests: %w", err)
		}
		if n < sweepBatch {
			return added, nil
		}
	}
}

// sweepStaleSQL reminds one batch of due requests after the cursor ($2, $3) at $1 and
// moves each one's remind_at: to the start of its next period once reminded; a few
// hours before its first period while it is recent (the rule counts days in the
// session's time zone, where a day may last 23 hours); left as it is while nobody
// holds the post to remind; NULL in a state that is never reminded. It returns the
// batch's size, its last (remind_at, id) and the reminders added.
//
// Who is reminded (recipient, for a request remindable at all) is
// accord.StaleReminderTo, and idle is accord.StaleReminderDue, written in SQL: change
// one with the other; TestStaleRemindersAgreeWithTheRules checks they agree.
var sweepStaleSQL = `WITH due AS (
		SELECT r.id, r.project_id, r.state, r.last_activity_at, r.remind_at, p.cadence_days,
			CASE WHEN r.state = 'countered' THEN p.lead_user_id ELSE COALESCE(r.key_person_user_id, h.head_user_id) END AS recipient,
			` + openRequest + ` AS remindable,
			r.last_activity_at < $1::timestamptz - interval '1 day'
				AND r.last_activity_at < $1::timestamptz - make_interval(days => p.cadence_days) AS idle,
			floor(extract(epoch FROM ($1::timestamptz - r.last_activity_at)) / (p.cadence_days * 86400))::bigint AS period
		FROM requests r JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
		WHERE r.remind_at <= $1::timestamptz AND (r.remind_at, r.id) > ($2::timestamptz, $3::bigint)
		ORDER BY r.remind_at, r.id LIMIT $4
		FOR UPDATE OF r SKIP LOCKED
	), sent AS (
		INSERT INTO notifications (user_id, kind, project_id, request_id, data, dedupe_key)
		SELECT recipient, 'reminder', project_id, id, jsonb_build_object('state', state),
			format('reminder:%s:%s:%s', id, extract(epoch FROM last_activity_at)::bigint, period)
		FROM due WHERE remindable AND idle AND recipient IS NOT NULL
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
	), next AS (
		SELECT id, CASE
			WHEN NOT remindable THEN NULL
			WHEN NOT idle THEN last_activity_at + make_interval(secs => cadence_days * 86400 - 3 * 3600)
			WHEN recipient IS NULL THEN remind_at
			ELSE last_activity_at + make_interval(secs => (period + 1) * cadence_days * 86400)
		END AS remind_at FROM due
	), moved AS (
		UPDATE requests r SET remind_at = next.remind_at FROM next
		WHERE r.id = next.id AND r.remind_at IS DISTINCT FROM next.remind_at
	)
	SELECT (SELECT count(*) FROM due)::int,
		(SELECT remind_at FROM due ORDER BY remind_at DESC, id DESC LIMIT 1),
		(SELECT id FROM due ORDER BY remind_at DESC, id DESC LIMIT 1),
		ARRAY(SELECT id FROM sent)`

// Notifications lists a user's notifications, newest first, with the total: theirs
// alone, as accord.MayViewNotification says.
func (s *Store) Notifications(ctx context.Context, userID int64, offset, limit int) ([]accord.Notification, int, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+notificationColumns+`, count(*) OVER ()`+notificationFrom+`
		WHERE n.user_id = $1 ORDER BY n.id DESC OFFSET $2 LIMIT $3`, userID, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: notifications of user %d: %w", userID, err)
	}
	var total int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Notification, error) {
		var n accord.Notification
		err := r.Scan(append(notificationDest(&n), &total)...)
		return n, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: notifications of user %d: %w", userID, err)
	}
	return list, total, nil
}

// OpenNotification returns notification id for v to follow, marked read now: only
// its recipient opens it (accord.MayViewNotification); to anyone else it does not
// exist.
func (s *Store) OpenNotification(ctx context.Context, v accord.Viewer, id int64, now time.Time) (accord.Notification, error) {
	var n accord.Notification
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT `+notificationColumns+notificationFrom+`WHERE n.id = $1 FOR UPDATE OF n`, id).
			Scan(notificationDest(&n)...); err != nil {
			return mapNotFound(err, "notification_not_found")
		}
		if !accord.MayViewNotification(v, n) {
			return accord.Errorf(accord.ECodeNotFound, "notification_not_found", nil)
		}
		if n.ReadAt != nil {
			return nil
		}
		n.ReadAt = &now
		_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = $2 WHERE id = $1`, id, now)
		return err
	})
	if err != nil {
		return accord.Notification{}, fmt.Errorf("store: open notification %d: %w", id, err)
	}
	return n, nil
}

// MarkNotificationsRead marks all of a user's notifications up to and including
// upToID as read (all of them when upToID is 0); nobody marks another's
// (accord.MayMarkNotificationRead).
func (s *Store) MarkNotificationsRead(ctx context.Context, userID, upToID int64, now time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE notifications SET read_at = $3
		WHERE user_id = $1 AND read_at IS NULL AND ($2 = 0 OR id <= $2)`, userID, upToID, now)
	if err != nil {
		return fmt.Errorf("store: mark notifications of user %d read: %w", userID, err)
	}
	return nil
}
