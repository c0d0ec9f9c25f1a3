package accord

import (
	"slices"
	"time"
)

// Stand-ins (代理, out of office): a head who will be away names someone to answer for
// them over a range of days. While it runs, the stand-in answers the requests of the
// units the head heads (the inbox, progress, the holder's statement in an
// escalation), decides the escalations assigned to the head that they are no party
// to, and hears what the head hears. Every step they take is recorded and shown as
// "<stand-in> for <head>". It ends by itself after its last day, or earlier by hand.

// StandIn is one arrangement.
type StandIn struct {
	ID              int64
	PrincipalID     int64 // the head who is away
	PrincipalName   string
	PrincipalNameEN string
	StandInID       int64 // who answers for them
	StandInName     string
	StandInNameEN   string
	StartsOn        time.Time // the first day covered (a date, midnight UTC)
	EndsOn          time.Time // the last day covered
	StartsAt        time.Time // StartsOn's midnight in the company zone
	EndsAt          time.Time // the midnight after EndsOn in the company zone
	EndedAt         *time.Time
	// Units are the open units the head heads, whose requests the stand-in answers;
	// filled for the arrangements a viewer stands in by.
	Units []int64
}

// PrincipalDisplayName is the head's name for a reader of lang.
func (s StandIn) PrincipalDisplayName(lang string) string {
	return localName(s.PrincipalName, s.PrincipalNameEN, lang)
}

// StandInDisplayName is the stand-in's name for a reader of lang.
func (s StandIn) StandInDisplayName(lang string) string {
	return localName(s.StandInName, s.StandInNameEN, lang)
}

// ActiveAt reports whether the arrangement lets the stand-in act at now: between its
// first midnight and the one after its last day, and not ended by hand.
func (s StandIn) ActiveAt(now time.Time) bool {
	if s.EndedAt != nil && !now.Before(*s.EndedAt) {
		return false
	}
	return !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Upcoming reports whether it has yet to start at now (and was not called off).
func (s StandIn) Upcoming(now time.Time) bool { return s.EndedAt == nil && now.Before(s.StartsAt) }

// Over reports whether it no longer runs and never will again.
func (s StandIn) Over(now time.Time) bool { return !s.ActiveAt(now) && !s.Upcoming(now) }

// MaxStandInDays bounds one arrangement: a longer absence is a change of head, made in
// the org tree.
const MaxStandInDays = 92

// StandInInput is what a head (or an administrator for them) asks for.
type StandInInput struct {
	PrincipalID int64
	StandInID   int64 // 0 when the email named no active person
	StartsOn    *time.Time
	EndsOn      *time.Time
}

// RefuseStandIn says why the arrangement may not be made by actor, nil when it may:
// heads name their own stand-in (administrators may for any head, who may already be
// away); the stand-in is another active person; the range is whole days, from today
// on, at most MaxStandInDays; and it does not overlap another of the head's.
// principalHeads is whether the principal heads an open unit; today is the company's
// date.
func RefuseStandIn(actor Viewer, in StandInInput, principalHeads bool, today time.Time, overlaps bool) error {
	if !MayNameStandInFor(actor, in.PrincipalID) {
		return Errorf(ECodeForbidden, "standin_not_yours", nil)
	}
	var v Validation
	if !principalHeads {
		v.Add("principal", "standin_not_a_head")
	}
	switch {
	case in.StandInID == 0:
		v.Add("stand_in", "standin_unknown_person")
	case in.StandInID == in.PrincipalID:
		v.Add("stand_in", "standin_self")
	}
	if in.StartsOn == nil {
		v.Add("starts_on", "field_required")
	}
	if in.EndsOn == nil {
		v.Add("ends_on", "field_required")
	}
	if in.StartsOn != nil && in.EndsOn != nil {
		switch {
		case in.EndsOn.Before(*in.StartsOn):
			v.Add("ends_on", "standin_ends_before_start")
		case in.EndsOn.Before(today):
			v.Add("ends_on", "standin_in_the_past")
		case in.StartsOn.Before(today):
			v.Add("starts_on", "standin_starts_in_the_past")
		case in.EndsOn.Sub(*in.StartsOn) >= MaxStandInDays*24*time.Hour:
			v.Add("ends_on", "standin_too_long")
		case overlaps:
			v.Add("starts_on", "standin_overlaps")
		}
	}
	return v.Err()
}

// MayNameStandInFor reports whether actor may name a stand-in for principal: for
// themselves, or an administrator for anyone. Asked before anything is looked up,
// so nobody else learns who exists.
func MayNameStandInFor(actor Viewer, principal int64) bool {
	return signedIn(actor) && (actor.User.ID == principal || actor.Roles.Admin)
}

// MayEndStandIn reports whether v may call off arrangement s early: the head, the
// stand-in themselves (who may decline), or an administrator.
func MayEndStandIn(v Viewer, s StandIn) bool {
	return signedIn(v) && (v.User.ID == s.PrincipalID || v.User.ID == s.StandInID || v.Roles.Admin)
}

// StandingInFor is the running arrangement by which v answers for unit's head, if
// any: v stands in for someone who heads that open unit.
func (v Viewer) StandingInFor(unitID int64) (StandIn, bool) {
	for _, s := range v.StandingIn {
		if slices.Contains(s.Units, unitID) {
			return s, true
		}
	}
	return StandIn{}, false
}

// StandingInForUser is the running arrangement by which v stands in for user, if any.
func (v Viewer) StandingInForUser(userID int64) (StandIn, bool) {
	for _, s := range v.StandingIn {
		if s.PrincipalID == userID {
			return s, true
		}
	}
	return StandIn{}, false
}

// StandInUnits lists the units v answers for as a stand-in, for the inbox's query.
func (v Viewer) StandInUnits() []int64 {
	var out []int64
	for _, s := range v.StandingIn {
		out = append(out, s.Units...)
	}
	return out
}

// StandInPrincipals lists whom v stands in for, for the "to decide" list's query.
func (v Viewer) StandInPrincipals() []int64 {
	var out []int64
	for _, s := range v.StandingIn {
		out = append(out, s.PrincipalID)
	}
	return out
}

// RefuseStandInKeyPerson refuses a stand-in naming themselves the key person of a
// request they answer for the absent head: that would keep the head's powers over it
// after the arrangement ends. keyPerson is the one being named, nil for none.
func RefuseStandInKeyPerson(party RequestParty, actorID int64, keyPerson *int64) error {
	if party.For != nil && !party.Delegate && keyPerson != nil && *keyPerson == actorID {
		return &Error{Code: ECodeInvalid, MessageID: "standin_not_own_key_person",
			Fields: map[string]string{"key_person": "standin_not_own_key_person"}}
	}
	return nil
}

// ActingFor names the person a party acts for: zero when they act for themselves.
type ActingFor struct {
	UserID int64
	Name   string
	NameEN string
}

// DisplayName is the name for a reader of lang.
func (a ActingFor) DisplayName(lang string) string { return localName(a.Name, a.NameEN, lang) }

// actingFor turns an arrangement into the principal it acts for.
func actingFor(s StandIn) *ActingFor {
	return &ActingFor{UserID: s.PrincipalID, Name: s.PrincipalName, NameEN: s.PrincipalNameEN}
}

// ForUserID is the id of the person acted for, or nil: what the store records beside
// the actor.
func (a *ActingFor) ForUserID() *int64 {
	if a == nil {
		return nil
	}
	return &a.UserID
}
