package accord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Identity is who an OpenID provider vouched for in a verified ID token: its
// issuer, the person's subject there (stable, never reassigned), their email and
// the name the provider knows them by.
type Identity struct {
	Issuer  string
	Subject string
	Email   string // lower-cased
	Name    string
}

// SSOOutcome is what a single sign-on comes to. It is also the audit action it is
// recorded as (entity AuditSignIn).
type SSOOutcome string

// What a single sign-on comes to.
const (
	SSOSignIn SSOOutcome = "sso_sign_in" // the person is signed in
	SSOCreate SSOOutcome = "sso_create"  // a person unknown until now is created, then signed in
	// SSORefuseUnknown: nobody in Accord has the email, and just-in-time creation is off.
	SSORefuseUnknown SSOOutcome = "sso_refuse_unknown"
	// SSORefuseDeactivated: the person was deactivated.
	SSORefuseDeactivated SSOOutcome = "sso_refuse_deactivated"
	// SSORefuseOtherSubject: the email's person signed in before as another subject at
	// the same provider. The email was given to someone else there: they may not take
	// over the first person's account.
	SSORefuseOtherSubject SSOOutcome = "sso_refuse_other_subject"
)

// AuditSignIn is the audit entity of single sign-ons; its id is the person's, 0 when
// nobody in Accord has the email.
const AuditSignIn AuditEntity = "sign_in"

// AuditSSOUnlink records that a person's bindings to provider subjects were removed.
const AuditSSOUnlink AuditAction = "sso_unlink"

// SignsIn reports whether the outcome lets the person in.
func (o SSOOutcome) SignsIn() bool { return o == SSOSignIn || o == SSOCreate }

// SSOCandidate is an Accord person an identity could be: the one it was bound to at
// an earlier sign-in, or the one with its email, with the subject that email's person
// is bound to at this provider ("" when none yet).
type SSOCandidate struct {
	User         User
	BoundSubject string
}

// DecideSSO decides a single sign-on. A person once signed in through a provider is
// bound to their subject there, and found by it from then on, whatever their email
// becomes; before that they are found by email. bySubject and byEmail are nil when no
// one matches.
func DecideSSO(id Identity, bySubject, byEmail *SSOCandidate, createUnknown bool) SSOOutcome {
	if bySubject != nil {
		if !bySubject.User.Active() {
			return SSORefuseDeactivated
		}
		return SSOSignIn
	}
	switch {
	case byEmail == nil && createUnknown:
		return SSOCreate
	case byEmail == nil:
		return SSORefuseUnknown
	case !byEmail.User.Active():
		return SSORefuseDeactivated
	case byEmail.BoundSubject != "" && byEmail.BoundSubject != id.Subject:
		return SSORefuseOtherSubject
	}
	return SSOSignIn
}

// SSOEmail checks an email a provider asserted: it must be one address and nothing
// else. It returns the address lower-cased.
func SSOEmail(raw string) (string, bool) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if !ValidEmail(email) {
		return "", false
	}
	return email, true
}

// JustInTimeUser is the person created for an identity nobody in Accord has: named
// as the provider names them (the part of the email before @ when it gives no usable
// name), with no administrator rights.
func JustInTimeUser(id Identity) NewUser {
	name := strings.Join(strings.FieldsFunc(strings.ToValidUTF8(id.Name, ""), func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
	if utf8.RuneCountInString(name) > MaxNameLength {
		name = string([]rune(name)[:MaxNameLength])
	}
	if name == "" {
		name, _, _ = strings.Cut(id.Email, "@")
	}
	return NewUser{Email: id.Email, Name: name}
}
