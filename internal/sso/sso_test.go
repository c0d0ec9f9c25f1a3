package sso_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/oidctest"
	"accord/internal/sso"
)

const redirect = "http://accord.test" + sso.CallbackPath

func newClient(t *testing.T) (*oidctest.Provider, *sso.Client) {
	t.Helper()
	idp := oidctest.Start("accord", "s3cret")
	t.Cleanup(idp.Close)
	c := sso.New(sso.Settings{Issuer: idp.Issuer(), ClientID: "accord", ClientSecret: "s3cret", RedirectURL: redirect}, time.Now)
	return idp, c
}

// authorize plays the browser at the provider: it returns the code and state the
// provider sends back.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, redirect, back.Scheme+"://"+back.Host+back.Path)
	return back.Query().Get("code"), back.Query().Get("state")
}

func TestCodeFlowWithPKCE(t *testing.T) {
	t.Parallel()
	idp, c := newClient(t)
	verified := true
	idp.SignInAs(&oidctest.Person{Subject: "u-1", Email: "Li.Na@Example.com", Name: "李娜", EmailVerified: &verified})
	ctx := context.Background()

	a, authURL, err := c.Start(ctx)
	require.NoError(t, err)
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	q := u.Query()
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.Equal(t, "openid email profile", q.Get("scope"))
	require.Equal(t, a.Nonce, q.Get("nonce"))
	require.NotContains(t, authURL, a.Verifier, "the verifier stays with Accord")

	code, state := authorize(t, authURL)
	require.True(t, a.StateMatches(state))
	id, err := c.Finish(ctx, a, code)
	require.NoError(t, err)
	require.Equal(t, accord.Identity{Issuer: idp.Issuer(), Subject: "u-1", Email: "li.na@example.com", Name: "李娜"}, id)

	// A code is good once.
	_, err = c.Finish(ctx, a, code)
	require.ErrorIs(t, err, sso.ErrRejected)

	// Another attempt has its own state, nonce and verifier.
	b, _, err := c.Start(ctx)
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.False(t, b.StateMatches(state))
}

func TestForgeriesAreRejected(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]oidctest.Forgery{
		"wrong nonce":    {WrongNonce: true},
		"expired":        {Expired: true},
		"other key":      {OtherKey: true},
		"wrong audience": {WrongAudience: true},
		"wrong issuer":   {WrongIssuer: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp, c := newClient(t)
			idp.SignInAs(&oidctest.Person{Subject: "u-1", Email: "a@example.com"})
			idp.Forge(f)
			a, authURL, err := c.Start(context.Background())
			require.NoError(t, err)
			code, state := authorize(t, authURL)
			require.True(t, a.StateMatches(state))
			_, err = c.Finish(context.Background(), a, code)
			require.ErrorIs(t, err, sso.ErrRejected)
		})
	}
	t.Run("wrong state", func(t *testing.T) {
		t.Parallel()
		idp, c := newClient(t)
		idp.SignInAs(&oidctest.Person{Subject: "u-1", Email: "a@example.com"})
		idp.Forge(oidctest.Forgery{WrongState: true})
		a, authURL, err := c.Start(context.Background())
		require.NoError(t, err)
		_, state := authorize(t, authURL)
		require.False(t, a.StateMatches(state))
		require.False(t, sso.Attempt{}.StateMatches(""), "no attempt matches nothing")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		t.Parallel()
		idp, c := newClient(t)
		idp.SignInAs(&oidctest.Person{Subject: "u-1", Email: "a@example.com"})
		a, authURL, err := c.Start(context.Background())
		require.NoError(t, err)
		code, _ := authorize(t, authURL)
		a.Verifier = "not-the-verifier-not-the-verifier-not-the-verifier"
		_, err = c.Finish(context.Background(), a, code)
		require.ErrorIs(t, err, sso.ErrRejected)
	})
	t.Run("wrong client secret", func(t *testing.T) {
		t.Parallel()
		idp := oidctest.Start("accord", "s3cret")
		t.Cleanup(idp.Close)
		idp.SignInAs(&oidctest.Person{Subject: "u-1", Email: "a@example.com"})
		c := sso.New(sso.Settings{Issuer: idp.Issuer(), ClientID: "accord", ClientSecret: "guess", RedirectURL: redirect}, time.Now)
		a, authURL, err := c.Start(context.Background())
		require.NoError(t, err)
		code, _ := authorize(t, authURL)
		_, err = c.Finish(context.Background(), a, code)
		require.ErrorIs(t, err, sso.ErrRejected)
	})
}

