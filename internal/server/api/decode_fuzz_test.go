package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeJSON feeds arbitrary bodies to the API's JSON decoder for each body type:
// it either fills the struct or returns a bad-request error, and never panics.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"name":"x","version":1}`, `{"tier":"P0","effort_days":1.5}`,
		`{"kind":"direct","due_date":"2027-01-01"}`, `[]`, `{"name":1}`, `{"x":` + "\xff" + `}`, `{} {}`, ``} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		targets := []any{&apiProjectBody{}, &apiNeedBody{}, &apiActionBody{}, &apiDecisionBody{}}
		for _, dst := range targets {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			err := decodeJSON(r, dst)
			if err == nil {
				continue
			}
			var bad *apiBadRequest
			if !errors.As(err, &bad) {
				t.Fatalf("decode %q: unexpected error type %T: %v", body, err, err)
			}
		}
	})
}
