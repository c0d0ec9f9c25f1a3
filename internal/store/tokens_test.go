package store_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	owner := w.Person(t, storetest.PersonOpts{})
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	tok, secret, err := w.Store.CreateToken(w.Ctx, owner.ID, owner.ID, "  chat bot  ", now)
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	require.NoError(t, err)
	require.Len(t, raw, 32, "32 random bytes")
	require.Equal(t, owner.ID, tok.UserID)
	require.Equal(t, "chat bot", tok.Name)
	require.Equal(t, secret[:8], tok.Prefix)
	require.True(t, tok.CreatedAt.Equal(now))
	require.Nil(t, tok.LastUsedAt)
	require.Nil(t, tok.RevokedAt)

	// Only the hash is stored.
	var stored []byte
	require.NoError(t, w.Store.Pool().QueryRow(w.Ctx, `SELECT hash FROM api_tokens WHERE id = $1`, tok.ID).Scan(&stored))
	require.Len(t, stored, 32)
	require.NotContains(t, string(stored), secret)

	// The secret finds its user and notes the use, at most once a minute.
	v, err := w.Store.TokenViewer(w.Ctx, secret, now)
	require.NoError(t, err)
	require.Equal(t, owner.ID, v.User.ID)
	read, err := w.Store.ViewerAt(w.Ctx, owner.ID, now)
	require.NoError(t, err)
	require.Equal(t, read, v, "the viewer, as ViewerAt reads them")
	_, err = w.Store.TokenViewer(w.Ctx, secret, now.Add(30*time.Second))
	require.NoError(t, err)
	list, err := w.Store.Tokens(w.Ctx, owner.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.True(t, list[0].LastUsedAt.Equal(now), "a use within the minute is not written")
	_, err = w.Store.TokenViewer(w.Ctx, secret, now.Add(2*time.Minute))
	require.NoError(t, err)
	list, err = w.Store.Tokens(w.Ctx, owner.ID)
	require.NoError(t, err)
	require.True(t, list[0].LastUsedAt.Equal(now.Add(2*time.Minute)))

	// Unknown secrets are unauthorized.
	_, err = w.Store.TokenViewer(w.Ctx, "nope", now)
	require.Equal(t, accord.ECodeUnauthorized, accord.ErrorCodeOf(err))

	// Someone else cannot revoke it; its owner can, and then it stops working.
	other := w.Person(t, storetest.PersonOpts{})
	err = w.Store.RevokeToken(w.Ctx, other.ID, other.ID, tok.ID, now)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
	require.NoError(t, w.Store.RevokeToken(w.Ctx, owner.ID, owner.ID, tok.ID, now.Add(time.Hour)))
	require.NoError(t, w.Store.RevokeToken(w.Ctx, owner.ID, owner.ID, tok.ID, now.Add(2*time.Hour)), "revoking twice is harmless")
	_, err = w.Store.TokenViewer(w.Ctx, secret, now)
	require.Equal(t, accord.ECodeUnauthorized, accord.ErrorCodeOf(err))
	list, err = w.Store.Tokens(w.Ctx, owner.ID)
	require.NoError(t, err)
	require.True(t, list[0].RevokedAt.Equal(now.Add(time.Hour)))

	// A deactivated user's tokens stop working, and they get no new ones.
	_, secret, err = w.Store.CreateToken(w.Ctx, owner.ID, owner.ID, "", now)
	require.NoError(t, err)
	fresh, err := w.Store.User(w.Ctx, owner.ID)
	require.NoError(t, err)
	require.NoError(t, w.Store.DeactivateUser(w.Ctx, 0, owner.ID, fresh.Version))
	_, err = w.Store.TokenViewer(w.Ctx, secret, now)
	require.Equal(t, accord.ECodeUnauthorized, accord.ErrorCodeOf(err))
	_, _, err = w.Store.CreateToken(w.Ctx, owner.ID, owner.ID, "", now)
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))

	_, _, err = w.Store.CreateToken(w.Ctx, other.ID, other.ID, strings.Repeat("名", 200), now)
	require.Equal(t, map[string]string{"name": "field_too_long"}, accord.FieldErrors(err))
	// The name is text like any other (accord.TextProblem): NUL would fail the insert.
	_, _, err = w.Store.CreateToken(w.Ctx, other.ID, other.ID, "a\x00b", now)
	require.Equal(t, map[string]string{"name": "field_bad_characters"}, accord.FieldErrors(err))
}
