package accord

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRequestAgenda(t *testing.T) {
	t.Parallel()
	const me, other = int64(7), int64(8)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork) // the day after a 23-hour day
	quiet := time.Date(2026, 2, 23, 10, 0, 0, 0, newYork)
	id := func(v int64) *int64 { return &v }
	req := func(state RequestState, lead int64, keyPerson *int64, active time.Time) Request {
		return Request{State: state, LeadUserID: lead, KeyPersonUserID: keyPerson, LastActivityAt: active}
	}
	tests := []struct {
		name    string
		user    int64
		r       Request
		head    int64
		cadence int
		want    []AgendaKind
	}{
		{"requested of the unit I head", me, req(RequestRequested, other, nil, now), me, 14, []AgendaKind{AgendaAnswer}},
		{"requested, handed to me", me, req(RequestRequested, other, id(me), now), other, 14, []AgendaKind{AgendaAnswer}},
		{"requested, I head it and hold it", me, req(RequestRequested, other, id(me), now), me, 14, []AgendaKind{AgendaAnswer}},
		{"requested of someone else", me, req(RequestRequested, other, id(other), now), other, 14, nil},
		{"agreed by the unit I head, handed to nobody", me, req(RequestAgreed, other, nil, now), me, 14, nil},
		{"agreed, mine to deliver", me, req(RequestAgreed, other, id(me), now), other, 14, []AgendaKind{AgendaDeliver}},
		{"in progress, mine to deliver", me, req(RequestInProgress, other, id(me), now), me, 14, []AgendaKind{AgendaDeliver}},
		{"delivered by me", me, req(RequestDelivered, other, id(me), now), other, 14, nil},
		{"countered on my project", me, req(RequestCountered, me, nil, now), other, 14, []AgendaKind{AgendaNext}},
		{"declined on my project", me, req(RequestDeclined, me, nil, now), other, 14, []AgendaKind{AgendaNext}},
		{"declined on another's project", me, req(RequestDeclined, other, nil, now), me, 14, nil},
		{"countered on my project and quiet", me, req(RequestCountered, me, nil, quiet.Add(-time.Second)), other, 14,
			[]AgendaKind{AgendaNext, AgendaStale}},
		{"requested by me, quiet", me, req(RequestRequested, me, nil, quiet.Add(-time.Second)), other, 14,
			[]AgendaKind{AgendaStale}},
		{"requested by me, quiet for exactly the cadence", me, req(RequestRequested, me, nil, quiet), other, 14, nil},
		// 14 × 24 hours would reach back to 09:00: half an hour short of it is still quiet.
		{"quiet 14 calendar days, not 14 × 24 hours", me, req(RequestAgreed, me, nil, quiet.Add(-30*time.Minute)), other,
			14, []AgendaKind{AgendaStale}},
		{"quiet on a short cadence", me, req(RequestInProgress, me, nil, now.AddDate(0, 0, -2).Add(-time.Second)), other, 2,
			[]AgendaKind{AgendaStale}},
		{"quiet but delivered", me, req(RequestDelivered, me, nil, quiet.AddDate(0, -1, 0)), other, 14, nil},
		{"quiet but cancelled", me, req(RequestCancelled, me, nil, quiet.AddDate(0, -1, 0)), other, 14, nil},
		{"quiet but never sent", me, req(RequestDraft, me, nil, quiet.AddDate(0, -1, 0)), other, 14, nil},
		{"quiet on another's project", me, req(RequestRequested, other, nil, quiet.AddDate(0, -1, 0)), other, 14, nil},
		{"my project asks the unit I head, quietly", me, req(RequestRequested, me, nil, quiet.AddDate(0, -1, 0)), me, 14,
			[]AgendaKind{AgendaAnswer, AgendaStale}},
		{"nobody heads the unit", 0, req(RequestRequested, other, nil, now), 0, 14, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, RequestAgenda(tt.user, tt.r, tt.head, tt.cadence, now))
		})
	}
}

