package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// UserByEmail returns a user, active or not, by email in any letter case. An unknown
// email is a problem with the form's "email" field.
func (s *Store) UserByEmail(ctx context.Context, email string) (accord.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE lower(u.email) = lower($1)`, lookupText(email)))
	if err != nil {
		return accord.User{}, fmt.Errorf("store: user by email: %w", fieldNotFound(err, "email", "user_not_found"))
	}
	return u, nil
}

// UnitMembers lists a unit's members, the head first, then active before deactivated.
func (s *Store) UnitMembers(ctx context.Context, unitID int64) ([]accord.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+`
		FROM memberships m
		JOIN users u ON u.id = m.user_id
		JOIN units n ON n.id = m.unit_id
		WHERE m.unit_id = $1
		ORDER BY n.head_user_id IS NOT DISTINCT FROM u.id DESC, u.deactivated_at IS NOT NULL, u.name, u.id`, unitID)
	if err != nil {
		return nil, fmt.Errorf("store: members of unit %d: %w", unitID, err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("store: members of unit %d: %w", unitID, err)
	}
	return users, nil
}

// UserWithUnits returns one user, active or not, with the open units they belong to.
func (s *Store) UserWithUnits(ctx context.Context, id int64) (accord.UserRow, error) {
	var raw []byte
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+`,
			COALESCE((SELECT json_agg(json_build_object('unit_id', n.id, 'name', n.name, 'name_en', n.name_en,
				'is_head', n.head_user_id = u.id) ORDER BY n.path)
				FROM memberships m JOIN units n ON n.id = m.unit_id AND n.closed_at IS NULL WHERE m.user_id = u.id), '[]')
		FROM users u WHERE u.id = $1`, id), &raw)
	if err != nil {
		return accord.UserRow{}, fmt.Errorf("store: user %d with units: %w", id, mapNotFound(err, "user_not_found"))
	}
	ms, err := decodeMemberships(raw)
	if err != nil {
		return accord.UserRow{}, fmt.Errorf("store: user %d with units: %w", id, err)
	}
	return accord.UserRow{User: u, Units: ms}, nil
}
