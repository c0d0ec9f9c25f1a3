// Package sso is Accord's side of OpenID Connect single sign-on (the relying party):
// the authorization code flow with PKCE, a state and a nonce per attempt, and the ID
// token verified against the provider's published keys. The provider is discovered
// on first use and again after a failure, so Accord starts while it is down.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"accord/internal/accord"
)

// Settings configure single sign-on; the zero value turns it off.
type Settings struct {
	Issuer       string // the provider's issuer URL; empty turns single sign-on off
	ClientID     string
	ClientSecret string // empty for a public client (PKCE alone)
	RedirectURL  string // ACCORD_BASE_URL + CallbackPath
	// EmailClaim is the ID token claim that holds the email; "email" when empty.
	EmailClaim string
	// ButtonLabel names the provider on the sign-in button, e.g. "Company SSO".
	ButtonLabel string
	// PasswordsOff hides the password form and refuses password sign-ins.
	PasswordsOff bool
	// CreateUnknown creates people nobody in Accord has the email of, in no unit.
	CreateUnknown bool
	// TrustEmail accepts an email the token does not say is verified (no
	// email_verified claim, or a claim other than "email"): only for a provider that
	// lets nobody choose an address that is not theirs.
	TrustEmail bool
	// AllowedDomains, when not empty, are the only email domains accepted.
	AllowedDomains []string
	// HTTPClient talks to the provider; one with a 10-second timeout when nil.
	HTTPClient *http.Client
}

// CallbackPath is where the provider sends people back to.
const CallbackPath = "/auth/oidc/callback"

// Scopes Accord asks for.
var Scopes = []string{oidc.ScopeOpenID, "email", "profile"}

// Enabled reports whether single sign-on is configured.
func (s Settings) Enabled() bool { return s.Issuer != "" }

// PasswordsAllowed reports whether people may still sign in with a password.
func (s Settings) PasswordsAllowed() bool { return !s.Enabled() || !s.PasswordsOff }

// Errors a sign-in can end in, for the page to word.
var (
	// ErrUnavailable: the provider could not be discovered or did not answer.
	ErrUnavailable = errors.New("sso: the identity provider is unavailable")
	// ErrRejected: the provider's answer did not verify (code, signature, audience,
	// expiry, nonce).
	ErrRejected = errors.New("sso: the identity provider's answer was rejected")
	// ErrNoEmail: the token verified but holds no usable, verified email.
	ErrNoEmail = errors.New("sso: the ID token holds no verified email")
)

// retryAfter spaces discovery attempts after a failure, so a provider that is down is
// not asked on every click.
const retryAfter = 5 * time.Second

// Client is the relying party. Build it with New; it is safe for concurrent use.
type Client struct {
	settings Settings
	now      func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
	failedAt time.Time // the last failed discovery
}

// New builds a client; it makes no request until the first sign-in. now is the clock
// ID tokens' times are checked against.
func New(s Settings, now func() time.Time) *Client {
	if s.EmailClaim == "" {
		s.EmailClaim = "email"
	}
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &Client{settings: s, now: now}
}

// Settings returns the client's settings, defaults filled in.
func (c *Client) Settings() Settings { return c.settings }

// RecentlyUnavailable reports whether the last discovery failed moments ago: the
// sign-in page says so without making anyone wait.
func (c *Client) RecentlyUnavailable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.provider == nil && !c.failedAt.IsZero() && time.Since(c.failedAt) < retryAfter
}

func (c *Client) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.settings.HTTPClient)
}

// discover returns the provider, discovering it on first use and after a failure
// (at most once every few seconds).
func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	if !c.failedAt.IsZero() && time.Since(c.failedAt) < retryAfter {
		return nil, ErrUnavailable
	}
	p, err := oidc.NewProvider(c.ctx(ctx), c.settings.Issuer)
	if err != nil {
		c.failedAt = time.Now()
		return nil, fmt.Errorf("%w: discovery: %v", ErrUnavailable, err)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: c.settings.ClientID, ClientSecret: c.settings.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: c.settings.RedirectURL, Scopes: Scopes}
}

// Attempt is one sign-in in flight: what the callback must find again. It is kept in
// the visitor's session and used once.
type Attempt struct {
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
}

// Start begins an attempt: fresh state, nonce and verifier, and the provider's URL to
// send the visitor to.
func (c *Client) Start(ctx context.Context) (Attempt, string, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return Attempt{}, "", err
	}
	a := Attempt{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	u := c.oauth(p).AuthCodeURL(a.State, oauth2.S256ChallengeOption(a.Verifier), oidc.Nonce(a.Nonce))
	return a, u, nil
}

// StateMatches reports whether the state the provider sent back is the attempt's.
func (a Attempt) StateMatches(state string) bool {
	return a.State != "" && subtle.ConstantTimeCompare([]byte(a.State), []byte(state)) == 1
}

// Finish trades the code for tokens with the attempt's verifier, verifies the ID
// token (signature by the provider's keys, issuer, audience, expiry) and its nonce,
// and returns who it names. The caller has checked the state.
func (c *Client) Finish(ctx context.Context, a Attempt, code string) (accord.Identity, error) {
	p, err := c.discover(ctx)
	if err != nil {
		return accord.Identity{}, err
	}
	tok, err := c.oauth(p).Exchange(c.ctx(ctx), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return accord.Identity{}, fmt.Errorf("%w: token exchange: %v", ErrRejected, err)
		}
		return accord.Identity{}, fmt.Errorf("%w: token exchange: %v", ErrUnavailable, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return accord.Identity{}, fmt.Errorf("%w: no id_token in the token response", ErrRejected)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.settings.ClientID, Now: c.now}).Verify(c.ctx(ctx), raw)
	if err != nil {
		return accord.Identity{}, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 || a.Nonce == "" {
		return accord.Identity{}, fmt.Errorf("%w: the nonce is not this attempt's", ErrRejected)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return accord.Identity{}, fmt.Errorf("%w: claims: %v", ErrRejected, err)
	}
	id := accord.Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	if name, ok := claims["name"].(string); ok {
		id.Name = name
	}
	raw, _ = claims[c.settings.EmailClaim].(string)
	email, ok := accord.SSOEmail(raw)
	if !ok || !c.emailVouched(claims, email) {
		if len(raw) > 100 {
			raw = raw[:100] + "…"
		}
		return id, fmt.Errorf("%w: claim %q is %q (email_verified %v)", ErrNoEmail, c.settings.EmailClaim, raw, claims["email_verified"])
	}
	id.Email = email
	return id, nil
}

// emailVouched reports whether the provider vouches for email: the token says it is
// verified (email_verified on the "email" claim), or the settings trust the provider
// to hand out only addresses that are their holders'; and its domain is allowed.
// Matching people by an email anyone could claim would hand over their accounts.
func (c *Client) emailVouched(claims map[string]any, email string) bool {
	if len(c.settings.AllowedDomains) > 0 {
		_, domain, _ := strings.Cut(email, "@")
		if !slices.Contains(c.settings.AllowedDomains, strings.ToLower(domain)) {
			return false
		}
	}
	claim := c.settings.EmailClaim
	if claim == "" {
		claim = "email"
	}
	if claim == "email" && claims["email_verified"] != nil {
		return emailVerified(claims)
	}
	return c.settings.TrustEmail
}

// emailVerified reads the email_verified claim.
func emailVerified(claims map[string]any) bool {
	switch v := claims["email_verified"].(type) {
	case bool:
		return v
	case string: // a few providers send it as a string
		return v == "true"
	default:
		return false
	}
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
