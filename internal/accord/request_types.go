package accord

import (
	"strings"
	"time"
)

// Request is a need sent to the head of the unit that holds it.
type Request struct {
	ID              int64
	NeedID          int64
	ProjectID       int64
	HolderUnitID    int64
	State           RequestState
	Message         string // the lead's note when sending
	Offer           string // what the project offers the unit, as it stood when sent
	OfferParts      Offer  // the same, part by part; empty for requests sent before parts were kept
	Scope           string // what is asked for; narrowed by an accepted counter
	DueDate         *time.Time
	KeyPersonUserID *int64
	CounterScope    string
	CounterDate     *time.Time
	Obstacle        Obstacle
	DeclineReason   string
	Binding         bool // set by an escalation decision: the holder may no longer decline
	// TransferredFromUnitID is the unit first asked, while the request stands passed
	// on from it (the lead may send it back); TransferReason says why it was passed.
	TransferredFromUnitID *int64
	TransferReason        string
	SentAt                *time.Time
	AnsweredAt            *time.Time
	LastActivityAt        time.Time
	LastNudgeAt           *time.Time
	CreatedAt             time.Time
	Version               int

	// Joined for display.
	NeedTitle       string
	NeedTitleEN     string
	Tier            Tier
	EffortDays      float64
	ProjectName     string
	ProjectNameEN   string
	LeadUserID      int64
	HolderName      string
	HolderNameEN    string
	KeyPersonName   string
	KeyPersonNameEN string
	// TransferredFromName names the unit it was passed on from.
	TransferredFromName   string
	TransferredFromNameEN string
	// AnsweredBy is who gave the holder's last answer, and the head they stood in
	// for; nil before an answer (or for answers given before it was kept).
	AnsweredBy *Answerer
}

// Answerer is who answered a request for the holding unit.
type Answerer struct {
	Name      string `json:"by"`
	NameEN    string `json:"by_en"`
	ForName   string `json:"for"` // the absent head they stood in for; "" when none
	ForNameEN string `json:"for_en"`
}

// RequestInput carries what an action needs besides the action itself.
type RequestInput struct {
	KeyPersonUserID *int64     // agree (optional), delegate (required)
	DueDate         *time.Time // agree: the committed date
	Obstacle        Obstacle   // decline (required)
	Reason          string     // decline: the holder's words; cancel: why
	CounterScope    string     // counter: reduced scope
	CounterDate     *time.Time // counter: another date
	TransferUnitID  *int64     // transfer: the unit it belongs to (with Reason)
}

// Normalize trims text.
func (in *RequestInput) Normalize() {
	in.Reason = strings.TrimSpace(in.Reason)
	in.CounterScope = strings.TrimSpace(in.CounterScope)
}

// Validate checks the input an action needs.
func (in RequestInput) Validate(action RequestAction) error {
	var v Validation
	validateText(&v, "reason", in.Reason, MaxNoteLength)
	validateText(&v, "counter_scope", in.CounterScope, MaxNoteLength)
	switch action {
	case ActionDecline:
		if !in.Obstacle.Valid() {
			v.Add("obstacle", "request_obstacle_required")
		}
		if in.Obstacle == ObstacleOther && in.Reason == "" {
			v.Add("reason", "request_reason_required")
		}
	case ActionCounter:
		if in.CounterScope == "" && in.CounterDate == nil {
			v.Add("counter_scope", "request_counter_empty")
		}
	case ActionDelegate:
		if in.KeyPersonUserID == nil {
			v.Add("key_person", "request_key_person_required")
		}
	case ActionTransfer:
		if in.TransferUnitID == nil {
			v.Add("unit", "request_transfer_unit_required")
		}
		if in.Reason == "" {
			v.Add("reason", "request_transfer_reason_required")
		}
	}
	return v.Err()
}

// Risk is how likely a request is to slip, as its last progress entry says.
type Risk string

// Risk levels.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Risks lists the levels from low to high.
func Risks() []Risk { return []Risk{RiskLow, RiskMedium, RiskHigh} }

// Valid reports whether r is a known level.
func (r Risk) Valid() bool { return r == RiskLow || r == RiskMedium || r == RiskHigh }

// MessageID names the level's translated label.
func (r Risk) MessageID() string { return "risk_" + string(r) }

