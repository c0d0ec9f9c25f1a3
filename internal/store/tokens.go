package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// tokenPrefixLength is how much of a secret is kept in clear for display.
const tokenPrefixLength = 8

// tokenTouchInterval bounds how often last_used_at is written: a busy client must not
// turn every read into a write.
const tokenTouchInterval = time.Minute

// hashToken is what the table keeps of a secret. The secret is 32 random bytes, so a
// plain SHA-256 is enough: there is nothing to guess that a slow hash would protect.
func hashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// newTokenSecret returns 32 random bytes, base64url without padding.
func newTokenSecret() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("store: token secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

const tokenColumns = `id, user_id, name, prefix, created_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (accord.APIToken, error) {
	var t accord.APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// CreateToken issues a token for an active user and returns it with its secret,
// which is not stored and cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, actorID, userID int64, name string, now time.Time) (accord.APIToken, string, error) {
	name = strings.TrimSpace(name)
	var v accord.Validation
	v.Text("name", name, accord.NameText)
	if err := v.Err(); err != nil {
		return accord.APIToken{}, "", err
	}
	secret, err := newTokenSecret()
	if err != nil {
		return accord.APIToken{}, "", err
	}
	var t accord.APIToken
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		var active bool
		if err := tx.QueryRow(ctx, `SELECT deactivated_at IS NULL FROM users WHERE id = $1`, userID).Scan(&active); err != nil {
			return mapNotFound(err, "user_not_found")
		}
		if !active {
			return accord.Errorf(accord.ECodeInvalid, "user_inactive", nil)
		}
		if t, err = scanToken(tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, hash, prefix, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+tokenColumns,
			userID, name, hashToken(secret), secret[:tokenPrefixLength], now)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, accord.AuditAPIToken, t.ID, accord.AuditCreate, nil,
			map[string]any{"user_id": userID, "name": name, "prefix": t.Prefix})
	})
	if err != nil {
		return accord.APIToken{}, "", fmt.Errorf("store: create token for user %d: %w", userID, err)
	}
	return t, secret, nil
}

// tokenHit finds the live token whose hash is $1 (hit) and notes its use at $2 unless
// noted since $3: a revoked or unknown secret, or one whose user was deactivated,
// finds none.
const tokenHit = `WITH hit AS (
		SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND u.deactivated_at IS NULL),
	touch AS (
		UPDATE api_tokens SET last_used_at = $2
		WHERE id IN (SELECT id FROM hit) AND (last_used_at IS NULL OR last_used_at < $3)) `

// TokenViewer is the user a secret belongs to, as a viewer at now (ViewerAt), noting
// the use. A revoked or unknown secret, or one whose user was deactivated, is
// unauthorized. The user's row, stamp and unread count are read with the token: a
// kept viewer whose stamp holds needs no other statement.
func (s *Store) TokenViewer(ctx context.Context, secret string, now time.Time) (accord.Viewer, error) {
	var (
		stamp  int64
		unread int
	)
	u, err := scanUser(s.pool.QueryRow(ctx, tokenHit+`SELECT `+userColumns+`, COALESCE(k.stamp, 0), `+unreadCount("$4")+`
		FROM hit JOIN users u ON u.id = hit.user_id LEFT JOIN viewer_stamps k ON k.user_id = u.id`,
		hashToken(secret), now, now.Add(-tokenTouchInterval), accord.UnreadCap), &stamp, &unread)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return accord.Viewer{}, accord.Errorf(accord.ECodeUnauthorized, "api_token_invalid", nil)
		}
		return accord.Viewer{}, fmt.Errorf("store: token viewer: %w", err)
	}
	if v, ok := s.viewers.keptFor(u, stamp, unread, now); ok {
		return v, nil
	}
	v, err := s.ViewerAt(ctx, u.ID, now)
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		return accord.Viewer{}, accord.Errorf(accord.ECodeUnauthorized, "api_token_invalid", nil)
	}
	return v, err
}

// Tokens lists a user's tokens, newest first, revoked ones included.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]accord.APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens of user %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.APIToken, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("store: tokens of user %d: %w", userID, err)
	}
	return list, nil
}

// RevokeToken ends one of a user's tokens; revoking it again changes nothing. Another
// user's token is not found.
func (s *Store) RevokeToken(ctx context.Context, actorID, userID, id int64, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3)
			WHERE id = $1 AND user_id = $2 RETURNING `+tokenColumns, id, userID, now))
		if err != nil {
			return mapNotFound(err, "api_token_not_found")
		}
		return audit(ctx, tx, actorID, accord.AuditAPIToken, t.ID, accord.AuditRevoke, nil, map[string]any{"user_id": userID})
	})
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	return nil
}
