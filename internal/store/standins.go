package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/encoding/json"

	"accord/internal/accord"
)

// standInRunsAt3 is accord.StandIn.ActiveAt in SQL: arrangement s runs at $3.
const standInRunsAt3 = `s.starts_at <= $3 AND s.ends_at > $3 AND (s.ended_at IS NULL OR s.ended_at > $3)`

// standingInNow is, for the viewer u at $3, the arrangements running by which they
// stand in for someone, each with the open units that person heads: a JSON array
// (accord.Viewer.StandingIn). A deactivated head has nobody to stand in for.
const standingInNow = `SELECT json_agg(json_build_object('id', s.id, 'principal_id', s.principal_user_id,
		'principal_name', p.name, 'principal_name_en', p.name_en, 'starts_on', s.starts_on, 'ends_on', s.ends_on,
		'starts_at', s.starts_at, 'ends_at', s.ends_at,
		'units', (SELECT COALESCE(json_agg(h.id ORDER BY h.id), '[]') FROM units h
			WHERE h.head_user_id = s.principal_user_id AND h.closed_at IS NULL)) ORDER BY s.id)
	FROM stand_ins s JOIN users p ON p.id = s.principal_user_id AND p.deactivated_at IS NULL
	WHERE s.stand_in_user_id = u.id AND ` + standInRunsAt3

// awayNow is, for the viewer u at $3, the arrangements running by which someone
// stands in for them (accord.Viewer.AwayWith), for their own banner.
const awayNow = `SELECT json_agg(json_build_object('id', s.id, 'principal_id', s.principal_user_id, 'stand_in_id', s.stand_in_user_id,
		'stand_in_name', a.name, 'stand_in_name_en', a.name_en, 'starts_on', s.starts_on, 'ends_on', s.ends_on,
		'starts_at', s.starts_at, 'ends_at', s.ends_at) ORDER BY s.id)
	FROM stand_ins s JOIN users a ON a.id = s.stand_in_user_id
	WHERE s.principal_user_id = u.id AND ` + standInRunsAt3

type standInJSON struct {
	ID              int64     `json:"id"`
	PrincipalID     int64     `json:"principal_id"`
	PrincipalName   string    `json:"principal_name"`
	PrincipalNameEN string    `json:"principal_name_en"`
	StandInID       int64     `json:"stand_in_id"`
	StandInName     string    `json:"stand_in_name"`
	StandInNameEN   string    `json:"stand_in_name_en"`
	StartsOn        jsonDate  `json:"starts_on"`
	EndsOn          jsonDate  `json:"ends_on"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	Units           []int64   `json:"units"`
}

func decodeStandingIn(raw []byte) ([]accord.StandIn, error) {
	var rows []standInJSON
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("decode stand-ins: %w", err)
	}
	out := make([]accord.StandIn, len(rows))
	for i, r := range rows {
		out[i] = accord.StandIn{ID: r.ID, PrincipalID: r.PrincipalID, PrincipalName: r.PrincipalName,
			PrincipalNameEN: r.PrincipalNameEN, StandInID: r.StandInID, StandInName: r.StandInName,
			StandInNameEN: r.StandInNameEN, StartsOn: dateOr(r.StartsOn), EndsOn: dateOr(r.EndsOn),
			StartsAt: r.StartsAt, EndsAt: r.EndsAt, Units: r.Units}
	}
	return out, nil
}

const standInColumns = `s.id, s.principal_user_id, p.name, p.name_en, s.stand_in_user_id, a.name, a.name_en,
	s.starts_on, s.ends_on, s.starts_at, s.ends_at, s.ended_at`

const standInFrom = ` FROM stand_ins s JOIN users p ON p.id = s.principal_user_id JOIN users a ON a.id = s.stand_in_user_id `

func scanStandIn(row pgx.Row) (accord.StandIn, error) {
	var s accord.StandIn
	err := row.Scan(&s.ID, &s.PrincipalID, &s.PrincipalName, &s.PrincipalNameEN, &s.StandInID, &s.StandInName,
		&s.StandInNameEN, &s.StartsOn, &s.EndsOn, &s.StartsAt, &s.EndsAt, &s.EndedAt)
	return s, err
}

// companyMidnight is the first instant of date (midnight UTC) in the company's zone.
func companyMidnight(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}

// CreateStandIn records that standInEmail answers for principalID over the given days
// (in the company zone loc), after accord.RefuseStandIn allows it; audited on the
// head.
func (s *Store) CreateStandIn(ctx context.Context, actor accord.Viewer, principalID int64, standInEmail string,
	startsOn, endsOn *time.Time, loc *time.Location, now time.Time) (accord.StandIn, error) {
	var made accord.StandIn
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		in := accord.StandInInput{PrincipalID: principalID, StartsOn: startsOn, EndsOn: endsOn}
		if !accord.MayNameStandInFor(actor, principalID) {
			return accord.Errorf(accord.ECodeForbidden, "standin_not_yours", nil)
		}
		// Lock the head, so two arrangements made at once cannot both pass the overlap check.
		var heads bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE head_user_id = u.id AND closed_at IS NULL)
			FROM users u WHERE u.id = $1 AND u.deactivated_at IS NULL FOR UPDATE`, principalID).Scan(&heads)
		if err != nil {
			return mapNotFound(err, "user_not_found")
		}
		email := strings.ToLower(strings.TrimSpace(standInEmail))
		// Text no address holds (a NUL, broken UTF-8) names nobody; PostgreSQL would refuse it.
		if email != "" && utf8.ValidString(email) && !strings.ContainsRune(email, 0) {
			err := tx.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = $1 AND deactivated_at IS NULL`, email).Scan(&in.StandInID)
			if err != nil && err != pgx.ErrNoRows {
				return err
			}
		}
		var overlaps bool
		if startsOn != nil && endsOn != nil {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stand_ins WHERE principal_user_id = $1
				AND ended_at IS NULL AND starts_on <= $3 AND ends_on >= $2)`, principalID, *startsOn, *endsOn).Scan(&overlaps); err != nil {
				return err
			}
		}
		today := now.In(loc)
		if err := accord.RefuseStandIn(actor, in, heads, time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC), overlaps); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO stand_ins (principal_user_id, stand_in_user_id, starts_on, ends_on,
				starts_at, ends_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, principalID, in.StandInID, *startsOn, *endsOn,
			companyMidnight(*startsOn, loc), companyMidnight(endsOn.AddDate(0, 0, 1), loc), actor.User.ID, now).Scan(&id); err != nil {
			return err
		}
		if made, err = scanStandIn(tx.QueryRow(ctx, `SELECT `+standInColumns+standInFrom+`WHERE s.id = $1`, id)); err != nil {
			return err
		}
		return audit(ctx, tx, actor.User.ID, accord.AuditUser, principalID, accord.AuditStandIn, nil, map[string]any{
			"stand_in_id": made.StandInID, "stand_in": made.StandInName, "stand_in_en": made.StandInNameEN,
			"starts_on": startsOn.Format(time.DateOnly), "ends_on": endsOn.Format(time.DateOnly)})
	})
	if err != nil {
		return accord.StandIn{}, fmt.Errorf("store: stand-in for user %d: %w", principalID, err)
	}
	return made, nil
}

