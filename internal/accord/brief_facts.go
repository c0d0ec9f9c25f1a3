package accord

import "time"

// BriefFacts are the facts an escalation's brief is written from, frozen when the
// escalation is raised and again when it is decided, so a decision always shows what
// the superior decided on. They hold names in both languages and no wording: the
// brief is rendered from them in each reader's language (internal/brief).
type BriefFacts struct {
	TakenAt  time.Time
	Cause    EscalationCause
	Reason   string     // the lead's own words, if any
	Project  Project    // with its goal, value, unit and lead joined
	Request  Request    // the escalated request as it stood
	NeededBy *time.Time // the need's date

	Standing     []UnitStanding // every unit asked, for "n of m agreed"
	History      []RequestEvent // the request's answers, counters and their outcomes, oldest first
	Phases       []Request      // requests of phases split from the need, with their states and key people
	Progress     []ProgressEntry
	Commitments  []Commitment // promises the project made to the holding unit
	Alternatives []Need       // needs of the resource map that back this one up
	// Advice asked by the superior, with the opinions as given: the record a decision
	// is frozen with includes what the superior was advised.
	Advice []Advice
}

// RequestEvent is one step in a request's life, as its history recorded it: an
// action on the request, or an earlier ruling on it (Ruling set, Input.Reason its
// reason).
type RequestEvent struct {
	At          time.Time
	Action      RequestAction
	ActorName   string
	ActorNameEN string
	// ForName is the absent head a stand-in took the step for, as named then; "" for none.
	ForName, ForNameEN string
	State              RequestState // after the step
	Input              RequestInput // what the step carried: obstacle and words, counter, date
	Ruling             DecisionKind // a superior's earlier decision on the request
}

// UnitStanding is one holding unit's answer across the project's requests to it.
type UnitStanding struct {
	UnitID int64
	Name   string
	NameEN string
	State  RequestState // the state that keeps it from agreeing, else its furthest state
	Agreed int          // requests to the unit agreed, in progress or delivered
	Asked  int          // requests sent to it and not cancelled, phases rolled into their parents
	// PhaseAgreed counts the requests not agreed whose holder agreed to a first phase
	// split from them. Briefs frozen before phases rolled up lack it (0), and counted
	// each phase as a request of its own.
	PhaseAgreed int
}

// AgreedAll reports whether the unit agreed to everything asked of it.
func (u UnitStanding) AgreedAll() bool { return u.Asked > 0 && u.Agreed == u.Asked }

// AgreedInPart reports whether the unit agreed to some of what it was asked, or to a
// first phase of it, but not to all.
func (u UnitStanding) AgreedInPart() bool { return !u.AgreedAll() && u.Agreed+u.PhaseAgreed > 0 }

// DisplayName picks the unit's name for a reader of the given language.
func (u UnitStanding) DisplayName(lang string) string { return localName(u.Name, u.NameEN, lang) }

// AgreedState reports whether a request in state s has been said yes to.
func AgreedState(s RequestState) bool {
	return s == RequestAgreed || s == RequestInProgress || s == RequestDelivered
}

// BriefSource is what the store reads to take the facts.
type BriefSource struct {
	Cause       EscalationCause
	Reason      string
	Project     Project
	Request     Request
	Requests    []Request // every request of the project
	Needs       []Need    // the project's resource map
	History     []RequestEvent
	Progress    []ProgressEntry // newest first; the facts keep the latest few
	Commitments []Commitment    // every commitment of the project
	Now         time.Time
}

// BriefProgressKept is how many of the latest progress entries a brief carries.
const BriefProgressKept = 3

// NewBriefFacts takes the facts a brief needs from what the store read: where each
// unit stands, the phases split from the need, the promises made to the holder and
// the backups in the resource map.
func NewBriefFacts(in BriefSource) BriefFacts {
	f := BriefFacts{TakenAt: in.Now, Cause: in.Cause, Reason: in.Reason, Project: in.Project, Request: in.Request,
		History: in.History, Standing: Standing(in.Requests, in.Needs, in.Request)}
	for _, n := range in.Needs {
		if n.ID == in.Request.NeedID {
			f.NeededBy = n.NeededBy
		}
		if n.BacksUpNeedID != nil && *n.BacksUpNeedID == in.Request.NeedID {
			f.Alternatives = append(f.Alternatives, n)
		}
	}
	phases := map[int64]bool{}
	for _, n := range in.Needs {
		if n.PhaseOfNeedID != nil && *n.PhaseOfNeedID == in.Request.NeedID {
			phases[n.ID] = true
		}
	}
	for _, r := range in.Requests {
		if phases[r.NeedID] && r.State != RequestDraft && r.State != RequestCancelled {
			f.Phases = append(f.Phases, r)
		}
	}
	for _, c := range in.Commitments {
		if c.UnitID == in.Request.HolderUnitID {
			f.Commitments = append(f.Commitments, c)
		}
	}
	f.Progress = in.Progress[:min(len(in.Progress), BriefProgressKept)]
	return f
}

// Standing is where each unit asked stands, as the tracker counts it (UnitAnswers):
// needs tells which requests are phases of which. The escalated request counts as
// given, even when the list misses it.
func Standing(requests []Request, needs []Need, current Request) []UnitStanding {
	list := make([]Request, 0, len(requests)+1)
	found := false
	for _, r := range requests {
		if r.ID == current.ID {
			r, found = current, true
		}
		list = append(list, r)
	}
	if !found && current.ID != 0 {
		list = append(list, current)
	}
	phaseOf := map[int64]*int64{}
	for _, n := range needs {
		phaseOf[n.ID] = n.PhaseOfNeedID
	}
	tracked := make([]TrackedRequest, 0, len(list))
	for _, r := range list {
		if r.State != RequestDraft { // a draft was never asked
			tracked = append(tracked, TrackedRequest{NeedID: r.NeedID, PhaseOf: phaseOf[r.NeedID], HolderUnitID: r.HolderUnitID, State: r.State})
		}
	}
	out := UnitAnswers(tracked)
	for i := range out {
		for _, r := range list {
			if r.HolderUnitID == out[i].UnitID {
				out[i].Name, out[i].NameEN = r.HolderName, r.HolderNameEN
				break
			}
		}
	}
	return out
}

// UnitsAgreed is how many of the units asked agreed to everything asked of them.
func UnitsAgreed(s []UnitStanding) int {
	n := 0
	for _, u := range s {
		if u.AgreedAll() {
			n++
		}
	}
	return n
}

// TriedActs lists what the lead already did about the holder's answer, as the facts
// show it: a phase split off, a promise made to the holder.
func (f BriefFacts) TriedActs() map[StrategyAct]bool {
	tried := map[StrategyAct]bool{}
	if len(f.Phases) > 0 {
		tried[ActSplitNeed] = true
	}
	if len(f.Commitments) > 0 {
		tried[ActCommit] = true
	}
	return tried
}

// UntriedStrategies lists the strategies against the request's obstacle that the
// record does not show as already used: a brief never proposes what was tried.
func (f BriefFacts) UntriedStrategies() []Strategy {
	// An obstacle kept from an earlier decline is history, not the holder's answer now.
	if f.Request.State != RequestDeclined || !f.Request.Obstacle.Valid() {
		return nil
	}
	tried := f.TriedActs()
	var out []Strategy
	for _, s := range StrategiesFor(f.Request.Obstacle) {
		if act := s.Act(); act != ActNone && tried[act] {
			continue
		}
		out = append(out, s)
	}
	return out
}
