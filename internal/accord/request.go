package accord

import "slices"

// RequestState is where a request to a holding unit stands.
type RequestState string

// Request states. A request starts as a draft, is sent, answered, worked on and
// delivered; it can be cancelled from any open state.
const (
	RequestDraft      RequestState = "draft"
	RequestRequested  RequestState = "requested"
	RequestAgreed     RequestState = "agreed"
	RequestDeclined   RequestState = "declined"
	RequestCountered  RequestState = "countered"
	RequestInProgress RequestState = "in_progress"
	RequestDelivered  RequestState = "delivered"
	RequestCancelled  RequestState = "cancelled"
)

// RequestStates lists every state in lifecycle order.
func RequestStates() []RequestState {
	return []RequestState{RequestDraft, RequestRequested, RequestAgreed, RequestDeclined, RequestCountered,
		RequestInProgress, RequestDelivered, RequestCancelled}
}

// Open reports whether the request can still change.
func (s RequestState) Open() bool { return s != RequestDelivered && s != RequestCancelled }

// MessageID names the state's translated label.
func (s RequestState) MessageID() string { return "request_state_" + string(s) }

// The sets of states that lists and counts filter on, each in lifecycle order. The
// store writes its queries from these, and its partial indexes are built on them.

// ClosedStates are the states a request can no longer leave: delivered or cancelled.
func ClosedStates() []RequestState { return []RequestState{RequestDelivered, RequestCancelled} }

// SentOpenStates are the states of a request that has been sent and may still change:
// every open state but a draft.
func SentOpenStates() []RequestState {
	return []RequestState{RequestRequested, RequestAgreed, RequestDeclined, RequestCountered, RequestInProgress}
}

// QueuedStates are the states in which a request waits in its holder's queue and its
// next step is owed (the holder's, or the lead's on a counter-proposal): sent and
// open, but not declined, which waits on the lead to try again or on an escalation.
func QueuedStates() []RequestState {
	return []RequestState{RequestRequested, RequestAgreed, RequestCountered, RequestInProgress}
}

// CommittedStates are the states of a request its holder has said yes to: agreed, in
// progress or delivered.
func CommittedStates() []RequestState {
	return []RequestState{RequestAgreed, RequestInProgress, RequestDelivered}
}

// RequestAction is something a person does to a request.
type RequestAction string

// Request actions.
const (
	ActionSend          RequestAction = "send"
	ActionAgree         RequestAction = "agree"
	ActionDecline       RequestAction = "decline"
	ActionCounter       RequestAction = "counter"
	ActionAcceptCounter RequestAction = "accept-counter"
	ActionRefuseCounter RequestAction = "refuse-counter"
	ActionDelegate      RequestAction = "delegate"
	ActionStart         RequestAction = "start"
	ActionDeliver       RequestAction = "deliver"
	ActionResend        RequestAction = "resend"
	ActionCancel        RequestAction = "cancel"
	// ActionTransfer passes a request that belongs to another unit on to it (转交);
	// ActionTransferBack is the lead refusing that, back to the unit first asked.
	ActionTransfer     RequestAction = "transfer"
	ActionTransferBack RequestAction = "transfer-back"
)

// RequestActions lists every action.
func RequestActions() []RequestAction {
	return []RequestAction{ActionSend, ActionAgree, ActionDecline, ActionCounter, ActionAcceptCounter,
		ActionRefuseCounter, ActionDelegate, ActionStart, ActionDeliver, ActionResend, ActionTransfer,
		ActionTransferBack, ActionCancel}
}

// RequestParty is the part a person plays in one request; a person may play several
// (a lead who also heads the holding unit).
type RequestParty struct {
	Lead       bool // leads the requesting project (admins act as the lead)
	HolderHead bool // heads the holding unit
	Delegate   bool // the key person the holder's head named
	// For is the absent head a stand-in answers for (HolderHead through StandIn),
	// nil when they act as themselves.
	For *ActingFor
}

