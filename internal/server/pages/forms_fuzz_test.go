package pages

import (
	"accord/internal/server/spine"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzFormReaders feeds arbitrary form values to the shared form readers: they return
// a value or "not ok", never panic. Text reaches the domain's rule as sent, bytes
// unaltered (no U+FFFD in place of invalid UTF-8), as the JSON face's decoder
// guarantees by refusing what it would alter: accord.TextProblem judges the same
// text on both faces.
func FuzzFormReaders(f *testing.F) {
	for _, seed := range []string{"2026-12-01", "42", "-1", "1e309", "NaN", " a \n b ", "\x00", "0", "\xff\xfe", "\xed\xa0\x80", "\u202e"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		form := url.Values{"x": {v}}
		r := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if d, ok := formDate(r, "x"); ok && d != nil && d.Format(spine.DateLayout) != strings.TrimSpace(v) {
			t.Fatalf("date %q read as %v", v, d)
		}
		if id, ok := formOptionalID(r, "x"); ok && id != nil && *id <= 0 {
			t.Fatalf("id %q read as %d", v, *id)
		}
		if got := r.PostFormValue("x"); got != v {
			t.Fatalf("text %q read as %q", v, got)
		}
		formFloat(r, "x")
		formInt(r, "x")
		for _, line := range formLines(r, "x") {
			if line == "" || strings.TrimSpace(line) != line {
				t.Fatalf("line %q not trimmed", line)
			}
		}
	})
}
