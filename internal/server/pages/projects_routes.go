package pages

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// projectRoutes registers its pages on the signed-in router. The project's own page,
// /projects/{id}, is the workbook's (see workbookRoutes).
func (s *Server) projectRoutes(r chi.Router) {
	r.Get("/projects", s.showProjectsPage)
	r.Get("/projects/new", s.showNewProjectPage)
	r.Post("/projects", s.createProject)
	r.Get("/projects/{id}/edit", s.showEditProjectPage)
	r.Post("/projects/{id}/edit", s.updateProject)
}

// projectsPerPage is how many projects a list page shows.
const projectsPerPage = 20

// maxListPage bounds ?page= so the offset cannot overflow.
const maxListPage = 100_000

// projectFormFields are the project form's inputs, where field errors are shown.
var projectFormFields = []string{"name", "name_en", "owning_unit_id", "lead_email", "goal_statement",
	"expected_amount", "currency", "expected_outcome", "goal_id", "start_date", "target_date", "cadence_days", "status",
	"p0_declined_days", "p0_overdue_days", "p1_declined_days", "p1_overdue_days", "stale_factor"}

// projectFieldNames maps the domain's field names to the form's where they differ:
// the form names the lead by email.
var projectFieldNames = map[string]string{"lead_user_id": "lead_email"}

// showProjectsPage lists the projects the viewer may see, filtered and paged, in a
// fixed number of queries whatever the number of projects.
func (s *Server) showProjectsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	q := r.URL.Query()
	f := ui.ProjectListFilter{Mine: spine.QueryFlag(q.Get("mine")), MyUnits: spine.QueryFlag(q.Get("units"))}
	if st := accord.ProjectStatus(q.Get("status")); st.Valid() {
		f.Status = st
	}
	page := min(pageParam(r), maxListPage)
	filter := store.ProjectFilter{LedByMe: f.Mine, MyUnits: f.MyUnits, Offset: (page - 1) * projectsPerPage, Limit: projectsPerPage}
	if f.Status != "" {
		filter.Status = &f.Status
	}
	list, total, err := s.store.Projects(ctx, *v, filter)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view := ui.ProjectsView{Projects: list, Filter: f, Page: page, Pages: pages(total, projectsPerPage), Total: total,
		CanCreate: v.Roles.MayStartProjects()}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "projects_title"), "projects", ui.ProjectList(view))
}

func (s *Server) showNewProjectPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if !v.Roles.MayStartProjects() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "projects_start_forbidden", nil))
		return
	}
	f := ui.ProjectFormView{LeadEmail: v.User.Email, Currency: "CNY", CadenceDays: strconv.Itoa(accord.DefaultCadenceDays),
		Status: accord.ProjectActive}
	// Start in the unit the viewer heads, the usual owner.
	for _, m := range v.Memberships {
		if m.IsHead {
			f.OwningUnitID = m.UnitID
			break
		}
	}
	s.projectForm(w, r, http.StatusOK, f, 0)
}

// createProject starts a project; the viewer need not lead it themselves.
func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if !v.Roles.MayStartProjects() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "projects_start_forbidden", nil))
		return
	}
	f, in, err := s.readProjectForm(r, 0)
	var p accord.Project
	if err == nil {
		p, err = s.store.CreateProject(ctx, v.User.ID, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, spine.RenameFields(err, projectFieldNames), projectFormFields...)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f.Error, f.Fields = st.Error, st.Fields
		s.projectForm(w, r, status, f, 0)
		return
	}
	s.flash(ctx, "projects_created", map[string]any{"Name": p.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, projectPagePath(p.ID), http.StatusSeeOther)
}

