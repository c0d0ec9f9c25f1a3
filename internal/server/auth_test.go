package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/password"
	"accord/internal/pgtest"
	"accord/internal/server"
)

func TestLoginShowsNameAndUnit(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	home := c.get("/")
	require.Equal(t, http.StatusOK, home.StatusCode)
	require.Equal(t, "Zhang Wei", home.text("viewer-name"))
	require.Equal(t, "After-sales", home.text("viewer-unit"))
	require.Contains(t, home.text("my-projects"), "Smart service upgrade")

	c.lang = "zh-CN"
	home = c.get("/")
	require.Equal(t, "张伟", home.text("viewer-name"))
	require.Equal(t, "售后服务部", home.text("viewer-unit"))
}

func TestSignedOutVisitorsAreSentToLogin(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	resp := c.get("/org?x=1")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login?next="+url.QueryEscape("/org?x=1"), resp.Header.Get("Location"))

	// After signing in, the user lands where they were going.
	resp = c.post("/login", url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}, "next": {"/org?x=1"}})
	require.Equal(t, "/org?x=1", resp.Header.Get("Location"))

	// An off-site next is ignored.
	c2 := b.client(t)
	resp = c2.post("/login", url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}, "next": {"//evil.example/"}})
	require.Equal(t, "/", resp.Header.Get("Location"))
}

func TestWrongPasswordKeepsEmailAndSaysWhy(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	for _, email := range []string{"it@accord.demo", "nobody@accord.demo"} {
		resp := c.post("/login", url.Values{"email": {email}, "password": {"wrong password"}})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		require.Equal(t, "That email and password do not match. Check both and try again.", resp.text("login-error"))
		val, _ := resp.doc.Find("#email").Attr("value")
		require.Equal(t, email, val)
	}
}

func TestSessionRenewedAtLoginAndDestroyedAtLogout(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	c.get("/login")
	before := sessionCookie(c, b)
	c = b.login(t, "it@accord.demo")
	after := sessionCookie(c, b)
	require.NotEmpty(t, after)
	require.NotEqual(t, before, after)

	resp := c.post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, http.StatusSeeOther, c.get("/").StatusCode, "signed out: home redirects to login")

	// The old cookie no longer opens a session either.
	replay := b.client(t)
	u, _ := url.Parse(b.srv.URL)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: "accord_session", Value: after}})
	require.Equal(t, http.StatusSeeOther, replay.get("/").StatusCode)
}

func sessionCookie(c *client, b *testBundle) string {
	u, _ := url.Parse(b.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "accord_session" {
			return ck.Value
		}
	}
	return ""
}

func TestLoginThrottling(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	bad := url.Values{"email": {"it@accord.demo"}, "password": {"nope-nope-nope"}}
	for i := 0; i < 5; i++ {
		require.Equal(t, http.StatusUnauthorized, c.post("/login", bad).StatusCode, "attempt %d", i+1)
	}
	// Now even the right password waits, with a message saying how long.
	good := url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}}
	resp := c.post("/login", good)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "30", resp.Header.Get("Retry-After"))
	require.Contains(t, resp.text("login-error"), "Wait 30 seconds")

	// Other accounts are not locked out by it.
	require.Equal(t, http.StatusSeeOther, b.client(t).post("/login",
		url.Values{"email": {"data@accord.demo"}, "password": {demo.Password}}).StatusCode)

	*b.now = b.now.Add(31 * time.Second)
	require.Equal(t, http.StatusSeeOther, c.post("/login", good).StatusCode)
}

