package accord

// EscalationStatuses lists every status: open while the superior decides, sent back
// while the lead answers, decided for good.
func EscalationStatuses() []EscalationStatus {
	return []EscalationStatus{EscalationOpen, EscalationSentBack, EscalationDecided}
}

// EscalationEvent is something that happens to an escalation.
type EscalationEvent string

// Escalation events.
const (
	// EventDecide is a binding decision: direct, rescope, alternative or drop.
	EventDecide EscalationEvent = "decide"
	// EventSendBack asks the lead for more information; the clock stops.
	EventSendBack EscalationEvent = "send_back"
	// EventLeadStatement is the project's side speaking; it answers a send-back.
	EventLeadStatement EscalationEvent = "lead_statement"
	// EventHolderStatement is the holding unit's side speaking.
	EventHolderStatement EscalationEvent = "holder_statement"
	// EventWindowExpired is the decision window running out: the escalation moves one
	// level up, or at the top stays with its superior and is flagged. Which of the two
	// depends on the organisation chart, not on the status, which stays open.
	EventWindowExpired EscalationEvent = "window_expired"
	// EventReassign is an administrator moving a stuck escalation to another head,
	// with a reason. Administrators keep the tree; they never decide.
	EventReassign EscalationEvent = "reassign"
	// EventRefresh is the lead taking a new record of the facts while it waits.
	EventRefresh EscalationEvent = "refresh"
)

// EscalationEvents lists every event.
func EscalationEvents() []EscalationEvent {
	return []EscalationEvent{EventDecide, EventSendBack, EventLeadStatement, EventHolderStatement, EventWindowExpired,
		EventReassign, EventRefresh}
}

// EscalationEventFor is the event a decision of kind k is: send_back sends back,
// every other kind decides (an unknown kind is refused by DecisionInput.Validate).
func EscalationEventFor(k DecisionKind) EscalationEvent {
	if k == DecideSendBack {
		return EventSendBack
	}
	return EventDecide
}

// EscalationParty is the part someone plays in one escalation; a person may play
// several (a lead who heads the shared unit).
type EscalationParty struct {
	Superior   bool // the superior it is assigned to
	Lead       bool // leads the requesting project
	HolderHead bool // heads the holding unit
	KeyPerson  bool // named key person on the request
	Admin      bool // keeps the tree: may look and reassign, never decide
	Clock      bool // Accord's own background sweep, not a person
	// Told: was notified of it (a superior it has since moved on from, a head or key
	// person since replaced): they may still open what they were sent, to read.
	Told bool
	// Adviser: asked by the superior for an opinion (加签); reads the escalation and
	// gives that opinion once.
	Adviser bool
	// HolderFor and SuperiorFor name the absent head a stand-in speaks or decides for;
	// nil when they act as themselves.
	HolderFor   *ActingFor
	SuperiorFor *ActingFor
}

// EscalationPartyOf is the part viewer v plays in escalation e.
func EscalationPartyOf(e Escalation, v Viewer) EscalationParty {
	p := EscalationParty{
		Superior:  e.AssignedUserID == v.User.ID,
		Lead:      e.Request.LeadUserID == v.User.ID,
		KeyPerson: e.Request.KeyPersonUserID != nil && *e.Request.KeyPersonUserID == v.User.ID,
		Admin:     v.Roles.Admin,
	}
	for _, m := range v.Memberships {
		if m.UnitID == e.Request.HolderUnitID && m.IsHead {
			p.HolderHead = true
		}
	}
	if !p.HolderHead {
		if s, ok := v.StandingInFor(e.Request.HolderUnitID); ok {
			p.HolderHead, p.HolderFor = true, actingFor(s)
		}
	}
	// A stand-in decides for the absent superior only what they are no party to: the
	// superior's neutrality is what makes the decision binding. They see what waits
	// for a decision, and what was decided while they stood in; not the head's past.
	if !p.Side() {
		if s, ok := v.StandingInForUser(e.AssignedUserID); ok && (e.Status != EscalationDecided ||
			(e.DecidedAt != nil && !e.DecidedAt.Before(s.StartsAt))) {
			p.Superior, p.SuperiorFor = true, actingFor(s)
		}
	}
	return p
}