func TestEmailMustBeThereAndVerified(t *testing.T) {
	t.Parallel()
	no := false
	unsaid := oidctest.Person{Subject: "1", Email: "a@example.com", OmitEmailVerified: true}
	upn := oidctest.Person{Subject: "1", Claims: map[string]any{"preferred_username": "Ann@Example.com"}}
	for name, tc := range map[string]struct {
		person  oidctest.Person
		claim   string
		trust   bool
		domains []string
		want    string
	}{
		"verified":                 {oidctest.Person{Subject: "1", Email: "A@Example.com"}, "", false, nil, "a@example.com"},
		"unverified":               {oidctest.Person{Subject: "1", Email: "a@example.com", EmailVerified: &no}, "", true, nil, ""},
		"not said, not trusted":    {unsaid, "", false, nil, ""},
		"not said, trusted":        {unsaid, "", true, nil, "a@example.com"},
		"missing":                  {oidctest.Person{Subject: "1"}, "", true, nil, ""},
		"not an address":           {oidctest.Person{Subject: "1", Email: "Ann <a@example.com>"}, "", true, nil, ""},
		"another claim, untrusted": {upn, "preferred_username", false, nil, ""},
		"another claim, trusted":   {upn, "preferred_username", true, nil, "ann@example.com"},
		"another claim, not there": {oidctest.Person{Subject: "1", Email: "a@example.com"}, "upn", true, nil, ""},
		"an allowed domain":        {oidctest.Person{Subject: "1", Email: "a@example.com"}, "", false, []string{"example.com"}, "a@example.com"},
		"another domain":           {oidctest.Person{Subject: "1", Email: "a@example.org"}, "", false, []string{"example.com"}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := oidctest.Start("accord", "s3cret")
			t.Cleanup(idp.Close)
			idp.SignInAs(&tc.person)
			c := sso.New(sso.Settings{Issuer: idp.Issuer(), ClientID: "accord", ClientSecret: "s3cret",
				RedirectURL: redirect, EmailClaim: tc.claim, TrustEmail: tc.trust, AllowedDomains: tc.domains}, time.Now)
			a, authURL, err := c.Start(context.Background())
			require.NoError(t, err)
			code, _ := authorize(t, authURL)
			id, err := c.Finish(context.Background(), a, code)
			if tc.want == "" {
				require.ErrorIs(t, err, sso.ErrNoEmail)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, id.Email)
		})
	}
}

func TestDiscoveryWaitsForTheProvider(t *testing.T) {
	t.Parallel()
	idp, c := newClient(t)
	idp.SetDown(true)
	_, _, err := c.Start(context.Background())
	require.ErrorIs(t, err, sso.ErrUnavailable)
	require.True(t, c.RecentlyUnavailable())
	// Asked again at once, the client does not knock on the provider's door.
	_, _, err = c.Start(context.Background())
	require.ErrorIs(t, err, sso.ErrUnavailable)

	idp.SetDown(false)
	require.Eventually(t, func() bool {
		_, _, err := c.Start(context.Background())
		return err == nil
	}, 10*time.Second, 200*time.Millisecond)
	require.False(t, c.RecentlyUnavailable())
	require.Equal(t, 1, idp.Requests("discovery"), "discovered once, then kept")
}
