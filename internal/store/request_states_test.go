package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
)

// TestPartialIndexesCoverTheStateSets holds the partial indexes on requests, whose
// migrations spell their states as literals, to the sets of accord the queries are
// written from: each index covers exactly the states of its set, so the queries that
// filter on the set can still use it.
func TestPartialIndexesCoverTheStateSets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t, pgtest.Empty())
	var live []accord.RequestState
	for _, s := range accord.RequestStates() {
		if !slices.Contains(accord.ClosedStates(), s) {
			live = append(live, s)
		}
	}
	tests := []struct {
		index string
		want  []accord.RequestState
	}{
		{"requests_one_live_per_need", live},
		{"requests_holder_open", accord.QueuedStates()},
		{"requests_holder_queue", accord.QueuedStates()},
		{"requests_key_person_queue", accord.QueuedStates()},
		{"requests_activity_open", accord.SentOpenStates()},
	}
	for _, tt := range tests {
		t.Run(tt.index, func(t *testing.T) {
			var predicate string
			require.NoError(t, pool.QueryRow(ctx, `SELECT pg_get_expr(i.indpred, i.indrelid)
				FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`, tt.index).Scan(&predicate))
			// Every state through the predicate, on a row that has a key person.
			var covered []accord.RequestState
			require.NoError(t, pool.QueryRow(ctx, `SELECT COALESCE(array_agg(state ORDER BY n), '{}') FROM (
					SELECT s AS state, n, 1 AS key_person_user_id FROM unnest($1::text[]) WITH ORDINALITY u(s, n)) requests
				WHERE `+predicate, accord.RequestStates()).Scan(&covered))
			require.Equal(t, tt.want, covered, predicate)
		})
	}
}
