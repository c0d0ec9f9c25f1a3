package store_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// listen runs st's listener for viewer changes until the test ends (or stop is
// called), on a connection of its own taken from st's pool, and waits until it serves.
func listen(t *testing.T, st *store.Store) (stop func()) {
	t.Helper()
	stop = listenVia(t, st, func(ctx context.Context) (*pgx.Conn, error) {
		c, err := st.Pool().Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return c.Hijack(), nil
	})
	require.Eventually(t, st.KeepsSessions, 15*time.Second, 5*time.Millisecond, "the listener never started")
	return stop
}

// listenVia runs st's listener on the connections connect gives until the test ends
// (or stop is called).
func listenVia(t *testing.T, st *store.Store, connect func(context.Context) (*pgx.Conn, error)) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	done.Go(func() { st.ListenForViewerChanges(ctx, connect, slog.New(slog.DiscardHandler)) })
	stop = func() { cancel(); done.Wait() }
	t.Cleanup(stop)
	return stop
}

// sessionSeen is what finding a session gave: found or not, its data and what was
// read of its user.
type sessionSeen struct {
	found  bool
	data   string
	user   accord.User
	stamp  int64
	unread int
}

// findSession finds token through st as a page does; cached lets st answer from what
// it keeps. An error comes back as is (an offline context fails any read).
func findSession(ctx context.Context, st *store.Store, token string, cached bool) (sessionSeen, error) {
	pctx, probe := store.WithSessionProbe(ctx, cached)
	data, found, err := st.Sessions(userOfText).FindCtx(pctx, token)
	if err != nil {
		return sessionSeen{}, err
	}
	u, stamp, unread := probe.Seen()
	return sessionSeen{found: found, data: string(data), user: u, stamp: stamp, unread: unread}, nil
}