// ProgressEntry is one line of a request's append-only progress log. Corrections
// are new entries.
type ProgressEntry struct {
	ID           int64
	RequestID    int64
	AuthorUserID int64
	AuthorName   string
	AuthorNameEN string
	ForName      string // the absent head a stand-in wrote for; "" when none
	ForNameEN    string
	Body         string
	NextStep     string
	Risk         Risk
	EffortDays   float64 // person-days spent since the last entry
	CreatedAt    time.Time
}

// ProgressInput is what someone types into the progress log.
type ProgressInput struct {
	Body       string
	NextStep   string
	Risk       Risk
	EffortDays float64
}

// Normalize trims text and defaults the risk.
func (in *ProgressInput) Normalize() {
	in.Body, in.NextStep = strings.TrimSpace(in.Body), strings.TrimSpace(in.NextStep)
	if in.Risk == "" {
		in.Risk = RiskLow
	}
}

// Validate reports every problem at once.
func (in ProgressInput) Validate() error {
	var v Validation
	if in.Body == "" {
		v.Add("body", "field_required")
	}
	validateText(&v, "body", in.Body, MaxNoteLength)
	validateText(&v, "next_step", in.NextStep, MaxLineLength)
	if !in.Risk.Valid() {
		v.Add("risk", "field_required")
	}
	if in.EffortDays < 0 {
		v.Add("effort_days", "field_not_negative")
	} else if in.EffortDays > MaxEffortDays {
		v.Add("effort_days", "need_effort_too_large")
	}
	return v.Err()
}

// DisplayScope is what the request asks for, in the reader's language: the scope as
// typed, or, while the scope is still the need's own title (as sending sets it), the
// need's title in lang, so an English reader is not shown the Chinese title.
func (r Request) DisplayScope(lang string) string {
	if s := strings.TrimSpace(r.Scope); s != "" && s != r.NeedTitle {
		return r.Scope
	}
	return Need{Title: r.NeedTitle, TitleEN: r.NeedTitleEN}.DisplayTitle(lang)
}

// Stale reports whether an open, sent request has had no activity within cadence.
func (r Request) Stale(now time.Time, cadenceDays int) bool {
	from, ok := r.StaleAfter(cadenceDays)
	return ok && now.After(from)
}

// StaleAfter is the moment after which the request is stale unless something happens
// to it first; ok is false while it is in a state that never goes stale.
func (r Request) StaleAfter(cadenceDays int) (time.Time, bool) {
	switch r.State {
	case RequestDraft, RequestDelivered, RequestCancelled:
		return time.Time{}, false
	}
	return r.LastActivityAt.Add(time.Duration(cadenceDays) * 24 * time.Hour), true
}

// Overdue reports whether an undelivered request is past its date.
func (r Request) Overdue(today time.Time) bool {
	return r.State.Open() && r.State != RequestDraft && r.DueDate != nil && r.DueDate.Before(dateOf(today))
}

// NudgeInterval is how often a lead may remind a holder by hand.
const NudgeInterval = 4 * time.Hour

// WaitingOnHolder reports whether the next step is the holding unit's, so a reminder
// to it makes sense: not while a decline or a counter-proposal waits on the lead.
func (s RequestState) WaitingOnHolder() bool {
	return s == RequestRequested || s == RequestAgreed || s == RequestInProgress
}

// RefuseNudge is why party may not remind request r's holder by hand, nil when they
// may (as often as CanNudge allows): only its lead, only while the next step is the
// holder's.
func RefuseNudge(r Request, party RequestParty) error {
	if !party.MayNudge() {
		return Errorf(ECodeForbidden, "request_action_not_yours", nil)
	}
	if !r.State.Open() || r.State == RequestDraft {
		return Errorf(ECodeInvalid, "request_progress_closed", nil)
	}
	if !r.State.WaitingOnHolder() {
		return Errorf(ECodeInvalid, "request_nudge_waits_on_you", nil)
	}
	return nil
}

// CanNudge reports whether a manual reminder is allowed now, and if not, when.
func (r Request) CanNudge(now time.Time) (bool, time.Time) {
	if r.LastNudgeAt == nil {
		return true, now
	}
	next := r.LastNudgeAt.Add(NudgeInterval)
	return !now.Before(next), next
}

// Offer is what a project offers the unit a request goes to, as the unit's plan stood
// when the request was sent, in the parts the send page labels.
type Offer struct {
	WeGive   string // what the project gives the unit
	TheyGet  string // what the unit gets out of it
	Proposal string // the proposal made to the unit
}

// Empty reports whether no part was recorded.
func (o Offer) Empty() bool { return o.WeGive == "" && o.TheyGet == "" && o.Proposal == "" }
