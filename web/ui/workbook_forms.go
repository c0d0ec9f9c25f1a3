package ui

import (
	"strings"

	"accord/internal/accord"
)

// The workbook's forms as typed, so a refused save shows every word again, and the
// functions that fill them from what is saved.

// Notice is the outcome of a save, shown at the top of the section it changed.
type Notice struct {
	Section  string   // a Section* id or PlanSection(unit)
	Message  string   // already translated
	Warnings []string // already translated; they did not stop the save
}

// NeedForm is a need as typed into the add or edit form.
type NeedForm struct {
	FormState
	ID            int64 // 0 for a new need
	Title         string
	TitleEN       string
	Tier          string
	HolderUnitID  int64
	ExternalParty string
	BacksUpNeedID int64
	NeededBy      string // yyyy-mm-dd, as typed
	EffortDays    string // as typed
	KeyPerson     string
	Notes         string
	Current       *accord.Need // after a conflict: the need as it is saved now
	Autofocus     bool         // focus the form's first field when it appears
}

// NeedFormFrom fills the edit form with a saved need.
func NeedFormFrom(n accord.Need) NeedForm {
	f := NeedForm{FormState: FormState{Version: n.Version}, ID: n.ID, Title: n.Title, TitleEN: n.TitleEN,
		Tier: string(n.Tier), ExternalParty: n.ExternalParty, NeededBy: formatDate(n.NeededBy),
		EffortDays: formatEffort(n.EffortDays), KeyPerson: n.KeyPerson, Notes: n.Notes}
	if n.HolderUnitID != nil {
		f.HolderUnitID = *n.HolderUnitID
	}
	if n.BacksUpNeedID != nil {
		f.BacksUpNeedID = *n.BacksUpNeedID
	}
	return f
}

// needFieldOrder is the order of the need form's fields, to focus the first problem.
var needFieldOrder = []string{"title", "title_en", "tier", "holder", "external_party", "backs_up_need_id",
	"needed_by", "effort_days", "key_person", "notes"}

// PlanForm is the motivation and value exchange for one unit as typed.
type PlanForm struct {
	FormState
	Concerns string // one item per line
	KPIs     string
	TheyNeed string
	WeGive   string
	TheyGet  string
	Proposal string
	OptionA  string
	OptionB  string
	OptionC  string
	Open     bool // show the form unfolded
}

// PlanFormFrom fills the plan form with a saved plan.
func PlanFormFrom(p accord.UnitPlan) PlanForm {
	return PlanForm{FormState: FormState{Version: p.Version}, Concerns: strings.Join(p.Concerns, "\n"),
		KPIs: strings.Join(p.KPIs, "\n"), TheyNeed: p.TheyNeed, WeGive: p.WeGive, TheyGet: p.TheyGet,
		Proposal: p.Proposal, OptionA: p.OptionA, OptionB: p.OptionB, OptionC: p.OptionC}
}

var planFieldOrder = []string{"concerns", "kpis", "they_need", "we_give", "they_get", "proposal",
	"option_a", "option_b", "option_c"}

// StanceForm places a unit on the alliance board.
type StanceForm struct {
	FormState
	Stance        string
	ApproachOrder string // as typed
	Autofocus     bool   // focus the form when it loads into its card
}

// StanceFormFrom fills the board form with a saved plan.
func StanceFormFrom(p accord.UnitPlan) StanceForm {
	return StanceForm{FormState: FormState{Version: p.Version}, Stance: string(p.Stance),
		ApproachOrder: orderText(p.ApproachOrder)}
}

// CommitmentForm is a promise as typed.
type CommitmentForm struct {
	FormState
	ID        int64 // 0 for a new commitment
	UnitID    int64
	What      string
	DueDate   string // yyyy-mm-dd, as typed
	Status    string
	Current   *accord.Commitment // after a conflict: the commitment as saved now
	Autofocus bool
}

// CommitmentFormFrom fills the edit form with a saved commitment.
func CommitmentFormFrom(c accord.Commitment) CommitmentForm {
	return CommitmentForm{FormState: FormState{Version: c.Version}, ID: c.ID, UnitID: c.UnitID, What: c.What,
		DueDate: formatDate(c.DueDate), Status: string(c.Status)}
}

var commitmentFieldOrder = []string{"unit_id", "what", "due_date", "status"}
