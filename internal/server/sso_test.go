package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/oidctest"
	"accord/internal/pgtest"
	"accord/internal/server"
	"accord/internal/sso"
	"accord/internal/store"
	"accord/web/i18n"
)

// ssoOff: with single sign-on not configured (as in the matrix's server), its routes
// do not exist for anyone.
var ssoOff = policy{nf, nf, nf, nf, nf, nf, nf}

// setupSSO is setupWith for a server that signs in through the test provider: the
// listener opens first, so the redirect URL is known when the server is built.
func setupSSO(t *testing.T, configure func(*sso.Settings)) (*testBundle, *oidctest.Provider) {
	t.Helper()
	t.Parallel()
	idp := oidctest.Start("accord-test", "test-secret")
	t.Cleanup(idp.Close)
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t, pgtest.Demo()))
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	bundle.AddContent(demo.English())
	now := time.Now()
	b := &testBundle{st: st, now: &now}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	settings := sso.Settings{Issuer: idp.Issuer(), ClientID: "accord-test", ClientSecret: "test-secret",
		RedirectURL: base + sso.CallbackPath, ButtonLabel: "Company SSO"}
	configure(&settings)
	s := server.New(st, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{
		PasswordParams: pgtest.CheapPasswords(), Now: func() time.Time { return *b.now }, SSO: settings})
	srv.Config.Handler = s.Handler()
	srv.Start()
	b.server, b.srv = s, srv
	t.Cleanup(func() { srv.Close(); s.Close() })
	return b, idp
}

// signInThroughProvider follows the sign-in button and follows the redirects to the
// provider and back, as a browser does; it returns Accord's answer to the callback.
func signInThroughProvider(t *testing.T, c *client, next string) response {
	t.Helper()
	resp := c.get("/auth/oidc/start?next=" + url.QueryEscape(next))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	at := resp.Header.Get("Location")
	for range 5 {
		require.NotEmpty(t, at)
		if strings.HasPrefix(at, c.base) {
			return c.get(strings.TrimPrefix(at, c.base))
		}
		req, err := http.NewRequest(http.MethodGet, at, nil)
		require.NoError(t, err)
		resp = c.do(req)
		require.Equal(t, http.StatusFound, resp.StatusCode, "the provider answers %s", resp.body)
		at = resp.Header.Get("Location")
	}
	t.Fatal("too many redirects")
	return response{}
}

// hasSession reports whether the client's session opens home.
func hasSession(c *client) bool { return c.get("/").StatusCode == http.StatusOK }

func TestSSOSignsInADemoPerson(t *testing.T) {
	b, idp := setupSSO(t, func(*sso.Settings) {})
	ctx := context.Background()
	it, err := b.st.UserByEmail(ctx, "it@accord.demo")
	require.NoError(t, err)
	// The provider spells the address its own way: people are matched without case.
	idp.SignInAs(&oidctest.Person{Subject: "kc-it", Email: "IT@Accord.Demo", Name: "IT head at the provider"})

	c := b.client(t)
	page := c.get("/login")
	require.Equal(t, "Sign in with Company SSO", page.text("sso-button"))
	require.Equal(t, 1, page.doc.Find("#password").Length(), "passwords stay allowed by default")
	before := sessionCookie(c, b)

	back := signInThroughProvider(t, c, "/org?x=1")
	require.Equal(t, http.StatusSeeOther, back.StatusCode, back.body)
	require.Equal(t, "/org?x=1", back.Header.Get("Location"), "lands where they were going")
	require.NotEqual(t, before, sessionCookie(c, b), "the session token is renewed at sign-in")
	home := c.get("/")
	require.Equal(t, http.StatusOK, home.StatusCode)
	require.Equal(t, it.DisplayName("en"), home.text("viewer-name"))

	entries, err := b.st.AuditEntries(ctx, accord.AuditSignIn, it.ID, 5)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, accord.AuditAction(accord.SSOSignIn), entries[0].Action)
	require.JSONEq(t, `{"issuer":"`+idp.Issuer()+`","subject":"kc-it","email":"it@accord.demo","bound":true}`, string(entries[0].After))

	// The callback's address, replayed in another browser, signs nobody in: the
	// attempt lived in the first browser's session and was used there.
	replay := b.client(t)
	resp := replay.get(sso.CallbackPath + "?code=anything&state=" + url.QueryEscape("whatever"))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.False(t, hasSession(replay))

	// Signing out ends the local session.
	require.Equal(t, http.StatusSeeOther, c.post("/logout", nil).StatusCode)
	require.False(t, hasSession(c))

	// Signing in again finds the person by the bound subject.
	c = b.client(t)
	require.Equal(t, http.StatusSeeOther, signInThroughProvider(t, c, "").StatusCode)
	require.True(t, hasSession(c))
	entries, err = b.st.AuditEntries(ctx, accord.AuditSignIn, it.ID, 5)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	require.JSONEq(t, `{"issuer":"`+idp.Issuer()+`","subject":"kc-it","email":"it@accord.demo"}`, string(entries[0].After))
}

