package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	day := func(d int, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) } // Nov 2026: the 23rd is a Monday
	sh := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, shanghai) }
	tests := []struct {
		name  string
		start time.Time
		n     int
		loc   *time.Location
		want  time.Time
	}{
		{"Monday + 3 is Thursday", day(23, 9), 3, time.UTC, day(26, 9)},
		{"Thursday + 3 skips the weekend", day(26, 9), 3, time.UTC, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"Friday + 1 is Monday", day(27, 17), 1, time.UTC, time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)},
		{"Saturday + 1 is Monday", day(28, 10), 1, time.UTC, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{"zero days is now", day(25, 8), 0, time.UTC, day(25, 8)},
		// Friday 23:30 UTC is Saturday 07:30 in Shanghai: the weekend has begun there,
		// so one working day later is Monday 07:30 Shanghai, not Monday 23:30 UTC.
		{"Friday 23:30 UTC, counted in UTC", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 1, time.UTC,
			time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)},
		{"Friday 23:30 UTC is Saturday in Shanghai", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 1, shanghai,
			sh(11, 30, 7, 30)},
		{"Friday 23:30 UTC + 3 in Shanghai is Wednesday", time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC), 3, shanghai,
			sh(12, 2, 7, 30)},
		{"Thursday 20:00 UTC is Friday in Shanghai", day(26, 20), 1, shanghai, sh(11, 30, 4, 0)},
		{"a start in another zone is read in the company's", sh(11, 28, 7, 30).In(newYork), 1, shanghai, sh(11, 30, 7, 30)},
		{"counted in New York across the end of daylight saving", time.Date(2026, 10, 30, 9, 0, 0, 0, newYork), 1, newYork,
			time.Date(2026, 11, 2, 9, 0, 0, 0, newYork)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := AddWorkingDays(tt.start, tt.n, tt.loc)
			require.True(t, tt.want.Equal(got), "want %s, got %s", tt.want, got)
			require.Equal(t, tt.loc, got.Location())
			require.Equal(t, tt.want.In(tt.loc).Format(time.DateTime), got.Format(time.DateTime), "same wall clock in the company zone")
		})
	}
}

func TestWindowElapsed(t *testing.T) {
	t.Parallel()
	open := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	due := open.Add(72 * time.Hour)
	require.Equal(t, 0.0, WindowElapsed(open, due, open.Add(-time.Hour)))
	require.Equal(t, 0.5, WindowElapsed(open, due, open.Add(36*time.Hour)))
	require.Equal(t, 1.0, WindowElapsed(open, due, due.Add(time.Hour)))
	require.Equal(t, 1.0, WindowElapsed(open, open, open))
}

func TestStalledCauses(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	date := func(days int) *time.Time { d := dateOf(now).AddDate(0, 0, days); return &d }
	tests := []struct {
		name string
		r    Request
		tier Tier
		want []EscalationCause
	}{
		{"fresh request", Request{State: RequestRequested, LastActivityAt: now, DueDate: date(10)}, TierRequired, nil},
		{"P0 declined 3 days ago", Request{State: RequestDeclined, AnsweredAt: ago(3), LastActivityAt: *ago(3)}, TierRequired,
			[]EscalationCause{CauseDeclined}},
		{"P1 declined 3 days ago waits", Request{State: RequestDeclined, AnsweredAt: ago(3), LastActivityAt: *ago(3)}, TierImportant, nil},
		{"P0 one day overdue", Request{State: RequestAgreed, DueDate: date(-1), LastActivityAt: now}, TierRequired,
			[]EscalationCause{CauseOverdue}},
		{"P1 one day overdue waits", Request{State: RequestAgreed, DueDate: date(-1), LastActivityAt: now}, TierImportant, nil},
		{"P1 five days overdue", Request{State: RequestInProgress, DueDate: date(-5), LastActivityAt: now}, TierImportant,
			[]EscalationCause{CauseOverdue}},
		{"stale past twice the cadence", Request{State: RequestAgreed, LastActivityAt: *ago(29)}, TierRequired,
			[]EscalationCause{CauseStale}},
		{"stale once is only a reminder", Request{State: RequestAgreed, LastActivityAt: *ago(20)}, TierRequired, nil},
		{"P2 never escalates by itself", Request{State: RequestDeclined, AnsweredAt: ago(30), DueDate: date(-30), LastActivityAt: *ago(60)},
			TierAlternative, nil},
		{"delivered never escalates", Request{State: RequestDelivered, DueDate: date(-30), LastActivityAt: *ago(60)}, TierRequired, nil},
		{"several causes at once", Request{State: RequestDeclined, AnsweredAt: ago(40), DueDate: date(-2), LastActivityAt: *ago(40)},
			TierRequired, []EscalationCause{CauseDeclined, CauseOverdue, CauseStale}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, StalledCauses(tt.r, 14, DefaultEscalationPolicy(tt.tier), now))
		})
	}
}

