package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// sessionCache keeps, per session token, what finding a signed-in session read: its
// data and expiry, and its user's row, viewer stamp and unread count (the probe).
// With it and the kept viewer (viewerCache), the signed-in floor asks the database
// nothing at all.
//
// It is exact across servers through PostgreSQL's LISTEN/NOTIFY: every write to a
// session, a viewer stamp (which every change to a user row moves) or a notification
// names its people on the channel accord_viewers when it commits (migration 0055),
// and ListenForViewerChanges forgets their sessions as each notice arrives. Every
// second the listener also sends itself an echo through the store's pool, the way
// every write goes; notices come in commit order, so when the echo comes back every
// write committed before it was sent has been heard. The cache serves only while the
// last echo back was sent within listenerGrace: a listener that lags, lost its
// connection, or listens where the writes' notices never arrive (through PgBouncer)
// stops it, and losing the connection empties it. A read is kept only if no notice
// came while it ran, so a read that began before a write cannot outlive the write's
// notice. What is left is the moment between a write's commit and its notice
// reaching another server, under a millisecond while the listener keeps up and never
// more than listenerGrace; requests that write never use the cache
// (pages.probeSessionViewer), nor a browser's requests for a few seconds after it
// wrote, longer than that grace, so a person sees their own writes on any server.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cachedSession
	byUser  map[int64]map[string]struct{}
	limit   int
	// generation moves with every notice and every loss or gain of the listener.
	generation uint64
	listening  bool
	// heard is when the last echo that came back was sent: every write committed
	// before it has been heard. Zero until the first comes back.
	heard time.Time
}

type cachedSession struct {
	data   []byte
	expiry time.Time
	probe  SessionProbe
}

const (
	// sessionCacheLimit bounds the sessions kept, a few hundred bytes each.
	sessionCacheLimit = 20000
	// listenerEcho is how often the listener sends itself an echo; listenerGrace how
	// long after sending the last echo that came back the cache still serves (less
	// than the pages' wroteCookieAge); listenerLost how long an echo may take before
	// the connection is given up.
	listenerEcho  = time.Second
	listenerGrace = 3 * time.Second
	listenerLost  = 5 * time.Second
	// viewerChannel is the channel migration 0055's triggers notify; a payload
	// starting with echoMark is some server's echo.
	viewerChannel = "accord_viewers"
	echoMark      = "~"
	// sessionExpiryMargin: a kept session is given up this long before it expires,
	// so the server's clock running behind the database's cannot stretch it.
	sessionExpiryMargin = time.Minute
)

func newSessionCache(limit int) *sessionCache {
	return &sessionCache{entries: map[string]cachedSession{}, byUser: map[int64]map[string]struct{}{}, limit: limit}
}

// serving reports whether the cache may answer at now: its listener is connected and
// an echo sent lately came back. Called with mu held.
func (c *sessionCache) serving(now time.Time) bool {
	return c.listening && !c.heard.IsZero() && now.Sub(c.heard) < listenerGrace
}

// find returns the session kept for token, if the cache serves and it has not
// expired, with the generation to hand to keep if it has to be read instead.
func (c *sessionCache) find(token string, now time.Time) (cachedSession, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[token]
	if !ok || !c.serving(now) || !now.Before(e.expiry.Add(-sessionExpiryMargin)) {
		return cachedSession{}, c.generation, false
	}
	return e, c.generation, true
}

// keep stores what was read for token, unless the generation moved since the read
// began (a notice may concern it) or the cache does not serve.
func (c *sessionCache) keep(token string, e cachedSession, generation uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation != c.generation || !c.serving(now) {
		return
	}
	if _, ok := c.entries[token]; !ok && len(c.entries) >= c.limit {
		for other := range c.entries { // an arbitrary one: map order
			c.drop(other)
			break
		}
	}
	c.drop(token)
	c.entries[token] = e
	tokens := c.byUser[e.probe.user.ID]
	if tokens == nil {
		tokens = map[string]struct{}{}
		c.byUser[e.probe.user.ID] = tokens
	}
	tokens[token] = struct{}{}
}