func TestSSORefusesForgedAnswers(t *testing.T) {
	b, idp := setupSSO(t, func(*sso.Settings) {})
	idp.SignInAs(&oidctest.Person{Subject: "kc-it", Email: "it@accord.demo"})
	for name, f := range map[string]oidctest.Forgery{
		"forged state":   {WrongState: true},
		"wrong nonce":    {WrongNonce: true},
		"expired token":  {Expired: true},
		"bad signature":  {OtherKey: true},
		"wrong audience": {WrongAudience: true},
		"wrong issuer":   {WrongIssuer: true},
	} {
		t.Run(name, func(t *testing.T) {
			c := b.client(t)
			idp.Forge(f)
			resp := signInThroughProvider(t, c, "/")
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.NotEmpty(t, resp.text("sso-problem-title"))
			require.False(t, hasSession(c), "no session")
		})
	}
	ctx := context.Background()
	it, err := b.st.UserByEmail(ctx, "it@accord.demo")
	require.NoError(t, err)
	entries, err := b.st.AuditEntries(ctx, accord.AuditSignIn, it.ID, 5)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing forged reached the person")

	// A state that fits but a code the provider never issued.
	c := b.client(t)
	resp := c.get("/auth/oidc/start")
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	resp = c.get(sso.CallbackPath + "?code=made-up&state=" + url.QueryEscape(u.Query().Get("state")))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "The identity provider's answer was not accepted", resp.text("sso-problem-title"))
	require.False(t, hasSession(c))

	// The provider says no (the person cancelled).
	c = b.client(t)
	resp = c.get("/auth/oidc/start")
	u, err = url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	resp = c.get(sso.CallbackPath + "?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state")))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, "Sign-in was cancelled", resp.text("sso-problem-title"))
	require.False(t, hasSession(c))
}

