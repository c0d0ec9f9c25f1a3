package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// SessionStore keeps scs's sessions in the sessions table, as scs's pgxstore did, with
// the user each names (migration 0046). Finding a session for a request that carries a
// SessionProbe also reads that user's row, viewer stamp and unread count, in the same
// statement: with a kept viewer whose stamp still holds, the request needs no other
// round trip to know who is asking (Store.SessionViewer).
type SessionStore struct {
	store *Store
	// userOf names the signed-in user a session's data holds, 0 for none.
	userOf func(data []byte) int64
}

// Sessions is the session store over this store's database; userOf reads the user
// out of a session's encoded data.
func (s *Store) Sessions(userOf func(data []byte) int64) *SessionStore {
	return &SessionStore{store: s, userOf: userOf}
}

// SessionProbe receives, while scs finds a request's session, what was read of the
// session's user with it. Put one in the request's context first (WithSessionProbe).
type SessionProbe struct {
	// cached: the session may be answered from what this server keeps
	// (sessionCache), not only read.
	cached bool

	user accord.User // the session's user if active; zero for none

	stamp  int64
	unread int
}

type sessionProbeKey struct{}

// WithSessionProbe returns ctx carrying a new, empty probe; cached lets the session be
// answered from what this server keeps of it, which a request that may write must
// not be (sessionCache).
func WithSessionProbe(ctx context.Context, cached bool) (context.Context, *SessionProbe) {
	p := &SessionProbe{cached: cached}
	return context.WithValue(ctx, sessionProbeKey{}, p), p
}

// Stamp is the viewer stamp read with the session's user (0 for none).
func (p *SessionProbe) Stamp() int64 { return p.stamp }

// SessionProbeFrom returns the probe ctx carries, nil for none.
func SessionProbeFrom(ctx context.Context) *SessionProbe {
	p, _ := ctx.Value(sessionProbeKey{}).(*SessionProbe)
	return p
}

// FindCtx implements scs.CtxStore.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	p := SessionProbeFrom(ctx)
	if p == nil {
		var data []byte
		err := ss.store.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`,
			token).Scan(&data)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("store: find session: %w", err)
		}
		return data, true, nil
	}
	// The generation is taken before the read: a notice heard while it runs keeps
	// what it read from being kept.
	e, generation, ok := ss.store.sessionCache.find(token, time.Now())
	if ok && p.cached {
		*p = e.probe
		return slices.Clone(e.data), true, nil
	}
	var (
		data                              []byte
		expiry                            time.Time
		id                                *int64
		email, name, nameEN, locale, zone *string
		admin                             *bool
		deactivated, created              *time.Time
		version                           *int
		stamp                             int64
		unread                            int
	)
	err := ss.store.pool.QueryRow(ctx, `SELECT s.data, s.expiry, `+userColumns+`, COALESCE(k.stamp, 0), `+unreadCount("$2")+`
		FROM sessions s
		LEFT JOIN users u ON u.id = s.user_id AND u.deactivated_at IS NULL
		LEFT JOIN viewer_stamps k ON k.user_id = u.id
		WHERE s.token = $1 AND current_timestamp < s.expiry`, token, accord.UnreadCap).Scan(
		&data, &expiry, &id, &email, &name, &nameEN, &admin, &locale, &zone, &deactivated, &created, &version, &stamp, &unread)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: find session: %w", err)
	}
	if id != nil {
		*p = SessionProbe{cached: p.cached, stamp: stamp, unread: unread, user: accord.User{ID: *id,
			Email: *email, Name: *name, NameEN: *nameEN, IsAdmin: *admin, Locale: *locale, TimeZone: *zone,
			DeactivatedAt: deactivated, CreatedAt: *created, Version: *version}}
		// Only signed-in sessions are kept: they are what a notice names.
		ss.store.sessionCache.keep(token, cachedSession{data: slices.Clone(data), expiry: expiry, probe: *p},
			generation, time.Now())
	}
	return data, true, nil
}

// CommitCtx implements scs.CtxStore.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	// Forgotten here at once, and on every server when the notice of the write comes.
	defer ss.store.sessionCache.forgetToken(token)
	var user *int64
	if id := ss.userOf(data); id != 0 {
		user = &id
	}
	if _, err := ss.store.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
		token, data, expiry, user); err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

// DeleteCtx implements scs.CtxStore.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	defer ss.store.sessionCache.forgetToken(token)
	if _, err := ss.store.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// Find implements scs.Store; scs calls FindCtx instead.
func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit implements scs.Store; scs calls CommitCtx instead.
func (ss *SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, data, expiry)
}

// Delete implements scs.Store; scs calls DeleteCtx instead.
func (ss *SessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}

// SessionViewer is ViewerAt for the user a request's session names, served without a
// statement of its own when probe read that user with the session and the viewer kept
// for them holds under the stamp read.
func (s *Store) SessionViewer(ctx context.Context, probe *SessionProbe, userID int64, now time.Time) (accord.Viewer, error) {
	if probe != nil && probe.user.ID != 0 && probe.user.ID == userID {
		if v, ok := s.viewers.keptFor(probe.user, probe.stamp, probe.unread, now); ok {
			return v, nil
		}
	}
	return s.ViewerAt(ctx, userID, now)
}
