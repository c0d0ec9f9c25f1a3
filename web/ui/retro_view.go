package ui

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"accord/internal/accord"
)

// Section anchors on the retrospective page.
const (
	RetroResults = "results"
	RetroThanks  = "thanks"
)

// RetroView is the retrospective that closes a project: results against the stated
// value, thanks to each unit that helped, effort against the credit each received,
// the promises still to keep, and lessons. Forms hold what the lead typed, so a
// refused save shows it again.
type RetroView struct {
	Project     accord.Project
	CanEdit     bool
	Print       bool // the print view: no forms, no navigation links
	Today       time.Time
	Record      RetroRecord
	Form        RetroForm
	Thanks      []accord.Thanks
	ThanksForm  ThanksForm
	Units       []RetroUnitRow // the most effort first
	Timeline    []TimelineItem // by the date each need was needed
	Commitments []accord.Commitment
	EffortBasis string // "logged" when the progress log records effort, else "planned"
}

// RetroRecord is the retrospective as saved.
type RetroRecord struct {
	ActualAmount  *int64
	ActualOutcome string
	Lessons       string
	UpdatedBy     string
	UpdatedByEN   string
	UpdatedAt     *time.Time
	Version       int // 0 until first saved
}

// RetroForm is the results and lessons form as typed.
type RetroForm struct {
	FormState
	ActualAmount  string
	ActualOutcome string
	Lessons       string
}

// ThanksForm is the thanks form as typed.
type ThanksForm struct {
	FormState
	UnitID int64
	Text   string
}

// RetroUnitRow is one unit's share of the work and of the credit.
type RetroUnitRow struct {
	UnitID       int64
	Name         string
	NameEN       string
	Needs        int
	PlannedDays  float64
	LoggedDays   float64
	Delivered    int
	Open         int
	Declined     int
	Thanks       int
	Mentions     int // times the write-up names the unit
	Kept         int
	Broken       int
	OpenPromises int
	EffortShare  float64 // 0…1 of the project's effort
	CreditShare  float64 // 0…1 of the thanks the project gave
	CarriedMost  bool    // the largest share of the effort
	Unsung       bool    // carried clearly more than it was credited
}

// TimelineItem is one need on the project's timeline.
type TimelineItem struct {
	NeedID      int64
	Title       string
	TitleEN     string
	Tier        accord.Tier
	Holder      string
	HolderEN    string
	External    bool
	NeededBy    *time.Time
	DueDate     *time.Time
	DeliveredAt *time.Time
	State       accord.RequestState // "" when never sent
}

// Timing says how a need's delivery met its date: early (on time or before), late,
// overdue (open past its date) or open.
func (n TimelineItem) Timing(today time.Time) string {
	switch {
	case n.DeliveredAt != nil && n.NeededBy != nil && dayOf(*n.DeliveredAt).After(*n.NeededBy):
		return "late"
	case n.DeliveredAt != nil:
		return "early"
	case n.NeededBy != nil && n.NeededBy.Before(dayOf(today)) && n.State != accord.RequestCancelled:
		return "overdue"
	}
	return "open"
}

