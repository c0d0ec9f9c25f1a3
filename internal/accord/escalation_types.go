package accord

import (
	"strings"
	"time"
)

// EscalationStatus is where an escalation stands.
type EscalationStatus string

// Escalation statuses.
const (
	EscalationOpen     EscalationStatus = "open"      // waiting for the superior's decision
	EscalationSentBack EscalationStatus = "sent_back" // the superior asked the lead for more; the clock stops
	EscalationDecided  EscalationStatus = "decided"
)

// MessageID names the status's translated label.
func (s EscalationStatus) MessageID() string { return "escalation_" + string(s) }

// DecisionKind is what the superior decided.
type DecisionKind string

// Decisions a superior can make; each is binding and applied at once.
const (
	DecideDirect      DecisionKind = "direct"      // the holder delivers this scope by this date
	DecideRescope     DecisionKind = "rescope"     // change scope, date or priority, then the holder answers again
	DecideAlternative DecisionKind = "alternative" // meet the need another way: a vendor, another unit
	DecideDrop        DecisionKind = "drop"        // the project goes on without it
	DecideSendBack    DecisionKind = "send_back"   // more information needed from the lead
)

// DecisionKinds lists every decision.
func DecisionKinds() []DecisionKind {
	return []DecisionKind{DecideDirect, DecideRescope, DecideAlternative, DecideDrop, DecideSendBack}
}

// Valid reports whether k is a known decision.
func (k DecisionKind) Valid() bool {
	for _, d := range DecisionKinds() {
		if k == d {
			return true
		}
	}
	return false
}

// MessageID names the decision's translated label.
func (k DecisionKind) MessageID() string { return "decision_" + string(k) }

// Escalation is a stalled request before the superior both units share.
type Escalation struct {
	ID              int64
	RequestID       int64
	ProjectID       int64
	Cause           EscalationCause
	Status          EscalationStatus
	AssignedUserID  int64
	AssignedUnitID  int64
	AssignedName    string
	AssignedNameEN  string
	Level           int
	AtTop           bool
	Reason          string
	Brief           string // the lead's edited brief; empty means generate it from the data
	LeadStatement   string
	HolderStatement string
	WindowOpenedAt  time.Time
	WindowDueAt     time.Time
	Decision        *DecisionKind
	DecisionNote    string
	DecidedAt       *time.Time
	DecidedByName   string // who recorded the decision or sent it back
	DecidedByNameEN string
	// DecidedFor names the absent superior a stand-in decided for; nil when none.
	DecidedFor *PersonName
	// HolderStatementBy is the stand-in who gave the holder's statement for its
	// absent head; nil when the head gave it.
	HolderStatementBy *Answerer
	CreatedAt         time.Time
	Version           int
	// PartyDecides: nobody above both units is free of the case, so a party to it
	// decides (only at the top of the tree); every page says so.
	PartyDecides bool
	// Direct: recorded by a lead who is the superior both units share, from the
	// request page, without going up.
	Direct bool

	Request Request // the request as it stands, joined
}

// PersonName is a person's name in both languages, as kept on a record.
type PersonName struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// DisplayName is the name for a reader of lang.
func (p PersonName) DisplayName(lang string) string { return localName(p.Name, p.NameEN, lang) }

// EscalationRecord is what an escalation's brief was written from: the facts frozen
// when it was raised (or refreshed by the lead while pending), and when decided.
type EscalationRecord struct {
	Raised  *BriefFacts // as raised or last refreshed
	Decided *BriefFacts // nil until decided
	// Unrecorded: raised before records were kept (migration 0016); Raised then holds
	// today's facts, and pages say no record was kept.
	Unrecorded bool
}

// Pending reports whether the escalation still waits for its superior (open, or
// sent back to the lead for more).
func (e Escalation) Pending() bool { return e.Status != EscalationDecided }

// DecisionInput is what the superior decides.
type DecisionInput struct {
	Kind      DecisionKind
	Note      string     // the reason, always required
	Scope     string     // direct, rescope: the scope the holder delivers
	DueDate   *time.Time // direct, rescope: by when
	Tier      Tier       // rescope: a new priority, optional
	AltTitle  string     // alternative: what replaces the need
	AltUnitID *int64     // alternative: another unit, or
	AltParty  string     // alternative: an outside party (budget for a vendor)
}

// Normalize trims text.
func (in *DecisionInput) Normalize() {
	in.Note, in.Scope = strings.TrimSpace(in.Note), strings.TrimSpace(in.Scope)
	in.AltTitle, in.AltParty = strings.TrimSpace(in.AltTitle), strings.TrimSpace(in.AltParty)
}

// Validate reports every problem at once.
func (in DecisionInput) Validate() error {
	var v Validation
	if !in.Kind.Valid() {
		v.Add("kind", "decision_kind_required")
	}
	if in.Note == "" {
		v.Add("note", "decision_note_required")
	}
	validateText(&v, "note", in.Note, MaxNoteLength)
	validateText(&v, "scope", in.Scope, MaxNoteLength)
	switch in.Kind {
	case DecideDirect:
		if in.DueDate == nil {
			v.Add("due_date", "decision_date_required")
		}
	case DecideRescope:
		if in.Scope == "" && in.DueDate == nil && in.Tier == "" {
			v.Add("scope", "decision_rescope_empty")
		}
		if in.Tier != "" && !in.Tier.Valid() {
			v.Add("tier", "need_tier_required")
		}
	case DecideAlternative:
		if in.AltTitle == "" {
			v.Add("alt_title", "field_required")
		}
		if in.AltUnitID == nil && in.AltParty == "" {
			v.Add("alt_holder", "need_holder_required")
		}
		validateName(&v, "alt_title", in.AltTitle, false)
		validateName(&v, "alt_party", in.AltParty, false)
	}
	return v.Err()
}
