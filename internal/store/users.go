package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/encoding/json"

	"accord/internal/accord"
)

const userColumns = `u.id, u.email, u.name, u.name_en, u.is_admin, u.locale, COALESCE(u.time_zone, ''), u.deactivated_at, u.created_at, u.version`

func scanUser(row pgx.Row, extra ...any) (accord.User, error) {
	var u accord.User
	dest := append([]any{&u.ID, &u.Email, &u.Name, &u.NameEN, &u.IsAdmin, &u.Locale, &u.TimeZone, &u.DeactivatedAt, &u.CreatedAt, &u.Version}, extra...)
	err := row.Scan(dest...)
	return u, err
}

// CreateUser adds a user whose password is already hashed. in must be valid.
func (s *Store) CreateUser(ctx context.Context, actorID int64, in accord.NewUser, passwordHash string) (accord.User, error) {
	var u accord.User
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users AS u (email, name, name_en, password_hash, is_admin)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns,
			in.Email, in.Name, in.NameEN, passwordHash, in.IsAdmin))
		if isUniqueViolation(err, "users_email_key") {
			return &accord.Error{Code: accord.ECodeConflict, MessageID: "user_email_taken",
				Fields: map[string]string{"email": "user_email_taken"}}
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditUser, u.ID, accord.AuditCreate, nil, userAudit(u))
	})
	if err != nil {
		return accord.User{}, fmt.Errorf("store: create user %s: %w", in.Email, err)
	}
	return u, nil
}

// User returns one user, active or not.
func (s *Store) User(ctx context.Context, id int64) (accord.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if err != nil {
		return accord.User{}, fmt.Errorf("store: user %d: %w", id, mapNotFound(err, "user_not_found"))
	}
	return u, nil
}

// UserCredentials returns an active user and their password hash by email, for sign-in.
func (s *Store) UserCredentials(ctx context.Context, email string) (accord.User, string, error) {
	var hash string
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u
		WHERE lower(u.email) = lower($1) AND u.deactivated_at IS NULL`, lookupText(email)), &hash)
	if err != nil {
		return accord.User{}, "", fmt.Errorf("store: credentials: %w", mapNotFound(err, "user_not_found"))
	}
	return u, hash, nil
}

// ReplacePasswordHash swaps a user's hash for one of the same password made with
// current parameters. It changes nothing if the hash was changed meanwhile.
func (s *Store) ReplacePasswordHash(ctx context.Context, userID int64, old, replacement string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`,
		userID, old, replacement); err != nil {
		return fmt.Errorf("store: replace password hash of user %d: %w", userID, err)
	}
	return nil
}

// UserFilter narrows a list of users; Query matches name or email.
type UserFilter struct {
	Query           string
	IncludeInactive bool
	Offset, Limit   int
}

// Users lists users page by page with the total count, memberships attached in the
// same query.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]accord.UserRow, int, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+`, count(*) OVER (),
			COALESCE((SELECT json_agg(json_build_object('unit_id', n.id, 'name', n.name, 'name_en', n.name_en,
				'is_head', n.head_user_id = u.id) ORDER BY n.path)
				FROM memberships m JOIN units n ON n.id = m.unit_id WHERE m.user_id = u.id), '[]')
		FROM users u
		WHERE ($1 = '' OR u.name ILIKE '%' || $1 || '%' OR u.name_en ILIKE '%' || $1 || '%' OR u.email ILIKE '%' || $1 || '%')
		  AND ($2 OR u.deactivated_at IS NULL)
		ORDER BY u.deactivated_at IS NOT NULL, lower(u.email)
		OFFSET $3 LIMIT $4`, likeEscape(lookupText(f.Query)), f.IncludeInactive, f.Offset, f.Limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	var total int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.UserRow, error) {
		var raw []byte
		u, err := scanUser(r, &total, &raw)
		if err != nil {
			return accord.UserRow{}, err
		}
		ms, err := decodeMemberships(raw)
		return accord.UserRow{User: u, Units: ms}, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	return list, total, nil
}

// DeactivateUser stops a user from signing in and vacates the posts they head; their
// history stays. Open sessions end on the next request, when Viewer no longer finds them.
func (s *Store) DeactivateUser(ctx context.Context, actorID, id int64, version int) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockUser(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if !before.Active() {
			return nil
		}
		// The units first: their triggers move the stamps (migration 0045) of the person
		// and of others, which a unit's head being changed at the same time, its unit
		// locked, would move too; both then take them in one statement, in order.
		if _, err := tx.Exec(ctx, `UPDATE units SET head_user_id = NULL, version = version + 1 WHERE head_user_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET deactivated_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditUser, id, accord.AuditDeactivate, userAudit(before), nil)
	})
	if err != nil {
		return fmt.Errorf("store: deactivate user %d: %w", id, err)
	}
	return nil
}

