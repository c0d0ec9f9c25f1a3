package accord

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDecideSSO(t *testing.T) {
	gone := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	active := User{ID: 1, Email: "a@x.test"}
	deactivated := User{ID: 2, Email: "b@x.test", DeactivatedAt: &gone}
	id := Identity{Issuer: "https://idp", Subject: "s-1", Email: "a@x.test"}
	for _, tc := range []struct {
		name               string
		bySubject, byEmail *SSOCandidate
		create             bool
		want               SSOOutcome
	}{
		{"bound before: signs in by subject", &SSOCandidate{User: active, BoundSubject: "s-1"}, nil, false, SSOSignIn},
		{"bound before, email now someone else's: still the bound person", &SSOCandidate{User: active, BoundSubject: "s-1"},
			&SSOCandidate{User: User{ID: 9}}, false, SSOSignIn},
		{"bound before, since deactivated", &SSOCandidate{User: deactivated, BoundSubject: "s-1"}, nil, true, SSORefuseDeactivated},
		{"first sign-in by email", nil, &SSOCandidate{User: active}, false, SSOSignIn},
		{"email's person bound to this subject", nil, &SSOCandidate{User: active, BoundSubject: "s-1"}, false, SSOSignIn},
		{"email's person bound to another subject", nil, &SSOCandidate{User: active, BoundSubject: "s-2"}, true, SSORefuseOtherSubject},
		{"email's person deactivated", nil, &SSOCandidate{User: deactivated}, true, SSORefuseDeactivated},
		{"unknown, creation off", nil, nil, false, SSORefuseUnknown},
		{"unknown, creation on", nil, nil, true, SSOCreate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DecideSSO(id, tc.bySubject, tc.byEmail, tc.create)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.want == SSOSignIn || tc.want == SSOCreate, got.SignsIn())
		})
	}
}

func TestSSOEmail(t *testing.T) {
	for raw, want := range map[string]string{
		"Li.Na@Example.COM ":                 "li.na@example.com",
		"Li Na <li@example.com>":             "",
		"":                                   "",
		"no-at-sign":                         "",
		"a@b.test, c@d.test":                 "",
		strings.Repeat("a", 260) + "@x.test": "",
	} {
		got, ok := SSOEmail(raw)
		require.Equal(t, want, got, raw)
		require.Equal(t, want != "", ok, raw)
	}
}

func TestJustInTimeUser(t *testing.T) {
	for _, tc := range []struct{ name, email, want string }{
		{"王芳", "wang@x.test", "王芳"},
		{"  Ann\x00 \tLee ", "ann@x.test", "Ann Lee"},
		{"", "li.na@x.test", "li.na"},
		{"\x01\x02", "zz@x.test", "zz"},
		{strings.Repeat("名", 200), "long@x.test", strings.Repeat("名", MaxNameLength)},
	} {
		u := JustInTimeUser(Identity{Email: tc.email, Name: tc.name})
		require.Equal(t, NewUser{Email: tc.email, Name: tc.want}, u, tc.name)
	}
}
