package accord

import (
	"regexp"
	"strings"
	"time"
)

// Tier says how much a project depends on a need.
type Tier string

// Tiers, from required to alternative.
const (
	TierRequired    Tier = "P0" // without it the project cannot go on
	TierImportant   Tier = "P1" // the project is much better with it
	TierAlternative Tier = "P2" // a fallback, possibly backing up another need
)

// Tiers lists every tier in priority order.
func Tiers() []Tier { return []Tier{TierRequired, TierImportant, TierAlternative} }

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return t == TierRequired || t == TierImportant || t == TierAlternative }

// MessageID names the tier's translated label.
func (t Tier) MessageID() string { return "tier_" + strings.ToLower(string(t)) }

// Stance is how an involved unit stands towards the project (the alliance map).
type Stance string

// Stances, from friend to foe; StanceUnknown until the lead assesses the unit.
const (
	StanceUnknown  Stance = ""
	StanceAlly     Stance = "ally"
	StanceWinnable Stance = "winnable"
	StanceNeutral  Stance = "neutral"
	StanceOpposed  Stance = "opposed"
)

// Stances lists the stances in the order the alliance board shows its columns.
func Stances() []Stance {
	return []Stance{StanceAlly, StanceWinnable, StanceNeutral, StanceOpposed, StanceUnknown}
}

// Valid reports whether s is a known stance.
func (s Stance) Valid() bool {
	switch s {
	case StanceUnknown, StanceAlly, StanceWinnable, StanceNeutral, StanceOpposed:
		return true
	}
	return false
}

// MessageID names the stance's translated label.
func (s Stance) MessageID() string {
	if s == StanceUnknown {
		return "stance_unknown"
	}
	return "stance_" + string(s)
}

// CommitmentStatus is whether a promise was kept.
type CommitmentStatus string

// Commitment statuses.
const (
	CommitmentOpen   CommitmentStatus = "open"
	CommitmentKept   CommitmentStatus = "kept"
	CommitmentBroken CommitmentStatus = "broken"
)

// CommitmentStatuses lists every status.
func CommitmentStatuses() []CommitmentStatus {
	return []CommitmentStatus{CommitmentOpen, CommitmentKept, CommitmentBroken}
}

// Valid reports whether s is a known status.
func (s CommitmentStatus) Valid() bool {
	return s == CommitmentOpen || s == CommitmentKept || s == CommitmentBroken
}

// MessageID names the status's translated label.
func (s CommitmentStatus) MessageID() string { return "commitment_" + string(s) }

