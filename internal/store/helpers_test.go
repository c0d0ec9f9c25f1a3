package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
	"accord/internal/store/storetest"
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

// zonedWorld is a factory world on a fresh database whose sessions count days in
// zone, and a function opening more stores on the same database in other zones: the
// rules that compare dates and days read them in the database session's zone.
func zonedWorld(t *testing.T, zone string) (*storetest.World, func(zone string) *store.Store) {
	t.Helper()
	url := pgtest.NewDB(t, pgtest.Empty())
	in := func(zone string) *store.Store {
		t.Helper()
		cfg, err := pgxpool.ParseConfig(url)
		require.NoError(t, err)
		cfg.ConnConfig.RuntimeParams["timezone"] = zone
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		return store.New(pool)
	}
	return storetest.Around(in(zone)), in
}

// utcDay is the UTC calendar day of t as a date (midnight UTC), as stand-in
// arrangements are given in the tests (their zone UTC).
func utcDay(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
