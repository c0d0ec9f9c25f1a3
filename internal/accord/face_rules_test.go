package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Rules the pages and the API used to spell out for themselves.

func TestRoleRules(t *testing.T) {
	for _, c := range []struct {
		r                                    Roles
		portfolio, startProject, goal, inbox bool
	}{
		{Roles{}, false, false, false, false},
		{Roles{Lead: true}, false, false, false, false},
		{Roles{KeyPerson: true}, false, false, false, true},
		{Roles{Head: true}, false, true, false, true},
		{Roles{Head: true, Executive: true}, true, true, true, true},
		{Roles{Admin: true}, true, true, true, false},
	} {
		require.Equal(t, c.inbox, c.r.HasInbox(), "%+v", c.r)
		require.Equal(t, c.portfolio, c.r.SeesPortfolio(), "%+v", c.r)
		require.Equal(t, c.startProject, c.r.MayStartProjects(), "%+v", c.r)
		require.Equal(t, c.goal, c.r.MaySetGoals(), "%+v", c.r)
	}
}

func TestProjectPlacement(t *testing.T) {
	closed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	units := []Unit{{ID: 1}, {ID: 2}, {ID: 3, ClosedAt: &closed}, {ID: 4}}
	member := Viewer{User: User{ID: 7}, Memberships: []Membership{{UnitID: 2}, {UnitID: 3}}}
	admin := Viewer{User: User{ID: 8}, Roles: Roles{Admin: true}}

	require.True(t, MayPlaceProjectIn(member, 2, 0), "a unit they belong to")
	require.False(t, MayPlaceProjectIn(member, 1, 0), "a unit they do not belong to")
	require.True(t, MayPlaceProjectIn(member, 1, 1), "the unit it already belongs to")
	require.True(t, MayPlaceProjectIn(admin, 4, 0), "an administrator, anywhere")

	ids := func(us []Unit) (out []int64) {
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	require.Equal(t, []int64{2}, ids(ProjectUnitChoices(member, units, 0)), "open units of theirs only")
	require.Equal(t, []int64{2, 3}, ids(ProjectUnitChoices(member, units, 3)), "plus the current owner, closed or not")
	require.Equal(t, []int64{1, 2, 4}, ids(ProjectUnitChoices(admin, units, 0)))
}

func TestMightDecideDirectly(t *testing.T) {
	lead := Viewer{User: User{ID: 5}, Roles: Roles{Head: true, Lead: true}}
	req := Request{LeadUserID: 5, State: RequestDeclined}
	require.True(t, MightDecideDirectly(req, lead, false))
	require.False(t, MightDecideDirectly(req, lead, true), "a ruling is pending")
	notHead := lead
	notHead.Roles.Head = false
	require.False(t, MightDecideDirectly(req, notHead, false), "heads no unit: cannot be above both")
	other := lead
	other.User.ID = 6
	require.False(t, MightDecideDirectly(req, other, false), "not the lead")
	for _, st := range []RequestState{RequestDraft, RequestDelivered, RequestCancelled} {
		r := req
		r.State = st
		require.False(t, MightDecideDirectly(r, lead, false), st)
	}
	// Whenever the full rule allows, the cheap one did too.
	sup := Superior{NaturalHeadUserID: 5}
	require.True(t, MayDecideDirectly(req, lead, sup))
}

func TestDefaultEscalationList(t *testing.T) {
	exec := Roles{Executive: true, Head: true}
	head := Roles{Head: true}
	for _, c := range []struct {
		counts map[EscalationList]int
		r      Roles
		want   EscalationList
	}{
		{nil, head, ListToDecide},
		{map[EscalationList]int{ListMyProjects: 1, ListMyUnits: 2}, head, ListMyUnits},
		{map[EscalationList]int{ListMyProjects: 1, ListToDecide: 1}, head, ListToDecide},
		{map[EscalationList]int{ListDecided: 3}, head, ListDecided},
		{map[EscalationList]int{ListDecided: 3}, exec, ListToDecide},
	} {
		require.Equal(t, c.want, DefaultEscalationList(c.counts, c.r), "%v %+v", c.counts, c.r)
	}
}

func TestRefuseDecision(t *testing.T) {
	require.NoError(t, RefuseDecision(EscalationParty{Superior: true}))
	for party, want := range map[EscalationParty]string{
		{}:                 "escalation_not_yours",
		{Lead: true}:       "escalation_not_yours",
		{HolderHead: true}: "escalation_not_yours",
		{Admin: true}:      "escalation_admins_do_not_decide",
	} {
		err := RefuseDecision(party)
		require.Equal(t, ECodeForbidden, ErrorCodeOf(err), "%+v", party)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, want, e.MessageID, "%+v", party)
	}
}

func TestEscalateAndNudgeRules(t *testing.T) {
	lead := RequestParty{Lead: true}
	holder := RequestParty{HolderHead: true}
	for _, st := range RequestStates() {
		r := Request{LeadUserID: 5, State: st}
		sent := st.Open() && st != RequestDraft
		require.Equal(t, sent, RefuseEscalation(r, lead) == nil, st)
		require.Equal(t, sent && (st == RequestRequested || st == RequestAgreed || st == RequestInProgress),
			RefuseNudge(r, lead) == nil, st)
		require.Equal(t, ECodeForbidden, ErrorCodeOf(RefuseEscalation(r, holder)), st)
		require.Equal(t, ECodeForbidden, ErrorCodeOf(RefuseNudge(r, holder)), st)
	}
	var e *Error
	require.ErrorAs(t, RefuseNudge(Request{State: RequestDeclined}, lead), &e)
	require.Equal(t, "request_nudge_waits_on_you", e.MessageID, "a decline waits on the lead, not the holder")

	r := Request{LeadUserID: 5}
	require.True(t, LeadDecides(r, Superior{NaturalHeadUserID: 5}))
	require.False(t, LeadDecides(r, Superior{NaturalHeadUserID: 6}))
	require.False(t, LeadDecides(Request{}, Superior{}), "no lead, no one decides by default")
}

func TestStrategiesOffered(t *testing.T) {
	declined := Request{State: RequestDeclined, Obstacle: ObstacleTooBusy}
	require.Equal(t, StrategiesFor(ObstacleTooBusy), StrategiesOffered(declined, RequestParty{Lead: true}))
	require.Empty(t, StrategiesOffered(declined, RequestParty{HolderHead: true}), "the holder is not advised how to persuade itself")
	require.Empty(t, StrategiesOffered(Request{State: RequestDeclined}, RequestParty{Lead: true}), "no obstacle named, nothing to suggest")
	for _, st := range []RequestState{RequestRequested, RequestCountered, RequestAgreed, RequestCancelled} {
		r := declined
		r.State = st
		require.Empty(t, StrategiesOffered(r, RequestParty{Lead: true}), st)
	}
}
