package api

import (
	"accord/internal/accord"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeJSON feeds arbitrary bodies to the API's JSON decoder for each body type:
// it either fills the struct or returns a bad-request or invalid-input error, and
// never panics; what it accepts holds no text the decoder replaced with U+FFFD.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"name":"x","version":1}`, `{"tier":"P0","effort_days":1.5}`,
		`{"kind":"direct","due_date":"2027-01-01"}`, `[]`, `{"name":1}`, `{"x":` + "\xff" + `}`, `{} {}`, ``,
		`{"name":"\ud800"}`, `{"name":"\udc00x"}`, `{"name":"\ud83d\ude00"}`, "{\"name\":\"\xed\xa0\x80\"}", `{"name":"\ud800\u0041"}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		targets := []any{&apiProjectBody{}, &apiNeedBody{}, &apiActionBody{}, &apiDecisionBody{}}
		for _, dst := range targets {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			err := decodeJSON(r, dst)
			if err == nil {
				if replaced(body) {
					t.Fatalf("decode %q: accepted text the decoder replaced with U+FFFD", body)
				}
				continue
			}
			var bad *apiBadRequest
			if !errors.As(err, &bad) && accord.ErrorCodeOf(err) != accord.ECodeInvalid {
				t.Fatalf("decode %q: unexpected error type %T: %v", body, err, err)
			}
		}
	})
}

// replaced says whether decoding body put a U+FFFD in any string (key or value) that
// the body did not spell itself: invalid UTF-8 or a lone surrogate was swallowed.
func replaced(body string) bool {
	lower := strings.ToLower(body)
	if strings.Contains(body, "\ufffd") || strings.Contains(lower, `\ufffd`) {
		return false
	}
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.ContainsRune(x, utf8.RuneError)
		case []any:
			return slices.ContainsFunc(x, walk)
		case map[string]any:
			for k, e := range x {
				if strings.ContainsRune(k, utf8.RuneError) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
