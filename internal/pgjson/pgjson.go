// Package pgjson sets how Accord's connections read json and jsonb columns: with
// segmentio/encoding/json, a drop-in for encoding/json that decodes several times
// faster. The pages read much of what they show as JSON their statements build (a
// portfolio's rows and tops, an escalation's frozen record: 300 µs for its 24 kB with
// encoding/json, 94 with this), a quarter of the portfolio's server time. Values are
// still written with encoding/json. Every pool opened through store.PoolConfig sets
// it: the server's two and those pgtest gives the tests, so the tests read JSON as the
// server does. (The bench's and the cluster tool's own pools, which read no JSON,
// keep pgx's default.)
package pgjson

import (
	"context"
	stdjson "encoding/json"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/segmentio/encoding/json"
)

// DecodeFast is a pgxpool AfterConnect hook: conn reads json and jsonb with
// segmentio/encoding/json.
func DecodeFast(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.RegisterType(&pgtype.Type{Name: "json", OID: pgtype.JSONOID,
		Codec: &pgtype.JSONCodec{Marshal: stdjson.Marshal, Unmarshal: json.Unmarshal}})
	m.RegisterType(&pgtype.Type{Name: "jsonb", OID: pgtype.JSONBOID,
		Codec: &pgtype.JSONBCodec{Marshal: stdjson.Marshal, Unmarshal: json.Unmarshal}})
	return nil
}