// AnswersForHolder reports whether the party speaks for the holding unit: its head
// or the key person they named.
func (p RequestParty) AnswersForHolder() bool { return p.HolderHead || p.Delegate }

// MayLogProgress reports whether the party may write in the request's progress log:
// both sides, nobody else.
func (p RequestParty) MayLogProgress() bool { return p.Lead || p.AnswersForHolder() }

// RequestPartyOf is the part viewer v plays in request r.
func RequestPartyOf(r Request, v Viewer) RequestParty {
	p := RequestParty{Lead: v.User.ID == r.LeadUserID || v.Roles.Admin}
	for _, m := range v.Memberships {
		if m.UnitID == r.HolderUnitID && m.IsHead {
			p.HolderHead = true
		}
	}
	p.Delegate = r.KeyPersonUserID != nil && *r.KeyPersonUserID == v.User.ID
	if !p.HolderHead {
		if s, ok := v.StandingInFor(r.HolderUnitID); ok {
			p.HolderHead, p.For = true, actingFor(s)
		}
	}
	return p
}

// HolderSideAction reports whether action is the holding unit's step (the head's
// or their delegate's), as opposed to the lead's.
func HolderSideAction(action RequestAction) bool {
	t, ok := requestTransitions()[action]
	return ok && t.by != sideLead
}

// side says who may take an action.
type side int

const (
	sideLead       side = iota // the project lead
	sideHolder                 // the holder's head or their delegate
	sideHolderHead             // the holder's head only
)

func (sd side) allows(p RequestParty) bool {
	switch sd {
	case sideLead:
		return p.Lead
	case sideHolder:
		return p.HolderHead || p.Delegate
	default:
		return p.HolderHead
	}
}

type transition struct {
	from []RequestState
	to   RequestState // empty: the state does not change
	by   side
}

// fits reports whether the transition may start from state from.
func (tr transition) fits(from RequestState) bool { return slices.Contains(tr.from, from) }

// requestTransitions is the whole lifecycle in one table.
func requestTransitions() map[RequestAction]transition {
	open := []RequestState{RequestDraft, RequestRequested, RequestAgreed, RequestDeclined, RequestCountered, RequestInProgress}
	return map[RequestAction]transition{
		ActionSend:          {from: []RequestState{RequestDraft}, to: RequestRequested, by: sideLead},
		ActionAgree:         {from: []RequestState{RequestRequested}, to: RequestAgreed, by: sideHolder},
		ActionDecline:       {from: []RequestState{RequestRequested}, to: RequestDeclined, by: sideHolder},
		ActionCounter:       {from: []RequestState{RequestRequested}, to: RequestCountered, by: sideHolder},
		ActionAcceptCounter: {from: []RequestState{RequestCountered}, to: RequestAgreed, by: sideLead},
		ActionRefuseCounter: {from: []RequestState{RequestCountered}, to: RequestRequested, by: sideLead},
		ActionDelegate:      {from: []RequestState{RequestRequested, RequestAgreed, RequestInProgress}, by: sideHolderHead},
		ActionStart:         {from: []RequestState{RequestAgreed}, to: RequestInProgress, by: sideHolder},
		ActionDeliver:       {from: []RequestState{RequestInProgress}, to: RequestDelivered, by: sideHolder},
		ActionResend:        {from: []RequestState{RequestDeclined}, to: RequestRequested, by: sideLead},
		ActionCancel:        {from: open, by: sideLead, to: RequestCancelled},
		// Passed on before anyone answered it: the new holder's head answers it afresh.
		ActionTransfer:     {from: []RequestState{RequestRequested}, by: sideHolderHead},
		ActionTransferBack: {from: []RequestState{RequestRequested}, by: sideLead},
	}
}