// Side: the superior, the lead, the holding unit's head or the key person: one whose
// part the escalation itself says, who is never an adviser (RefuseAdviceRequest).
func (p EscalationParty) Side() bool {
	return p.Superior || p.Lead || p.HolderHead || p.KeyPerson
}

// MayView: the superior, the two sides, the key person, administrators, advisers and
// anyone who was told of it see an escalation; nobody else learns it exists.
func (p EscalationParty) MayView() bool {
	return p.Side() || p.Admin || p.Told || p.Adviser
}

// Statement sides.
const (
	SideHolder = "holder"
	SideLead   = "lead"
)

// StatementSide is the side the viewer speaks for, or "". The holder's head speaks
// for the holder even when they also lead the project.
func (p EscalationParty) StatementSide() string {
	switch {
	case p.HolderHead:
		return SideHolder
	case p.Lead:
		return SideLead
	}
	return ""
}

// escalationRule is one event's transitions and who may cause them.
type escalationRule struct {
	to      map[EscalationStatus]EscalationStatus // from → to; a status not listed refuses the event
	allowed func(EscalationParty) bool
	notYou  string // message id for someone else
	notNow  string // message id for a status not listed
	// notAdmin, when set, is the message id for an administrator who is not allowed:
	// they look after escalations but do not decide them.
	notAdmin string
}

// escalationRules is the whole lifecycle in one table. decided is terminal; sent_back
// takes statements only, and the lead's reopens it.
func escalationRules() map[EscalationEvent]escalationRule {
	return map[EscalationEvent]escalationRule{
		EventDecide: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationDecided},
			allowed: func(p EscalationParty) bool { return p.Superior }, notYou: "escalation_not_yours", notNow: "escalation_not_open",
			notAdmin: "escalation_admins_do_not_decide"},
		EventSendBack: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationSentBack},
			allowed: func(p EscalationParty) bool { return p.Superior }, notYou: "escalation_not_yours", notNow: "escalation_not_open",
			notAdmin: "escalation_admins_do_not_decide"},
		EventLeadStatement: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationOpen, EscalationSentBack: EscalationOpen},
			allowed: func(p EscalationParty) bool { return p.Lead }, notYou: "escalation_not_a_party", notNow: "esc_statement_closed"},
		EventHolderStatement: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationOpen, EscalationSentBack: EscalationSentBack},
			allowed: func(p EscalationParty) bool { return p.HolderHead }, notYou: "escalation_not_a_party", notNow: "esc_statement_closed"},
		EventWindowExpired: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationOpen},
			allowed: func(p EscalationParty) bool { return p.Clock }, notYou: "escalation_clock_only", notNow: "escalation_not_open"},
		EventReassign: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationOpen, EscalationSentBack: EscalationSentBack},
			allowed: func(p EscalationParty) bool { return p.Admin }, notYou: "escalation_admin_only", notNow: "escalation_not_open"},
		EventRefresh: {to: map[EscalationStatus]EscalationStatus{EscalationOpen: EscalationOpen, EscalationSentBack: EscalationSentBack},
			allowed: func(p EscalationParty) bool { return p.Lead }, notYou: "escalation_not_a_party", notNow: "escalation_not_open"},
	}
}

// NextEscalationState applies event to an escalation in status from on behalf of
// party, and returns the new status or why the event cannot happen: ECodeInvalid for
// an unknown event or one the status does not take, ECodeForbidden for someone who
// may not cause it. Who comes before when: whoever is not the superior is refused the
// decision whatever its status, as the pages and the API refuse them first.
func NextEscalationState(from EscalationStatus, event EscalationEvent, party EscalationParty) (EscalationStatus, error) {
	rule, ok := escalationRules()[event]
	if !ok {
		return from, Errorf(ECodeInvalid, "escalation_event_unknown", nil)
	}
	if !rule.allowed(party) {
		if party.Admin && rule.notAdmin != "" {
			return from, Errorf(ECodeForbidden, rule.notAdmin, nil)
		}
		return from, Errorf(ECodeForbidden, rule.notYou, nil)
	}
	to, ok := rule.to[from]
	if !ok {
		return from, Errorf(ECodeInvalid, rule.notNow, nil)
	}
	return to, nil
}