// TestOneAddressCannotLockEveryoneOut: behind a load balancer everyone shares an
// address. A script failing 100 times with made-up emails from it stops nobody who
// has not failed; a correct sign-in clears its account's failures; and a client that
// is not a trusted proxy cannot choose its address with X-Forwarded-For.
func TestOneAddressCannotLockEveryoneOut(t *testing.T) {
	b := setup(t)
	// A typo or two, then the right password: the success forgets the typos.
	typist := b.client(t)
	for i := 0; i < 4; i++ {
		typist.post("/login", url.Values{"email": {"data@accord.demo"}, "password": {"typo-typo-typo"}})
	}
	require.Equal(t, http.StatusSeeOther, typist.post("/login",
		url.Values{"email": {"data@accord.demo"}, "password": {demo.Password}}).StatusCode)
	for i := 0; i < 4; i++ {
		require.Equal(t, http.StatusUnauthorized, typist.post("/login",
			url.Values{"email": {"data@accord.demo"}, "password": {"typo-typo-typo"}}).StatusCode, "counted afresh")
	}

	// No proxy is trusted here: a spoofed X-Forwarded-For changes nothing, so five
	// guesses "from five addresses" are five from this one.
	liar := b.client(t)
	for i := 0; i < 5; i++ {
		liar.forwardedFor = fmt.Sprintf("198.51.100.%d", i+1)
		require.Equal(t, http.StatusUnauthorized, liar.post("/login",
			url.Values{"email": {"legal@accord.demo"}, "password": {"guess-guess-guess"}}).StatusCode)
	}
	require.Equal(t, http.StatusTooManyRequests, liar.post("/login",
		url.Values{"email": {"legal@accord.demo"}, "password": {demo.Password}}).StatusCode)

	script := b.client(t)
	for i := 0; i < 100; i++ {
		resp := script.post("/login", url.Values{"email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"guess-guess-guess"}})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "attempt %d", i+1)
	}
	require.Equal(t, http.StatusSeeOther, b.client(t).post("/login",
		url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}}).StatusCode,
		"a person who never failed signs in from the shared address")
}

// TestTrustedProxyNamesTheClient: behind a trusted balancer, each client's own
// address counts, so one client's guesses do not slow another's sign-in to the same
// account below the account's own limit.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(o *server.Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	})
	guesser := b.client(t)
	guesser.forwardedFor = "203.0.113.66"
	for i := 0; i < 5; i++ {
		guesser.post("/login", url.Values{"email": {"legal@accord.demo"}, "password": {"guess-guess-guess"}})
	}
	require.Equal(t, http.StatusTooManyRequests, guesser.post("/login",
		url.Values{"email": {"legal@accord.demo"}, "password": {demo.Password}}).StatusCode, "the guesser waits")
	owner := b.client(t)
	owner.forwardedFor = "198.51.100.7"
	require.Equal(t, http.StatusSeeOther, owner.post("/login",
		url.Values{"email": {"legal@accord.demo"}, "password": {demo.Password}}).StatusCode,
		"the account's owner, elsewhere, signs in")
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	for _, path := range []string{"/", "/login", "/org", "/no-such-page", "/static/accord.css", "/healthz"} {
		resp := c.get(path)
		csp := resp.Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'", path)
		require.NotContains(t, csp, "unsafe-inline", path)
		require.Contains(t, csp, "frame-ancestors 'none'", path)
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "same-origin", resp.Header.Get("Referrer-Policy"), path)
	}
	// No inline script anywhere in a page.
	home := c.get("/")
	home.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, ok := s.Attr("src")
		require.True(t, ok && strings.HasPrefix(src, "/static/"), "inline or foreign script")
	})
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	for _, path := range []string{"/logout", "/lang", "/login"} {
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader("lang=en"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp := c.do(req)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, path)
		require.Equal(t, "Request refused", strings.TrimSpace(resp.doc.Find("h1").Text()))
	}
	// Still signed in: the forged logout did nothing.
	require.Equal(t, http.StatusOK, c.get("/").StatusCode)
}

func TestLanguageSwitch(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	c.lang = "en"
	require.Equal(t, "Huang Lei", c.get("/").text("viewer-name"))
	resp := c.post("/lang", url.Values{"lang": {"zh"}, "next": {"/org"}})
	require.Equal(t, "/org", resp.Header.Get("Location"))
	// The user's choice beats the browser's Accept-Language, and it is saved on the user.
	home := c.get("/")
	require.Equal(t, "黄磊", home.text("viewer-name"))
	require.Equal(t, "zh-Hans", home.doc.Find("html").AttrOr("lang", ""))
	fresh := b.login(t, "it@accord.demo")
	require.Equal(t, "黄磊", fresh.get("/").text("viewer-name"))

	// Signed out, the choice lives in a cookie.
	anon := b.client(t)
	anon.post("/lang", url.Values{"lang": {"zh"}, "next": {"/login"}})
	require.Equal(t, "登录", strings.TrimSpace(anon.get("/login").doc.Find("h1").Text()))
}

