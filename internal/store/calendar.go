package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// calendarTouchInterval bounds how often a feed's last use is written: calendar apps
// poll, and a poll must not turn into a write each time.
const calendarTouchInterval = time.Hour

const calendarFeedColumns = `id, user_id, created_at, last_used_at`

func scanCalendarFeed(row pgx.Row) (accord.CalendarFeed, error) {
	var f accord.CalendarFeed
	err := row.Scan(&f.ID, &f.UserID, &f.CreatedAt, &f.LastUsedAt)
	return f, err
}

// CalendarFeed returns a user's live calendar feed, and false when they have none.
func (s *Store) CalendarFeed(ctx context.Context, userID int64) (accord.CalendarFeed, bool, error) {
	f, err := scanCalendarFeed(s.pool.QueryRow(ctx, `SELECT `+calendarFeedColumns+` FROM calendar_feeds
		WHERE user_id = $1 AND revoked_at IS NULL`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return accord.CalendarFeed{}, false, nil
	}
	if err != nil {
		return accord.CalendarFeed{}, false, fmt.Errorf("store: calendar feed of user %d: %w", userID, err)
	}
	return f, true, nil
}

// CreateCalendarFeed makes a new private calendar address for an active user,
// revoking the one they had, and returns it with its secret, which is not stored and
// cannot be shown again. Both steps are audited.
func (s *Store) CreateCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (accord.CalendarFeed, string, error) {
	secret, err := newTokenSecret()
	if err != nil {
		return accord.CalendarFeed{}, "", err
	}
	var f accord.CalendarFeed
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		// The user's row is locked so two creates in a race replace one another in turn.
		var active bool
		if err := tx.QueryRow(ctx, `SELECT deactivated_at IS NULL FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&active); err != nil {
			return mapNotFound(err, "user_not_found")
		}
		if !active {
			return accord.Errorf(accord.ECodeInvalid, "user_inactive", nil)
		}
		if err := revokeCalendarFeed(ctx, tx, actorID, userID, now); err != nil {
			return err
		}
		if f, err = scanCalendarFeed(tx.QueryRow(ctx, `INSERT INTO calendar_feeds (user_id, hash, created_at)
			VALUES ($1, $2, $3) RETURNING `+calendarFeedColumns, userID, hashToken(secret), now)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditCalendarFeed, f.ID, accord.AuditCreate, nil, map[string]any{"user_id": userID})
	})
	if err != nil {
		return accord.CalendarFeed{}, "", fmt.Errorf("store: create calendar feed for user %d: %w", userID, err)
	}
	return f, secret, nil
}

// RevokeCalendarFeed stops a user's calendar feed at once; with none live it changes
// nothing and reports false.
func (s *Store) RevokeCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (bool, error) {
	var revoked bool
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		revoked, err = revokeCalendarFeedRows(ctx, tx, actorID, userID, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: revoke calendar feed of user %d: %w", userID, err)
	}
	return revoked, nil
}

func revokeCalendarFeed(ctx context.Context, tx pgx.Tx, actorID, userID int64, now time.Time) error {
	_, err := revokeCalendarFeedRows(ctx, tx, actorID, userID, now)
	return err
}

// revokeCalendarFeedRows revokes the user's live feed, auditing it, and reports
// whether there was one.
func revokeCalendarFeedRows(ctx context.Context, tx pgx.Tx, actorID, userID int64, now time.Time) (bool, error) {
	rows, err := tx.Query(ctx, `UPDATE calendar_feeds SET revoked_at = $2
		WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, userID, now)
	if err != nil {
		return false, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if err := audit(ctx, tx, actorID, accord.AuditCalendarFeed, id, accord.AuditRevoke, nil, map[string]any{"user_id": userID}); err != nil {
			return false, err
		}
	}
	return len(ids) > 0, nil
}

// CalendarFeedUser returns the user a feed's secret belongs to, noting the use. An
// unknown or revoked secret, or one whose user was deactivated, is not found: all
// three get the same answer, found through the hash's index whatever the secret.
func (s *Store) CalendarFeedUser(ctx context.Context, secret string, now time.Time) (accord.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `WITH hit AS (
			SELECT f.id, f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id
			WHERE f.hash = $1 AND f.revoked_at IS NULL AND u.deactivated_at IS NULL),
		touch AS (
			UPDATE calendar_feeds SET last_used_at = $2
			WHERE id IN (SELECT id FROM hit) AND (last_used_at IS NULL OR last_used_at < $3))
		SELECT `+userColumns+` FROM hit JOIN users u ON u.id = hit.user_id`,
		hashToken(secret), now, now.Add(-calendarTouchInterval)))
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return accord.User{}, accord.Errorf(accord.ECodeNotFound, "calendar_feed_not_found", nil)
		}
		return accord.User{}, fmt.Errorf("store: calendar feed user: %w", err)
	}
	return u, nil
}