func (s *Server) showEditProjectPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	lead, err := s.store.User(ctx, p.LeadUserID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	in := p.Input()
	f := ui.ProjectFormView{ProjectID: p.ID, Version: p.Version, Name: in.Name, NameEN: in.NameEN,
		OwningUnitID: in.OwningUnitID, LeadEmail: lead.Email, GoalStatement: in.GoalStatement, Currency: in.Currency,
		ExpectedOutcome: in.ExpectedOutcome, StartDate: dateValue(in.StartDate), TargetDate: dateValue(in.TargetDate),
		CadenceDays: strconv.Itoa(in.CadenceDays), Status: in.Status, Escalation: escalationPolicyForm(in.EscalationOverrides)}
	if in.ExpectedAmount != nil {
		f.ExpectedAmount = strconv.FormatInt(*in.ExpectedAmount, 10)
	}
	if in.GoalID != nil {
		f.GoalID = *in.GoalID
	}
	s.projectForm(w, r, http.StatusOK, f, p.OwningUnitID)
}

// updateProject saves the project's fields if nobody saved them since the form was
// shown; after a conflict the form keeps the input and shows what is saved now.
func (s *Server) updateProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	f, in, err := s.readProjectForm(r, p.OwningUnitID)
	f.ProjectID, f.Version = p.ID, int(formInt64(r, "version"))
	if err == nil {
		_, err = s.store.UpdateProject(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, f.Version, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, spine.RenameFields(err, projectFieldNames), projectFormFields...)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f.Error, f.Fields = st.Error, st.Fields
		if status == http.StatusConflict {
			now, err := s.store.ProjectForViewer(ctx, *spine.ViewerFrom(ctx), p.ID)
			if err != nil {
				s.Fail(w, r, err)
				return
			}
			f.Version, f.Current = now.Version, &now
		}
		s.projectForm(w, r, status, f, p.OwningUnitID)
		return
	}
	s.flash(ctx, "projects_saved")
	http.Redirect(w, r, projectPagePath(p.ID), http.StatusSeeOther)
}

// visibleProject loads the project in the path if the viewer may see it; otherwise
// it answers 404 and ok is false.
func (s *Server) visibleProject(w http.ResponseWriter, r *http.Request) (accord.Project, bool) {
	return s.pathProject(w, r, false)
}

// editableProject loads the project in the path for its editor. Someone who may not
// see it gets the 404 page, someone who may see but not change it the 403 page.
func (s *Server) editableProject(w http.ResponseWriter, r *http.Request) (accord.Project, bool) {
	return s.pathProject(w, r, true)
}

func (s *Server) pathProject(w http.ResponseWriter, r *http.Request, forEdit bool) (accord.Project, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Project{}, false
	}
	p, err := s.Spine.Project(r.Context(), id, forEdit)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Project{}, false
	}
	return p, true
}