// drop forgets token. Called with mu held.
func (c *sessionCache) drop(token string) {
	e, ok := c.entries[token]
	if !ok {
		return
	}
	delete(c.entries, token)
	if tokens := c.byUser[e.probe.user.ID]; tokens != nil {
		delete(tokens, token)
		if len(tokens) == 0 {
			delete(c.byUser, e.probe.user.ID)
		}
	}
}

// forgetToken forgets one session: this server wrote it.
func (c *sessionCache) forgetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.drop(token)
}

// heardNotice forgets the sessions of the people a notice names ("*": everyone's).
func (c *sessionCache) heardNotice(payload string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	if payload == "*" {
		c.clear()
		return
	}
	for field := range strings.SplitSeq(payload, ",") {
		id, err := strconv.ParseInt(field, 10, 64)
		if err != nil { // not ours to read: forget everyone rather than guess
			c.clear()
			return
		}
		for token := range c.byUser[id] {
			c.drop(token)
		}
	}
}

// heardEcho notes that an echo sent at sent came back.
func (c *sessionCache) heardEcho(sent time.Time) {
	c.mu.Lock()
	c.heard = sent
	c.mu.Unlock()
}

// listen starts (true) or stops the listening, the cache empty either way; it serves
// once the first echo comes back.
func (c *sessionCache) listen(listening bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.listening, c.heard = listening, time.Time{}
	c.clear()
}

// clear forgets every session. Called with mu held.
func (c *sessionCache) clear() {
	clear(c.entries)
	clear(c.byUser)
}

// ListenForViewerChanges lets this store keep signed-in sessions (sessionCache) for as
// long as ctx lives: it LISTENs on a connection of its own from connect, which it must
// not share, forgets the sessions each notice names, sends itself an echo through the
// store's pool every listenerEcho, and connects again after a failure (backing off up
// to a minute), the cache empty and unused until its first echo comes back. It
// returns when ctx ends. A store whose listener never ran keeps no sessions.
func (s *Store) ListenForViewerChanges(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), logger *slog.Logger) {
	defer s.sessionCache.listen(false)
	delay := listenerEcho
	for ctx.Err() == nil {
		began := time.Now()
		err := s.listenOnce(ctx, connect)
		s.sessionCache.listen(false)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > time.Minute {
			delay = listenerEcho // it had been working: try again soon
		}
		logger.Warn("listening for changes to signed-in people failed; sessions are read afresh until it resumes",
			"err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Minute)
	}
}

// listenOnce listens on one connection until it fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, connect func(context.Context) (*pgx.Conn, error)) error {
	conn, err := connect(ctx)
	if err != nil {
		return fmt.Errorf("store: connect to listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+viewerChannel); err != nil {
		return fmt.Errorf("store: listen on %s: %w", viewerChannel, err)
	}
	// Listening from here on: whatever was kept before may have missed a notice.
	s.sessionCache.listen(true)
	var (
		echoes  int
		pending string    // the echo awaited, "" for none
		sent    time.Time // when it (or the last one) was sent
	)
	for {
		if pending == "" && time.Since(sent) >= listenerEcho {
			echoes++
			pending = fmt.Sprintf("%s%d.%d", echoMark, conn.PgConn().PID(), echoes)
			sent = time.Now() // before it commits: every write committed before is heard first
			if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, viewerChannel, pending); err != nil {
				return fmt.Errorf("store: send the listener an echo: %w", err)
			}
		}
		if pending != "" && time.Since(sent) > listenerLost {
			return fmt.Errorf("store: no echo on %s within %s: notices do not reach this connection "+
				"(through PgBouncer? set ACCORD_DIRECT_DATABASE_URL)", viewerChannel, listenerLost)
		}
		wait, cancel := context.WithTimeout(ctx, listenerEcho)
		notice, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil && notice.Payload == pending:
			s.sessionCache.heardEcho(sent)
			pending = ""
		case err == nil && strings.HasPrefix(notice.Payload, echoMark): // another server's
		case err == nil:
			s.sessionCache.heardNotice(notice.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("store: wait for notices: %w", err)
		}
	}
}