// CalendarItems is what is on a person's calendar at now, in one query: the requests
// they owe or lead by their dates, the escalations waiting for their decision by the
// window's end, and their projects' open promises by their dates, within the span
// around now's day (accord.CalendarSpan), earliest first, at most
// accord.MaxCalendarItems. now must be in the company's zone: its day is the
// company's, and so is the day a window ends on.
//
// Its branches are accord's rules in SQL (RequestOnCalendar, EscalationOnCalendar,
// PromiseOnCalendar); TestCalendarInSQLAgreesWithTheRules checks they agree. Like
// the start page, every branch is reached from the person through an index.
func (s *Store) CalendarItems(ctx context.Context, userID int64, now time.Time) ([]accord.CalendarItem, error) {
	from, to := accord.CalendarSpan(now)
	// Window ends are compared as the company's days: from midnight of the first day
	// to midnight after the last, in now's zone.
	loc := now.Location()
	fromAt := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	toAt := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	zone := loc.String() // for the order only: the moments themselves are compared as such
	if zone == "Local" || zone == "" {
		zone = "UTC"
	}
	rows, err := s.pool.Query(ctx, `WITH parts AS (
			SELECT r.id, 0 AS rank FROM units h JOIN requests r ON r.holder_unit_id = h.id
			WHERE h.head_user_id = $1 AND r.state IN `+sentOpen+`
			UNION ALL
			SELECT r.id, 0 FROM requests r WHERE r.key_person_user_id = $1 AND r.state IN `+sentOpen+`
			UNION ALL
			SELECT r.id, 1 FROM projects p JOIN requests r ON r.project_id = p.id
			WHERE p.lead_user_id = $1 AND r.state IN `+sentOpen+`),
		mine AS (
			-- Each request once: owed before led.
			SELECT id, min(rank) AS rank FROM parts GROUP BY id),
		items AS (
			SELECT CASE WHEN m.rank = 0 THEN 'owed' ELSE 'led' END AS kind, r.id, r.project_id, d.title, d.title_en,
				p.name, p.name_en,
				CASE WHEN m.rank = 0 THEN o.name ELSE h.name END AS unit_name,
				CASE WHEN m.rank = 0 THEN o.name_en ELSE h.name_en END AS unit_name_en,
				COALESCE(r.due_date, d.needed_by) AS day, NULL::timestamptz AS at,
				COALESCE(r.due_date, d.needed_by)::timestamp AS sort
			FROM mine m JOIN requests r ON r.id = m.id JOIN needs d ON d.id = r.need_id
			JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
			JOIN units o ON o.id = p.owning_unit_id
			WHERE COALESCE(r.due_date, d.needed_by) BETWEEN $2::date AND $3::date
			UNION ALL
			SELECT 'decide', e.id, e.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en,
				NULL::date, e.window_due_at, e.window_due_at AT TIME ZONE $6
			FROM escalations e JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id
			JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
			WHERE e.assigned_user_id = $1 AND e.status = 'open' AND e.window_due_at >= $4 AND e.window_due_at < $5
			UNION ALL
			SELECT 'promise', c.id, c.project_id, c.what, '', p.name, p.name_en, u.name, u.name_en,
				c.due_date, NULL, c.due_date::timestamp
			FROM projects p JOIN commitments c ON c.project_id = p.id JOIN units u ON u.id = c.unit_id
			WHERE p.lead_user_id = $1 AND c.status = 'open' AND c.due_date BETWEEN $2::date AND $3::date)
		SELECT kind, id, project_id, title, title_en, name, name_en, unit_name, unit_name_en, day, at
		FROM items ORDER BY sort, kind, id LIMIT $7`,
		userID, from.Format(time.DateOnly), to.Format(time.DateOnly), fromAt, toAt, zone, accord.MaxCalendarItems)
	if err != nil {
		return nil, fmt.Errorf("store: calendar of user %d: %w", userID, err)
	}
	var out []accord.CalendarItem
	var it accord.CalendarItem
	_, err = pgx.ForEachRow(rows, []any{&it.Kind, &it.ID, &it.ProjectID, &it.Title, &it.TitleEN, &it.ProjectName,
		&it.ProjectNameEN, &it.UnitName, &it.UnitNameEN, &it.Day, &it.At}, func() error {
		out = append(out, it)
		it.Day, it.At = nil, nil // the next row scans into fresh times
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: calendar of user %d: %w", userID, err)
	}
	return out, nil
}