// EndStandIn calls off arrangement id now, if actor may (accord.MayEndStandIn); one
// already over is left as it was. Audited on the head.
func (s *Store) EndStandIn(ctx context.Context, actor accord.Viewer, id int64, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		si, err := scanStandIn(tx.QueryRow(ctx, `SELECT `+standInColumns+standInFrom+`WHERE s.id = $1 FOR UPDATE OF s`, id))
		if err != nil {
			return mapNotFound(err, "standin_not_found")
		}
		if !accord.MayEndStandIn(actor, si) {
			return accord.Errorf(accord.ECodeNotFound, "standin_not_found", nil)
		}
		if si.Over(now) {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE stand_ins SET ended_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		return audit(ctx, tx, actor.User.ID, accord.AuditUser, si.PrincipalID, accord.AuditStandInEnd, nil,
			map[string]any{"stand_in_id": si.StandInID, "stand_in": si.StandInName, "stand_in_en": si.StandInNameEN})
	})
	if err != nil {
		return fmt.Errorf("store: end stand-in %d: %w", id, err)
	}
	return nil
}

// StandInsAround lists the arrangements not yet over at now in which viewer v is the
// head or the stand-in, soonest first: for their home and settings. A viewer read with
// none ahead (most people) has none to list, and nothing is asked.
func (s *Store) StandInsAround(ctx context.Context, v accord.Viewer, now time.Time) ([]accord.StandIn, error) {
	if !v.ArrangementsAhead {
		return nil, nil
	}
	userID := v.User.ID
	rows, err := s.pool.Query(ctx, `SELECT `+standInColumns+standInFrom+`
		WHERE (s.principal_user_id = $1 OR s.stand_in_user_id = $1) AND s.ends_at > $2
			AND (s.ended_at IS NULL OR s.ended_at > $2)
		ORDER BY s.starts_at, s.id LIMIT 20`, userID, now)
	if err != nil {
		return nil, fmt.Errorf("store: stand-ins around user %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.StandIn, error) { return scanStandIn(r) })
	if err != nil {
		return nil, fmt.Errorf("store: stand-ins around user %d: %w", userID, err)
	}
	return list, nil
}

func dateOr(d jsonDate) time.Time {
	if d.t == nil {
		return time.Time{}
	}
	return *d.t
}
