package store_test

import (
	"encoding/json"
	"errors"

	"accord/internal/accord"
)

func ptr[T any](v T) *T { return &v }

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

func jsonField(t interface{ Fatalf(string, ...any) }, raw []byte, field string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m[field]
}

func errMessageID(err error) string {
	var e *accord.Error
	if ok := asError(err, &e); ok {
		return e.MessageID
	}
	return ""
}

// needInputOf is the input that would save need n unchanged.
func needInputOf(n accord.Need) accord.NeedInput {
	return accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, HolderUnitID: n.HolderUnitID,
		ExternalParty: n.ExternalParty, Tier: n.Tier, BacksUpNeedID: n.BacksUpNeedID, NeededBy: n.NeededBy,
		EffortDays: n.EffortDays, KeyPerson: n.KeyPerson, Notes: n.Notes}
}