func TestCausesToRaise(t *testing.T) {
	t.Parallel()
	both := []EscalationCause{CauseDeclined, CauseOverdue}
	cases := []struct {
		name    string
		stalled []EscalationCause
		raised  map[EscalationCause]bool
		pending bool
		want    []EscalationCause
	}{
		{"not stalled", nil, nil, false, nil},
		{"one cause", []EscalationCause{CauseStale}, nil, false, []EscalationCause{CauseStale}},
		{"two causes: the first only", both, nil, false, []EscalationCause{CauseDeclined}},
		{"the first raised before: the next", both, map[EscalationCause]bool{CauseDeclined: true}, false, []EscalationCause{CauseOverdue}},
		{"all raised before", both, map[EscalationCause]bool{CauseDeclined: true, CauseOverdue: true}, false, nil},
		{"an escalation waits", both, nil, true, nil},
		{"a manual one waits", []EscalationCause{CauseStale}, map[EscalationCause]bool{CauseManual: true}, true, nil},
	}
	for _, c := range cases {
		require.Equal(t, c.want, CausesToRaise(c.stalled, c.raised, c.pending), c.name)
	}
}

func TestReassignGoesOnlyToAHeadAboveBoth(t *testing.T) {
	t.Parallel()
	// HQ(1) ─┬─ Ops(2) ─┬─ Sales(4)
	//        │          └─ Marketing(5)
	//        └─ Legal(9)
	head := func(id int64) *int64 { return &id }
	units := []Unit{{ID: 1, Path: []int64{1}, HeadUserID: head(100)}, {ID: 2, Path: []int64{1, 2}, HeadUserID: head(200)},
		{ID: 4, Path: []int64{1, 2, 4}, HeadUserID: head(400)}, {ID: 5, Path: []int64{1, 2, 5}, HeadUserID: head(500)},
		{ID: 9, Path: []int64{1, 9}, HeadUserID: head(900)}}
	sales, marketing := []int64{1, 2, 4}, []int64{1, 2, 5}

	unit, ok := UnitAboveBoth(sales, marketing, []int64{9})
	require.False(t, ok, "Legal is above neither")
	require.Zero(t, unit)
	unit, ok = UnitAboveBoth(sales, marketing, []int64{9, 1, 2})
	require.True(t, ok)
	require.Equal(t, int64(2), unit, "the lowest unit above both they head")

	withOps := Escalation{AssignedUserID: 200}
	got := ReassignCandidates(withOps, units, sales, marketing, Parties{400, 500})
	require.Len(t, got, 1)
	require.Equal(t, int64(1), got[0].ID, "only the CEO: Ops has it, Legal is not above both")
	withCEO := Escalation{AssignedUserID: 100}
	got = ReassignCandidates(withCEO, units, sales, marketing, Parties{400, 500, 200})
	require.Empty(t, got, "the Ops head leads the project: a party")

	e := Escalation{AssignedUserID: 200}
	require.NoError(t, CheckReassign(e, 100, true, Parties{400, 500}, "away"))
	require.Equal(t, "escalation_reassign_same", FieldErrors(CheckReassign(e, 200, true, nil, "x"))["user_id"])
	require.Equal(t, "escalation_reassign_not_head", FieldErrors(CheckReassign(e, 900, false, nil, "x"))["user_id"])
	require.Equal(t, "escalation_reassign_party", FieldErrors(CheckReassign(e, 500, true, Parties{500}, "x"))["user_id"])
	require.Equal(t, "escalation_reason_required", FieldErrors(CheckReassign(e, 100, true, nil, ""))["reason"])
}

func TestStatementOwedAndAskingAgain(t *testing.T) {
	t.Parallel()
	open := Escalation{Status: EscalationOpen, Cause: CauseDeclined, LeadStatement: "已说明"}
	require.True(t, open.StatementOwedBy(EscalationParty{HolderHead: true}))
	require.False(t, open.StatementOwedBy(EscalationParty{Lead: true}), "the lead has spoken")
	require.False(t, open.StatementOwedBy(EscalationParty{Superior: true}), "the superior makes no statement")
	decided := open
	decided.Status = EscalationDecided
	require.False(t, decided.StatementOwedBy(EscalationParty{HolderHead: true}), "statements close with the decision")

	require.False(t, open.MayAskAgain(), "one waits already")
	require.True(t, decided.MayAskAgain(), "the sweep raised it: the lead's own request is still unused")
	manual := Escalation{Status: EscalationDecided, Cause: CauseManual}
	require.False(t, manual.MayAskAgain(), "asked by hand once already")
	manual.Direct = true
	require.True(t, manual.MayAskAgain(), "a direct decision uses up nothing")
}
