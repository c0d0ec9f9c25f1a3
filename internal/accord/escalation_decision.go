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
	return v.User.ID != 0 && v.User.ID == r.LeadUserID && sup.NaturalHeadUserID == v.User.ID
}

// CheckReassign checks an administrator's move of escalation e to user to: a reason
// is given, to heads an open unit (isHead), is not who has it now and is not a party.
func CheckReassign(e Escalation, to int64, isHead bool, parties Parties, reason string) error {
	var v Validation
	switch {
	case to == e.AssignedUserID:
		v.Add("user_id", "escalation_reassign_same")
	case !isHead:
		v.Add("user_id", "escalation_reassign_not_head")
	case parties.has(to):
		v.Add("user_id", "escalation_reassign_party")
	}
	if reason == "" {
		v.Add("reason", "escalation_reason_required")
	}
	validateText(&v, "reason", reason, MaxNoteLength)
	return v.Err()
}
