package ui

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"accord/internal/accord"
)

// Section ids on the workbook page. Each is the anchor a save without JavaScript
// returns to, and the element an htmx save swaps.
const (
	SectionNeeds       = "resource-map"
	SectionPlans       = "involved-units"
	SectionAlliance    = "alliance"
	SectionCommitments = "commitments"
)

// PlanSection is the id of one involved unit's card.
func PlanSection(unitID int64) string { return "plan-" + itoa(unitID) }

// WorkbookView is a project's workbook: the whole plan at a glance and, for its lead,
// the forms that change it in place. Forms hold what the user typed, so a refused save
// shows it again.
type WorkbookView struct {
	Project     accord.Project
	CanEdit     bool
	Today       time.Time
	Needs       []accord.Need       // tier, then needed-by date
	Plans       []accord.UnitPlan   // one per involved unit, in approach order
	Commitments []accord.Commitment // open first, by due date
	Units       []accord.Unit       // open units, depth-first, for the selects
	// UnitChooser lists in the unit selects only the units the project involves; any
	// other is found on the unit chooser page. An organisation of a thousand units
	// would otherwise send a thousand options in every form.
	UnitChooser bool

	Notice Notice // what the last save did, shown in the section it changed

	NeedAdd   NeedForm
	NeedEdit  *NeedForm // the need being edited in its row
	NeedAlert string    // a refused delete, already translated
	NeedPage  int       // the page of the resource map's rows asked for (?page=), 1-based
	// NeedFocus shows the page holding this need instead, the one just saved or
	// edited; the row being edited wins over both.
	NeedFocus int64

	PlanForms map[int64]PlanForm // by unit: a plan form shown again, open, after a refused save
	// PlanFormsOnDemand leaves each plan's form, and each unit's form on the alliance
	// board, out of the page until asked for, so a project involving hundreds of units
	// does not send hundreds of forms.
	PlanFormsOnDemand bool
	StanceForms       map[int64]StanceForm // by unit
	PlanPage          int                  // the page of involved units asked for (?plans=), 1-based
	// PlanFocus shows the page holding this unit's card instead: the one just saved,
	// or shown again after a refused save.
	PlanFocus int64

	// FullBoard shows every unit on the alliance board (?board=all), AllTotals every
	// holder in the effort totals (?totals=all); otherwise each shows its first rows.
	FullBoard, AllTotals bool
	// BoardFocus is the unit whose stance was just saved: its card stays on the board.
	BoardFocus int64

	CommitmentAdd   CommitmentForm
	CommitmentEdit  *CommitmentForm
	CommitmentAlert string
}

// NeedsPerPage is how many rows of the resource map a page shows. The summary, the
// effort totals and the board still count every need. (Fifty rows of a big project
// were 66 kB of a 346 kB page.)
const NeedsPerPage = 30

// needPage is the page of the resource map shown: the one holding the need being
// edited or just saved, else the one asked for.
func (v WorkbookView) needPage() int {
	focus := v.NeedFocus
	if v.NeedEdit != nil && v.NeedEdit.ID != 0 {
		focus = v.NeedEdit.ID
	}
	if focus != 0 {
		if i := slices.IndexFunc(v.Needs, func(n accord.Need) bool { return n.ID == focus }); i >= 0 {
			return i/NeedsPerPage + 1
		}
	}
	return max(v.NeedPage, 1)
}

// needPages is the number of pages of the resource map.
func (v WorkbookView) needPages() int { return max(1, (len(v.Needs)+NeedsPerPage-1)/NeedsPerPage) }

// pagedNeeds are the rows of the resource map's page shown; none past the end.
func (v WorkbookView) pagedNeeds() []accord.Need {
	start := (v.needPage() - 1) * NeedsPerPage
	if start >= len(v.Needs) {
		return nil
	}
	return v.Needs[start:min(start+NeedsPerPage, len(v.Needs))]
}

// needsPageURL is a page of the resource map, at the section.
func needsPageURL(projectID int64, page int) string {
	return projectURL(projectID, "?page=", itoa(page), "#", SectionNeeds)
}

