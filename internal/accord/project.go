package accord

import "time"

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
	ID           int64
	Name         string
	NameEN       string
	LeadUserID   int64
	LeadName     string
	LeadNameEN   string
	OwningUnitID int64
	UnitName     string
	UnitNameEN   string
	Status       ProjectStatus
	CadenceDays  int
	CreatedAt    time.Time
	Version      int
}

// DisplayName picks the project's name for a reader of the given language.
func (p Project) DisplayName(lang string) string { return localName(p.Name, p.NameEN, lang) }

// NewProject is the input for creating a project.
type NewProject struct {
	Name         string
	NameEN       string
	LeadUserID   int64
	OwningUnitID int64
}

// ProjectStatuses lists every status, in lifecycle order.
func ProjectStatuses() []ProjectStatus {
	return []ProjectStatus{ProjectDraft, ProjectActive, ProjectOnHold, ProjectDone, ProjectCancelled}
}

// MessageID names the status's translated label.
func (s ProjectStatus) MessageID() string { return "project_status_" + string(s) }
