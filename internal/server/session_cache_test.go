package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestKeptSessionsServeTheFloorWithoutAStatement: with the server listening for
// changes to signed-in people, as `accord serve` does, a page read again costs no
// statement for the session; a request that writes, and the same browser's requests
// for a few seconds after (accord_wrote), read it afresh; a notification raised
// elsewhere reaches the badge on the next page once its notice came.
func TestKeptSessionsServeTheFloorWithoutAStatement(t *testing.T) {
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	done.Go(func() {
		b.st.ListenForViewerChanges(ctx, func(ctx context.Context) (*pgx.Conn, error) {
			c, err := b.st.Pool().Acquire(ctx)
			if err != nil {
				return nil, err
			}
			return c.Hijack(), nil
		}, slog.New(slog.DiscardHandler))
	})
	t.Cleanup(func() { cancel(); done.Wait() })

	signedIn := b.login(t, "it@accord.demo")
	base, err := url.Parse(b.srv.URL)
	require.NoError(t, err)
	wrote := func(resp response) bool {
		for _, c := range resp.Cookies() {
			if c.Name == "accord_wrote" {
				require.Equal(t, 5, c.MaxAge)
				require.True(t, c.HttpOnly)
				return true
			}
		}
		return false
	}
	// A browser holding only the session, as it does a few seconds after its last write.
	browser := b.client(t)
	for _, c := range signedIn.http.Jar.Cookies(base) {
		if c.Name != "accord_wrote" {
			browser.http.Jar.SetCookies(base, []*http.Cookie{c})
		}
	}
	floor := func(c *client) (int64, string) {
		var page response
		n := b.countQueries(func() { page = c.get("/settings/away") })
		require.Equal(t, http.StatusOK, page.StatusCode)
		require.False(t, wrote(page), "reading a page writes nothing")
		return n, page.text("unread-count")
	}
	require.Eventually(t, func() bool { n, _ := floor(browser); return n == 0 }, 15*time.Second, 5*time.Millisecond,
		"the floor is served from the kept session and viewer")
	withCookie, _ := floor(signedIn)
	require.Equal(t, int64(1), withCookie, "a browser that just wrote has its session read afresh")

	_, none := floor(browser)
	_, err = b.st.Pool().Exec(context.Background(), `UPDATE notifications SET read_at = now()
		WHERE user_id = (SELECT id FROM users WHERE email = 'it@accord.demo')`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, badge := floor(browser); return badge == "" }, 15*time.Second, 5*time.Millisecond,
		"all read in SQL: the badge goes once the notice came (it showed %q)", none)
	var id int64
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `INSERT INTO notifications (user_id, kind, data)
		SELECT id, 'nudge', '{}' FROM users WHERE email = 'it@accord.demo' RETURNING id`).Scan(&id))
	require.Eventually(t, func() bool { _, badge := floor(browser); return badge == "1" }, 15*time.Second, 5*time.Millisecond,
		"a notification raised elsewhere reaches the badge")

	opened := browser.get("/notifications/" + itoa64(id) + "/open")
	require.Equal(t, http.StatusSeeOther, opened.StatusCode)
	require.True(t, wrote(opened), "opening a notification marks it read: a write")
	n, after := floor(browser)
	require.Equal(t, int64(1), n, "read afresh right after its own write")
	require.Empty(t, after, "the badge counts one fewer at once")

	posted := browser.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	require.Equal(t, http.StatusSeeOther, posted.StatusCode)
	require.True(t, wrote(posted), "a form post may write")
}
