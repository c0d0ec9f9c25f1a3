package accord

import (
	"slices"
	"time"
)

// The sweep reminds whoever owes the next step on a request that has gone quiet
// (store.SweepStale, which applies these rules in SQL to a batch at a time;
// TestStaleRemindersAgreeWithTheRules compares the two).

// StaleReminderTo is who is reminded of request r when it goes quiet: whoever owes
// its next step — the lead while a counter-proposal waits for them, otherwise the
// holder's contact (HolderContact: the key person, else the head, holderHead, 0 when
// the post is vacant). A request not waiting in its holder's queue (QueuedStates:
// declined ones wait for an escalation, closed ones for nothing) is never reminded: 0.
func StaleReminderTo(r Request, holderHead int64) int64 {
	switch {
	case !slices.Contains(QueuedStates(), r.State):
		return 0
	case r.State == RequestCountered:
		return r.LeadUserID
	}
	return HolderContact(r, holderHead)
}

// StaleReminderDue reports whether request r is quiet enough at now to be reminded:
// its last activity is more than cadenceDays calendar days before now, and more than
// one, counted in now's zone.
func StaleReminderDue(r Request, cadenceDays int, now time.Time) bool {
	return r.LastActivityAt.Before(quietSince(now, max(cadenceDays, 1)))
}
