package pages

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// planFormFields are the plan form's inputs, in the order the form shows them.
var planFormFields = []string{"concerns", "kpis", "they_need", "we_give", "they_get", "proposal",
	"option_a", "option_b", "option_c"}

// projectPlan loads the plan for the unit in the path as saved now; a unit the project
// does not involve is a page that does not exist (the store decides, as for the API).
func (s *Server) projectPlan(w http.ResponseWriter, r *http.Request, p accord.Project) (accord.UnitPlan, bool) {
	unitID, ok := s.pathID(w, r, "unitID")
	if !ok {
		return accord.UnitPlan{}, false
	}
	plan, err := s.store.UnitPlan(r.Context(), p.ID, unitID)
	if err != nil {
		s.Fail(w, r, err)
		return accord.UnitPlan{}, false
	}
	return plan, true
}

// saveUnitPlan saves what moves a unit and what we offer it. The stance and approach
// order are the board's: they are kept as saved, and the posted version guards both.
func (s *Server) saveUnitPlan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	plan, ok := s.projectPlan(w, r, p)
	if !ok {
		return
	}
	f := ui.PlanForm{Concerns: r.PostFormValue("concerns"), KPIs: r.PostFormValue("kpis"),
		TheyNeed: r.PostFormValue("they_need"), WeGive: r.PostFormValue("we_give"), TheyGet: r.PostFormValue("they_get"),
		Proposal: r.PostFormValue("proposal"), OptionA: r.PostFormValue("option_a"), OptionB: r.PostFormValue("option_b"),
		OptionC: r.PostFormValue("option_c"), Open: true}
	plan.Concerns, plan.KPIs = formLines(r, "concerns"), formLines(r, "kpis")
	plan.TheyNeed, plan.WeGive, plan.TheyGet, plan.Proposal = f.TheyNeed, f.WeGive, f.TheyGet, f.Proposal
	plan.OptionA, plan.OptionB, plan.OptionC = f.OptionA, f.OptionB, f.OptionC
	plan.Version = int(formInt64(r, "version"))
	plan.Normalize()
	err := plan.Validate()
	if err == nil {
		_, err = s.store.SaveUnitPlan(ctx, spine.ViewerFrom(ctx).User.ID, plan)
	}
	if err != nil {
		s.planFailed(w, r, p, plan.UnitID, err, func(v *ui.WorkbookView, st ui.FormState) {
			f.FormState = st
			v.PlanForms[plan.UnitID] = f
		}, planFormFields)
		return
	}
	notice := ui.Notice{Section: ui.PlanSection(plan.UnitID),
		Message: i18n.T(ctx, "wb_plan_saved", map[string]any{"Unit": plan.DisplayUnitName(i18n.Lang(ctx))})}
	target := workbookPath(p.ID, "") + "?plan=" + strconv.FormatInt(plan.UnitID, 10) + "#" + ui.PlanSection(plan.UnitID)
	s.workbookSavedAt(w, r, p, notice, target, func(v ui.WorkbookView) templ.Component {
		cur, _ := findByID(v.Plans, plan.UnitID, planUnitID)
		// The board's form for this unit saves against the plan's version too.
		return joinFragments(ui.PlanCard(v, cur), ui.StanceVersion(cur.UnitID, cur.Version, true))
	})
}

// saveUnitStance moves a unit on the alliance board: its stance and the order to
// approach it in. The rest of the plan is kept as saved.
func (s *Server) saveUnitStance(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	plan, ok := s.projectPlan(w, r, p)
	if !ok {
		return
	}
	f := ui.StanceForm{Stance: strings.TrimSpace(r.PostFormValue("stance")), ApproachOrder: r.PostFormValue("approach_order")}
	var read accord.Validation
	order, ok := formInt(r, "approach_order")
	if !ok {
		read.Add("approach_order", "wb_field_whole_number")
	}
	plan.Stance, plan.ApproachOrder = accord.Stance(f.Stance), order
	plan.Version = int(formInt64(r, "version"))
	plan.Normalize()
	err := spine.MergeProblems(read, plan.Validate())
	if err == nil {
		_, err = s.store.SaveUnitPlan(ctx, spine.ViewerFrom(ctx).User.ID, plan)
	}
	if err != nil {
		s.planFailed(w, r, p, plan.UnitID, err, func(v *ui.WorkbookView, st ui.FormState) {
			f.FormState = st
			v.StanceForms[plan.UnitID] = f
		}, []string{"stance", "approach_order"})
		return
	}
	lang := i18n.Lang(ctx)
	notice := ui.Notice{Section: ui.SectionAlliance, Message: i18n.T(ctx, "wb_stance_saved",
		map[string]any{"Unit": plan.DisplayUnitName(lang), "Stance": i18n.T(ctx, plan.Stance.MessageID())})}
	// Without htmx the page returns to the board with the unit's card on it (a column
	// shows its first units only).
	back := workbookPath(p.ID, "") + "?plan=" + strconv.FormatInt(plan.UnitID, 10) + "#" + ui.SectionAlliance
	s.workbookSavedAt(w, r, p, notice, back, func(v ui.WorkbookView) templ.Component {
		cur, _ := findByID(v.Plans, plan.UnitID, planUnitID)
		v.BoardFocus = plan.UnitID // its card stays on the board, wherever it moved
		// The unit's card shows its stance, and its plan form saves against the same
		// version; both are refreshed by id so text being typed there is kept.
		return joinFragments(ui.AllianceBoard(v, false), ui.PlanStance(cur, true),
			ui.PlanVersion(cur.UnitID, cur.Version, true))
	})
}

// planFailed shows a plan or board form again as the lead left it. After a conflict
// it carries the current version, and the card shows the plan as saved now.
func (s *Server) planFailed(w http.ResponseWriter, r *http.Request, p accord.Project, unitID int64, err error,
	keep func(*ui.WorkbookView, ui.FormState), fields []string) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	v, err := s.workbook(ctx, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	cur, found := findByID(v.Plans, unitID, planUnitID)
	if !found {
		s.NotFound(w, r)
		return
	}
	st.Version = int(formInt64(r, "version"))
	if status == http.StatusConflict {
		st.Version = cur.Version
	}
	keep(&v, st)
	v.PlanFocus = unitID
	if !isHTMX(r) {
		s.workbookPage(w, r, status, v)
		return
	}
	if _, board := v.StanceForms[unitID]; board {
		s.renderFragment(w, r, fragmentStatus(r, status), ui.AllianceBoard(v, false))
		return
	}
	s.renderFragment(w, r, fragmentStatus(r, status), ui.PlanCard(v, cur))
}

// showEditStancePage shows one unit's alliance board form: with htmx, the form for its
// card, focused; without JavaScript, on a page of its own that posts like the card.
func (s *Server) showEditStancePage(w http.ResponseWriter, r *http.Request) {
	v, plan, ok := workbookItem(s, w, r, "unitID", workbookPlans, planUnitID)
	if !ok {
		return
	}
	f := ui.StanceFormFrom(plan)
	if isHTMX(r) {
		f.Autofocus = true
		s.renderFragment(w, r, http.StatusOK, ui.StanceEditForm(v, plan, f))
		return
	}
	title := plan.DisplayUnitName(i18n.Lang(r.Context())) + " · " + i18n.T(r.Context(), "wb_stance_edit")
	s.page(w, r, http.StatusOK, title, "projects", ui.StanceEditPage(v, plan, f))
}
