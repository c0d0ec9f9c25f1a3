package accord

import (
	"strings"
	"time"
)

// Retro is a project's retrospective: what it achieved against its stated value, and
// what it learned. Version 0 means nobody has written it yet.
type Retro struct {
	ProjectID     int64
	ActualAmount  *int64 // whole units of the project's currency
	ActualOutcome string
	Lessons       string
	UpdatedBy     string
	UpdatedByEN   string
	UpdatedAt     *time.Time
	Version       int
}

// RetroInput is what a lead writes in the retrospective.
type RetroInput struct {
	ActualAmount  *int64
	ActualOutcome string
	Lessons       string
}

// Normalize trims text.
func (in *RetroInput) Normalize() {
	in.ActualOutcome, in.Lessons = strings.TrimSpace(in.ActualOutcome), strings.TrimSpace(in.Lessons)
}

// Validate reports every problem at once.
func (in RetroInput) Validate() error {
	var v Validation
	if in.ActualAmount != nil && *in.ActualAmount < 0 {
		v.Add("actual_amount", "field_not_negative")
	}
	validateText(&v, "actual_outcome", in.ActualOutcome, MaxLineLength)
	validateText(&v, "lessons", in.Lessons, MaxNoteLength)
	if err := v.Err(); err != nil {
		return err
	}
	if in.ActualAmount == nil && in.ActualOutcome == "" && in.Lessons == "" {
		return Errorf(ECodeInvalid, "retro_empty", nil) // saving nothing records nothing
	}
	return nil
}

// Thanks is a project's public thanks to a unit that helped it.
type Thanks struct {
	ID            int64
	ProjectID     int64
	ProjectName   string
	ProjectNameEN string
	UnitID        int64
	UnitName      string
	UnitNameEN    string
	Text          string
	ByName        string
	ByNameEN      string
	At            time.Time
}

// ThanksInput is what a lead writes to thank a unit.
type ThanksInput struct {
	UnitID int64
	Text   string
}

// Normalize trims text.
func (in *ThanksInput) Normalize() { in.Text = strings.TrimSpace(in.Text) }

// Validate reports every problem at once.
func (in ThanksInput) Validate() error {
	var v Validation
	if in.UnitID <= 0 {
		v.Add("unit_id", "field_required")
	}
	if in.Text == "" {
		v.Add("text", "field_required")
	}
	validateText(&v, "text", in.Text, MaxLineLength)
	return v.Err()
}

// RetroUnit is one unit's part in a project: what was asked of it, the effort it
// logged, what it delivered, and the recognition it received.
type RetroUnit struct {
	UnitID       int64
	Name         string
	NameEN       string
	Needs        int
	PlannedDays  float64 // effort the resource map asked for
	LoggedDays   float64 // effort the progress log records
	Delivered    int
	Open         int // requests still open
	Declined     int
	Thanks       int
	PromisesKept int
	PromisesLost int // broken
	PromisesOpen int
}

// TimelineNeed is one need on a project's timeline: when it was needed, the date the
// holder committed to, and when it was delivered.
type TimelineNeed struct {
	NeedID      int64
	Title       string
	TitleEN     string
	Tier        Tier
	HolderName  string // the unit, or the outside party
	HolderEN    string
	External    bool
	NeededBy    *time.Time
	State       RequestState // "" when never sent
	DueDate     *time.Time   // the request's date
	DeliveredAt *time.Time
}

// DisplayTitle picks the need's title for a reader of the given language.
func (n TimelineNeed) DisplayTitle(lang string) string {
	return Need{Title: n.Title, TitleEN: n.TitleEN}.DisplayTitle(lang)
}

// WriteUp is the retrospective's own words, in which FairShares counts mentions.
func (r Retro) WriteUp() string { return r.ActualOutcome + "\n" + r.Lessons }

// EffortBasis says which effort a retrospective's shares are counted in.
type EffortBasis string

// Effort bases.
const (
	EffortPlanned EffortBasis = "planned" // what the resource map asked for
	EffortLogged  EffortBasis = "logged"  // what the progress log records
)

// RetroShare is one unit's share of a project's effort and of its credit.
type RetroShare struct {
	RetroUnit
	Mentions    int     // times the write-up names the unit, in either language
	EffortShare float64 // 0…1 of the project's effort
	CreditShare float64 // 0…1 of the thanks the project gave
	CarriedMost bool    // the largest share of the effort
	Unsung      bool    // carried clearly more than it was credited
}

// FairShares works out each unit's share of the effort and of the credit (一碗水端平).
// Effort is what the progress log records when it records any, else what the
// resource map asked for. Credit is the public thanks a unit received; the times the
// write-up names it are counted beside, since a mention may as well be a complaint.
// A unit carrying a tenth of the effort or more, and either no thanks or a share of
// the effort at least 20 points above its share of the thanks, is unsung; the first
// unit with the largest share of the effort carried the most. Units keep their order.
func FairShares(units []RetroUnit, writeUp string) ([]RetroShare, EffortBasis) {
	basis := EffortPlanned
	var logged, planned float64
	credit := 0
	for _, u := range units {
		logged += u.LoggedDays
		planned += u.PlannedDays
		credit += u.Thanks
	}
	total := planned
	if logged > 0 {
		basis, total = EffortLogged, logged
	}
	shares := make([]RetroShare, len(units))
	most := -1
	for i, u := range units {
		s := RetroShare{RetroUnit: u, Mentions: mentions(writeUp, u.Name, u.NameEN)}
		effort := u.PlannedDays
		if basis == EffortLogged {
			effort = u.LoggedDays
		}
		if total > 0 {
			s.EffortShare = effort / total
		}
		if credit > 0 {
			s.CreditShare = float64(u.Thanks) / float64(credit)
		}
		s.Unsung = s.EffortShare >= 0.1 && (u.Thanks == 0 || s.EffortShare-s.CreditShare >= 0.2)
		if s.EffortShare > 0 && (most < 0 || s.EffortShare > shares[most].EffortShare) {
			most = i
		}
		shares[i] = s
	}
	if most >= 0 {
		shares[most].CarriedMost = true
	}
	return shares, basis
}

// mentions counts the times text names a unit, in either language.
func mentions(text string, names ...string) int {
	n := 0
	for _, name := range names {
		if name = strings.TrimSpace(name); name != "" {
			n += strings.Count(text, name)
		}
	}
	return n
}
