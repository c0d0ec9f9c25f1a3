package pages

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// goalRoutes registers its pages on the signed-in router. Everyone reads the goals;
// executives and admins set them.
func (s *Server) goalRoutes(r chi.Router) {
	r.Get("/goals", s.showGoalsPage)
	r.Get("/goals/new", s.showNewGoalPage)
	r.Post("/goals", s.createGoal)
	r.Get("/goals/{id}", s.showGoalPage)
	r.Get("/goals/{id}/edit", s.showEditGoalPage)
	r.Post("/goals/{id}/edit", s.updateGoal)
}

var goalFormFields = []string{"title", "title_en", "target", "parent_id", "unit_id"}

// showGoalsPage shows the goal tree with the number of linked projects per goal, in
// two queries.
func (s *Server) showGoalsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	goals, err := s.store.Goals(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	counts, err := s.store.GoalProjectCounts(ctx, *v)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "goals_title"), "goals", ui.Goals(ui.GoalsView{Goals: goals, Counts: counts, CanEdit: v.Roles.MaySetGoals()}))
}

// showGoalPage shows a goal, its KPIs and the projects serving it that the viewer may see.
func (s *Server) showGoalPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := spine.ViewerFrom(ctx)
	goals, err := s.store.Goals(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view := ui.GoalPageView{CanEdit: v.Roles.MaySetGoals()}
	found := false
	for _, g := range goals {
		switch {
		case g.ID == id:
			view.Goal, found = g, true
		case g.ParentID != nil && *g.ParentID == id:
			view.KPIs = append(view.KPIs, g)
		}
	}
	if !found {
		s.Fail(w, r, accord.Errorf(accord.ECodeNotFound, "goal_not_found", nil))
		return
	}
	if view.Goal.ParentID != nil {
		for _, g := range goals {
			if g.ID == *view.Goal.ParentID {
				view.Parent = &g
			}
		}
	}
	view.Page = min(pageParam(r), maxListPage)
	view.Projects, view.Total, err = s.store.Projects(ctx, *v, store.ProjectFilter{GoalID: &id,
		Offset: (view.Page - 1) * projectsPerPage, Limit: projectsPerPage})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view.Pages = pages(view.Total, projectsPerPage)
	s.page(w, r, http.StatusOK, view.Goal.DisplayTitle(i18n.Lang(ctx)), "goals", ui.GoalPage(view))
}

func (s *Server) showNewGoalPage(w http.ResponseWriter, r *http.Request) {
	if !spine.ViewerFrom(r.Context()).Roles.MaySetGoals() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "goals_forbidden", nil))
		return
	}
	s.goalForm(w, r, http.StatusOK, ui.GoalFormView{ParentID: formInt64(r, "parent_id")})
}

func (s *Server) createGoal(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !spine.ViewerFrom(ctx).Roles.MaySetGoals() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "goals_forbidden", nil))
		return
	}
	f, in, err := readGoalForm(r)
	var g accord.Goal
	if err == nil {
		g, err = s.store.CreateGoal(ctx, spine.ViewerFrom(ctx).User.ID, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, goalFormFields...)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f.Error, f.Fields = st.Error, st.Fields
		s.goalForm(w, r, status, f)
		return
	}
	s.flash(ctx, "goals_created", map[string]any{"Title": g.DisplayTitle(i18n.Lang(ctx))})
	http.Redirect(w, r, goalPagePath(g.ID), http.StatusSeeOther)
}

func (s *Server) showEditGoalPage(w http.ResponseWriter, r *http.Request) {
	g, ok := s.editableGoal(w, r)
	if !ok {
		return
	}
	f := ui.GoalFormView{GoalID: g.ID, Version: g.Version, Title: g.Title, TitleEN: g.TitleEN, Target: g.Target}
	if g.ParentID != nil {
		f.ParentID = *g.ParentID
	}
	if g.UnitID != nil {
		f.UnitID = *g.UnitID
	}
	s.goalForm(w, r, http.StatusOK, f)
}

