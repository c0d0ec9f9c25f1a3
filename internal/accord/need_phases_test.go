package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNeedRemovalOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		states []RequestState
		want   NeedRemoval
	}{
		{"never sent", nil, NeedDelete},
		{"one request cancelled", []RequestState{RequestCancelled}, NeedArchive},
		{"every request cancelled", []RequestState{RequestCancelled, RequestCancelled}, NeedArchive},
		{"a live request", []RequestState{RequestCancelled, RequestRequested}, NeedKeep},
		{"countered", []RequestState{RequestCountered}, NeedKeep},
		{"declined", []RequestState{RequestDeclined}, NeedKeep},
		{"delivered", []RequestState{RequestDelivered}, NeedKeep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, NeedRemovalOf(tc.states))
		})
	}
}

func TestSendTickedByDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tier      Tier
		cancelled bool
		want      bool
	}{
		{TierRequired, false, true},
		{TierImportant, false, true},
		{TierAlternative, false, false},
		{TierRequired, true, false},
		{TierImportant, true, false},
		{TierAlternative, true, false},
	} {
		t.Run(string(tc.tier), func(t *testing.T) {
			require.Equal(t, tc.want, SendTickedByDefault(Need{Tier: tc.tier}, tc.cancelled))
		})
	}
}

func TestValidatePhase(t *testing.T) {
	t.Parallel()
	it, data := ptr(int64(7)), ptr(int64(8))
	parent := Need{ID: 1, HolderUnitID: it, EffortDays: 120}
	for _, tc := range []struct {
		name   string
		in     NeedInput
		parent Need
		others float64
		want   map[string]string
	}{
		{"within the parent", NeedInput{HolderUnitID: it, EffortDays: 40}, parent, 0, nil},
		{"exactly the parent", NeedInput{HolderUnitID: it, EffortDays: 120}, parent, 0, nil},
		{"more than the parent", NeedInput{HolderUnitID: it, EffortDays: 999}, parent, 0,
			map[string]string{"effort_days": "phase_effort_exceeds_parent"}},
		{"more than what other phases left", NeedInput{HolderUnitID: it, EffortDays: 60}, parent, 80,
			map[string]string{"effort_days": "phase_effort_exceeds_parent"}},
		{"fills what other phases left", NeedInput{HolderUnitID: it, EffortDays: 40}, parent, 80, nil},
		{"another holder", NeedInput{HolderUnitID: data, EffortDays: 10}, parent, 0,
			map[string]string{"holder": "phase_holder_differs"}},
		{"an outside party", NeedInput{ExternalParty: "Vendor", EffortDays: 10}, parent, 0,
			map[string]string{"holder": "phase_holder_differs"}},
		{"parent without an estimate", NeedInput{HolderUnitID: it, EffortDays: 50}, Need{HolderUnitID: it}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, FieldErrors(ValidatePhase(tc.in, tc.parent, tc.others)))
		})
	}
}

func TestValidatePhasedParent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		effort float64
		phases float64
		want   map[string]string
	}{
		{"no phases", 10, 0, nil},
		{"above its phases", 120, 40, nil},
		{"equal to its phases", 40, 40, nil},
		{"below its phases", 30, 40, map[string]string{"effort_days": "phase_parent_below_phases"}},
		{"no estimate", 0, 40, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, FieldErrors(ValidatePhasedParent(NeedInput{EffortDays: tc.effort}, tc.phases)))
		})
	}
}

func TestCounterProblems(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	asked := Request{Scope: "客户管理系统开发", NeedTitle: "客户管理系统开发", NeedTitleEN: "CRM system", DueDate: &due}
	undated := Request{Scope: "CRM", NeedTitle: "CRM"}
	earlier, later := due.AddDate(0, 0, -7), due.AddDate(0, 0, 14)
	for _, tc := range []struct {
		name string
		r    Request
		in   RequestInput
		want map[string]string
	}{
		{"a later date", asked, RequestInput{CounterDate: &later}, nil},
		{"a narrower scope", asked, RequestInput{CounterScope: "phase 1: contacts only"}, nil},
		{"a narrower scope and an earlier date", asked, RequestInput{CounterScope: "phase 1", CounterDate: &earlier}, nil},
		{"only an earlier date", asked, RequestInput{CounterDate: &earlier},
			map[string]string{"counter_date": "request_counter_not_later"}},
		{"only the same date", asked, RequestInput{CounterDate: &due},
			map[string]string{"counter_date": "request_counter_not_later"}},
		{"the same scope", asked, RequestInput{CounterScope: " 客户管理系统开发 "},
			map[string]string{"counter_scope": "request_counter_same_scope"}},
		{"the same scope in English", asked, RequestInput{CounterScope: "CRM system"},
			map[string]string{"counter_scope": "request_counter_same_scope"}},
		{"the same scope and an earlier date", asked, RequestInput{CounterScope: "CRM system", CounterDate: &earlier},
			map[string]string{"counter_date": "request_counter_not_later"}},
		{"nothing", asked, RequestInput{}, map[string]string{"counter_scope": "request_counter_empty"}},
		{"a date where none was asked", undated, RequestInput{CounterDate: &earlier}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, FieldErrors(CounterProblems(tc.r, tc.in)))
		})
	}
}

