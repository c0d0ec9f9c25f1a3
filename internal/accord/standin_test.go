package accord

import (
	"testing"
	"time"
)

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestStandInRunsFromItsFirstToItsLastDay(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s := StandIn{StartsAt: time.Date(2026, 12, 7, 0, 0, 0, 0, shanghai), EndsAt: time.Date(2026, 12, 10, 0, 0, 0, 0, shanghai)}
	ended := time.Date(2026, 12, 8, 12, 0, 0, 0, shanghai)
	for _, c := range []struct {
		name     string
		at       time.Time
		endedAt  *time.Time
		active   bool
		upcoming bool
	}{
		{"the evening before", time.Date(2026, 12, 6, 23, 59, 0, 0, shanghai), nil, false, true},
		{"its first midnight", s.StartsAt, nil, true, false},
		{"the last day's evening", time.Date(2026, 12, 9, 23, 59, 0, 0, shanghai), nil, true, false},
		{"the midnight after", s.EndsAt, nil, false, false},
		{"before it was called off", time.Date(2026, 12, 8, 11, 0, 0, 0, shanghai), &ended, true, false},
		{"after it was called off", time.Date(2026, 12, 8, 13, 0, 0, 0, shanghai), &ended, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := s
			s.EndedAt = c.endedAt
			if got := s.ActiveAt(c.at); got != c.active {
				t.Errorf("ActiveAt = %v, want %v", got, c.active)
			}
			if got := s.Upcoming(c.at); got != c.upcoming {
				t.Errorf("Upcoming = %v, want %v", got, c.upcoming)
			}
			if got := s.Over(c.at); got != (!c.active && !c.upcoming) {
				t.Errorf("Over = %v", got)
			}
		})
	}
}

func TestRefuseStandIn(t *testing.T) {
	head := Viewer{User: User{ID: 1}, Roles: Roles{Head: true}}
	admin := Viewer{User: User{ID: 9}, Roles: Roles{Admin: true}}
	other := Viewer{User: User{ID: 5}}
	today := *day("2026-12-03")
	ok := StandInInput{PrincipalID: 1, StandInID: 2, StartsOn: day("2026-12-03"), EndsOn: day("2026-12-10")}
	with := func(f func(*StandInInput)) StandInInput { in := ok; f(&in); return in }
	for _, c := range []struct {
		name     string
		actor    Viewer
		in       StandInInput
		heads    bool
		overlaps bool
		field    string // "" for allowed; "forbidden" for a refusal of the actor
		message  string
	}{
		{"a head names a colleague", head, ok, true, false, "", ""},
		{"an administrator names one for an absent head", admin, ok, true, false, "", ""},
		{"someone else may not", other, ok, true, false, "forbidden", "standin_not_yours"},
		{"only a head has someone to stand in", head, ok, false, false, "principal", "standin_not_a_head"},
		{"an unknown person", head, with(func(i *StandInInput) { i.StandInID = 0 }), true, false, "stand_in", "standin_unknown_person"},
		{"oneself", head, with(func(i *StandInInput) { i.StandInID = 1 }), true, false, "stand_in", "standin_self"},
		{"no start", head, with(func(i *StandInInput) { i.StartsOn = nil }), true, false, "starts_on", "field_required"},
		{"ends before it starts", head, with(func(i *StandInInput) { i.EndsOn = day("2026-12-02") }), true, false, "ends_on", "standin_ends_before_start"},
		{"wholly in the past", head, with(func(i *StandInInput) {
			i.StartsOn, i.EndsOn = day("2026-11-01"), day("2026-11-05")
		}), true, false, "ends_on", "standin_in_the_past"},
		{"starting in the past", head, with(func(i *StandInInput) { i.StartsOn = day("2026-12-01") }), true, false, "starts_on", "standin_starts_in_the_past"},
		{"longer than allowed", head, with(func(i *StandInInput) { i.EndsOn = day("2027-03-05") }), true, false, "ends_on", "standin_too_long"},
		{"the longest allowed", head, with(func(i *StandInInput) { i.EndsOn = day("2027-03-04") }), true, false, "", ""},
		{"overlapping another", head, ok, true, true, "starts_on", "standin_overlaps"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := RefuseStandIn(c.actor, c.in, c.heads, today, c.overlaps)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, isErr := err.(*Error)
			if !isErr {
				t.Fatalf("got %v, want a refusal", err)
			}
			if c.field == "forbidden" {
				if e.Code != ECodeForbidden || e.MessageID != c.message {
					t.Fatalf("got %+v", e)
				}
				return
			}
			if e.Fields[c.field] != c.message {
				t.Fatalf("fields %v, want %s=%s", e.Fields, c.field, c.message)
			}
		})
	}
}

