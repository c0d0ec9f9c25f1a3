package accord

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a person who signs in. Users are deactivated, never deleted, so history
// always names who did what.
type User struct {
	ID            int64
	Email         string
	Name          string // in Chinese, or the person's own script
	NameEN        string // optional English rendering
	IsAdmin       bool
	Locale        string // "", "zh" or "en"; empty means follow the browser
	TimeZone      string // an IANA name from TimeZones; empty means the company's zone
	DeactivatedAt *time.Time
	CreatedAt     time.Time
	Version       int
}

// Active reports whether the user may sign in and hold posts.
func (u User) Active() bool { return u.DeactivatedAt == nil }

// DisplayName picks the name to show a reader of the given language.
func (u User) DisplayName(lang string) string { return localName(u.Name, u.NameEN, lang) }

// NewUser is the input for creating a user.
type NewUser struct {
	Email    string
	Name     string
	NameEN   string
	Password string
	IsAdmin  bool
}

// MinPasswordLength is the shortest password Accord accepts.
const MinPasswordLength = 10

// Normalize trims the input and lower-cases the email.
func (n *NewUser) Normalize() {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	n.NameEN = strings.TrimSpace(n.NameEN)
}

// Validate reports every problem with the input at once.
func (n NewUser) Validate() error {
	var v Validation
	if !ValidEmail(n.Email) {
		v.Add("email", "field_email_invalid")
	}
	validateName(&v, "name", n.Name, true)
	validateName(&v, "name_en", n.NameEN, false)
	if utf8.RuneCountInString(n.Password) < MinPasswordLength {
		v.Add("password", "field_password_short")
	}
	return v.Err()
}

// MaxEmailLength is the longest address SMTP allows (RFC 5321).
const MaxEmailLength = 254

// ValidEmail is the one rule for a person's email address, wherever it comes from
// (a form, the API, an organisation file, a single sign-on provider): one bare
// address as net/mail reads it, no longer than SMTP allows, and without control,
// formatting (such as U+202E, which would reverse the text shown after it) or space
// characters, which net/mail lets through in quoted local parts.
func ValidEmail(s string) bool {
	if len(s) > MaxEmailLength || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) || r == utf8.RuneError
	}) {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// Locales Accord speaks.
const (
	LocaleZH = "zh"
	LocaleEN = "en"
)

// ValidLocale reports whether s is a locale a user may choose ("" means automatic).
func ValidLocale(s string) bool { return s == "" || s == LocaleZH || s == LocaleEN }

// MaxNameLength bounds names of people, units and projects.
const MaxNameLength = 120

func validateName(v *Validation, field, s string, required bool) {
	rule := NameText
	rule.Required = required
	v.Text(field, s, rule)
}

func localName(zh, en, lang string) string {
	if lang == LocaleEN && en != "" {
		return en
	}
	return zh
}