func TestEscalationAgenda(t *testing.T) {
	t.Parallel()
	const me, other = int64(7), int64(8)
	esc := func(status EscalationStatus, assigned, lead int64, holderStatement string) Escalation {
		return Escalation{Status: status, AssignedUserID: assigned, HolderStatement: holderStatement,
			Request: Request{LeadUserID: lead}}
	}
	tests := []struct {
		name string
		user int64
		e    Escalation
		head int64
		want []AgendaKind
	}{
		{"open, my unit has not spoken", me, esc(EscalationOpen, other, other, ""), me, []AgendaKind{AgendaStatement}},
		{"sent back, my unit has not spoken", me, esc(EscalationSentBack, other, other, ""), me, []AgendaKind{AgendaStatement}},
		{"open, my unit has spoken", me, esc(EscalationOpen, other, other, "排不开"), me, nil},
		{"decided before my unit spoke", me, esc(EscalationDecided, other, other, ""), me, nil},
		{"open, another unit owes it", me, esc(EscalationOpen, other, other, ""), other, nil},
		{"open, mine to decide", me, esc(EscalationOpen, me, other, "排不开"), other, []AgendaKind{AgendaDecide}},
		{"sent back from me: the lead's turn", me, esc(EscalationSentBack, me, other, "排不开"), other, nil},
		{"decided by me", me, esc(EscalationDecided, me, other, ""), other, nil},
		{"mine to decide and my unit's to speak", me, esc(EscalationOpen, me, other, ""), me,
			[]AgendaKind{AgendaStatement, AgendaDecide}},
		{"my project's, the lead's statement unwritten", me, esc(EscalationOpen, other, me, ""), other, nil},
		{"nobody heads the unit", 0, esc(EscalationOpen, other, other, ""), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, EscalationAgenda(tt.user, tt.e, tt.head))
		})
	}
}

func TestPromiseOnAgenda(t *testing.T) {
	t.Parallel()
	const me, other = int64(7), int64(8)
	shanghai := time.FixedZone("UTC+8", 8*3600)
	now := time.Date(2026, 3, 2, 0, 30, 0, 0, shanghai) // still 1 March in UTC
	date := func(m time.Month, d int) *time.Time { t := time.Date(2026, m, d, 0, 0, 0, 0, time.UTC); return &t }
	promise := func(status CommitmentStatus, due *time.Time) Commitment {
		return Commitment{Status: status, DueDate: due}
	}
	tests := []struct {
		name string
		user int64
		c    Commitment
		lead int64
		want bool
	}{
		{"due today", me, promise(CommitmentOpen, date(3, 2)), me, true},
		{"due on the horizon", me, promise(CommitmentOpen, date(3, 16)), me, true},
		{"due a day beyond it", me, promise(CommitmentOpen, date(3, 17)), me, false},
		{"overdue", me, promise(CommitmentOpen, date(1, 5)), me, true},
		{"undated", me, promise(CommitmentOpen, nil), me, false},
		{"kept", me, promise(CommitmentKept, date(3, 2)), me, false},
		{"broken", me, promise(CommitmentBroken, date(3, 2)), me, false},
		{"another lead's", me, promise(CommitmentOpen, date(3, 2)), other, false},
		{"nobody", 0, promise(CommitmentOpen, date(3, 2)), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, PromiseOnAgenda(tt.user, tt.c, tt.lead, now))
		})
	}
	// The horizon counts from now's day: in UTC it is still 1 March.
	require.False(t, PromiseOnAgenda(me, promise(CommitmentOpen, date(3, 16)), me, now.UTC()))
}