// NextRequestState applies action to a request in state from on behalf of party.
// It returns the new state, or an error saying why the action is not possible:
// ECodeInvalid for an unknown action or one that does not fit the state, ECodeForbidden
// for a person who may not take it.
func NextRequestState(from RequestState, action RequestAction, party RequestParty) (RequestState, error) {
	tr, ok := requestTransitions()[action]
	if !ok {
		return from, Errorf(ECodeInvalid, "request_action_unknown", nil)
	}
	if !tr.fits(from) {
		return from, Errorf(ECodeInvalid, "request_action_not_now", map[string]any{"Action": string(action), "State": string(from)})
	}
	if !tr.by.allows(party) {
		return from, Errorf(ECodeForbidden, "request_action_not_yours", nil)
	}
	if tr.to == "" {
		return from, nil
	}
	return tr.to, nil
}

// RefuseTransfer says why a request may not be passed on now, or nil: not while it
// waits before a superior, who was chosen for the unit that holds it.
func RefuseTransfer(pendingEscalation bool) error {
	if pendingEscalation {
		return Errorf(ECodeInvalid, "request_transfer_escalated", nil)
	}
	return nil
}

// TransferredFrom is the unit a request passed on counts as first asked: the one it
// came from the first time, however often it moved since; nil when, passed to to, it
// is back with that unit.
func (r Request) TransferredFrom(to int64) *int64 {
	from := r.HolderUnitID
	if r.TransferredFromUnitID != nil {
		from = *r.TransferredFromUnitID
	}
	if from == to {
		return nil
	}
	return &from
}

// ActionFits reports whether action suits what request r is, beyond its state: only
// a request that was passed on can be sent back.
func (r Request) ActionFits(action RequestAction) bool {
	return action != ActionTransferBack || r.TransferredFromUnitID != nil
}

// AvailableActions lists what party may do to r now: what its state allows them,
// that fits what r is (ActionFits), sending aside — the buttons a screen offers.
func (r Request) AvailableActions(party RequestParty) []RequestAction {
	var out []RequestAction
	for _, a := range AvailableRequestActions(r.State, party) {
		if a != ActionSend && r.ActionFits(a) {
			out = append(out, a)
		}
	}
	return out
}

// MayTakeAction reports whether party is on the side that takes action at all,
// whatever the request's state; unknown actions are nobody's.
func MayTakeAction(action RequestAction, party RequestParty) bool {
	tr, ok := requestTransitions()[action]
	return ok && tr.by.allows(party)
}

// AvailableRequestActions lists what party may do to a request in state from, in
// the order RequestActions gives — the buttons a screen offers.
func AvailableRequestActions(from RequestState, party RequestParty) []RequestAction {
	// The table once and no refusal built per action: a queue of hundreds of cards
	// asks this of every one (NextRequestState decides the same way).
	table := requestTransitions()
	var out []RequestAction
	for _, a := range RequestActions() {
		if tr, ok := table[a]; ok && tr.fits(from) && tr.by.allows(party) {
			out = append(out, a)
		}
	}
	return out
}

// Obstacle is the reason a holder gives for declining.
type Obstacle string

// Obstacles a holder can name when declining.
const (
	ObstacleTooBusy       Obstacle = "too_busy"
	ObstacleNotInKPI      Obstacle = "not_in_kpi"
	ObstacleNeedsApproval Obstacle = "needs_approval"
	ObstacleRules         Obstacle = "rules"
	ObstacleBadPastWork   Obstacle = "bad_past_experience"
	ObstacleOther         Obstacle = "other"
)

// Obstacles lists every obstacle.
func Obstacles() []Obstacle {
	return []Obstacle{ObstacleTooBusy, ObstacleNotInKPI, ObstacleNeedsApproval, ObstacleRules, ObstacleBadPastWork, ObstacleOther}
}

// Valid reports whether o is a known obstacle.
func (o Obstacle) Valid() bool { return slices.Contains(Obstacles(), o) }

// MessageID names the obstacle's translated label.
func (o Obstacle) MessageID() string { return "obstacle_" + string(o) }
