package accord

import "time"

// DecisionChange is what a superior's decision does to the request it rules on. The
// store applies it as given; it decides nothing itself.
type DecisionChange struct {
	Changes  bool // the request row changes (every decision but a send-back)
	State    RequestState
	Scope    string
	DueDate  *time.Time
	Binding  bool // the holder may no longer decline
	Answered bool // counts as the holder's answer when none was given
	NeedTier Tier // a new priority for the need, or ""
	// Alternative is a need added to the resource map to meet this one another way.
	Alternative *NeedInput
}

// DecisionEffect says what decision in does to request r:
//   - direct: agreed now with the scope and date decided (in progress stays in
//     progress), binding, so the holder can no longer decline;
//   - rescope: the scope, date or priority change, and a declined or countered
//     request goes back to the holder to answer again;
//   - alternative: the request is cancelled and a new need meets it another way;
//   - drop: the request is cancelled;
//   - send back: nothing changes until the lead answers.
//
// The decline the superior ruled on stays on the request as its history.
func DecisionEffect(r Request, in DecisionInput) DecisionChange {
	c := DecisionChange{Changes: true, State: r.State, Scope: r.Scope, DueDate: r.DueDate}
	switch in.Kind {
	case DecideDirect:
		c.State, c.Binding, c.Answered = RequestAgreed, true, true
		if r.State == RequestInProgress {
			c.State = RequestInProgress
		}
		if in.Scope != "" {
			c.Scope = in.Scope
		}
		c.DueDate = in.DueDate
	case DecideRescope:
		c.NeedTier = in.Tier
		if in.Scope != "" {
			c.Scope = in.Scope
		}
		if in.DueDate != nil {
			c.DueDate = in.DueDate
		}
		if r.State == RequestDeclined || r.State == RequestCountered {
			c.State = RequestRequested
		}
	case DecideAlternative:
		c.State = RequestCancelled
		alt := NeedInput{Title: in.AltTitle, HolderUnitID: in.AltUnitID, NeededBy: in.DueDate, Notes: in.Note}
		if in.AltUnitID == nil {
			alt.ExternalParty = in.AltParty
		}
		c.Alternative = &alt
	case DecideDrop:
		c.State = RequestCancelled
	default:
		c.Changes = false
	}
	return c
}

// DecisionAudience is who hears of a decision or a send-back on request r: the lead,
// the holder's head (0 when the post is vacant) and the key person, each once.
func DecisionAudience(r Request, holderHead int64) []int64 {
	out := []int64{r.LeadUserID}
	if holderHead != 0 {
		out = append(out, holderHead)
	}
	if r.KeyPersonUserID != nil {
		out = append(out, *r.KeyPersonUserID)
	}
	return out
}

// MayDecideDirectly reports whether viewer v, leading request r's project, is also the
// superior both units share (sup.NaturalHeadUserID): then there is nobody to escalate
// to who knows more, and they record a binding decision themselves, visibly.
func MayDecideDirectly(r Request, v Viewer, sup Superior) bool {
	return v.User.ID != 0 && v.User.ID == r.LeadUserID && LeadDecides(r, sup)
}

// LeadDecides reports whether request r's lead is the superior both sides share
// (before any party is skipped): there is nobody above to take it to, and the lead
// records the binding decision instead of escalating.
func LeadDecides(r Request, sup Superior) bool {
	return r.LeadUserID != 0 && sup.NaturalHeadUserID == r.LeadUserID
}

// RefuseEscalation is why party may not take request r to a superior now, nil when
// they may: only its lead, only while it is sent and open. Whether anyone sits above
// to take it to is LeadDecides, once the routing is known.
func RefuseEscalation(r Request, party RequestParty) error {
	if !party.MayEscalate() {
		return Errorf(ECodeForbidden, "request_action_not_yours", nil)
	}
	if !r.State.Open() || r.State == RequestDraft {
		return Errorf(ECodeInvalid, "escalation_request_closed", nil)
	}
	return nil
}

// MightDecideDirectly is what can be known of MayDecideDirectly before finding the
// shared superior: the viewer leads the request and heads a unit, the request is
// sent and open, and no escalation of it is pending. Pages ask it first so that only
// such a lead costs the routing query.
func MightDecideDirectly(r Request, v Viewer, rulingPending bool) bool {
	return v.User.ID != 0 && v.User.ID == r.LeadUserID && v.Roles.Head &&
		r.State.Open() && r.State != RequestDraft && !rulingPending
}

// UnitAboveBoth picks, among the units someone heads (headed), the lowest that sits
// above both sides (on both paths a and b): only such a head has authority over both
// and may take over an escalation. ok is false when they head none.
func UnitAboveBoth(a, b []int64, headed []int64) (unit int64, ok bool) {
	_, index, found := CommonAncestor(a, b)
	if !found {
		return 0, false
	}
	for i := index; i >= 0; i-- {
		for _, h := range headed {
			if h == a[i] {
				return h, true
			}
		}
	}
	return 0, false
}

// ReassignCandidates lists the heads an administrator may move escalation e to:
// the head of each open unit above both sides (owningPath, holderPath), once each,
// nearest first, neither a party nor who has it now. units are open units with active
// heads.
func ReassignCandidates(e Escalation, units []Unit, owningPath, holderPath []int64, parties Parties) []Unit {
	_, index, found := CommonAncestor(owningPath, holderPath)
	if !found {
		return nil
	}
	byID := map[int64]Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	var out []Unit
	seen := map[int64]bool{e.AssignedUserID: true}
	for i := index; i >= 0; i-- {
		u, ok := byID[owningPath[i]]
		if !ok || u.HeadUserID == nil || seen[*u.HeadUserID] || parties.has(*u.HeadUserID) {
			continue
		}
		seen[*u.HeadUserID] = true
		out = append(out, u)
	}
	return out
}

// CheckReassign checks an administrator's move of escalation e to user to: a reason
// is given, to heads a unit above both sides (aboveBoth, UnitAboveBoth), is not who
// has it now and is not a party.
func CheckReassign(e Escalation, to int64, aboveBoth bool, parties Parties, reason string) error {
	var v Validation
	switch {
	case to == e.AssignedUserID:
		v.Add("user_id", "escalation_reassign_same")
	case parties.has(to):
		v.Add("user_id", "escalation_reassign_party")
	case !aboveBoth:
		v.Add("user_id", "escalation_reassign_not_head")
	}
	if reason == "" {
		v.Add("reason", "escalation_reason_required")
	}
	validateText(&v, "reason", reason, MaxNoteLength)
	return v.Err()
}
