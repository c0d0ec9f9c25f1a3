// Package oidctest is a small OpenID provider for tests: discovery, keys, an
// authorization endpoint that approves a configured person (or asks for an email on a
// tiny form), and a token endpoint that checks the code, the PKCE verifier and the
// client's secret before it hands out an RS256-signed ID token. Tests can make it
// forge what an attacker or a broken provider would send: a wrong state, a wrong
// nonce, an expired token, a token signed by another key or for another audience.
// It also plays a provider that is down.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Person is who the provider signs in.
type Person struct {
	Subject string
	Email   string
	Name    string
	// EmailVerified is sent as email_verified; nil sends true, as a provider that
	// checks addresses does, unless OmitEmailVerified.
	EmailVerified     *bool
	OmitEmailVerified bool // send no email_verified at all (Entra ID does not)
	// Claims are sent as well, e.g. preferred_username.
	Claims map[string]any
}

// Forgery is what the provider does wrong for the next sign-in.
type Forgery struct {
	WrongState    bool // sends the visitor back with another state
	WrongNonce    bool // puts another nonce in the ID token
	Expired       bool // the ID token expired an hour ago
	OtherKey      bool // signs with a key it does not publish (same key id)
	WrongAudience bool // issues the token to another client
	WrongIssuer   bool // names another issuer in the token
}

// Provider is a running test provider. Build it with Start; Close it when done.
type Provider struct {
	ClientID, ClientSecret string

	srv      *httptest.Server
	key      *rsa.PrivateKey
	otherKey *rsa.PrivateKey

	mu       sync.Mutex
	person   *Person
	forgery  Forgery
	down     bool
	codes    map[string]grant
	requests map[string]int
}

type grant struct {
	person      Person
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	forgery     Forgery
	issued      time.Time
}

const keyID = "accord-test-key"

// Start starts a provider for one client.
func Start(clientID, clientSecret string) *Provider {
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: newKey(), otherKey: newKey(),
		codes: map[string]grant{}, requests: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	return p
}

func newKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // only when the system has no randomness
	}
	return k
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.srv.URL }

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// SignInAs makes /authorize approve this person at once; nil shows the form instead.
func (p *Provider) SignInAs(person *Person) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.person = person
}

// Forge makes the next sign-in carry the forgery.
func (p *Provider) Forge(f Forgery) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forgery = f
}

// SetDown makes every endpoint answer 503, as a provider in maintenance does.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// Requests is how many requests an endpoint ("discovery", "keys", "authorize",
// "token") answered.
func (p *Provider) Requests(endpoint string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[endpoint]
}

func (p *Provider) count(w http.ResponseWriter, endpoint string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return false
	}
	p.requests[endpoint]++
	return true
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	if !p.count(w, "discovery") {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer(),
		"authorization_endpoint":                p.Issuer() + "/authorize",
		"token_endpoint":                        p.Issuer() + "/token",
		"jwks_uri":                              p.Issuer() + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, _ *http.Request) {
	if !p.count(w, "keys") {
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

var form = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="{{.Action}}">
<label for="email">Email</label> <input id="email" name="email" type="email" required>
<label for="name">Name</label> <input id="name" name="name">
<button type="submit" id="approve">Sign in</button>
</form></body></html>`))

// authorize checks the client and its redirect, then approves the configured person
// or the one named on the form, and sends the visitor back with a code.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if !p.count(w, "authorize") {
		return
	}
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	person, forgery := p.person, p.forgery
	p.forgery = Forgery{}
	p.mu.Unlock()
	if person == nil {
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = form.Execute(w, map[string]template.URL{"Action": template.URL("/authorize?" + r.URL.RawQuery)})
			return
		}
		email := r.PostFormValue("email")
		person = &Person{Subject: "form:" + email, Email: email, Name: r.PostFormValue("name")}
	}
	code := randomString()
	p.mu.Lock()
	p.codes[code] = grant{person: *person, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), forgery: forgery, issued: time.Now()}
	p.mu.Unlock()
	state := q.Get("state")
	if forgery.WrongState {
		state = randomString()
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", state)
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token trades a code once, for the client it was issued to, with the verifier whose
// challenge the authorization carried.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !p.count(w, "token") {
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostFormValue("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code)
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case r.PostFormValue("grant_type") != "authorization_code", !found, g.clientID != id,
		time.Since(g.issued) > time.Minute, g.redirectURI != r.PostFormValue("redirect_uri"),
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	idToken, err := p.IDToken(g.person, g.nonce, g.forgery)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomString(), "token_type": "Bearer",
		"expires_in": 300, "id_token": idToken})
}

// IDToken signs an ID token for the person, as the token endpoint does.
func (p *Provider) IDToken(person Person, nonce string, f Forgery) (string, error) {
	now := time.Now()
	claims := map[string]any{}
	for k, v := range person.Claims {
		claims[k] = v
	}
	claims["iss"] = p.Issuer()
	claims["sub"] = person.Subject
	claims["aud"] = p.ClientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(5 * time.Minute).Unix()
	claims["nonce"] = nonce
	if person.Email != "" {
		claims["email"] = person.Email
	}
	if person.Name != "" {
		claims["name"] = person.Name
	}
	switch {
	case person.EmailVerified != nil:
		claims["email_verified"] = *person.EmailVerified
	case !person.OmitEmailVerified && person.Email != "":
		claims["email_verified"] = true
	}
	if f.WrongNonce {
		claims["nonce"] = randomString()
	}
	if f.Expired {
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	}
	if f.WrongAudience {
		claims["aud"] = "another-client"
	}
	if f.WrongIssuer {
		claims["iss"] = "https://impostor.example"
	}
	key := p.key
	if f.OtherKey {
		key = p.otherKey
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("oidctest: signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oidctest: claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oidctest: sign: %w", err)
	}
	return jws.CompactSerialize()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