// MayCause reports whether party may cause event on an escalation in status from:
// what a page offers is what NextEscalationState would allow.
func MayCause(from EscalationStatus, event EscalationEvent, party EscalationParty) bool {
	_, err := NextEscalationState(from, event, party)
	return err == nil
}

// RefuseDecision is why party may not decide (or send back) an escalation whatever its
// status, nil for its superior. Both faces ask it before reading the decision, so
// someone else hears "not yours" rather than a problem with what they typed.
func RefuseDecision(party EscalationParty) error {
	_, err := NextEscalationState(EscalationOpen, EventDecide, party)
	if ErrorCodeOf(err) == ECodeForbidden {
		return err
	}
	return nil
}

// StatementOwedBy reports whether party's side has yet to speak on a pending
// escalation: what the banners, lists and home ask of them.
func (e Escalation) StatementOwedBy(p EscalationParty) bool {
	if !e.Pending() {
		return false
	}
	switch p.StatementSide() {
	case SideHolder:
		return e.HolderStatement == ""
	case SideLead:
		return e.LeadStatement == ""
	}
	return false
}

// MayAskAgain reports whether a lead may still ask by hand for a decision on a request
// whose latest escalation is e: not while one waits, nor once their own request for
// a decision was answered (a request goes up by hand once).
func (e Escalation) MayAskAgain() bool {
	return !e.Pending() && (e.Cause != CauseManual || e.Direct)
}

// EscalationList is one of the views of /escalations, each for one kind of party.
type EscalationList string

// Escalation lists.
const (
	ListToDecide   EscalationList = "decide"   // waiting for the viewer's decision
	ListMyUnits    EscalationList = "units"    // involving a unit the viewer heads, or naming them key person
	ListMyProjects EscalationList = "projects" // raised on projects the viewer leads
	ListDecided    EscalationList = "decided"  // decided, where the viewer was a party or the superior
	ListAllOpen    EscalationList = "all"      // every pending one: administrators only
)

// EscalationLists lists the views in the order the page's tabs show them.
func EscalationLists() []EscalationList {
	return []EscalationList{ListToDecide, ListMyUnits, ListMyProjects, ListDecided, ListAllOpen}
}

// MayUse reports whether viewer v may open list l: every list is filtered to what
// the viewer is party to (EscalationParty.MayView), and only administrators see all.
func (l EscalationList) MayUse(v Viewer) bool {
	switch l {
	case ListToDecide, ListMyUnits, ListMyProjects, ListDecided:
		return true
	case ListAllOpen:
		return v.Roles.Admin
	}
	return false
}

// PortfolioDecisionList is the list the portfolio's decision tile counts and opens,
// so the two agree: an administrator's, every pending escalation; anyone else's, the
// escalations waiting for their own decision — another executive's are not theirs to
// open.
func PortfolioDecisionList(r Roles) EscalationList {
	if r.Admin {
		return ListAllOpen
	}
	return ListToDecide
}

// URL opens the list on the escalations page.
func (l EscalationList) URL() string { return "/escalations?list=" + string(l) }

// DefaultEscalationList is the list /escalations opens on, given how many each holds
// for the viewer: the first that asks something of them (to decide, their units,
// their projects); else, for anyone but an executive, what was decided; else the
// decision queue, empty, which says where escalations come from.
func DefaultEscalationList(counts map[EscalationList]int, r Roles) EscalationList {
	for _, l := range []EscalationList{ListToDecide, ListMyUnits, ListMyProjects} {
		if counts[l] > 0 {
			return l
		}
	}
	if !r.Executive && counts[ListDecided] > 0 {
		return ListDecided
	}
	return ListToDecide
}

// MessageID names the list's tab label.
func (l EscalationList) MessageID() string { return "esc_list_" + string(l) }

// TitleID, IntroID, EmptyID and EmptyNextID name the list page's heading, its intro,
// and what it says when empty.
func (l EscalationList) TitleID() string { return "esc_list_title_" + string(l) }

// IntroID names the list page's intro.
func (l EscalationList) IntroID() string { return "esc_list_intro_" + string(l) }

// EmptyID names what the list page says when it holds nothing.
func (l EscalationList) EmptyID() string { return "esc_list_empty_" + string(l) }

// EmptyNextID names the hint under the empty list.
func (l EscalationList) EmptyNextID() string { return "esc_list_empty_next_" + string(l) }