func TestCompareAgendaItems(t *testing.T) {
	t.Parallel()
	at := func(day int) time.Time { return time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC) }
	date := func(day int) *time.Time { d := time.Date(2026, 4, day, 0, 0, 0, 0, time.UTC); return &d }
	item := func(kind AgendaKind, id int64, tier Tier, sent time.Time, due *time.Time) AgendaItem {
		return AgendaItem{Kind: kind, ID: id, Tier: tier, At: sent, DueDate: due}
	}
	tests := []struct {
		name string
		want []AgendaItem // in order
	}{
		{"answer: tier, then the oldest, then by id", []AgendaItem{
			item(AgendaAnswer, 9, TierRequired, at(5), date(1)),
			item(AgendaAnswer, 3, TierImportant, at(1), nil),
			item(AgendaAnswer, 4, TierImportant, at(1), date(1)),
			item(AgendaAnswer, 2, TierImportant, at(2), date(1)),
			item(AgendaAnswer, 1, TierAlternative, at(1), date(1)),
		}},
		{"next and statement: tier first too", []AgendaItem{
			item(AgendaNext, 5, TierRequired, at(9), nil),
			item(AgendaNext, 4, TierImportant, at(1), nil),
			item(AgendaStatement, 2, TierImportant, at(8), nil),
			item(AgendaStatement, 1, TierAlternative, at(2), nil),
		}},
		{"deliver: by date, undated last, whatever the tier", []AgendaItem{
			item(AgendaDeliver, 5, TierAlternative, at(9), date(1)),
			item(AgendaDeliver, 3, TierRequired, at(2), date(2)),
			item(AgendaDeliver, 4, TierRequired, at(2), date(2)),
			item(AgendaDeliver, 2, TierRequired, at(1), nil),
			item(AgendaDeliver, 6, TierRequired, at(3), nil),
		}},
		{"stale, decide and promise: the earliest first, whatever the tier or date", []AgendaItem{
			item(AgendaDecide, 7, TierAlternative, at(1), date(9)),
			item(AgendaDecide, 2, TierRequired, at(2), date(1)),
			item(AgendaPromise, 3, "", at(1), date(1)),
			item(AgendaPromise, 4, "", at(1), date(1)),
			item(AgendaStale, 9, TierAlternative, at(1), nil),
			item(AgendaStale, 1, TierRequired, at(3), date(1)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i := range 8 {
				got := slices.Clone(tt.want)
				// Start from several orders, the wanted one reversed among them.
				if i%2 == 1 {
					slices.Reverse(got)
				}
				got = slices.Concat(got[i%len(got):], got[:i%len(got)])
				slices.SortFunc(got, CompareAgendaItems)
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestAgendaKinds(t *testing.T) {
	t.Parallel()
	require.Equal(t, []AgendaKind{"answer", "deliver", "statement", "next", "stale", "decide", "promise"}, AgendaKinds())
}

// TestAgendaApplies: a start page shows the lists of the roles its reader holds, and
// any list that holds something; an administrator's shows none of a lead's or a
// head's.
func TestAgendaApplies(t *testing.T) {
	t.Parallel()
	admin, exec, head := Roles{Admin: true}, Roles{Executive: true, Head: true}, Roles{Head: true}
	lead, keyPerson := Roles{Lead: true}, Roles{KeyPerson: true}
	want := map[AgendaKind][]Roles{ // the roles each empty list applies to
		AgendaDecide:    {exec},
		AgendaAnswer:    {exec, head},
		AgendaStatement: {exec, head},
		AgendaDeliver:   {keyPerson},
		AgendaNext:      {lead},
		AgendaStale:     {lead},
		AgendaPromise:   {lead},
	}
	for _, kind := range AgendaKinds() {
		for _, r := range []Roles{admin, exec, head, lead, keyPerson, {}} {
			require.Equal(t, slices.Contains(want[kind], r), AgendaApplies(r, kind, 0), "%s, empty, for %+v", kind, r)
			require.True(t, AgendaApplies(r, kind, 1), "%s holding an item, for %+v", kind, r)
		}
	}
	for _, kind := range AgendaKinds() {
		require.False(t, AgendaApplies(admin, kind, 0), "an administrator has no empty %s list", kind)
	}
}
