package config

import (
	"accord/internal/accord"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// OIDC is single sign-on through an OpenID provider; it is off while Issuer is empty.
type OIDC struct {
	Issuer       string // ACCORD_OIDC_ISSUER: the provider's issuer URL
	ClientID     string // ACCORD_OIDC_CLIENT_ID
	ClientSecret string // ACCORD_OIDC_CLIENT_SECRET; empty for a public client
	// EmailClaim is ACCORD_OIDC_EMAIL_CLAIM: the ID token claim with the email
	// ("" means "email"; Entra ID: "email" or "preferred_username").
	EmailClaim string
	// ButtonLabel is ACCORD_OIDC_BUTTON_LABEL: the provider's name on the sign-in
	// button, e.g. "Company SSO".
	ButtonLabel string
	// PasswordsOff is ACCORD_OIDC_ALLOW_PASSWORDS=false (default true): people may no
	// longer sign in with a password. Setting it back to true (and restarting) is how
	// administrators recover when the provider is lost.
	PasswordsOff bool
	// CreateUnknown is ACCORD_OIDC_CREATE_USERS (default false): create people the
	// provider vouches for whom Accord does not know yet, in no unit.
	CreateUnknown bool
	// TrustEmail is ACCORD_OIDC_TRUST_EMAIL (default false): accept an email the ID
	// token does not mark verified (no email_verified, as Entra ID sends none, or a
	// claim other than "email"). Only for a provider where nobody can give themselves
	// someone else's address: people are matched by it.
	TrustEmail bool
	// AllowedDomains is ACCORD_OIDC_ALLOWED_DOMAINS: comma-separated email domains
	// single sign-on accepts; empty accepts any the provider vouches for.
	AllowedDomains []string
}

// Enabled reports whether single sign-on is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

var (
	claimName  = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,100}$`)
	domainName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
)

// loadOIDC reads the single sign-on settings; it runs after the base URL is known.
func (c *Config) loadOIDC(getenv func(string) string) error {
	o := OIDC{}
	allowPasswords := true
	o.Issuer = strings.TrimRight(strings.TrimSpace(getenv("ACCORD_OIDC_ISSUER")), "/")
	o.ClientID = strings.TrimSpace(getenv("ACCORD_OIDC_CLIENT_ID"))
	o.ClientSecret = getenv("ACCORD_OIDC_CLIENT_SECRET")
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"ACCORD_OIDC_ALLOW_PASSWORDS", &allowPasswords}, {"ACCORD_OIDC_CREATE_USERS", &o.CreateUnknown},
		{"ACCORD_OIDC_TRUST_EMAIL", &o.TrustEmail}} {
		if v := getenv(b.name); v != "" {
			p, err := strconv.ParseBool(v)
			if err != nil {
				return &Error{b.name, v, "true or false"}
			}
			*b.dst = p
		}
	}
	if v := strings.TrimSpace(getenv("ACCORD_OIDC_EMAIL_CLAIM")); v != "" {
		if !claimName.MatchString(v) {
			return &Error{"ACCORD_OIDC_EMAIL_CLAIM", v, `the name of an ID token claim, such as "email" or "preferred_username"`}
		}
		o.EmailClaim = v
	}
	if v := strings.TrimSpace(getenv("ACCORD_OIDC_ALLOWED_DOMAINS")); v != "" {
		for _, d := range strings.Split(v, ",") {
			d = strings.ToLower(strings.TrimSpace(d))
			if !domainName.MatchString(d) {
				return &Error{"ACCORD_OIDC_ALLOWED_DOMAINS", v, `comma-separated email domains, such as "example.com,example.cn"`}
			}
			o.AllowedDomains = append(o.AllowedDomains, d)
		}
	}
	if v := strings.TrimSpace(getenv("ACCORD_OIDC_BUTTON_LABEL")); v != "" {
		if accord.TextProblem(v, accord.TextRule{Max: 60}) != "" {
			return &Error{"ACCORD_OIDC_BUTTON_LABEL", v, `a short name for the sign-in button (at most 60 characters), such as "Company SSO"`}
		}
		o.ButtonLabel = v
	}
	if o.Issuer == "" {
		for _, name := range []string{"ACCORD_OIDC_CLIENT_ID", "ACCORD_OIDC_CLIENT_SECRET", "ACCORD_OIDC_EMAIL_CLAIM",
			"ACCORD_OIDC_BUTTON_LABEL", "ACCORD_OIDC_CREATE_USERS", "ACCORD_OIDC_TRUST_EMAIL", "ACCORD_OIDC_ALLOWED_DOMAINS"} {
			if getenv(name) != "" {
				return &Error{"ACCORD_OIDC_ISSUER", "", "the provider's issuer URL (required with " + name + ")"}
			}
		}
		if !allowPasswords {
			return &Error{"ACCORD_OIDC_ALLOW_PASSWORDS", getenv("ACCORD_OIDC_ALLOW_PASSWORDS"),
				"true while ACCORD_OIDC_ISSUER is unset: without single sign-on nobody could sign in"}
		}
		return nil
	}
	u, err := url.Parse(o.Issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return &Error{"ACCORD_OIDC_ISSUER", o.Issuer, "the provider's https issuer URL, like https://sso.example.com/realms/acme (http only for localhost)"}
	}
	if o.ClientID == "" {
		return &Error{"ACCORD_OIDC_CLIENT_ID", "", "the client id registered for Accord at the provider (required with ACCORD_OIDC_ISSUER)"}
	}
	// The provider sends people back to ACCORD_BASE_URL, so a guessed default will not do.
	if strings.TrimSpace(getenv("ACCORD_BASE_URL")) == "" {
		return &Error{"ACCORD_BASE_URL", "", "the address people open Accord at (required with ACCORD_OIDC_ISSUER: the provider sends them back to ACCORD_BASE_URL/auth/oidc/callback)"}
	}
	o.PasswordsOff = !allowPasswords
	c.OIDC = o
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
