package accord

import (
	"slices"
	"strings"
	"time"
)

// NeedRemoval is what removing a need from the resource map does.
type NeedRemoval string

// What removing a need does, by the requests it has.
const (
	// NeedDelete: never sent, nothing refers to it; it goes.
	NeedDelete NeedRemoval = "delete"
	// NeedArchive: every request of it was cancelled. Those requests, their history,
	// the notifications and any escalation still refer to it, so it stays in the
	// database, out of the resource map, the send list and every total.
	NeedArchive NeedRemoval = "archive"
	// NeedKeep: a request of it is live or delivered; cancel that first.
	NeedKeep NeedRemoval = ""
)

// NeedRemovalOf says what removing a need whose requests are in states does.
func NeedRemovalOf(states []RequestState) NeedRemoval {
	if len(states) == 0 {
		return NeedDelete
	}
	for _, s := range states {
		if s != RequestCancelled {
			return NeedKeep
		}
	}
	return NeedArchive
}

// SendTickedByDefault reports whether the send page ticks a need before the lead
// chooses: required and important needs never asked for. A need whose request was
// cancelled was withdrawn on purpose; sending it again is the lead's choice.
func SendTickedByDefault(n Need, everCancelled bool) bool {
	return (n.Tier == TierRequired || n.Tier == TierImportant) && !everCancelled
}

// ValidatePhase checks a phase against the need it was split from: it is asked of
// the same holder, and its effort, with that of the parent's other phases, stays
// within the parent's. others is the effort of the parent's other phases still on
// the resource map.
func ValidatePhase(in NeedInput, parent Need, others float64) error {
	var v Validation
	if !sameHolder(in.HolderUnitID, parent.HolderUnitID) || in.ExternalParty != parent.ExternalParty {
		v.Add("holder", "phase_holder_differs")
	}
	if parent.EffortDays > 0 && in.EffortDays+others > parent.EffortDays {
		v.Add("effort_days", "phase_effort_exceeds_parent")
	}
	return v.Err()
}

// ValidatePhasedParent checks a need with phases against them: its effort may not
// fall below what its phases already take.
func ValidatePhasedParent(in NeedInput, phases float64) error {
	var v Validation
	if in.EffortDays > 0 && phases > in.EffortDays {
		v.Add("effort_days", "phase_parent_below_phases")
	}
	return v.Err()
}

func sameHolder(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// CounterProblems checks that a counter-proposal asks for less than request r: a
// scope other than the one asked, or a date later than the one asked. A counter with
// only an earlier (or the same) date is an agreement, not a counter.
func CounterProblems(r Request, in RequestInput) error {
	var v Validation
	scope := strings.TrimSpace(in.CounterScope)
	narrower := scope != "" && scope != strings.TrimSpace(r.Scope) && scope != r.NeedTitle && scope != r.NeedTitleEN
	later := in.CounterDate != nil && (r.DueDate == nil || in.CounterDate.After(*r.DueDate))
	switch {
	case narrower || later:
	case in.CounterDate != nil:
		v.Add("counter_date", "request_counter_not_later")
	case scope != "":
		v.Add("counter_scope", "request_counter_same_scope")
	default:
		v.Add("counter_scope", "request_counter_empty")
	}
	return v.Err()
}

// ValidateFor checks the input an action needs against the request it acts on: what
// Validate checks, for a counter that it asks for less (CounterProblems), for a
// transfer that it goes to another unit, and that the action fits the request.
func (in RequestInput) ValidateFor(r Request, action RequestAction) error {
	if err := in.Validate(action); err != nil {
		return err
	}
	switch action {
	case ActionCounter:
		return CounterProblems(r, in)
	case ActionTransfer:
		if *in.TransferUnitID == r.HolderUnitID {
			return &Error{Code: ECodeInvalid, MessageID: "request_transfer_same_unit",
				Fields: map[string]string{"unit": "request_transfer_same_unit"}}
		}
	}
	if !r.ActionFits(action) {
		return Errorf(ECodeInvalid, "request_not_transferred", nil)
	}
	return nil
}

// TrackedRequest is what the tracker's summary knows of a request: its need, the need
// that need is a phase of, its holder and its state.
type TrackedRequest struct {
	NeedID       int64
	PhaseOf      *int64
	HolderUnitID int64
	State        RequestState
}

// RolledUp reports whether request t counts inside its parent's request rather than
// on its own: it is a phase, and the need it was split from has a request on the
// tracker (not cancelled).
func RolledUp(t TrackedRequest, all []TrackedRequest) bool {
	if t.PhaseOf == nil {
		return false
	}
	return slices.ContainsFunc(all, func(p TrackedRequest) bool {
		return p.NeedID == *t.PhaseOf && p.State != RequestCancelled
	})
}

// phaseAgreed reports whether a phase split from need needID has been said yes to.
func phaseAgreed(needID int64, all []TrackedRequest) bool {
	return slices.ContainsFunc(all, func(p TrackedRequest) bool {
		return p.PhaseOf != nil && *p.PhaseOf == needID && AgreedState(p.State)
	})
}

// UnitAnswers folds a project's requests into how each unit asked answered, in the
// order the units first appear: cancelled requests are not asks, and each phase rolls
// into the request it was split from. A unit has agreed when every request to it is
// agreed; one whose holder agreed only to a first phase of a request has agreed in
// part (the rest is still open, and may be escalated). The tracker's summary and an
// escalation's brief both count units this way.
func UnitAnswers(all []TrackedRequest) []UnitStanding {
	var out []UnitStanding
	index := map[int64]int{}
	for _, t := range all {
		if t.State == RequestCancelled || RolledUp(t, all) {
			continue
		}
		i, ok := index[t.HolderUnitID]
		if !ok {
			i = len(out)
			index[t.HolderUnitID] = i
			out = append(out, UnitStanding{UnitID: t.HolderUnitID, State: t.State})
		} else if AgreedState(out[i].State) && !AgreedState(t.State) {
			// A unit that has not agreed to everything shows what is still open.
			out[i].State = t.State
		}
		out[i].Asked++
		switch {
		case AgreedState(t.State):
			out[i].Agreed++
		case phaseAgreed(t.NeedID, all):
			out[i].PhaseAgreed++
		}
	}
	return out
}

// UnitsOnTracker counts the units a project asked, those that agreed to everything
// and those that agreed in part, as UnitAnswers folds them.
func UnitsOnTracker(all []TrackedRequest) (units, agreed, inPart int) {
	answers := UnitAnswers(all)
	for _, u := range answers {
		switch {
		case u.AgreedAll():
			agreed++
		case u.AgreedInPart():
			inPart++
		}
	}
	return len(answers), agreed, inPart
}

// PhaseLine is how a phase stands, told on its parent's line of the tracker.
type PhaseLine struct {
	RequestID int64
	Title     string
	TitleEN   string
	State     RequestState
	DueDate   *time.Time
}

// DisplayTitle picks the phase's title for a reader of the given language.
func (p PhaseLine) DisplayTitle(lang string) string { return localName(p.Title, p.TitleEN, lang) }

// EffortCounted reports whether need n's effort counts in a total over needs: a
// phase's effort is part of the need it was split from (ValidatePhase keeps it
// within), so while that need is among them it counts instead.
//
// The load on a unit follows the same rule per request: the database function
// need_load_effort (migration 0021) counts a need's effort less that of its phases on
// the tracker, and each phase its own.
func EffortCounted(n Need, needs []Need) bool {
	if n.PhaseOfNeedID == nil {
		return true
	}
	return !slices.ContainsFunc(needs, func(p Need) bool { return p.ID == *n.PhaseOfNeedID })
}