// PlansPerPage is how many involved units' cards a page shows; the alliance board
// still counts every unit.
const PlansPerPage = 20

// BoardColumnShown is how many units each column of the alliance board shows, in
// approach order, until the whole board is asked for: 164 units' cards were 103 kB
// of the page.
const BoardColumnShown = 8

// EffortTotalsShown is how many holders the effort totals list, the biggest first,
// until all are asked for.
const EffortTotalsShown = 10

// boardColumn is what a column of the alliance board shows: its first units, with the
// one just saved or being corrected, and how many more it holds.
func (v WorkbookView) boardColumn(s accord.Stance) ([]accord.UnitPlan, int) {
	all := v.withStance(s)
	if v.FullBoard || len(all) <= BoardColumnShown {
		return all, 0
	}
	var shown []accord.UnitPlan
	for i, p := range all {
		_, typed := v.StanceForms[p.UnitID]
		if i < BoardColumnShown || typed || p.UnitID == v.BoardFocus || p.UnitID == v.PlanFocus {
			shown = append(shown, p)
		}
	}
	return shown, len(all) - len(shown)
}

// shownEffort are the holders the effort totals list, and how many more there are.
func (v WorkbookView) shownEffort(lang string) ([]HolderEffort, int) {
	all := v.EffortByHolder(lang)
	if v.AllTotals || len(all) <= EffortTotalsShown {
		return all, 0
	}
	return all[:EffortTotalsShown], len(all) - EffortTotalsShown
}

// planPage is the page of involved units shown: the one holding the card in focus,
// else the one asked for.
func (v WorkbookView) planPage() int {
	focus := v.PlanFocus
	for unit := range v.PlanForms {
		focus = unit
	}
	if focus != 0 {
		if i := slices.IndexFunc(v.Plans, func(p accord.UnitPlan) bool { return p.UnitID == focus }); i >= 0 {
			return i/PlansPerPage + 1
		}
	}
	return max(v.PlanPage, 1)
}

func (v WorkbookView) planPages() int { return max(1, (len(v.Plans)+PlansPerPage-1)/PlansPerPage) }

// pagedPlans are the involved units whose cards the page shows; none past the end.
func (v WorkbookView) pagedPlans() []accord.UnitPlan {
	start := (v.planPage() - 1) * PlansPerPage
	if start >= len(v.Plans) {
		return nil
	}
	return v.Plans[start:min(start+PlansPerPage, len(v.Plans))]
}

// plansPageURL is a page of the involved units, at the section.
func plansPageURL(projectID int64, page int) string {
	return projectURL(projectID, "?plans=", itoa(page), "#", SectionPlans)
}

// planCardURL leads to a unit's card: an anchor on the page, or the page holding it
// when the cards are paged.
func (v WorkbookView) planCardURL(unitID int64) string {
	if v.planPages() == 1 {
		return "#" + PlanSection(unitID)
	}
	return projectURL(v.Project.ID, "?plan=", itoa(unitID), "#", PlanSection(unitID))
}

// HolderEffort is the effort asked of one holder, summed over its needs.
type HolderEffort struct {
	Name     string
	External bool
	Days     float64
	Needs    int
}

// EffortByHolder sums the effort per holding unit or outside party, largest first.
func (v WorkbookView) EffortByHolder(lang string) []HolderEffort {
	var out []HolderEffort
	index := map[string]int{}
	for _, n := range v.Needs {
		key := "x:" + n.ExternalParty
		if n.HolderUnitID != nil {
			key = "u:" + strconv.FormatInt(*n.HolderUnitID, 10)
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, HolderEffort{Name: n.Holder(lang), External: n.HolderUnitID == nil})
		}
		if accord.EffortCounted(n, v.Needs) {
			out[i].Days += n.EffortDays
		}
		out[i].Needs++
	}
	slices.SortStableFunc(out, func(a, b HolderEffort) int { return cmp.Compare(b.Days, a.Days) })
	return out
}

// TotalEffort is the effort of the whole resource map, a phase counted within the
// need it was split from (accord.EffortCounted).
func (v WorkbookView) TotalEffort() float64 {
	var sum float64
	for _, n := range v.Needs {
		if accord.EffortCounted(n, v.Needs) {
			sum += n.EffortDays
		}
	}
	return sum
}

