package journeys_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/pgtest"
	"accord/internal/server"
	"accord/internal/store"
	"accord/web/i18n"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// app is Accord serving one journey on its own demo database. Its clock can be moved
// forward; the store prepares what a journey does not play in the browser.
type app struct {
	t     *testing.T
	st    *store.Store
	url   string
	clock atomic.Pointer[time.Time]
	logs  *lockedBuffer
}

func newApp(t *testing.T) *app {
	t.Helper()
	return newAppOn(t, pgtest.Demo())
}

// newAppOn is newApp on a database cloned from tpl.
func newAppOn(t *testing.T, tpl pgtest.Template) *app {
	t.Helper()
	pool := pgtest.NewPool(t, tpl)
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	bundle.AddContent(demo.English()) // as `accord dev` serves the demo: its texts in English too
	a := &app{t: t, st: store.New(pool), logs: &lockedBuffer{}}
	now := time.Now()
	a.clock.Store(&now)
	logger := slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := server.New(a.st, bundle, logger, server.Options{PasswordParams: pgtest.CheapPasswords(), Now: a.now})
	srv := httptest.NewServer(s.Handler())
	a.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		s.Close()
		if t.Failed() && a.logs.Len() > 0 {
			t.Logf("server log (warnings and errors):\n%s", a.logs.String())
		}
	})
	return a
}

// now is the server's clock.
func (a *app) now() time.Time { return *a.clock.Load() }

// setNow moves the server's clock.
func (a *app) setNow(at time.Time) { a.clock.Store(&at) }

func (a *app) user(email string) accord.User {
	a.t.Helper()
	u, err := a.st.UserByEmail(context.Background(), email)
	require.NoError(a.t, err, "demo user %s", email)
	return u
}

func (a *app) viewer(email string) accord.Viewer {
	a.t.Helper()
	v, err := a.st.Viewer(context.Background(), a.user(email).ID)
	require.NoError(a.t, err)
	return v
}

// units returns the organisation's units by English name.
func (a *app) units() map[string]accord.Unit {
	a.t.Helper()
	list, err := a.st.Units(context.Background())
	require.NoError(a.t, err)
	out := map[string]accord.Unit{}
	for _, u := range list {
		out[u.NameEN] = u
	}
	return out
}

// project returns a project by English name, as an administrator sees it.
func (a *app) project(nameEN string) accord.Project {
	a.t.Helper()
	list, _, err := a.st.Projects(context.Background(), a.viewer("admin@accord.demo"), store.ProjectFilter{Limit: 100})
	require.NoError(a.t, err)
	for _, p := range list {
		if p.NameEN == nameEN {
			return p
		}
	}
	a.t.Fatalf("no project %q", nameEN)
	return accord.Project{}
}

// requests returns a project's requests by the holding unit's English name; when a
// unit holds several, the newest wins.
func (a *app) requests(projectID int64) map[string]accord.Request {
	a.t.Helper()
	list, err := a.st.ProjectRequests(context.Background(), projectID)
	require.NoError(a.t, err)
	out := map[string]accord.Request{}
	for _, r := range list {
		if cur, ok := out[r.HolderNameEN]; !ok || r.ID > cur.ID {
			out[r.HolderNameEN] = r
		}
	}
	return out
}

func (a *app) request(id int64) accord.Request {
	a.t.Helper()
	r, err := a.st.Request(context.Background(), id)
	require.NoError(a.t, err)
	return r
}

// sendAll sends every need of a demo project as its lead would, at the server's
// clock, and returns the requests by holder.
func (a *app) sendAll(projectEN, message string) map[string]accord.Request {
	a.t.Helper()
	ctx := context.Background()
	p := a.project(projectEN)
	needs, err := a.st.Needs(ctx, p.ID)
	require.NoError(a.t, err)
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	_, err = a.st.SendNeeds(ctx, p.LeadUserID, p.ID, ids, message, a.now())
	require.NoError(a.t, err)
	return a.requests(p.ID)
}

// agree answers a request as the holding unit's head, through the store.
func (a *app) agree(r accord.Request, headEmail string) {
	a.t.Helper()
	_, err := a.st.ActOnRequest(context.Background(), a.viewer(headEmail), r.ID, r.Version, accord.ActionAgree, accord.RequestInput{}, a.now())
	require.NoError(a.t, err)
}

// lockedBuffer collects the server's log for a failure report.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