// updateGoal saves a goal if nobody saved it since the form was shown; after a
// conflict the form keeps the input and carries the current version.
func (s *Server) updateGoal(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	g, ok := s.editableGoal(w, r)
	if !ok {
		return
	}
	f, in, err := readGoalForm(r)
	f.GoalID, f.Version = g.ID, int(formInt64(r, "version"))
	if err == nil {
		_, err = s.store.UpdateGoal(ctx, spine.ViewerFrom(ctx).User.ID, g.ID, f.Version, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, goalFormFields...)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f.Error, f.Fields = st.Error, st.Fields
		if status == http.StatusConflict {
			now, err := s.store.Goal(ctx, g.ID)
			if err != nil {
				s.Fail(w, r, err)
				return
			}
			f.Version = now.Version
		}
		s.goalForm(w, r, status, f)
		return
	}
	s.flash(ctx, "goals_saved")
	http.Redirect(w, r, goalPagePath(g.ID), http.StatusSeeOther)
}

// editableGoal loads the goal in the path for an executive or admin; others get the
// 403 page, a missing goal the 404 page.
func (s *Server) editableGoal(w http.ResponseWriter, r *http.Request) (accord.Goal, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Goal{}, false
	}
	g, err := s.store.Goal(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Goal{}, false
	}
	if !spine.ViewerFrom(r.Context()).Roles.MaySetGoals() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "goals_forbidden", nil))
		return accord.Goal{}, false
	}
	return g, true
}

// readGoalForm reads the posted goal form: the form as typed, the input, and every
// problem at once.
func readGoalForm(r *http.Request) (ui.GoalFormView, accord.GoalInput, error) {
	in := accord.GoalInput{Title: r.PostFormValue("title"), TitleEN: r.PostFormValue("title_en"), Target: r.PostFormValue("target")}
	var problems accord.Validation
	var ok bool
	if in.ParentID, ok = formOptionalID(r, "parent_id"); !ok {
		problems.Add("parent_id", "goal_parent_invalid")
	}
	if in.UnitID, ok = formOptionalID(r, "unit_id"); !ok {
		problems.Add("unit_id", "unit_not_found")
	}
	in.Normalize()
	for field, id := range accord.FieldErrors(in.Validate()) {
		problems.Add(field, id)
	}
	f := ui.GoalFormView{Title: in.Title, TitleEN: in.TitleEN, Target: in.Target}
	if in.ParentID != nil {
		f.ParentID = *in.ParentID
	}
	if in.UnitID != nil {
		f.UnitID = *in.UnitID
	}
	return f, in, problems.Err()
}

// goalForm renders the goal form with the goals it may sit under and the units.
func (s *Server) goalForm(w http.ResponseWriter, r *http.Request, status int, f ui.GoalFormView) {
	ctx := r.Context()
	goals, err := s.store.Goals(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	f.Parents = goalParentChoices(goals, f.GoalID, f.ParentID)
	f.Units = openUnits(units)
	title := i18n.T(ctx, "goals_new_title")
	if f.GoalID != 0 {
		title = i18n.T(ctx, "goals_edit_title")
	}
	s.page(w, r, status, title, "goals", ui.GoalFormPage(f))
}

// goalParentChoices is the open goals a goal may sit under: never itself or one of
// its own descendants, which follow it in the depth-first list. The current parent
// stays a choice even when closed.
func goalParentChoices(goals []accord.Goal, selfID, parentID int64) []accord.Goal {
	out := make([]accord.Goal, 0, len(goals))
	skipBelow := -1
	for _, g := range goals {
		if skipBelow >= 0 && g.Depth > skipBelow {
			continue
		}
		skipBelow = -1
		if selfID != 0 && g.ID == selfID {
			skipBelow = g.Depth
			continue
		}
		if g.ClosedAt == nil || g.ID == parentID {
			out = append(out, g)
		}
	}
	return out
}

func goalPagePath(id int64) string { return "/goals/" + strconv.FormatInt(id, 10) }
