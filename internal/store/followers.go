package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// Followers lists the people following subject (a request or an escalation), by name.
func (s *Store) Followers(ctx context.Context, subject accord.CommentSubject) ([]accord.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM followers f JOIN users u ON u.id = f.user_id
		WHERE f.kind = $1 AND f.subject_id = $2 AND u.deactivated_at IS NULL ORDER BY f.added_at, u.id`, subject.Kind, subject.ID)
	if err != nil {
		return nil, fmt.Errorf("store: followers of %s %d: %w", subject.Kind, subject.ID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("store: followers of %s %d: %w", subject.Kind, subject.ID, err)
	}
	return list, nil
}

// followerMaySeeRequest is accord.MayViewRequest for each follower u of request r
// (p its project): canViewProject for them, or they answer for the holding unit. A
// follower who lost sight of a request (passed on to a unit they do not see) hears
// nothing more of it.
var followerMaySeeRequest = canViewProjectAs("u.id", "u.is_admin") +
	` OR r.key_person_user_id = u.id OR EXISTS (SELECT 1 FROM units h WHERE h.id = r.holder_unit_id AND h.head_user_id = u.id)`

// followerIDs are the active followers of subject who may still see it, inside a
// transaction.
func followerIDs(ctx context.Context, tx pgx.Tx, kind accord.CommentKind, id int64) ([]int64, error) {
	query := `SELECT f.user_id FROM followers f JOIN users u ON u.id = f.user_id
		WHERE f.kind = $1 AND f.subject_id = $2 AND u.deactivated_at IS NULL ORDER BY f.added_at, f.user_id`
	if kind == accord.CommentOnRequest {
		query = `SELECT f.user_id FROM followers f JOIN users u ON u.id = f.user_id
			JOIN requests r ON r.id = f.subject_id JOIN projects p ON p.id = r.project_id
			WHERE f.kind = $1 AND f.subject_id = $2 AND u.deactivated_at IS NULL AND (` + followerMaySeeRequest + `)
			ORDER BY f.added_at, f.user_id`
	}
	rows, err := tx.Query(ctx, query, kind, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Follow makes userID a follower of subject; following twice changes nothing. The
// caller has checked that they may see it and, when addedBy is someone else, that
// addedBy may add followers (accord.MayAddFollower).
func (s *Store) Follow(ctx context.Context, addedBy int64, subject accord.CommentSubject, userID int64, now time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO followers (kind, subject_id, user_id, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, subject.Kind, subject.ID, userID, addedBy, now)
	if err != nil {
		return fmt.Errorf("store: %d follows %s %d: %w", userID, subject.Kind, subject.ID, err)
	}
	return nil
}

// Unfollow stops userID following subject; it reports whether they did follow it.
func (s *Store) Unfollow(ctx context.Context, subject accord.CommentSubject, userID int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM followers WHERE kind = $1 AND subject_id = $2 AND user_id = $3`,
		subject.Kind, subject.ID, userID)
	if err != nil {
		return false, fmt.Errorf("store: %d stops following %s %d: %w", userID, subject.Kind, subject.ID, err)
	}
	return tag.RowsAffected() > 0, nil
}