// SetUserLocale records the language a user chose ("" follows the browser).
func (s *Store) SetUserLocale(ctx context.Context, id int64, locale string) error {
	if !accord.ValidLocale(locale) {
		return accord.Errorf(accord.ECodeInvalid, "locale_unknown", nil)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE users SET locale = $2 WHERE id = $1`, id, locale); err != nil {
		return fmt.Errorf("store: set locale of user %d: %w", id, err)
	}
	return nil
}

// SetUserTimeZone records the zone a user reads times in ("" follows the company's).
func (s *Store) SetUserTimeZone(ctx context.Context, id int64, zone string) error {
	if !accord.ValidTimeZone(zone) {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "settings_time_zone_unknown",
			Fields: map[string]string{"time_zone": "settings_time_zone_unknown"}}
	}
	tag, err := s.pool.Exec(ctx, `UPDATE users SET time_zone = NULLIF($2, '') WHERE id = $1 AND deactivated_at IS NULL`, id, zone)
	if err != nil {
		return fmt.Errorf("store: set time zone of user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: set time zone of user %d: %w", id, accord.Errorf(accord.ECodeNotFound, "user_not_found", nil))
	}
	return nil
}

// AddMembership puts a user in a unit; adding an existing membership is a no-op.
func (s *Store) AddMembership(ctx context.Context, actorID, userID, unitID int64) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		// FOR SHARE: a unit being renamed, moved or closed at the same time is waited
		// for, so its trigger counts the new member among those whose kept viewers it
		// renews (migration 0045), or this one's sees it done.
		tag, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, unit_id)
			SELECT u.id, n.id FROM users u, units n
			WHERE u.id = $1 AND n.id = $2 AND u.deactivated_at IS NULL AND n.closed_at IS NULL
			FOR SHARE OF n
			ON CONFLICT DO NOTHING`, userID, unitID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return audit(ctx, tx, actorID, accord.AuditUser, userID, accord.AuditJoinUnit, nil, map[string]int64{"unit_id": unitID})
	})
	if err != nil {
		return fmt.Errorf("store: add user %d to unit %d: %w", userID, unitID, err)
	}
	return nil
}

// RemoveMembership takes a user out of a unit; the unit's head cannot leave it.
func (s *Store) RemoveMembership(ctx context.Context, actorID, userID, unitID int64) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var heads bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND head_user_id = $2)`, unitID, userID).Scan(&heads); err != nil {
			return err
		}
		if heads {
			return accord.Errorf(accord.ECodeInvalid, "membership_head_cannot_leave", nil)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM memberships WHERE user_id = $1 AND unit_id = $2`, userID, unitID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditUser, userID, accord.AuditLeaveUnit, map[string]int64{"unit_id": unitID}, nil)
	})
	if err != nil {
		return fmt.Errorf("store: remove user %d from unit %d: %w", userID, unitID, err)
	}
	return nil
}

// Viewer loads the user as a viewer at this moment of the real clock (ViewerAt).
func (s *Store) Viewer(ctx context.Context, userID int64) (accord.Viewer, error) {
	return s.ViewerAt(ctx, userID, time.Now())
}

