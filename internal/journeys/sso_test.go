package journeys_test

import (
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/oidctest"
	"accord/internal/pgtest"
	"accord/internal/server"
	"accord/internal/sso"
	"accord/internal/store"
	"accord/web/i18n"
)

// ssoJourney is journey for an Accord that signs in through the test identity
// provider, which asks for an email on its own little form.
func ssoJourney(t *testing.T, acceptLang string) (*app, *browser, *oidctest.Provider) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if inCI() {
			t.Fatalf("Chromium is not installed, and CI=true: the browser journeys must run in CI; %s", installHint)
		}
		t.Skipf("Chromium is not installed; %s", installHint)
	}
	t.Parallel()
	idp := oidctest.Start("accord-journey", "journey-secret")
	t.Cleanup(idp.Close)
	a := newSSOApp(t, idp)
	return a, newBrowser(t, path, acceptLang, a.url), idp
}

// newSSOApp is newAppOn with single sign-on: the listener opens first, so the
// redirect URL the provider checks is known when the server is built.
func newSSOApp(t *testing.T, idp *oidctest.Provider) *app {
	t.Helper()
	pool := pgtest.NewPool(t, pgtest.Demo())
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	bundle.AddContent(demo.English())
	a := &app{t: t, st: store.New(pool), logs: &lockedBuffer{}}
	now := time.Now()
	a.clock.Store(&now)
	logger := slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewUnstartedServer(nil)
	a.url = "http://" + srv.Listener.Addr().String()
	s := server.New(a.st, bundle, logger, server.Options{PasswordParams: pgtest.CheapPasswords(), Now: a.now,
		SSO: sso.Settings{Issuer: idp.Issuer(), ClientID: "accord-journey", ClientSecret: "journey-secret",
			RedirectURL: a.url + sso.CallbackPath, ButtonLabel: "Company SSO"}})
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		s.Close()
		if t.Failed() && a.logs.Len() > 0 {
			t.Logf("server log (warnings and errors):\n%s", a.logs.String())
		}
	})
	return a
}

// TestSignInThroughTheIdentityProvider: the IT head presses "Sign in with Company
// SSO", gives his email at the provider, and comes back to Accord signed in, on the
// page he first asked for; signing out ends his session.
func TestSignInThroughTheIdentityProvider(t *testing.T) {
	a, b, _ := ssoJourney(t, "en")
	it := a.user("it@accord.demo")
	head := b.tab("IT head")

	head.open("/org")
	require.Equal(t, "/login?next=%2Forg", head.path())
	require.Equal(t, "Sign in with Company SSO", head.mustText(`[data-testid="sso-button"]`))
	head.submit(`[data-testid="sso-button"]`)

	// At the provider.
	require.Equal(t, "Test identity provider", head.mustText("h1"))
	head.fill("#email", "it@accord.demo")
	head.submit("#approve")

	head.waitFor("the org page after signing in", `location.pathname === "/org"`)
	require.Equal(t, it.DisplayName("en"), head.mustText(`[data-testid="viewer-name"]`))
	head.open("/")
	head.waitFor("the home page", `document.querySelector('[data-testid="greeting"]') !== null`)

	head.submit(`form[action="/logout"] button`)
	head.open("/")
	require.Equal(t, "/login", head.path(), "signed out")
}

// TestUnknownPersonIsRefusedClearly: someone the provider knows but Accord does not
// is told, in Chinese, what happened and whom to ask, and is not signed in.
func TestUnknownPersonIsRefusedClearly(t *testing.T) {
	_, b, _ := ssoJourney(t, "zh-CN,zh")
	stranger := b.tab("stranger")

	stranger.open("/login")
	require.Equal(t, "使用 Company SSO 登录", stranger.mustText(`[data-testid="sso-button"]`))
	stranger.submit(`[data-testid="sso-button"]`)
	stranger.fill("#email", "stranger@accord.demo")
	stranger.submit("#approve")

	require.Equal(t, "你还没有 Accord 账号", stranger.mustText(`[data-testid="sso-problem-title"]`))
	require.Equal(t, "你以 stranger@accord.demo 登录，但 Accord 中没有登记这个邮箱地址的人员。",
		stranger.mustText(`[data-testid="sso-problem-message"]`))
	require.Contains(t, stranger.mustText(`[data-testid="sso-problem-next"]`), "请联系 Accord 管理员")
	require.Equal(t, "返回登录页", stranger.mustText(`[data-testid="sso-back"]`))

	stranger.open("/")
	require.Equal(t, "/login", stranger.path(), "not signed in")
}
