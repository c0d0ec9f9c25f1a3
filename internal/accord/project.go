package accord

import (
	"slices"
	"time"
)

// ProjectStatus is where a project stands.
type ProjectStatus string

// Project statuses.
const (
	ProjectDraft     ProjectStatus = "draft"
	ProjectActive    ProjectStatus = "active"
	ProjectOnHold    ProjectStatus = "on_hold"
	ProjectDone      ProjectStatus = "done"
	ProjectCancelled ProjectStatus = "cancelled"
)

// DefaultCadenceDays is how often a project's threads should show progress.
const DefaultCadenceDays = 14

// Project is a cross-department effort with a lead and an owning unit.
type Project struct {
	ID              int64
	Name            string
	NameEN          string
	LeadUserID      int64
	LeadName        string
	LeadNameEN      string
	OwningUnitID    int64
	UnitName        string
	UnitNameEN      string
	Status          ProjectStatus
	CadenceDays     int
	GoalStatement   string
	ExpectedAmount  *int64 // whole currency units
	Currency        string
	ExpectedOutcome string
	GoalID          *int64
	GoalTitle       string
	GoalTitleEN     string
	StartDate       *time.Time
	TargetDate      *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int

	// EscalationOverrides are the project's own thresholds for automatic escalation.
	EscalationOverrides EscalationOverrides
}

// Input returns the project's editable fields, to prefill an edit form.
func (p Project) Input() ProjectInput {
	return ProjectInput{Name: p.Name, NameEN: p.NameEN, OwningUnitID: p.OwningUnitID, LeadUserID: p.LeadUserID,
		GoalStatement: p.GoalStatement, ExpectedAmount: p.ExpectedAmount, Currency: p.Currency,
		ExpectedOutcome: p.ExpectedOutcome, GoalID: p.GoalID, StartDate: p.StartDate, TargetDate: p.TargetDate,
		CadenceDays: p.CadenceDays, Status: p.Status, EscalationOverrides: p.EscalationOverrides}
}

// DisplayName picks the project's name for a reader of the given language.
func (p Project) DisplayName(lang string) string { return localName(p.Name, p.NameEN, lang) }

// ProjectStatuses lists every status, in lifecycle order.
func ProjectStatuses() []ProjectStatus {
	return []ProjectStatus{ProjectDraft, ProjectActive, ProjectOnHold, ProjectDone, ProjectCancelled}
}

// MessageID names the status's translated label.
func (s ProjectStatus) MessageID() string { return "project_status_" + string(s) }

// MayPlaceProjectIn reports whether v may make unitID the owner of a project that
// belongs to currentUnitID now (0 for a new project): an administrator any unit;
// anyone else a unit they belong to, or the one it already belongs to.
func MayPlaceProjectIn(v Viewer, unitID, currentUnitID int64) bool {
	if v.Roles.Admin || unitID == currentUnitID {
		return true
	}
	return slices.ContainsFunc(v.Memberships, func(m Membership) bool { return m.UnitID == unitID })
}

// ProjectUnitChoices is the units v may offer as a project's owner: the open ones
// MayPlaceProjectIn allows, plus the one it belongs to now even if closed since.
func ProjectUnitChoices(v Viewer, units []Unit, currentUnitID int64) []Unit {
	var out []Unit
	for _, u := range units {
		if u.ID == currentUnitID || (u.Open() && MayPlaceProjectIn(v, u.ID, 0)) {
			out = append(out, u)
		}
	}
	return out
}
