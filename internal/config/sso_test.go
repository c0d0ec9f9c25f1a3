package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadOIDC(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ACCORD_BASE_URL": "https://accord.example.com", "ACCORD_OIDC_ISSUER": "https://sso.example.com/realms/acme/",
		"ACCORD_OIDC_CLIENT_ID": "accord", "ACCORD_OIDC_CLIENT_SECRET": "s3cret", "ACCORD_OIDC_EMAIL_CLAIM": "preferred_username",
		"ACCORD_OIDC_BUTTON_LABEL": "Company SSO", "ACCORD_OIDC_ALLOW_PASSWORDS": "false", "ACCORD_OIDC_CREATE_USERS": "true",
		"ACCORD_OIDC_TRUST_EMAIL": "true", "ACCORD_OIDC_ALLOWED_DOMAINS": "Example.com, example.cn",
	}
	c, err := Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Equal(t, OIDC{Issuer: "https://sso.example.com/realms/acme", ClientID: "accord", ClientSecret: "s3cret",
		EmailClaim: "preferred_username", ButtonLabel: "Company SSO", PasswordsOff: true, CreateUnknown: true,
		TrustEmail: true, AllowedDomains: []string{"example.com", "example.cn"}}, c.OIDC)
	require.True(t, c.OIDC.Enabled())

	// Off by default; a provider on this machine may speak plain http.
	c, err = Load(func(string) string { return "" })
	require.NoError(t, err)
	require.Equal(t, OIDC{}, c.OIDC)
	require.False(t, c.OIDC.Enabled())
	local := map[string]string{"ACCORD_BASE_URL": "http://localhost:8080", "ACCORD_OIDC_ISSUER": "http://127.0.0.1:8081/realms/dev",
		"ACCORD_OIDC_CLIENT_ID": "accord"}
	c, err = Load(func(k string) string { return local[k] })
	require.NoError(t, err)
	require.Equal(t, OIDC{Issuer: "http://127.0.0.1:8081/realms/dev", ClientID: "accord"}, c.OIDC)
}

func TestLoadOIDCNamesTheBadVariable(t *testing.T) {
	t.Parallel()
	good := map[string]string{"ACCORD_BASE_URL": "https://accord.example.com",
		"ACCORD_OIDC_ISSUER": "https://sso.example.com", "ACCORD_OIDC_CLIENT_ID": "accord"}
	for _, tc := range []struct {
		set      map[string]string
		variable string
	}{
		{map[string]string{"ACCORD_OIDC_ISSUER": "sso.example.com"}, "ACCORD_OIDC_ISSUER"},
		{map[string]string{"ACCORD_OIDC_ISSUER": "http://sso.example.com"}, "ACCORD_OIDC_ISSUER"},
		{map[string]string{"ACCORD_OIDC_ISSUER": "https://sso.example.com/?tenant=1"}, "ACCORD_OIDC_ISSUER"},
		{map[string]string{"ACCORD_OIDC_ISSUER": ""}, "ACCORD_OIDC_ISSUER"}, // a client id without an issuer
		{map[string]string{"ACCORD_OIDC_CLIENT_ID": ""}, "ACCORD_OIDC_CLIENT_ID"},
		{map[string]string{"ACCORD_BASE_URL": ""}, "ACCORD_BASE_URL"},
		{map[string]string{"ACCORD_OIDC_EMAIL_CLAIM": "e mail"}, "ACCORD_OIDC_EMAIL_CLAIM"},
		{map[string]string{"ACCORD_OIDC_BUTTON_LABEL": "a\nb"}, "ACCORD_OIDC_BUTTON_LABEL"},
		{map[string]string{"ACCORD_OIDC_ALLOW_PASSWORDS": "maybe"}, "ACCORD_OIDC_ALLOW_PASSWORDS"},
		{map[string]string{"ACCORD_OIDC_CREATE_USERS": "yes please"}, "ACCORD_OIDC_CREATE_USERS"},
		{map[string]string{"ACCORD_OIDC_TRUST_EMAIL": "sure"}, "ACCORD_OIDC_TRUST_EMAIL"},
		{map[string]string{"ACCORD_OIDC_ALLOWED_DOMAINS": "example.com,@evil"}, "ACCORD_OIDC_ALLOWED_DOMAINS"},
		{map[string]string{"ACCORD_OIDC_ISSUER": "", "ACCORD_OIDC_CLIENT_ID": "", "ACCORD_OIDC_ALLOW_PASSWORDS": "false"}, "ACCORD_OIDC_ALLOW_PASSWORDS"},
	} {
		env := map[string]string{}
		for k, v := range good {
			env[k] = v
		}
		for k, v := range tc.set {
			env[k] = v
		}
		_, err := Load(func(k string) string { return env[k] })
		var ce *Error
		require.True(t, errors.As(err, &ce), "%v: %v", tc.set, err)
		require.Equal(t, tc.variable, ce.Variable, "%v", tc.set)
	}
	// The secret is never printed.
	_, err := Load(func(k string) string {
		return map[string]string{"ACCORD_OIDC_CLIENT_SECRET": "hunter2-secret"}[k]
	})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}
