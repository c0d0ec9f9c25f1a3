package accord

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRequestStateSets checks each set of states against membership written out by
// hand, against the lifecycle's own notions (Open, the transition table), and that
// each keeps lifecycle order, which the store's query texts and indexes rely on.
func TestRequestStateSets(t *testing.T) {
	t.Parallel()
	sets := map[string][]RequestState{
		"closed": ClosedStates(), "sent open": SentOpenStates(), "queued": QueuedStates(), "committed": CommittedStates(),
	}
	// in[state] = the sets it belongs to.
	in := map[RequestState][]string{
		RequestDraft:      nil,
		RequestRequested:  {"sent open", "queued"},
		RequestAgreed:     {"sent open", "queued", "committed"},
		RequestDeclined:   {"sent open"},
		RequestCountered:  {"sent open", "queued"},
		RequestInProgress: {"sent open", "queued", "committed"},
		RequestDelivered:  {"closed", "committed"},
		RequestCancelled:  {"closed"},
	}
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, s := range RequestStates() {
				require.Equal(t, slices.Contains(in[s], name), slices.Contains(set, s), s)
			}
			var order []RequestState
			for _, s := range RequestStates() {
				if slices.Contains(set, s) {
					order = append(order, s)
				}
			}
			require.Equal(t, order, set, "lifecycle order")
		})
	}

	anyone := RequestParty{Lead: true, HolderHead: true, Delegate: true}
	for _, s := range RequestStates() {
		// Closed: nothing can be done to it any more.
		require.Equal(t, !s.Open(), slices.Contains(ClosedStates(), s), s)
		require.Equal(t, !s.Open(), len(AvailableRequestActions(s, anyone)) == 0, s)
		// Sent and open: open, and not a draft.
		require.Equal(t, s.Open() && s != RequestDraft, slices.Contains(SentOpenStates(), s), s)
		// Queued: sent and open, except a decline.
		require.Equal(t, slices.Contains(SentOpenStates(), s) && s != RequestDeclined, slices.Contains(QueuedStates(), s), s)
	}

	// Committed: agreement and wherever it leads short of cancelling.
	committed := []RequestState{RequestAgreed}
	for i := 0; i < len(committed); i++ {
		for _, a := range AvailableRequestActions(committed[i], anyone) {
			next, err := NextRequestState(committed[i], a, anyone)
			require.NoError(t, err)
			if a != ActionCancel && !slices.Contains(committed, next) {
				committed = append(committed, next)
			}
		}
	}
	require.ElementsMatch(t, committed, CommittedStates())
}
