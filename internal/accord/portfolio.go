package accord

import "time"

// PortfolioRow is one project on an executive's portfolio with its health and the
// signals behind it.
type PortfolioRow struct {
	ID              int64
	Name            string
	NameEN          string
	Status          ProjectStatus
	OwningUnitID    int64
	UnitName        string
	UnitNameEN      string
	LeadName        string
	LeadNameEN      string
	GoalID          *int64 // the company goal its own goal rolls up to
	GoalTitle       string
	GoalTitleEN     string
	ExpectedAmount  *int64
	Currency        string
	ExpectedOutcome string
	TargetDate      *time.Time
	Health          Health

	Live        int // sent and still open
	P0Declined  int
	P0Overdue   int
	Declined    int
	Overdue     int
	Stale       int
	HighRisk    int
	Delivered   int
	Escalations int // waiting for a superior's decision
}