// userOfText reads the test's sessions, which hold their user's id as text, then
// anything else after a space.
func userOfText(data []byte) int64 {
	id, _, _ := strings.Cut(string(data), " ")
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

// TestKeptSessionsFollowEveryChangeAcrossServers: two servers over one database, each
// keeping the sessions it has found. After every kind of write that changes what
// finding a session reads (its data, sign-out, the user's row, a membership, a new
// notification, reading them, deactivation), made on one server or straight in SQL,
// the other stops answering from what it kept within moments, then answers exactly
// what the database holds, and keeps that again. A store whose listener stopped keeps
// nothing.
func TestKeptSessionsFollowEveryChangeAcrossServers(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, here := w.Ctx, w.Store
	there := store.New(here.Pool())
	listen(t, here)
	stopThere := listen(t, there)
	afresh := store.New(here.Pool()) // never listens: reads every time
	offline, cancel := context.WithCancel(ctx)
	cancel()

	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	unit := w.Unit(t, storetest.UnitOpts{Name: "信息部", NameEN: "IT"})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{unit}})
	now := time.Now()
	sessionsHere := here.Sessions(userOfText)
	require.NoError(t, sessionsHere.CommitCtx(ctx, "dev", []byte(strconv.FormatInt(dev.ID, 10)), now.Add(time.Hour)))
	require.NoError(t, sessionsHere.CommitCtx(ctx, "dev-phone", []byte(strconv.FormatInt(dev.ID, 10)), now.Add(time.Hour)))
	require.NoError(t, sessionsHere.CommitCtx(ctx, "admin", []byte(strconv.FormatInt(admin.ID, 10)), now.Add(time.Hour)))
	require.NoError(t, sessionsHere.CommitCtx(ctx, "nobody", []byte("signed out"), now.Add(time.Hour)))

	// requireCurrent: there, once it stopped answering token from what it kept (at
	// most moments after the write; notices come when they come, so this waits),
	// finds exactly what the database holds, and keeps it: a find then asks nothing.
	// A session naming nobody active is never kept.
	requireCurrent := func(token, step string) sessionSeen {
		t.Helper()
		var truth sessionSeen
		require.Eventually(t, func() bool {
			var err error
			truth, err = findSession(ctx, afresh, token, true)
			require.NoError(t, err)
			kept, err := findSession(offline, there, token, true)
			if err == nil {
				return kept == truth // kept and current (a stale one waits for its notice)
			}
			read, err := findSession(ctx, there, token, true) // nothing kept: read, and keep
			require.NoError(t, err, step)
			require.Equal(t, truth, read, "%s: %s read afresh", step, token)
			return truth.user.ID == 0
		}, 15*time.Second, 2*time.Millisecond, "%s: %s never caught up", step, token)
		if truth.user.ID == 0 {
			_, err := findSession(offline, there, token, true)
			require.Error(t, err, "%s: %s names nobody active: it is never kept", step, token)
		}
		return truth
	}
	for _, token := range []string{"dev", "dev-phone", "admin", "nobody"} {
		requireCurrent(token, "first find")
	}
	_, err := findSession(offline, there, "dev", false)
	require.Error(t, err, "a request that may write reads the session afresh")
	_, err = findSession(offline, afresh, "dev", true)
	require.Error(t, err, "a store whose listener never ran keeps nothing")

	steps := []struct {
		name  string
		token string // the session whose finding the write changes
		write func() error
	}{
		{"a notification for dev", "dev", func() error {
			_, err := here.Pool().Exec(ctx, `INSERT INTO notifications (user_id, kind, data) VALUES ($1, 'nudge', '{}')`, dev.ID)
			return err
		}},
		{"notifications truncated", "dev", func() error {
			_, err := here.Pool().Exec(ctx, `TRUNCATE notifications CASCADE`)
			return err
		}},
		{"another notification for dev", "dev", func() error {
			_, err := here.Pool().Exec(ctx, `INSERT INTO notifications (user_id, kind, data) VALUES ($1, 'nudge', '{}')`, dev.ID)
			return err
		}},
		{"dev reads them", "dev", func() error { return here.MarkNotificationsRead(ctx, dev.ID, 0, time.Now()) }},
		{"dev picks English", "dev", func() error { return here.SetUserLocale(ctx, dev.ID, "en") }},
		{"renamed in SQL", "dev", func() error {
			_, err := here.Pool().Exec(ctx, `UPDATE users SET name = '新名字' WHERE id = $1`, dev.ID)
			return err
		}},
		{"dev joins the root", "dev", func() error { return here.AddMembership(ctx, admin.ID, dev.ID, w.Root(t).ID) }},
		{"dev's session changes", "dev", func() error {
			return sessionsHere.CommitCtx(ctx, "dev", []byte(strconv.FormatInt(dev.ID, 10)+" with a flash"), now.Add(2*time.Hour))
		}},
		{"dev signs out on the phone", "dev-phone", func() error { return sessionsHere.DeleteCtx(ctx, "dev-phone") }},
		{"dev deactivated", "dev", func() error {
			u, err := here.User(ctx, dev.ID)
			if err != nil {
				return err
			}
			return here.DeactivateUser(ctx, admin.ID, dev.ID, u.Version)
		}},
	}
	for _, step := range steps {
		before := requireCurrent(step.token, "before "+step.name) // kept, and current
		require.NoError(t, step.write(), step.name)
		for _, token := range []string{"dev", "dev-phone", "admin", "nobody"} {
			after := requireCurrent(token, step.name)
			if token == step.token {
				require.NotEqual(t, before, after, "%s changed what finding %s reads", step.name, token)
			}
		}
	}
	gone, err := findSession(ctx, there, "dev-phone", true)
	require.NoError(t, err)
	require.False(t, gone.found, "signed out on the phone")
	deactivated, err := findSession(ctx, there, "dev", true)
	require.NoError(t, err)
	require.Zero(t, deactivated.user.ID, "a deactivated person's session names nobody")

	// A server listening where the writes' notices never arrive (another database here;
	// PgBouncer in transaction mode alike) never hears its echo back: it keeps nothing.
	elsewhere := store.New(here.Pool())
	otherDB := pgtest.NewDB(t, pgtest.Empty())
	listenVia(t, elsewhere, func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, otherDB) })
	require.Never(t, elsewhere.KeepsSessions, 4*time.Second, 20*time.Millisecond,
		"its echo never comes back, so it never serves")
	_, err = findSession(ctx, elsewhere, "admin", true)
	require.NoError(t, err)
	_, err = findSession(offline, elsewhere, "admin", true)
	require.Error(t, err, "nothing kept")

	// A server that stops listening stops answering from memory at once.
	requireCurrent("admin", "before the listener stops")
	stopThere()
	require.False(t, there.KeepsSessions())
	_, err = findSession(offline, there, "admin", true)
	require.Error(t, err, "its listener stopped: nothing is answered from memory")
}

// TestAStatementConcerningManyPeopleNamesThemAll: a write moving the stamps of 1,200
// people names each of them, in notices of at most 200 (a payload holds under 8,000
// bytes), every one delivered.
func TestAStatementConcerningManyPeopleNamesThemAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	c, err := pool.Acquire(ctx)
	require.NoError(t, err)
	conn := c.Hijack()
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "LISTEN accord_viewers")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO viewer_stamps (user_id, stamp) SELECT g, 1 FROM generate_series(1, 1200) g`)
	require.NoError(t, err)
	named := map[string]bool{}
	notices := 0
	for len(named) < 1200 {
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		n, err := conn.WaitForNotification(wait)
		cancel()
		require.NoError(t, err, "%d people named in %d notices", len(named), notices)
		notices++
		ids := strings.Split(n.Payload, ",")
		require.LessOrEqual(t, len(ids), 200)
		for _, id := range ids {
			named[id] = true
		}
	}
	require.Equal(t, 6, notices)
	require.True(t, named["1"] && named["1200"])
}