// Overdue lists the open promises past their due date.
func (v WorkbookView) Overdue() []accord.Commitment {
	var out []accord.Commitment
	for _, c := range v.Commitments {
		if c.Overdue(v.Today) {
			out = append(out, c)
		}
	}
	return out
}

// AfterTarget reports whether a need is due after the project's target date.
func (v WorkbookView) AfterTarget(n accord.Need) bool {
	return n.NeededBy != nil && v.Project.TargetDate != nil && n.NeededBy.After(*v.Project.TargetDate)
}

func (v WorkbookView) need(id int64) (accord.Need, bool) {
	i := slices.IndexFunc(v.Needs, func(n accord.Need) bool { return n.ID == id })
	if i < 0 {
		return accord.Need{}, false
	}
	return v.Needs[i], true
}

// heldBy lists the needs a unit holds.
func (v WorkbookView) heldBy(unitID int64) []accord.Need {
	var out []accord.Need
	for _, n := range v.Needs {
		if n.HolderUnitID != nil && *n.HolderUnitID == unitID {
			out = append(out, n)
		}
	}
	return out
}

func (v WorkbookView) withStance(s accord.Stance) []accord.UnitPlan {
	var out []accord.UnitPlan
	for _, p := range v.Plans {
		if p.Stance == s {
			out = append(out, p)
		}
	}
	return out
}

func (v WorkbookView) editing(needID int64) bool { return v.NeedEdit != nil && v.NeedEdit.ID == needID }

func (v WorkbookView) editingCommitment(id int64) bool {
	return v.CommitmentEdit != nil && v.CommitmentEdit.ID == id
}

func (v WorkbookView) planForm(p accord.UnitPlan) PlanForm {
	if f, ok := v.PlanForms[p.UnitID]; ok {
		return f
	}
	return PlanFormFrom(p)
}

func (v WorkbookView) stanceForm(p accord.UnitPlan) StanceForm {
	if f, ok := v.StanceForms[p.UnitID]; ok {
		return f
	}
	return StanceFormFrom(p)
}

// backupChoices are the needs another need may back up: every need but itself.
func (v WorkbookView) backupChoices(self int64) []accord.Need {
	out := make([]accord.Need, 0, len(v.Needs))
	for _, n := range v.Needs {
		if n.ID != self {
			out = append(out, n)
		}
	}
	return out
}

func projectURL(id int64, rest ...string) string {
	return "/projects/" + itoa(id) + strings.Join(rest, "")
}

// firstProblem is the first field in order that has a problem, to move focus there.
func firstProblem(fields map[string]string, order []string) string {
	for _, f := range order {
		if _, bad := fields[f]; bad {
			return f
		}
	}
	return ""
}

// formatDate writes a date as yyyy-mm-dd, the way date inputs read it; nil is "".
func formatDate(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format("2006-01-02")
}

func formatEffort(days float64) string { return strconv.FormatFloat(days, 'f', -1, 64) }

func orderText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// GroupThousands writes n with a comma between each group of three digits.
func GroupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func stanceKey(s accord.Stance) string {
	if s == accord.StanceUnknown {
		return "unknown"
	}
	return string(s)
}

func tierClass(t accord.Tier) string { return "tier tier-" + strings.ToLower(string(t)) }

// projectUnitName is the owning unit's name in the reader's language.
func projectUnitName(ctx context.Context, p accord.Project) string {
	return accord.Unit{Name: p.UnitName, NameEN: p.UnitNameEN}.DisplayName(lang(ctx))
}

func projectLeadName(ctx context.Context, p accord.Project) string {
	return accord.User{Name: p.LeadName, NameEN: p.LeadNameEN}.DisplayName(lang(ctx))
}

func goalTitle(ctx context.Context, p accord.Project) string {
	return accord.Goal{Title: p.GoalTitle, TitleEN: p.GoalTitleEN}.DisplayTitle(lang(ctx))
}

func commitmentUnitName(ctx context.Context, c accord.Commitment) string {
	return accord.Unit{Name: c.UnitName, NameEN: c.UnitNameEN}.DisplayName(lang(ctx))
}