// readProjectForm reads the posted project form. It returns the form as typed, the
// input, and every problem at once: text that is not a number or date, an unknown
// lead, a unit the viewer may not choose, and the domain's own checks. currentUnitID
// is the project's owner when editing, which stays a valid choice.
func (s *Server) readProjectForm(r *http.Request, currentUnitID int64) (ui.ProjectFormView, accord.ProjectInput, error) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	f := ui.ProjectFormView{
		Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"), OwningUnitID: formInt64(r, "owning_unit_id"),
		LeadEmail: strings.ToLower(strings.TrimSpace(r.PostFormValue("lead_email"))), GoalStatement: r.PostFormValue("goal_statement"),
		ExpectedAmount: strings.TrimSpace(r.PostFormValue("expected_amount")), Currency: r.PostFormValue("currency"),
		ExpectedOutcome: r.PostFormValue("expected_outcome"), StartDate: strings.TrimSpace(r.PostFormValue("start_date")),
		TargetDate: strings.TrimSpace(r.PostFormValue("target_date")), CadenceDays: strings.TrimSpace(r.PostFormValue("cadence_days")),
		Status: accord.ProjectStatus(r.PostFormValue("status")),
	}
	in := accord.ProjectInput{Name: f.Name, NameEN: f.NameEN, OwningUnitID: f.OwningUnitID, GoalStatement: f.GoalStatement,
		Currency: f.Currency, ExpectedOutcome: f.ExpectedOutcome, Status: f.Status}
	var problems accord.Validation
	var ok bool
	if in.GoalID, ok = formOptionalID(r, "goal_id"); !ok {
		problems.Add("goal_id", "goal_not_found")
	}
	if in.ExpectedAmount, ok = parseAmount(f.ExpectedAmount); !ok {
		problems.Add("expected_amount", "projects_amount_invalid")
	}
	if in.StartDate, ok = spine.ParseDate(f.StartDate); !ok {
		problems.Add("start_date", "projects_date_invalid")
	}
	if in.TargetDate, ok = spine.ParseDate(f.TargetDate); !ok {
		problems.Add("target_date", "projects_date_invalid")
	}
	cadence, cadenceOK := formInt(r, "cadence_days")
	if !cadenceOK {
		problems.Add("cadence_days", "projects_cadence_invalid")
	}
	in.CadenceDays = cadence
	f.Escalation, in.EscalationOverrides = readEscalationPolicy(r, &problems)
	in.Normalize()
	// Normalize fills an empty cadence with the default; a typed 0 is out of range.
	if cadenceOK && f.CadenceDays != "" {
		in.CadenceDays = cadence
	}
	f.Name, f.NameEN, f.GoalStatement, f.ExpectedOutcome, f.Currency = in.Name, in.NameEN, in.GoalStatement, in.ExpectedOutcome, in.Currency
	f.Status = in.Status
	if in.GoalID != nil {
		f.GoalID = *in.GoalID
	}

	if in.OwningUnitID > 0 && !accord.MayPlaceProjectIn(*v, in.OwningUnitID, currentUnitID) {
		problems.Add("owning_unit_id", "projects_unit_not_yours")
	}
	if f.LeadEmail == "" {
		problems.Add("lead_email", "field_required")
	} else {
		lead, err := s.store.UserByEmail(ctx, f.LeadEmail)
		switch {
		case accord.ErrorCodeOf(err) == accord.ECodeInvalid:
			problems.Add("lead_email", "user_not_found")
		case err != nil:
			return f, in, err
		case !lead.Active():
			problems.Add("lead_email", "user_inactive")
		default:
			in.LeadUserID = lead.ID
		}
	}
	// The first problem per field wins, so a parse or lookup problem stands over the
	// domain's "required" for the same field.
	for field, id := range accord.FieldErrors(in.Validate()) {
		problems.Add(spine.FieldName(field, projectFieldNames), id)
	}
	return f, in, problems.Err()
}

// projectForm renders the project form with the units and goals to choose from.
func (s *Server) projectForm(w http.ResponseWriter, r *http.Request, status int, f ui.ProjectFormView, currentUnitID int64) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	goals, err := s.store.Goals(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	f.Units = accord.ProjectUnitChoices(*v, units, currentUnitID)
	f.Goals = openGoals(goals, f.GoalID)
	title := i18n.T(ctx, "projects_new_title")
	if f.ProjectID != 0 {
		title = i18n.T(ctx, "projects_edit_title")
	}
	s.page(w, r, status, title, "projects", ui.ProjectFormPage(f))
}

// openGoals keeps the goals still pursued, and the selected one even when closed.
func openGoals(goals []accord.Goal, selected int64) []accord.Goal {
	out := make([]accord.Goal, 0, len(goals))
	for _, g := range goals {
		if g.ClosedAt == nil || g.ID == selected {
			out = append(out, g)
		}
	}
	return out
}

// parseAmount reads an optional whole amount; thousands separators and spaces are
// allowed, decimals are not. Empty is nil.
func parseAmount(raw string) (*int64, bool) {
	clean := strings.NewReplacer(",", "", "，", "", " ", "", "_", "").Replace(raw)
	if clean == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// dateValue writes an optional date the way a date input reads it.
func dateValue(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format(spine.DateLayout)
}

func projectPagePath(id int64) string { return "/projects/" + strconv.FormatInt(id, 10) }
