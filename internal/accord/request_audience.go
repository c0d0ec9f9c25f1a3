package accord

// Notice is one person to tell of an event and what to tell them.
type Notice struct {
	To   int64
	Kind NotificationKind
}

// HolderContact is who hears about request r on the holder's side: the key person
// once named, else the unit's head (holderHead, 0 when the post is vacant).
func HolderContact(r Request, holderHead int64) int64 {
	if r.KeyPersonUserID != nil {
		return *r.KeyPersonUserID
	}
	return holderHead
}

// RequestActionAudience is who is told that action was taken on request r (as it is
// after the action), in the order they are told: the other side hears what the action
// did, and a key person hears that the request is agreed and theirs to deliver — when
// the holder agrees with a key person named (now or by an earlier hand-over), and when
// the lead accepts a counter-proposal, unless the key person is the head who made it
// and hears of it already. holderHead is the holding unit's head, 0 when the post is
// vacant; a vacant post is told nothing. The one who acted is left out by whoever
// delivers the notices, as with every notification.
func RequestActionAudience(action RequestAction, r Request, holderHead int64) []Notice {
	var out []Notice
	tell := func(to int64, kind NotificationKind) {
		if to != 0 {
			out = append(out, Notice{To: to, Kind: kind})
		}
	}
	var keyPerson int64
	if r.KeyPersonUserID != nil {
		keyPerson = *r.KeyPersonUserID
	}
	switch action {
	case ActionAgree, ActionDecline, ActionCounter:
		tell(r.LeadUserID, NotifyRequestAnswered)
	case ActionStart, ActionDeliver:
		tell(r.LeadUserID, NotifyRequestProgress)
	case ActionDelegate:
		tell(keyPerson, NotifyRequestDelegated)
	case ActionAcceptCounter, ActionRefuseCounter:
		tell(holderHead, NotifyCounterDecided)
	case ActionSend, ActionResend:
		tell(holderHead, NotifyRequestReceived)
	case ActionCancel:
		tell(HolderContact(r, holderHead), NotifyRequestCancelled)
	case ActionTransfer:
		// r is as it is after the action: holderHead heads the unit it was passed to.
		tell(holderHead, NotifyTransferredIn)
		tell(r.LeadUserID, NotifyTransferred)
	case ActionTransferBack:
		tell(holderHead, NotifyTransferredBack)
	}
	if r.State == RequestAgreed && (action == ActionAgree || (action == ActionAcceptCounter && keyPerson != holderHead)) {
		tell(keyPerson, NotifyKeyPersonNamed)
	}
	return out
}