func TestErrorPagesAreFriendly(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	resp := c.get("/no-such-page")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, "Page not found", strings.TrimSpace(resp.doc.Find("h1").Text()))
	require.Equal(t, "Huang Lei", resp.text("viewer-name"), "the layout still knows who is signed in")

	// Admin pages do not exist for non-admins.
	require.Equal(t, http.StatusNotFound, c.get("/admin/units").StatusCode)
}

func TestHealthAndReadiness(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	require.Equal(t, http.StatusOK, c.get("/healthz").StatusCode)
	ready := c.get("/readyz")
	require.Equal(t, http.StatusOK, ready.StatusCode)
	require.Contains(t, ready.body, `"status":"ready"`)
	require.Contains(t, b.metrics(t), `accord_http_requests_total{method="GET",route="/readyz",status="200"} 1`)
	require.Equal(t, http.StatusNotFound, c.get("/metrics").StatusCode, "not on the public port by default")
}

// TestMetricsOnThePublicPortNeedTheToken: with ACCORD_METRICS_TOKEN, /metrics answers
// on the public port only to requests bearing it.
func TestMetricsOnThePublicPortNeedTheToken(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(o *server.Options) { o.MetricsToken = "metrics-token-0123456789" })
	get := func(auth string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, b.srv.URL+"/metrics", nil)
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	require.Equal(t, http.StatusUnauthorized, get("").StatusCode)
	require.Equal(t, http.StatusUnauthorized, get("Bearer wrong").StatusCode)
	require.Equal(t, http.StatusUnauthorized, get("Bearer metrics-token-012345678").StatusCode)
	require.Equal(t, http.StatusOK, get("Bearer metrics-token-0123456789").StatusCode)
}

func TestHomeMakesFixedQueries(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	n := b.countQueries(func() { require.Equal(t, http.StatusOK, c.get("/").StatusCode) })
	// Session load and viewer, the epochs the page is kept by, projects led (session
	// save is skipped when unchanged), the agenda; the epochs and the agenda each with
	// the setting sent in its round trip for its generic plan; the first request after
	// signing in also reads the viewer whole (store/viewer_cache.go keeps it after).
	require.LessOrEqual(t, n, int64(7))
	require.GreaterOrEqual(t, n, int64(3), "the counter sees queries")
}

func TestOversizedFormIs413(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	resp := c.post("/login", url.Values{"email": {strings.Repeat("a", 2<<20)}, "password": {"x"}})
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Equal(t, "That was too much at once", strings.TrimSpace(resp.doc.Find("h1").Text()))
}

// TestSignInUpgradesOutdatedHash: a password hashed with older parameters still
// signs in, and is rehashed with the server's current ones on the way.
func TestSignInUpgradesOutdatedHash(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	user, current, err := b.st.UserCredentials(ctx, "it@accord.demo")
	require.NoError(t, err)
	outdated, err := password.Hash(demo.Password, password.Params{Time: 2, MemKiB: 2048, Threads: 1})
	require.NoError(t, err)
	require.NoError(t, b.st.ReplacePasswordHash(ctx, user.ID, current, outdated))

	wrong := b.client(t).post("/login", url.Values{"email": {"it@accord.demo"}, "password": {"not the password"}})
	require.Equal(t, http.StatusUnauthorized, wrong.StatusCode)
	_, stored, err := b.st.UserCredentials(ctx, "it@accord.demo")
	require.NoError(t, err)
	require.Equal(t, outdated, stored, "a failed sign-in changes nothing")

	c := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusOK, c.get("/").StatusCode)
	_, stored, err = b.st.UserCredentials(ctx, "it@accord.demo")
	require.NoError(t, err)
	require.NotEqual(t, outdated, stored)
	p := pgtest.CheapPasswords()
	require.True(t, password.NewHasher(p, 1).Current(stored), "rehashed with the server's parameters: %s", stored)
	ok, err := password.Check(demo.Password, stored)
	require.NoError(t, err)
	require.True(t, ok)
}