// ViewerAt loads the signed-in user with their units, derived roles and the stand-in
// arrangements running at now (with the units each absent head heads), in one
// statement. A deactivated or unknown user is not found, which ends their session.
// The statement always reads the user row, the unread count and the stamp of
// migration 0045; the rest only when the viewer kept for them (viewerCache) is not
// guarded by that stamp or does not hold at now.
func (s *Store) ViewerAt(ctx context.Context, userID int64, now time.Time) (accord.Viewer, error) {
	return s.viewerAt(ctx, userID, now, s.viewers.heldStamp(userID, now))
}

// viewerAt is ViewerAt given the stamp of the viewer held for userID (-1 for none).
func (s *Store) viewerAt(ctx context.Context, userID int64, now time.Time, held int64) (accord.Viewer, error) {
	v, whole, err := s.viewerRow(s.pool.QueryRow(ctx, viewerSQL, userID, accord.UnreadCap, now, held),
		func(int64) int64 { return held }, now)
	if err != nil {
		return accord.Viewer{}, fmt.Errorf("store: viewer %d: %w", userID, mapNotFound(err, "user_not_found"))
	}
	if !whole {
		// The stamp matched a viewer another request has since replaced: read it whole.
		return s.viewerAt(ctx, userID, now, -1)
	}
	return v, nil
}