func TestValidateForChecksCountersOnly(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	earlier := due.AddDate(0, 0, -1)
	r := Request{Scope: "CRM", DueDate: &due}
	in := RequestInput{CounterDate: &earlier}
	require.Equal(t, map[string]string{"counter_date": "request_counter_not_later"}, FieldErrors(in.ValidateFor(r, ActionCounter)))
	require.NoError(t, RequestInput{DueDate: &earlier}.ValidateFor(r, ActionAgree))
	require.Equal(t, map[string]string{"obstacle": "request_obstacle_required"}, FieldErrors(in.ValidateFor(r, ActionDecline)))
}

func TestUnitsOnTracker(t *testing.T) {
	t.Parallel()
	crm, phase1, data, training := int64(1), int64(2), int64(3), int64(4)
	it, dataUnit, train := int64(10), int64(20), int64(30)
	req := func(need int64, phaseOf *int64, unit int64, s RequestState) TrackedRequest {
		return TrackedRequest{NeedID: need, PhaseOf: phaseOf, HolderUnitID: unit, State: s}
	}
	for _, tc := range []struct {
		name                  string
		all                   []TrackedRequest
		units, agreed, inPart int
	}{
		{"nothing sent", nil, 0, 0, 0},
		{"countered, no phase", []TrackedRequest{req(crm, nil, it, RequestCountered)}, 1, 0, 0},
		{"declined, phase 1 in progress: agreed in part", []TrackedRequest{
			req(crm, nil, it, RequestDeclined), req(phase1, &crm, it, RequestInProgress)}, 1, 0, 1},
		{"declined, phase 1 only asked", []TrackedRequest{
			req(crm, nil, it, RequestDeclined), req(phase1, &crm, it, RequestRequested)}, 1, 0, 0},
		{"countered, phase 1 delivered", []TrackedRequest{
			req(crm, nil, it, RequestCountered), req(phase1, &crm, it, RequestDelivered)}, 1, 0, 1},
		{"the parent agreed after all, with its phase", []TrackedRequest{
			req(crm, nil, it, RequestAgreed), req(phase1, &crm, it, RequestDelivered)}, 1, 1, 0},
		{"parent cancelled: the phase stands alone", []TrackedRequest{
			req(crm, nil, it, RequestCancelled), req(phase1, &crm, it, RequestAgreed)}, 1, 1, 0},
		{"phase cancelled: the parent stands as it is", []TrackedRequest{
			req(crm, nil, it, RequestDeclined), req(phase1, &crm, it, RequestCancelled)}, 1, 0, 0},
		{"IT on phase 1, data agreed, training asked, one more unit cancelled", []TrackedRequest{
			req(crm, nil, it, RequestDeclined), req(phase1, &crm, it, RequestInProgress),
			req(data, nil, dataUnit, RequestAgreed), req(training, nil, train, RequestRequested),
			req(5, nil, 40, RequestCancelled)}, 3, 1, 1},
		{"a unit with one agreed and one open: in part", []TrackedRequest{
			req(data, nil, dataUnit, RequestAgreed), req(6, nil, dataUnit, RequestRequested)}, 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units, agreed, inPart := UnitsOnTracker(tc.all)
			require.Equal(t, tc.units, units, "units")
			require.Equal(t, tc.agreed, agreed, "agreed")
			require.Equal(t, tc.inPart, inPart, "in part")
		})
	}
}

func TestEffortCounted(t *testing.T) {
	t.Parallel()
	crm := Need{ID: 1, EffortDays: 120}
	phase := Need{ID: 2, EffortDays: 40, PhaseOfNeedID: ptr(int64(1))}
	orphan := Need{ID: 3, EffortDays: 30, PhaseOfNeedID: ptr(int64(9))}
	all := []Need{crm, phase, orphan}
	for _, tc := range []struct {
		name string
		n    Need
		want bool
	}{
		{"a need of its own", crm, true},
		{"a phase whose parent is on the map", phase, false},
		{"a phase whose parent is gone", orphan, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, EffortCounted(tc.n, all))
		})
	}
}