// oob marks an element htmx swaps by id wherever it is on the page.
func oob(on bool) templ.Attributes {
	if on {
		return templ.Attributes{"hx-swap-oob": "true"}
	}
	return templ.Attributes{}
}

// htmxForm makes a form post with htmx and swap the element with the given id; the
// form's own method and action still work without JavaScript.
func htmxForm(action, target string) templ.Attributes {
	return templ.Attributes{"hx-post": action, "hx-target": "#" + target, "hx-swap": "outerHTML"}
}

// htmxLink makes a link load a fragment that replaces the element with the given id.
func htmxLink(href, target string) templ.Attributes {
	return templ.Attributes{"hx-get": href, "hx-target": "#" + target, "hx-swap": "outerHTML"}
}

func idValue(id int64) string {
	if id == 0 {
		return ""
	}
	return itoa(id)
}

// needLabels are the words every need row repeats, translated once per table: at 200
// needs, translating them per row was a third of the workbook's rendering time.
type needLabels struct {
	col                            map[string]string // data-label of each column, by wb_col_ suffix
	edit, delete, deleteConfirm    string            // with titlePlaceholder for the need's title
	editText, deleteText, external string
	afterTarget, afterTargetHint   string
}

// titlePlaceholder stands for a need's title in a label translated once; no title
// contains it (it is a private-use character).
const titlePlaceholder = "\uE000"

func needRowLabels(ctx context.Context) needLabels {
	l := needLabels{col: map[string]string{}}
	for _, id := range []string{"wb_col_tier", "wb_col_need", "wb_col_holder", "wb_col_backs_up", "wb_col_needed_by",
		"wb_col_effort", "wb_col_key_person", "wb_col_notes"} {
		l.col[id] = t(ctx, id)
	}
	title := map[string]any{"Title": titlePlaceholder}
	l.edit = t(ctx, "wb_need_edit_label", title)
	l.delete = t(ctx, "wb_need_delete_label", title)
	l.deleteConfirm = t(ctx, "wb_need_delete_confirm", title)
	l.editText, l.deleteText, l.external = t(ctx, "wb_edit"), t(ctx, "wb_delete"), t(ctx, "wb_external")
	l.afterTarget, l.afterTargetHint = t(ctx, "wb_after_target"), t(ctx, "need_after_target")
	return l
}

// with puts a need's title into a label translated with titlePlaceholder.
func (needLabels) with(label, title string) string {
	return strings.ReplaceAll(label, titlePlaceholder, title)
}

// foldOpen reports whether a workbook section starts unfolded on a phone: when it
// has something to show the user now.
func (v WorkbookView) foldOpen(section string) bool {
	if v.Notice.Section == section {
		return true
	}
	switch section {
	case SectionNeeds:
		return v.NeedEdit != nil || v.NeedAlert != "" || v.NeedFocus != 0 || v.NeedPage > 1 || v.NeedAdd.Autofocus ||
			v.NeedAdd.Error != "" || len(v.NeedAdd.Fields) > 0 || v.AllTotals
	case SectionPlans:
		return len(v.PlanForms) > 0 || v.PlanFocus != 0 || v.PlanPage > 1 || strings.HasPrefix(v.Notice.Section, "plan-")
	case SectionAlliance:
		return len(v.StanceForms) > 0 || v.FullBoard
	case SectionCommitments:
		return v.CommitmentEdit != nil || v.CommitmentAlert != "" || v.CommitmentAdd.Autofocus ||
			v.CommitmentAdd.Error != "" || len(v.CommitmentAdd.Fields) > 0
	}
	return false
}

// holderName names who holds a need in the reader's language: a unit by its name, an
// outside party as typed, translated when its translation is known.
func holderName(ctx context.Context, n accord.Need) string {
	if n.HolderUnitID == nil {
		return typed(ctx, n.ExternalParty)
	}
	return n.Holder(lang(ctx))
}

// effortHolderName is holderName for a line of the effort totals.
func effortHolderName(ctx context.Context, h HolderEffort) string {
	if h.External {
		return typed(ctx, h.Name)
	}
	return h.Name
}