// ViewersAt is ViewerAt for each of ids, in one statement however many: a person not
// found or deactivated is left out of the answer.
func (s *Store) ViewersAt(ctx context.Context, ids []int64, now time.Time) (map[int64]accord.Viewer, error) {
	out := make(map[int64]accord.Viewer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	held := make([]int64, len(ids))
	heldFor := make(map[int64]int64, len(ids))
	for i, id := range ids {
		held[i] = s.viewers.heldStamp(id, now)
		heldFor[id] = held[i]
	}
	var again []int64 // whose kept viewer was replaced between the two reads of its stamp
	// Its generic plan: planned for its arrays on every call, it spent 2 ms planning
	// to run in 0.1.
	err := s.queryGenericPlan(ctx, viewersSQL, []any{ids, accord.UnreadCap, now, held}, func(rows pgx.Rows) error {
		_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
			v, whole, err := s.viewerRow(r, func(id int64) int64 { return heldFor[id] }, now)
			switch {
			case err != nil:
			case whole:
				out[v.User.ID] = v
			default:
				again = append(again, v.User.ID)
			}
			return struct{}{}, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: viewers %v: %w", ids, err)
	}
	for _, id := range again {
		v, err := s.viewerAt(ctx, id, now, -1)
		if err == nil {
			out[id] = v
		} else if accord.ErrorCodeOf(err) != accord.ECodeNotFound {
			return nil, err
		}
	}
	return out, nil
}

// viewerRow reads one row of viewerStatement, heldFor the stamp sent for its person:
// the viewer kept under the stamp read when it is that one, else the viewer read whole
// and kept. whole is false when the stamp matched but the viewer kept under it has
// since been replaced, so the row holds too little to build it: read it again with -1.
func (s *Store) viewerRow(row pgx.Row, heldFor func(userID int64) int64, now time.Time) (v accord.Viewer, whole bool, err error) {
	var (
		stamp                         int64
		unread                        int
		head, executive, lead, keyPer *bool
		arranged                      *bool
		raw, standing, away           []byte
		from, until                   *time.Time
	)
	u, err := scanUser(row, &stamp, &unread, &head, &executive, &lead, &keyPer, &raw, &standing, &away, &arranged, &from, &until)
	if err != nil {
		return accord.Viewer{}, false, err
	}
	if stamp == heldFor(u.ID) {
		if v, ok := s.viewers.keptFor(u, stamp, unread, now); ok {
			return v, true, nil
		}
	}
	if head == nil || executive == nil || lead == nil || keyPer == nil || arranged == nil {
		return accord.Viewer{User: u}, false, nil
	}
	v = accord.Viewer{User: u, Unread: unread,
		Roles: accord.Roles{Admin: u.IsAdmin, Head: *head, Executive: *executive, Lead: *lead, KeyPerson: *keyPer}}
	if v.Memberships, err = decodeMemberships(raw); err != nil {
		return accord.Viewer{}, false, err
	}
	if v.StandingIn, err = decodeStandingIn(standing); err != nil {
		return accord.Viewer{}, false, err
	}
	v.Roles.StandIn = len(v.StandingIn) > 0
	if v.AwayWith, err = decodeStandingIn(away); err != nil {
		return accord.Viewer{}, false, err
	}
	e := cachedViewer{stamp: stamp, viewer: v, arranged: *arranged}
	if from != nil {
		e.from = *from
	}
	if until != nil {
		// Something of an arrangement of theirs is yet to come: at least its end.
		e.until, v.ArrangementsAhead = *until, true
		e.viewer.ArrangementsAhead = true
	}
	s.viewers.put(u.ID, e)
	return v, true, nil
}

// unreadCount counts user u's unread notifications, up to the cap given as parameter
// capParam (accord.UnreadCap): the layout's badge.
func unreadCount(capParam string) string {
	return `(SELECT count(*) FROM (SELECT FROM notifications x WHERE x.user_id = u.id AND x.read_at IS NULL
		LIMIT ` + capParam + `) capped)`
}

// viewerSQL reads viewer $1 at $3 with at most $2 unread counted; $4 is the stamp of
// the viewer the server holds (-1 for none), and the columns after the unread count
// are NULL when it is still the stamp. Then whether an arrangement of theirs runs at $3,
// whoever is in it (StandingIn leaves out one whose absent head was deactivated). The
// last two bound the clock over which the stand-in arrangements read hold: the latest start, end or early end of an
// arrangement of theirs at or before $3, and the earliest after it.
var viewerSQL = viewerStatement(`users u LEFT JOIN viewer_stamps k ON k.user_id = u.id
	WHERE u.id = $1 AND u.deactivated_at IS NULL`, `$4`)

// viewersSQL is viewerSQL for each of the people in $1 (an array), the stamp held for
// each in the same place of $4; a person not found or deactivated has no row.
var viewersSQL = viewerStatement(`unnest($1::bigint[], $4::bigint[]) AS w(id, held)
	JOIN users u ON u.id = w.id LEFT JOIN viewer_stamps k ON k.user_id = u.id
	WHERE u.deactivated_at IS NULL`, `w.held`)

// viewerStatement reads the viewers of from (which names users u and viewer_stamps k)
// as viewerSQL says, held the stamp held for each.
func viewerStatement(from, held string) string {
	// stale: the stamp read is not the one held, so the viewer is read whole.
	stale := `COALESCE(k.stamp, 0) <> ` + held
	return `SELECT ` + userColumns + `, COALESCE(k.stamp, 0),
		` + unreadCount("$2") + `,
		CASE WHEN ` + stale + ` THEN
			EXISTS (SELECT 1 FROM units h WHERE h.head_user_id = u.id AND h.closed_at IS NULL) END,
		CASE WHEN ` + stale + ` THEN
			EXISTS (SELECT 1 FROM units h JOIN units c ON c.parent_id = h.id AND c.closed_at IS NULL
				WHERE h.head_user_id = u.id AND h.closed_at IS NULL) END,
		CASE WHEN ` + stale + ` THEN
			EXISTS (SELECT 1 FROM projects p WHERE p.lead_user_id = u.id) END,
		CASE WHEN ` + stale + ` THEN
			EXISTS (SELECT 1 FROM requests r WHERE r.key_person_user_id = u.id AND ` + openRequest + `) END,
		CASE WHEN ` + stale + ` THEN
			COALESCE((SELECT json_agg(json_build_object('unit_id', n.id, 'name', n.name, 'name_en', n.name_en,
				'is_head', n.head_user_id = u.id) ORDER BY n.path)
				FROM memberships m JOIN units n ON n.id = m.unit_id AND n.closed_at IS NULL WHERE m.user_id = u.id), '[]') END,
		CASE WHEN ` + stale + ` THEN COALESCE((` + standingInNow + `), '[]') END,
		CASE WHEN ` + stale + ` THEN COALESCE((` + awayNow + `), '[]') END,
		CASE WHEN ` + stale + ` THEN EXISTS (SELECT 1 FROM stand_ins s
			WHERE (s.stand_in_user_id = u.id OR s.principal_user_id = u.id) AND ` + standInRunsAt3 + `) END,
		CASE WHEN ` + stale + ` THEN (SELECT max(b) FROM stand_ins s,
			unnest(ARRAY[s.starts_at, s.ends_at, s.ended_at]) b
			WHERE (s.stand_in_user_id = u.id OR s.principal_user_id = u.id) AND b <= $3) END,
		CASE WHEN ` + stale + ` THEN (SELECT min(b) FROM stand_ins s,
			unnest(ARRAY[s.starts_at, s.ends_at, s.ended_at]) b
			WHERE (s.stand_in_user_id = u.id OR s.principal_user_id = u.id) AND b > $3) END
	FROM ` + from
}

func decodeMemberships(raw []byte) ([]accord.Membership, error) {
	var rows []struct {
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
		NameEN string `json:"name_en"`
		IsHead bool   `json:"is_head"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("decode memberships: %w", err)
	}
	ms := make([]accord.Membership, len(rows))
	for i, r := range rows {
		ms[i] = accord.Membership{UnitID: r.UnitID, UnitName: r.Name, UnitNameEN: r.NameEN, IsHead: r.IsHead}
	}
	return ms, nil
}

func lockUser(ctx context.Context, tx pgx.Tx, id int64, version int) (accord.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 FOR UPDATE`, id))
	if err != nil {
		return accord.User{}, mapNotFound(err, "user_not_found")
	}
	if u.Version != version {
		return accord.User{}, accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
	}
	return u, nil
}

func userAudit(u accord.User) map[string]any {
	return map[string]any{"email": u.Email, "name": u.Name, "name_en": u.NameEN, "is_admin": u.IsAdmin}
}

// RecordLoginFailure notes a failed sign-in for throttling, timed by the caller's clock
// (the same clock that later measures the wait).
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO login_failures (email, ip, failed_at) VALUES (lower($1), $2, $3)`, lookupText(email), ip, at); err != nil {
		return fmt.Errorf("store: record login failure: %w", err)
	}
	return nil
}

// LoginFailures counts the failures since since that bear on a sign-in of email from
// ip (accord.LoginFailureCounts): the account's, the account's from ip, and how many
// accounts ip failed on; with the latest of the account's, else of the address's.
func (s *Store) LoginFailures(ctx context.Context, email, ip string, since time.Time) (accord.LoginFailureCounts, error) {
	var c accord.LoginFailureCounts
	var last *time.Time
	err := s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE email = lower($1)),
			count(*) FILTER (WHERE email = lower($1) AND ip = $2),
			count(DISTINCT email) FILTER (WHERE ip = $2),
			COALESCE(max(failed_at) FILTER (WHERE email = lower($1)), max(failed_at))
		FROM login_failures WHERE (email = lower($1) OR ip = $2) AND failed_at > $3`, lookupText(email), ip, since).
		Scan(&c.Account, &c.AccountAddress, &c.AddressSpray, &last)
	if err != nil {
		return accord.LoginFailureCounts{}, fmt.Errorf("store: count login failures: %w", err)
	}
	if last != nil {
		c.Last = *last
	}
	return c, nil
}

// ClearLoginFailures forgets an email's failures after it signs in, and prunes old rows.
func (s *Store) ClearLoginFailures(ctx context.Context, email string, before time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE email = lower($1) OR failed_at < $2`, lookupText(email), before); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return nil
}

// PeopleNamed lists up to limit active people whose name, in either language, holds
// text (ignoring case), by name: through the users_search index (migration 0027),
// never by address, so it tells no one which addresses have accounts.
func (s *Store) PeopleNamed(ctx context.Context, text string, limit int) ([]accord.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users u
		WHERE u.deactivated_at IS NULL AND (u.name || ' ' || u.name_en || ' ' || u.email) ILIKE $1
			AND (u.name || ' ' || u.name_en) ILIKE $1
		ORDER BY u.name, u.id LIMIT $2`, "%"+likeEscape(text)+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("store: people named %q: %w", text, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("store: people named %q: %w", text, err)
	}
	return list, nil
}

// likeEscape makes user text literal inside an ILIKE pattern.
func likeEscape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