func TestAStandInAnswersForTheHeadButNeverDecidesWhatTheyArePartyTo(t *testing.T) {
	away := StandIn{PrincipalID: 10, PrincipalName: "赵", Units: []int64{7}}
	standIn := Viewer{User: User{ID: 20}, StandingIn: []StandIn{away}}
	req := Request{LeadUserID: 30, HolderUnitID: 7}

	p := RequestPartyOf(req, standIn)
	if !p.HolderHead || p.For == nil || p.For.UserID != 10 {
		t.Fatalf("stand-in's party in a request to the head's unit: %+v", p)
	}
	if !MayTakeAction(ActionAgree, p) {
		t.Fatal("a stand-in may answer for the unit")
	}
	if p := RequestPartyOf(Request{LeadUserID: 30, HolderUnitID: 8}, standIn); p.HolderHead || p.For != nil {
		t.Fatalf("another unit's request: %+v", p)
	}
	nobody := Viewer{User: User{ID: 20}}
	if p := RequestPartyOf(req, nobody); p.HolderHead {
		t.Fatal("without the arrangement they answer for nothing")
	}

	other := Request{LeadUserID: 30, HolderUnitID: 8}
	e := Escalation{AssignedUserID: 10, Request: other}
	ep := EscalationPartyOf(e, standIn)
	if !ep.Superior || ep.SuperiorFor == nil || !ep.MayView() || !MayCause(EscalationOpen, EventDecide, ep) {
		t.Fatalf("stand-in for the superior of an escalation they are no party to: %+v", ep)
	}
	for name, r := range map[string]Request{
		"they lead it":                   {LeadUserID: 20, HolderUnitID: 8},
		"they are its key person":        {LeadUserID: 30, HolderUnitID: 8, KeyPersonUserID: ptr(int64(20))},
		"they answer for its holder too": req,
	} {
		ep := EscalationPartyOf(Escalation{AssignedUserID: 10, Request: r}, standIn)
		if ep.Superior || MayCause(EscalationOpen, EventDecide, ep) {
			t.Errorf("%s: a stand-in may not decide it: %+v", name, ep)
		}
	}
	// Of the head's decided escalations, only those decided while they stood in.
	away.StartsAt = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	during := Viewer{User: User{ID: 20}, StandingIn: []StandIn{away}}
	before, after := away.StartsAt.Add(-time.Hour), away.StartsAt.Add(time.Hour)
	old := Escalation{AssignedUserID: 10, Request: other, Status: EscalationDecided, DecidedAt: &before}
	if ep := EscalationPartyOf(old, during); ep.MayView() {
		t.Error("the head's past decisions are not the stand-in's to read")
	}
	recent := Escalation{AssignedUserID: 10, Request: other, Status: EscalationDecided, DecidedAt: &after}
	if ep := EscalationPartyOf(recent, during); !ep.MayView() || MayCause(EscalationDecided, EventDecide, ep) {
		t.Errorf("one decided while they stood in is theirs to read, not to decide again: %+v", ep)
	}

	heads := standIn
	heads.Memberships = []Membership{{UnitID: 8, IsHead: true}}
	if ep := EscalationPartyOf(e, heads); ep.Superior {
		t.Error("heading the holding unit makes them a party")
	}
}
