package store_test

import (
	"encoding/json"
	"errors"
)

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

func jsonField(t interface{ Fatalf(string, ...any) }, raw []byte, field string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m[field]
}
