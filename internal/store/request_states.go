package store

import (
	"strings"

	"accord/internal/accord"
)

// The request-state sets queries filter on, written from accord's sets so each is
// spelled once. They are computed when the package loads and never assigned. Their
// text is what the partial indexes of migrations 0003, 0012 and 0037 were written with, so
// the planner matches them as before; store tests check the indexes still cover
// exactly these sets.
var (
	// sentOpen lists the states of a request that has been sent and may still change.
	sentOpen = sqlStates(accord.SentOpenStates())
	// queuedStates lists the states of a request waiting in its holder's queue.
	queuedStates = sqlStates(accord.QueuedStates())
	// closedStates lists the states a request can no longer leave.
	closedStates = sqlStates(accord.ClosedStates())
	// committedStates lists the states of a request its holder has said yes to.
	committedStates = sqlStates(accord.CommittedStates())

	// openRequest is true for a request waiting in its holder's queue; the queue
	// indexes (migration 0012) are partial on exactly this condition.
	openRequest = `r.state IN ` + queuedStates
)

// sqlStates spells states as an SQL list of literals, "('a', 'b')", in their order.
func sqlStates(states []accord.RequestState) string {
	quoted := make([]string, len(states))
	for i, s := range states {
		quoted[i] = "'" + strings.ReplaceAll(string(s), "'", "''") + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}