func TestSSORefusesUnknownPeopleClearly(t *testing.T) {
	b, idp := setupSSO(t, func(*sso.Settings) {})
	idp.SignInAs(&oidctest.Person{Subject: "kc-new", Email: "newcomer@accord.demo", Name: "新人"})
	c := b.client(t)
	resp := signInThroughProvider(t, c, "/")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "You do not have an Accord account yet", resp.text("sso-problem-title"))
	require.Equal(t, "You signed in as newcomer@accord.demo, but nobody with that email address is registered in Accord.",
		resp.text("sso-problem-message"))
	require.Contains(t, resp.text("sso-problem-next"), "Ask your Accord administrator")
	require.False(t, hasSession(c))

	c = b.client(t)
	c.lang = "zh-CN"
	resp = signInThroughProvider(t, c, "/")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "你还没有 Accord 账号", resp.text("sso-problem-title"))
	require.Equal(t, "你以 newcomer@accord.demo 登录，但 Accord 中没有登记这个邮箱地址的人员。", resp.text("sso-problem-message"))
	require.Contains(t, resp.text("sso-problem-next"), "请联系 Accord 管理员")

	var created int
	require.NoError(t, b.st.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM users WHERE lower(email) = 'newcomer@accord.demo'`).Scan(&created))
	require.Zero(t, created, "nobody was created")
	entries, err := b.st.AuditEntries(context.Background(), accord.AuditSignIn, 0, 5)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	require.Equal(t, accord.AuditAction(accord.SSORefuseUnknown), entries[0].Action)
	require.Empty(t, entries[0].ActorName)
}

func TestSSOCreatesUnknownPeopleWhenAllowed(t *testing.T) {
	b, idp := setupSSO(t, func(s *sso.Settings) { s.CreateUnknown = true })
	idp.SignInAs(&oidctest.Person{Subject: "kc-new", Email: "Newcomer@Accord.Demo", Name: "王新"})
	c := b.client(t)
	resp := signInThroughProvider(t, c, "/org")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	require.Equal(t, "/", resp.Header.Get("Location"), "a newcomer starts at home")

	ctx := context.Background()
	u, err := b.st.UserByEmail(ctx, "newcomer@accord.demo")
	require.NoError(t, err)
	require.Equal(t, "newcomer@accord.demo", u.Email)
	require.Equal(t, "王新", u.Name)
	require.False(t, u.IsAdmin)
	v, err := b.st.Viewer(ctx, u.ID)
	require.NoError(t, err)
	require.Empty(t, v.Memberships, "in no unit until an admin or an import places them")

	home := c.get("/")
	require.Equal(t, http.StatusOK, home.StatusCode)
	require.Equal(t, "王新", home.text("viewer-name"))
	require.Contains(t, home.body, "You are not in any unit yet.")
	require.Contains(t, home.body, "An administrator, or the next import of the organisation, will place you in your department")

	created, err := b.st.AuditEntries(ctx, accord.AuditUser, u.ID, 5)
	require.NoError(t, err)
	require.Len(t, created, 1)
	require.Equal(t, accord.AuditCreate, created[0].Action)
	require.Contains(t, string(created[0].After), `"via": "sso"`)
	signIns, err := b.st.AuditEntries(ctx, accord.AuditSignIn, u.ID, 5)
	require.NoError(t, err)
	require.Len(t, signIns, 1)
	require.Equal(t, accord.AuditAction(accord.SSOCreate), signIns[0].Action)

	// No password opens the account: it has none anyone knows.
	for _, pw := range []string{"", demo.Password} {
		resp := b.client(t).post("/login", url.Values{"email": {"newcomer@accord.demo"}, "password": {pw}})
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
}

func TestSSORefusesDeactivatedPeople(t *testing.T) {
	b, idp := setupSSO(t, func(s *sso.Settings) { s.CreateUnknown = true })
	ctx := context.Background()
	admin, err := b.st.UserByEmail(ctx, "admin@accord.demo")
	require.NoError(t, err)
	trainer, err := b.st.UserByEmail(ctx, "trainer@accord.demo")
	require.NoError(t, err)
	require.NoError(t, b.st.DeactivateUser(ctx, admin.ID, trainer.ID, trainer.Version))

	idp.SignInAs(&oidctest.Person{Subject: "kc-trainer", Email: "trainer@accord.demo"})
	c := b.client(t)
	resp := signInThroughProvider(t, c, "/")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "Your Accord account is deactivated", resp.text("sso-problem-title"))
	require.False(t, hasSession(c))
	entries, err := b.st.AuditEntries(ctx, accord.AuditSignIn, trainer.ID, 5)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, accord.AuditAction(accord.SSORefuseDeactivated), entries[0].Action)
}

// A person is bound to their subject at the first sign-in: an email the provider
// later gives to someone else does not open their account, and a person whose email
// changes at the provider is still themselves.
func TestSSOBindsTheSubject(t *testing.T) {
	b, idp := setupSSO(t, func(*sso.Settings) {})
	idp.SignInAs(&oidctest.Person{Subject: "kc-1", Email: "it@accord.demo"})
	require.Equal(t, http.StatusSeeOther, signInThroughProvider(t, b.client(t), "/").StatusCode)

	idp.SignInAs(&oidctest.Person{Subject: "kc-2", Email: "it@accord.demo"})
	c := b.client(t)
	resp := signInThroughProvider(t, c, "/")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "This Accord account belongs to someone else", resp.text("sso-problem-title"))
	require.False(t, hasSession(c))

	idp.SignInAs(&oidctest.Person{Subject: "kc-1", Email: "renamed@accord.demo"})
	c = b.client(t)
	require.Equal(t, http.StatusSeeOther, signInThroughProvider(t, c, "/").StatusCode)
	it, err := b.st.UserByEmail(context.Background(), "it@accord.demo")
	require.NoError(t, err)
	require.Equal(t, it.DisplayName("en"), c.get("/").text("viewer-name"))
}

func TestSSOWithPasswordsOff(t *testing.T) {
	b, idp := setupSSO(t, func(s *sso.Settings) { s.PasswordsOff = true })
	c := b.client(t)
	page := c.get("/login")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Zero(t, page.doc.Find("#password").Length(), "no password form")
	require.Equal(t, "Sign in with Company SSO", page.text("sso-button"))

	resp := c.post("/login", url.Values{"email": {"it@accord.demo"}, "password": {demo.Password}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, resp.text("login-error"), "ACCORD_OIDC_ALLOW_PASSWORDS=true")
	require.False(t, hasSession(c))

	idp.SignInAs(&oidctest.Person{Subject: "kc-it", Email: "it@accord.demo"})
	require.Equal(t, http.StatusSeeOther, signInThroughProvider(t, c, "/").StatusCode)
	require.True(t, hasSession(c))
}

func TestSSOWhileTheProviderIsDown(t *testing.T) {
	b, idp := setupSSO(t, func(*sso.Settings) {})
	idp.SetDown(true)
	c := b.client(t)
	resp := c.get("/auth/oidc/start?next=" + url.QueryEscape("/org"))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, resp.text("login-error"), "Single sign-on is unavailable right now")
	require.Equal(t, 1, resp.doc.Find("#password").Length(), "passwords still work")
	page := c.get("/login")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.NotEmpty(t, page.text("sso-unavailable"))

	idp.SetDown(false)
	idp.SignInAs(&oidctest.Person{Subject: "kc-it", Email: "it@accord.demo"})
	require.Eventually(t, func() bool {
		return c.get("/auth/oidc/start").StatusCode == http.StatusSeeOther
	}, 15*time.Second, 250*time.Millisecond)
	require.Equal(t, http.StatusSeeOther, signInThroughProvider(t, c, "/").StatusCode)
	require.True(t, hasSession(c))
}

func TestSSORoutesAreAbsentWhenNotConfigured(t *testing.T) {
	b := setup(t)
	c := b.client(t)
	require.Zero(t, c.get("/login").doc.Find(`[data-testid="sso-button"]`).Length())
	require.Equal(t, http.StatusNotFound, c.get("/auth/oidc/start").StatusCode)
	require.Equal(t, http.StatusNotFound, c.get(sso.CallbackPath+"?code=x&state=y").StatusCode)
}

// TestHostileInputThroughSSOCallback sends every hostile value as the callback's
// code, state and error, with and without an attempt in flight, and as the start's
// next: nothing answers 500, nothing is echoed unescaped, nobody is signed in.
func TestHostileInputThroughSSOCallback(t *testing.T) {
	b, idp := setupSSO(t, func(s *sso.Settings) { s.CreateUnknown = true })
	idp.SignInAs(&oidctest.Person{Subject: "kc-it", Email: "it@accord.demo"})
	for _, v := range hostileValues {
		for _, field := range []string{"code", "state", "error"} {
			for _, inFlight := range []bool{false, true} {
				c := b.client(t)
				q := url.Values{"code": {"x"}, "state": {"y"}}
				if inFlight {
					start := c.get("/auth/oidc/start?next=" + url.QueryEscape(v))
					require.Equal(t, http.StatusSeeOther, start.StatusCode)
					require.True(t, strings.HasPrefix(start.Header.Get("Location"), idp.Issuer()+"/authorize?"))
					u, err := url.Parse(start.Header.Get("Location"))
					require.NoError(t, err)
					q.Set("state", u.Query().Get("state"))
				}
				q.Set(field, v)
				resp := c.get(sso.CallbackPath + "?" + q.Encode())
				require.NotEqual(t, http.StatusInternalServerError, resp.StatusCode, "%s=%q", field, v)
				require.GreaterOrEqual(t, resp.StatusCode, 400, "%s=%q", field, v)
				require.NotContains(t, resp.body, scriptPayload)
				require.False(t, hasSession(c), "%s=%q", field, v)
			}
		}
	}
	// What the provider asserts is hostile too: names are stored as given and shown
	// escaped; an email that is not one address is refused.
	idp.SignInAs(&oidctest.Person{Subject: "kc-x", Email: "x@accord.demo", Name: scriptPayload + "\x00\xff"})
	c := b.client(t)
	back := signInThroughProvider(t, c, "//evil.example/")
	require.Equal(t, http.StatusSeeOther, back.StatusCode)
	require.Equal(t, "/", back.Header.Get("Location"), "an off-site next is ignored")
	home := c.get("/")
	require.Equal(t, http.StatusOK, home.StatusCode)
	require.NotContains(t, home.body, scriptPayload)
	for _, email := range []string{scriptPayload, "a@b.test\x00", "Eve <it@accord.demo>", strings.Repeat("长", 5000) + "@x.test"} {
		idp.SignInAs(&oidctest.Person{Subject: "kc-y", Email: email})
		c := b.client(t)
		resp := signInThroughProvider(t, c, "/")
		require.Equal(t, http.StatusForbidden, resp.StatusCode, email)
		require.Equal(t, "Your email address did not come through", resp.text("sso-problem-title"))
		require.NotContains(t, resp.body, scriptPayload)
		require.False(t, hasSession(c))
	}
}