// DaysLate is how many days after its date a need was delivered (negative: early).
func (n TimelineItem) DaysLate() int {
	if n.DeliveredAt == nil || n.NeededBy == nil {
		return 0
	}
	return int(math.Round(dayOf(*n.DeliveredAt).Sub(*n.NeededBy).Hours() / 24))
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (n TimelineItem) title(ctx context.Context) string {
	return accord.Need{Title: n.Title, TitleEN: n.TitleEN}.DisplayTitle(lang(ctx))
}

func (n TimelineItem) holder(ctx context.Context) string {
	if n.External {
		return typed(ctx, n.Holder)
	}
	return accord.Unit{Name: n.Holder, NameEN: n.HolderEN}.DisplayName(lang(ctx))
}

func (u RetroUnitRow) name(ctx context.Context) string {
	return accord.Unit{Name: u.Name, NameEN: u.NameEN}.DisplayName(lang(ctx))
}

// Unthanked lists the units that did work and have not been thanked yet.
func (v RetroView) Unthanked() []RetroUnitRow {
	var out []RetroUnitRow
	for _, u := range v.Units {
		if u.Thanks == 0 && (u.Delivered > 0 || u.LoggedDays > 0) {
			out = append(out, u)
		}
	}
	return out
}

// OpenCommitments are the promises still to keep, overdue first.
func (v RetroView) OpenCommitments() []accord.Commitment {
	var out []accord.Commitment
	for _, c := range v.Commitments {
		if c.Status == accord.CommitmentOpen {
			out = append(out, c)
		}
	}
	return out
}

// ClosedCommitments are the promises kept or broken.
func (v RetroView) ClosedCommitments() []accord.Commitment {
	var out []accord.Commitment
	for _, c := range v.Commitments {
		if c.Status != accord.CommitmentOpen {
			out = append(out, c)
		}
	}
	return out
}

// thanksUnit is the unit a thanks went to, in the reader's language (thanksBy names
// who wrote it).
func thanksUnit(ctx context.Context, t accord.Thanks) string {
	return accord.Unit{Name: t.UnitName, NameEN: t.UnitNameEN}.DisplayName(lang(ctx))
}

func percent(f float64) string { return strconv.Itoa(int(math.Round(f*100))) + "%" }

// resultDelta says how the actual amount compares with the expected one.
func resultDelta(ctx context.Context, p accord.Project, r RetroRecord) string {
	if p.ExpectedAmount == nil || r.ActualAmount == nil || *p.ExpectedAmount == 0 {
		return ""
	}
	ratio := float64(*r.ActualAmount) / float64(*p.ExpectedAmount)
	return t(ctx, "retro_result_ratio", map[string]any{"Percent": percent(ratio)})
}

func resultClass(p accord.Project, r RetroRecord) string {
	if p.ExpectedAmount == nil || r.ActualAmount == nil {
		return "badge"
	}
	if *r.ActualAmount >= *p.ExpectedAmount {
		return "badge ok"
	}
	return "badge warn"
}

// TimingText says in words how a need's delivery met its date.
func TimingText(ctx context.Context, n TimelineItem, today time.Time) string {
	switch n.Timing(today) {
	case "early":
		if d := n.DaysLate(); d < 0 {
			return t(ctx, "retro_timing_early", map[string]any{"Count": -d})
		}
		return t(ctx, "retro_timing_on_time")
	case "late":
		return t(ctx, "retro_timing_late", map[string]any{"Count": n.DaysLate()})
	case "overdue":
		return t(ctx, "retro_timing_overdue")
	}
	if n.State == "" {
		return t(ctx, "retro_timing_not_sent")
	}
	return t(ctx, n.State.MessageID())
}

func timingClass(n TimelineItem, today time.Time) string {
	switch n.Timing(today) {
	case "early":
		return "badge ok"
	case "late", "overdue":
		return "badge bad"
	}
	return "badge"
}

func timelineChart(ctx context.Context, v RetroView) TimelineChart {
	c := TimelineChart{ID: "retro-timeline", Title: t(ctx, "retro_timeline_title"), Desc: t(ctx, "retro_timeline_desc"),
		Today: dayOf(v.Today), Lang: lang(ctx), TodayLabel: t(ctx, "retro_today"),
		Legend: []ChartKey{{Class: "needed", Label: t(ctx, "retro_needed_by"), Diamond: true},
			{Class: "early", Label: t(ctx, "retro_key_on_time")}, {Class: "late", Label: t(ctx, "retro_key_late")}}}
	for _, n := range v.Timeline {
		c.Rows = append(c.Rows, TimelineRow{Label: n.title(ctx), Needed: n.NeededBy, Done: n.DeliveredAt,
			Class: n.Timing(v.Today), Title: fsi(n.title(ctx)) + " · " + fsi(n.holder(ctx)) + " · " + TimingText(ctx, n, v.Today)})
	}
	return c
}

func effortChart(ctx context.Context, v RetroView) PairChart {
	c := PairChart{ID: "retro-fairness", Title: t(ctx, "retro_fairness_title"), Desc: t(ctx, "retro_fairness_desc"),
		A: ChartKey{Class: "effort", Label: t(ctx, "retro_effort_share")}, B: ChartKey{Class: "credit", Label: t(ctx, "retro_credit_share")}}
	for _, u := range v.Units {
		c.Rows = append(c.Rows, PairRow{Label: u.name(ctx), A: u.EffortShare, B: u.CreditShare,
			ALabel: percent(u.EffortShare), BLabel: percent(u.CreditShare), Flag: u.Unsung})
	}
	return c
}

func retroAction(id int64, rest string) templ.SafeURL {
	return templ.SafeURL("/projects/" + itoa(id) + rest)
}

func thanksUnitOptions(ctx context.Context, units []RetroUnitRow) []wbOption {
	out := []wbOption{{Value: "", Label: t(ctx, "wb_choose")}}
	for _, u := range units {
		out = append(out, wbOption{Value: itoa(u.UnitID), Label: u.name(ctx)})
	}
	return out
}
