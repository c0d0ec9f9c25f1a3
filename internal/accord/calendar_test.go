package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRequestOnCalendar(t *testing.T) {
	t.Parallel()
	const me, head, lead, key = 1, 2, 3, 4
	due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	keyPerson := int64(key)
	base := Request{State: RequestRequested, LeadUserID: lead, KeyPersonUserID: &keyPerson, DueDate: &due}
	tests := []struct {
		name       string
		user       int64
		holderHead int64
		edit       func(*Request)
		want       CalendarKind
	}{
		{"the holder's head owes it", head, head, nil, CalendarOwed},
		{"the key person owes it", key, head, nil, CalendarOwed},
		{"the lead leads it", lead, head, nil, CalendarLed},
		{"a lead who heads the holder too: owed, once", lead, lead, nil, CalendarOwed},
		{"anyone else: not on it", me, head, nil, ""},
		{"nobody: not on it", 0, 0, nil, ""},
		{"agreed: still owed", head, head, func(r *Request) { r.State = RequestAgreed }, CalendarOwed},
		{"in progress: still owed", key, head, func(r *Request) { r.State = RequestInProgress }, CalendarOwed},
		{"countered: still led", lead, head, func(r *Request) { r.State = RequestCountered }, CalendarLed},
		{"declined: open, still led", lead, head, func(r *Request) { r.State = RequestDeclined }, CalendarLed},
		{"a draft is not sent", lead, head, func(r *Request) { r.State = RequestDraft }, ""},
		{"delivered is closed", head, head, func(r *Request) { r.State = RequestDelivered }, ""},
		{"cancelled is closed", lead, head, func(r *Request) { r.State = RequestCancelled }, ""},
		{"no date, nothing to put on a day", head, head, func(r *Request) { r.DueDate = nil }, ""},
		{"a vacant head's post owes through nobody", head, 0, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			if tc.edit != nil {
				tc.edit(&r)
			}
			got, ok := RequestOnCalendar(tc.user, r, tc.holderHead)
			require.Equal(t, tc.want != "", ok)
			require.Equal(t, tc.want, got)
			if ok { // whoever it puts there may open the request
				party := RequestParty{Lead: r.LeadUserID == tc.user, HolderHead: tc.holderHead == tc.user,
					Delegate: r.KeyPersonUserID != nil && *r.KeyPersonUserID == tc.user}
				v := ProjectViewer{UserID: tc.user}
				require.True(t, MayViewRequest(v, ProjectReach{LeadUserID: r.LeadUserID}, party))
			}
		})
	}
}

func TestEscalationOnCalendar(t *testing.T) {
	t.Parallel()
	e := Escalation{Status: EscalationOpen, AssignedUserID: 7}
	require.True(t, EscalationOnCalendar(7, e), "the superior it waits for")
	require.True(t, MayViewEscalation(EscalationParty{Superior: true}))
	require.False(t, EscalationOnCalendar(8, e), "anyone else")
	require.False(t, EscalationOnCalendar(0, Escalation{Status: EscalationOpen}), "nobody")
	for _, st := range []EscalationStatus{EscalationSentBack, EscalationDecided} {
		require.False(t, EscalationOnCalendar(7, Escalation{Status: st, AssignedUserID: 7}), "%s: nothing to decide", st)
	}
}

func TestPromiseOnCalendar(t *testing.T) {
	t.Parallel()
	far := time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC)
	open := Commitment{Status: CommitmentOpen, DueDate: &far}
	require.True(t, PromiseOnCalendar(3, open, 3), "the lead, however far ahead")
	require.False(t, PromiseOnCalendar(4, open, 3), "not the lead")
	require.False(t, PromiseOnCalendar(0, open, 0), "nobody")
	require.False(t, PromiseOnCalendar(3, Commitment{Status: CommitmentOpen}, 3), "no date")
	require.False(t, PromiseOnCalendar(3, Commitment{Status: CommitmentKept, DueDate: &far}, 3), "kept")
	require.False(t, PromiseOnCalendar(3, Commitment{Status: CommitmentBroken, DueDate: &far}, 3), "broken")
}

func TestCalendarSpan(t *testing.T) {
	t.Parallel()
	sh := time.FixedZone("CST", 8*3600)
	// 00:30 on 4 December in Shanghai is still 3 December in UTC: the company's day counts.
	from, to := CalendarSpan(time.Date(2026, 12, 4, 0, 30, 0, 0, sh))
	require.Equal(t, time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC), from)
	require.Equal(t, time.Date(2027, 12, 4, 0, 0, 0, 0, time.UTC), to)
	require.True(t, InCalendarSpan(from, from, to))
	require.True(t, InCalendarSpan(to, from, to))
	require.False(t, InCalendarSpan(from.AddDate(0, 0, -1), from, to))
	require.False(t, InCalendarSpan(to.AddDate(0, 0, 1), from, to))
}