// Valid reports whether s is a known project status.
func (s ProjectStatus) Valid() bool {
	for _, v := range ProjectStatuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Text limits: short labels, one-line statements, and notes.
const (
	MaxTitleLength = MaxNameLength
	MaxLineLength  = 500
	MaxNoteLength  = 4000
	MaxListItems   = 12
	MaxEffortDays  = 100000
)

// ProjectInput is what a lead types to create or edit a project.
type ProjectInput struct {
	Name            string
	NameEN          string
	OwningUnitID    int64
	LeadUserID      int64
	GoalStatement   string
	ExpectedAmount  *int64 // whole currency units
	Currency        string
	ExpectedOutcome string
	GoalID          *int64
	StartDate       *time.Time
	TargetDate      *time.Time
	CadenceDays     int
	Status          ProjectStatus

	// EscalationOverrides are the project's own thresholds; nil fields keep the defaults.
	EscalationOverrides EscalationOverrides
}

// Normalize trims text and fills defaults.
func (in *ProjectInput) Normalize() {
	in.Name, in.NameEN = strings.TrimSpace(in.Name), strings.TrimSpace(in.NameEN)
	in.GoalStatement = strings.TrimSpace(in.GoalStatement)
	in.ExpectedOutcome = strings.TrimSpace(in.ExpectedOutcome)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Currency == "" {
		in.Currency = "CNY"
	}
	if in.CadenceDays == 0 {
		in.CadenceDays = DefaultCadenceDays
	}
	if in.Status == "" {
		in.Status = ProjectActive
	}
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// MaxExpectedAmount bounds a project's value (a hundred trillion): ten thousand
// projects at the bound still add up within int64, as the portfolio sums them.
const MaxExpectedAmount int64 = 100_000_000_000_000

// Validate reports every problem at once.
func (in ProjectInput) Validate() error {
	var v Validation
	validateName(&v, "name", in.Name, true)
	validateName(&v, "name_en", in.NameEN, false)
	if in.OwningUnitID <= 0 {
		v.Add("owning_unit_id", "field_required")
	}
	if in.LeadUserID <= 0 {
		v.Add("lead_user_id", "field_required")
	}
	validateText(&v, "goal_statement", in.GoalStatement, MaxLineLength)
	validateText(&v, "expected_outcome", in.ExpectedOutcome, MaxLineLength)
	if in.ExpectedAmount != nil && *in.ExpectedAmount < 0 {
		v.Add("expected_amount", "field_not_negative")
	}
	if in.ExpectedAmount != nil && *in.ExpectedAmount > MaxExpectedAmount {
		v.Add("expected_amount", "project_amount_too_large")
	}
	if !currencyCode.MatchString(in.Currency) {
		v.Add("currency", "field_currency")
	}
	if in.StartDate != nil && in.TargetDate != nil && in.TargetDate.Before(*in.StartDate) {
		v.Add("target_date", "project_target_before_start")
	}
	if in.CadenceDays < 1 || in.CadenceDays > 365 {
		v.Add("cadence_days", "project_cadence_range")
	}
	if !in.Status.Valid() {
		v.Add("status", "field_required")
	}
	in.EscalationOverrides.validate(&v)
	return v.Err()
}

// Need is one line of a project's resource map: something the project needs from a
// unit or an outside party.
type Need struct {
	ID            int64
	ProjectID     int64
	Title         string
	TitleEN       string
	HolderUnitID  *int64
	HolderName    string // joined from the unit
	HolderNameEN  string
	ExternalParty string
	Tier          Tier
	BacksUpNeedID *int64
	NeededBy      *time.Time
	EffortDays    float64
	KeyPerson     string
	Notes         string
	CreatedAt     time.Time
	Version       int
	PhaseOfNeedID *int64 // the need this one was split from as a first phase
	// KeyPersonName and KeyPersonNameEN are the names of the holder's person whose
	// name, in either language, KeyPerson is; empty when it names no one there.
	KeyPersonName, KeyPersonNameEN string
	// PhaseOfTitle names that need, joined for display: a phase states its parent.
	PhaseOfTitle   string
	PhaseOfTitleEN string
}

// DisplayPhaseOf names the need this one is a phase of, in the reader's language; ""
// when it is no phase.
func (n Need) DisplayPhaseOf(lang string) string {
	if n.PhaseOfNeedID == nil {
		return ""
	}
	return localName(n.PhaseOfTitle, n.PhaseOfTitleEN, lang)
}

// DisplayTitle picks the title for a reader of the given language.
func (n Need) DisplayTitle(lang string) string { return localName(n.Title, n.TitleEN, lang) }

// DisplayKeyPerson is the key person as typed, or, when it names one of the holder's
// people, that person's name in the reader's language.
func (n Need) DisplayKeyPerson(lang string) string {
	if n.KeyPersonName == "" {
		return n.KeyPerson
	}
	return localName(n.KeyPersonName, n.KeyPersonNameEN, lang)
}

// Holder names who holds the need, a unit or an outside party.
func (n Need) Holder(lang string) string {
	if n.HolderUnitID == nil {
		return n.ExternalParty
	}
	return localName(n.HolderName, n.HolderNameEN, lang)
}

// NeedInput is what a lead types for a need.
type NeedInput struct {
	Title         string
	TitleEN       string
	HolderUnitID  *int64
	ExternalParty string
	Tier          Tier
	BacksUpNeedID *int64
	NeededBy      *time.Time
	EffortDays    float64
	KeyPerson     string
	Notes         string
	PhaseOfNeedID *int64 // set once, when a phase is split from a need
}

// Normalize trims text.
func (in *NeedInput) Normalize() {
	in.Title, in.TitleEN = strings.TrimSpace(in.Title), strings.TrimSpace(in.TitleEN)
	in.ExternalParty = strings.TrimSpace(in.ExternalParty)
	in.KeyPerson = strings.TrimSpace(in.KeyPerson)
	in.Notes = strings.TrimSpace(in.Notes)
	if in.HolderUnitID != nil {
		in.ExternalParty = ""
	}
}

// Validate reports every problem at once. Problems that do not block saving (a date
// after the project's target, the project's own unit as holder) come back as warnings:
// message ids keyed by field.
func (in NeedInput) Validate(p Project) (warnings map[string]string, err error) {
	var v Validation
	validateName(&v, "title", in.Title, true)
	validateName(&v, "title_en", in.TitleEN, false)
	if in.HolderUnitID == nil && in.ExternalParty == "" {
		v.Add("holder", "need_holder_required")
	}
	validateName(&v, "external_party", in.ExternalParty, false)
	if !in.Tier.Valid() {
		v.Add("tier", "need_tier_required")
	}
	if in.BacksUpNeedID != nil && in.Tier != TierAlternative {
		v.Add("backs_up_need_id", "need_backup_only_alternative")
	}
	if in.EffortDays < 0 {
		v.Add("effort_days", "field_not_negative")
	} else if in.EffortDays > MaxEffortDays {
		v.Add("effort_days", "need_effort_too_large")
	}
	validateName(&v, "key_person", in.KeyPerson, false)
	validateText(&v, "notes", in.Notes, MaxNoteLength)
	if err := v.Err(); err != nil {
		return nil, err
	}
	warnings = map[string]string{}
	if in.NeededBy != nil && p.TargetDate != nil && in.NeededBy.After(*p.TargetDate) {
		warnings["needed_by"] = "need_after_target"
	}
	if in.HolderUnitID != nil && *in.HolderUnitID == p.OwningUnitID {
		warnings["holder"] = "need_holder_is_owner"
	}
	return warnings, nil
}

// UnitPlan is what the lead knows and offers one involved unit: its motivation
// (WIIFM), the value exchange, and its place on the alliance map.
type UnitPlan struct {
	ProjectID     int64
	UnitID        int64
	UnitName      string
	UnitNameEN    string
	Concerns      []string
	KPIs          []string
	TheyNeed      string
	WeGive        string
	TheyGet       string
	Proposal      string
	OptionA       string
	OptionB       string
	OptionC       string
	Stance        Stance
	ApproachOrder int
	Version       int // 0 until first saved
}

// DisplayUnitName picks the unit's name for a reader of the given language.
func (p UnitPlan) DisplayUnitName(lang string) string {
	return localName(p.UnitName, p.UnitNameEN, lang)
}

// Normalize trims text and drops empty list items.
func (p *UnitPlan) Normalize() {
	p.Concerns, p.KPIs = cleanList(p.Concerns), cleanList(p.KPIs)
	for _, s := range []*string{&p.TheyNeed, &p.WeGive, &p.TheyGet, &p.Proposal, &p.OptionA, &p.OptionB, &p.OptionC} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate reports every problem at once.
func (p UnitPlan) Validate() error {
	var v Validation
	for field, list := range map[string][]string{"concerns": p.Concerns, "kpis": p.KPIs} {
		if len(list) > MaxListItems {
			v.Add(field, "list_too_long")
		}
		for _, item := range list {
			validateText(&v, field, item, MaxLineLength)
		}
	}
	for field, s := range map[string]string{"they_need": p.TheyNeed, "we_give": p.WeGive, "they_get": p.TheyGet,
		"proposal": p.Proposal, "option_a": p.OptionA, "option_b": p.OptionB, "option_c": p.OptionC} {
		validateText(&v, field, s, MaxNoteLength)
	}
	if !p.Stance.Valid() {
		v.Add("stance", "field_required")
	}
	if p.ApproachOrder < 0 || p.ApproachOrder > 999 {
		v.Add("approach_order", "field_not_negative")
	}
	return v.Err()
}

// Commitment is a promise the project made to a unit.
type Commitment struct {
	ID         int64
	ProjectID  int64
	UnitID     int64
	UnitName   string
	UnitNameEN string
	What       string
	DueDate    *time.Time
	Status     CommitmentStatus
	CreatedAt  time.Time
	Version    int
}

// Overdue reports whether an open promise is past its due date on day today.
func (c Commitment) Overdue(today time.Time) bool {
	return c.Status == CommitmentOpen && c.DueDate != nil && c.DueDate.Before(dateOf(today))
}

// CommitmentInput is what a lead types for a commitment.
type CommitmentInput struct {
	UnitID  int64
	What    string
	DueDate *time.Time
	Status  CommitmentStatus
}

// Normalize trims text and defaults the status.
func (in *CommitmentInput) Normalize() {
	in.What = strings.TrimSpace(in.What)
	if in.Status == "" {
		in.Status = CommitmentOpen
	}
}

// Validate reports every problem at once.
func (in CommitmentInput) Validate() error {
	var v Validation
	if in.UnitID <= 0 {
		v.Add("unit_id", "field_required")
	}
	if in.What == "" {
		v.Add("what", "field_required")
	}
	validateText(&v, "what", in.What, MaxLineLength)
	if !in.Status.Valid() {
		v.Add("status", "field_required")
	}
	return v.Err()
}

// Goal is a company goal, or a department KPI under one.
type Goal struct {
	ID         int64
	ParentID   *int64
	UnitID     *int64
	UnitName   string
	UnitNameEN string
	Title      string
	TitleEN    string
	Target     string
	ClosedAt   *time.Time
	Depth      int
	Version    int
}

// DisplayTitle picks the title for a reader of the given language.
func (g Goal) DisplayTitle(lang string) string { return localName(g.Title, g.TitleEN, lang) }

// GoalInput is what an executive types for a goal or KPI.
type GoalInput struct {
	ParentID *int64
	UnitID   *int64
	Title    string
	TitleEN  string
	Target   string
}

// Normalize trims text.
func (in *GoalInput) Normalize() {
	in.Title, in.TitleEN, in.Target = strings.TrimSpace(in.Title), strings.TrimSpace(in.TitleEN), strings.TrimSpace(in.Target)
}

// Validate reports every problem at once.
func (in GoalInput) Validate() error {
	var v Validation
	validateName(&v, "title", in.Title, true)
	validateName(&v, "title_en", in.TitleEN, false)
	validateText(&v, "target", in.Target, MaxLineLength)
	return v.Err()
}

func validateText(v *Validation, field, s string, limit int) { v.Text(field, s, LineText(limit)) }

// ValidateText adds a problem for text that is not valid UTF-8, holds control
// characters other than line breaks and tabs (PostgreSQL refuses NUL), or runs over
// limit characters: for handlers that read free text outside a domain input. It is
// TextProblem with LineText(limit).
func ValidateText(v *Validation, field, s string, limit int) { validateText(v, field, s, limit) }

func cleanList(items []string) []string {
	out := make([]string, 0, len(items))
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dateOf truncates t to midnight UTC of its calendar day, as dates are stored.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
