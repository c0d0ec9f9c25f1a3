package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// workbookRoutes registers the project's workbook: the page that shows the whole plan
// and the small forms its lead edits it with. Every form posts without JavaScript and
// answers with a redirect; with htmx it answers with the section it changed.
func (s *Server) workbookRoutes(r chi.Router) {
	r.Get("/projects/{id}", s.showWorkbookPage)
	r.Get("/projects/{id}/history", s.showProjectHistoryPage)

	r.Get("/projects/{id}/needs", s.showSection(ui.SectionNeeds, func(r *http.Request, v *ui.WorkbookView) templ.Component {
		needPageParams(r, v)
		return ui.ResourceMap(*v)
	}))
	r.Post("/projects/{id}/needs", s.createNeed)
	r.Get("/projects/{id}/needs/{needID}/edit", s.showEditNeedPage)
	r.Post("/projects/{id}/needs/{needID}", s.updateNeed)
	r.Post("/projects/{id}/needs/{needID}/delete", s.deleteNeed)

	r.Get("/projects/{id}/units/choose", s.showUnitChooserPage)
	r.Get("/projects/{id}/units/{unitID}/plan/edit", s.showEditPlanPage)
	r.Post("/projects/{id}/units/{unitID}/plan", s.saveUnitPlan)
	r.Get("/projects/{id}/units/{unitID}/stance/edit", s.showEditStancePage)
	r.Post("/projects/{id}/units/{unitID}/stance", s.saveUnitStance)

	r.Get("/projects/{id}/commitments", s.showSection(ui.SectionCommitments, func(_ *http.Request, v *ui.WorkbookView) templ.Component {
		return ui.CommitmentsSection(*v)
	}))
	r.Post("/projects/{id}/commitments", s.createCommitment)
	r.Get("/projects/{id}/commitments/{commitmentID}/edit", s.showEditCommitmentPage)
	r.Post("/projects/{id}/commitments/{commitmentID}", s.updateCommitment)
	r.Post("/projects/{id}/commitments/{commitmentID}/delete", s.deleteCommitment)
}

func (s *Server) showWorkbookPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	p, at, err := s.Spine.ProjectAt(ctx, id, false)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	notice := s.popWorkbookNotice(ctx)
	if notice.Section != "" || notice.Message != "" || len(notice.Warnings) > 0 {
		s.renderWorkbookPage(w, r, p, notice) // a notice is shown once: not kept
		return
	}
	// Everything the body is drawn from: the project as read now, the rows read at
	// their epochs, the viewer's right to edit, their language, zone and day, and the
	// query (pages, focus, chosen units, unfolded parts).
	today := s.Now()
	key, err := keyOf("workbook", p, at, accord.MayEditProject(*spine.ViewerFrom(ctx), p), i18n.Lang(ctx),
		ui.Location(ctx).String(), today.Format(time.DateOnly), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, turn := s.rendered.servedOrDraw(ctx, keptWorkbook, key, func(time.Time) lookedUp {
		return s.servedBody(w, r, key, today, p.DisplayName(i18n.Lang(ctx)), "projects")
	})
	if answered {
		return
	}
	defer turn.done()
	v, err := s.workbookView(r, p, ui.Notice{})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Today = today
	body, err := s.rendered.render(ctx, turn, time.Time{}, ui.Workbook(v))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, p.DisplayName(i18n.Lang(ctx)), "projects", body)
}

// renderWorkbookPage draws the workbook afresh, with the notice of the last save.
func (s *Server) renderWorkbookPage(w http.ResponseWriter, r *http.Request, p accord.Project, notice ui.Notice) {
	v, err := s.workbookView(r, p, notice)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.workbookPage(w, r, http.StatusOK, v)
}

// workbookView reads the workbook as the request's query asks for it.
func (s *Server) workbookView(r *http.Request, p accord.Project, notice ui.Notice) (ui.WorkbookView, error) {
	v, err := s.workbook(r.Context(), p, queryIDs(r, "holder", "unit")...)
	if err != nil {
		return ui.WorkbookView{}, err
	}
	v.Notice = notice
	needPageParams(r, &v)
	// A unit picked on the unit chooser comes back preselected in its add form.
	if u, ok := chosenUnit(r, "holder", v.Units); ok {
		v.NeedAdd.HolderUnitID, v.NeedAdd.Autofocus = u, true
	}
	if u, ok := chosenUnit(r, "unit", v.Units); ok {
		v.CommitmentAdd.UnitID, v.CommitmentAdd.Autofocus = u, true
	}
	return v, nil
}

// queryIDs reads the ids given in the query under these names, skipping the rest.
func queryIDs(r *http.Request, names ...string) []int64 {
	var ids []int64
	for _, name := range names {
		if id, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// chosenUnit reads an open unit's id from the query.
func chosenUnit(r *http.Request, name string, open []accord.Unit) (int64, bool) {
	id, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil {
		return 0, false
	}
	_, ok := findUnit(open, id)
	return id, ok
}

// chooserShown is how many matches the unit chooser lists.
const chooserShown = 50

// showUnitChooserPage finds a unit by name for a workbook form whose select lists only
// the units the project involves, and links back to that form with the unit chosen.
func (s *Server) showUnitChooserPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	forForm := q.Get("for")
	back := workbookPath(p.ID, ui.SectionNeeds)
	pick := func(u int64) string {
		return workbookPath(p.ID, "") + "?holder=" + strconv.FormatInt(u, 10) + "#" + ui.SectionNeeds
	}
	needID, err := strconv.ParseInt(strings.TrimPrefix(forForm, "need-"), 10, 64)
	switch {
	case forForm == "commitment":
		back = workbookPath(p.ID, ui.SectionCommitments)
		pick = func(u int64) string {
			return workbookPath(p.ID, "") + "?unit=" + strconv.FormatInt(u, 10) + "#" + ui.SectionCommitments
		}
	case strings.HasPrefix(forForm, "need-") && err == nil && needID > 0:
		back = workbookPath(p.ID, "") + "/needs/" + strconv.FormatInt(needID, 10) + "/edit"
		pick = func(u int64) string { return back + "?holder=" + strconv.FormatInt(u, 10) }
	default:
		forForm = "need" // the add form, the usual way here
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	query := strings.TrimSpace(q.Get("q"))
	v := ui.UnitChooserView{BackLabel: p.DisplayName(i18n.Lang(ctx)), For: forForm, Query: query, Back: back, Pick: pick}
	chooseAmong(&v, openUnits(units))
	s.page(w, r, http.StatusOK, i18n.T(ctx, "wb_chooser_title")+" · "+v.BackLabel, "projects", ui.UnitChooser(v))
}

// chooseAmong fills a unit chooser with the units whose name holds its query, the
// first chooserShown of them, counting all.
func chooseAmong(v *ui.UnitChooserView, units []accord.Unit) {
	needle := strings.ToLower(v.Query)
	for _, u := range units {
		if needle != "" && !strings.Contains(strings.ToLower(u.Name), needle) && !strings.Contains(strings.ToLower(u.NameEN), needle) {
			continue
		}
		v.Total++
		if len(v.Units) < chooserShown {
			v.Units = append(v.Units, u)
		}
	}
}

// needPageParams reads which page of the resource map to show: ?page=N, or ?need=ID
// for the page holding that need (where a save without JavaScript returns); and which
// page of the involved units.
func needPageParams(r *http.Request, v *ui.WorkbookView) {
	v.NeedPage = min(pageParam(r), maxListPage)
	if id, err := strconv.ParseInt(r.URL.Query().Get("need"), 10, 64); err == nil && id > 0 {
		v.NeedFocus = id
	}
	// The involved units page the same way: ?plans=N, or ?plan=UNIT for its card.
	if n, err := strconv.Atoi(r.URL.Query().Get("plans")); err == nil && n > 0 {
		v.PlanPage = min(n, maxListPage)
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("plan"), 10, 64); err == nil && id > 0 {
		v.PlanFocus = id
	}
	// The add form, when it is loaded on demand (ui.WorkbookView.PlanFormsOnDemand).
	if r.URL.Query().Get("add") == "need" {
		v.NeedAdd.Autofocus = true
	}
	// The alliance board and the effort totals whole, when asked for.
	v.FullBoard, v.AllTotals = r.URL.Query().Get("board") == "all", r.URL.Query().Get("totals") == "all"
}

// workbook loads everything the workbook page shows in five queries after the
// project's, whatever the number of needs, units and commitments: the needs, the unit
// plans, the commitments, and the units for the selects (a count, then the list:
// beyond unitSelectMax only the involved units and those chosen). Totals and overdue
// marks are worked out from those lists.
func (s *Server) workbook(ctx context.Context, p accord.Project, chosen ...int64) (ui.WorkbookView, error) {
	needs, err := s.store.Needs(ctx, p.ID)
	if err != nil {
		return ui.WorkbookView{}, err
	}
	plans, err := s.store.UnitPlans(ctx, p.ID)
	if err != nil {
		return ui.WorkbookView{}, err
	}
	commitments, err := s.store.Commitments(ctx, p.ID)
	if err != nil {
		return ui.WorkbookView{}, err
	}
	units, open, err := s.store.WorkbookUnits(ctx, p.ID, unitSelectMax, chosen)
	if err != nil {
		return ui.WorkbookView{}, err
	}
	return ui.WorkbookView{Project: p, CanEdit: accord.MayEditProject(*spine.ViewerFrom(ctx), p), Today: s.Now(), Needs: needs,
		Plans: plans, Commitments: commitments, Units: units, UnitChooser: open > unitSelectMax,
		PlanForms: map[int64]ui.PlanForm{}, StanceForms: map[int64]ui.StanceForm{},
		PlanFormsOnDemand: len(plans) > planFormsInline}, nil
}

// unitSelectMax is how many open units the workbook's unit selects list in full.
// Beyond it they list the units the project involves, and the unit chooser finds any
// other: a thousand units were 98 kB in each of two selects.
const unitSelectMax = 60

// planFormsInline is how many involved units a workbook shows every plan's form for,
// folded, in the page. Beyond it each form loads when asked for: 164 units' forms
// were 350 kB of a 1.2 MB page, and a third of its rendering time.
const planFormsInline = 12

// showEditPlanPage shows one involved unit's plan form: with htmx, the unfolded form
// for its card; without JavaScript, on a page of its own that posts like the card.
func (s *Server) showEditPlanPage(w http.ResponseWriter, r *http.Request) {
	v, plan, ok := workbookItem(s, w, r, "unitID", workbookPlans, planUnitID)
	if !ok {
		return
	}
	f := ui.PlanFormFrom(plan)
	f.Open = true
	if isHTMX(r) {
		s.renderFragment(w, r, http.StatusOK, ui.PlanEditForm(v, plan, f))
		return
	}
	title := plan.DisplayUnitName(i18n.Lang(r.Context())) + " · " + i18n.T(r.Context(), "wb_plan_edit")
	s.page(w, r, http.StatusOK, title, "projects", ui.PlanEditPage(v, plan, f))
}

func (s *Server) workbookPage(w http.ResponseWriter, r *http.Request, status int, v ui.WorkbookView) {
	s.page(w, r, status, v.Project.DisplayName(i18n.Lang(r.Context())), "projects", ui.Workbook(v))
}

// workbookPath is the workbook's address, optionally at a section's anchor.
func workbookPath(projectID int64, anchor string) string {
	path := "/projects/" + strconv.FormatInt(projectID, 10)
	if anchor != "" {
		path += "#" + anchor
	}
	return path
}

// workbookNoticeKey holds the outcome of the last save until the workbook shows it in
// the section that changed; a redirect to the section's anchor would scroll the
// layout's flash out of sight.
const workbookNoticeKey = "workbook_notice"

func (s *Server) putWorkbookNotice(ctx context.Context, n ui.Notice) {
	raw, err := json.Marshal(n)
	if err != nil {
		return
	}
	s.sessions.Put(ctx, workbookNoticeKey, string(raw))
}

func (s *Server) popWorkbookNotice(ctx context.Context) ui.Notice {
	var n ui.Notice
	if raw := s.sessions.PopString(ctx, workbookNoticeKey); raw != "" {
		_ = json.Unmarshal([]byte(raw), &n)
	}
	return n
}

// workbookSaved answers a successful save. Without htmx: the notice waits in the
// session and the browser goes back to the section (303). With htmx: the fragment
// render draws from the reloaded workbook, the notice included.
func (s *Server) workbookSaved(w http.ResponseWriter, r *http.Request, p accord.Project, n ui.Notice, anchor string,
	fragment func(ui.WorkbookView) templ.Component) {
	s.workbookSavedAt(w, r, p, n, workbookPath(p.ID, anchor), fragment)
}

// workbookSavedAt is workbookSaved returning, without htmx, to a given address on
// the workbook.
func (s *Server) workbookSavedAt(w http.ResponseWriter, r *http.Request, p accord.Project, n ui.Notice, target string,
	fragment func(ui.WorkbookView) templ.Component) {
	ctx := r.Context()
	if !isHTMX(r) {
		s.putWorkbookNotice(ctx, n)
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	v, err := s.workbook(ctx, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Notice = n
	s.renderFragment(w, r, http.StatusOK, fragment(v))
}

// renderFragment answers an htmx request with part of a page. It renders into a
// buffer first, so a failed render never sends half a fragment.
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	ctx := r.Context()
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		s.Log.Error("render fragment", "request_id", middleware.GetReqID(ctx), "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fragmentStatus is the status a refused save answers htmx with. htmx swaps only 2xx
// answers by default, and the fragment carries the problem itself: the form as typed
// with every message. Browsers without JavaScript get the 422 or 409 with the page.
func fragmentStatus(r *http.Request, status int) int {
	if isHTMX(r) {
		return http.StatusOK
	}
	return status
}

// fragments joins components into one htmx answer: the target first, then the
// out-of-band pieces.
func joinFragments(cs ...templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		for _, c := range cs {
			if err := c.Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// findByID is the item of the workbook whose id (by idOf) is id.
func findByID[T any](items []T, id int64, idOf func(T) int64) (T, bool) {
	i := slices.IndexFunc(items, func(it T) bool { return idOf(it) == id })
	if i < 0 {
		var none T
		return none, false
	}
	return items[i], true
}

func workbookPlans(v ui.WorkbookView) []accord.UnitPlan { return v.Plans }

func needID(n accord.Need) int64             { return n.ID }
func commitmentID(c accord.Commitment) int64 { return c.ID }
func planUnitID(p accord.UnitPlan) int64     { return p.UnitID }

// deleteRefused shows the workbook again when a delete was refused (or lost a race),
// with the reason above the section the item was in: with htmx just that section.
func (s *Server) deleteRefused(w http.ResponseWriter, r *http.Request, p accord.Project, err error,
	alert func(*ui.WorkbookView) *string, section func(ui.WorkbookView) templ.Component) {
	ctx := r.Context()
	if !refused(err) {
		s.Fail(w, r, err)
		return
	}
	v, lerr := s.workbook(ctx, p)
	if lerr != nil {
		s.Fail(w, r, lerr)
		return
	}
	status := http.StatusUnprocessableEntity
	*alert(&v) = i18n.T(ctx, spine.MessageID(err, "error_invalid_form"))
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		status = http.StatusConflict
		*alert(&v) = i18n.T(ctx, "wb_delete_conflict")
	}
	if isHTMX(r) {
		s.renderFragment(w, r, http.StatusOK, section(v))
		return
	}
	s.workbookPage(w, r, status, v)
}

// workbookItem loads what an edit page of the workbook shows: the editable project in
// the path, its workbook (with the holders the unit chooser picked, if any), and the
// item the path parameter param names, found by idOf among items. A project without
// that item answers 404.
func workbookItem[T any](s *Server, w http.ResponseWriter, r *http.Request, param string,
	items func(ui.WorkbookView) []T, idOf func(T) int64, holders ...int64) (ui.WorkbookView, T, bool) {
	var none T
	p, ok := s.editableProject(w, r)
	if !ok {
		return ui.WorkbookView{}, none, false
	}
	id, ok := s.pathID(w, r, param)
	if !ok {
		return ui.WorkbookView{}, none, false
	}
	v, err := s.workbook(r.Context(), p, holders...)
	if err != nil {
		s.Fail(w, r, err)
		return ui.WorkbookView{}, none, false
	}
	it, found := findByID(items(v), id, idOf)
	if !found {
		s.NotFound(w, r)
		return ui.WorkbookView{}, none, false
	}
	return v, it, true
}

// showSection answers htmx with one section of the workbook as saved (an edit form's
// Cancel); a browser goes to the section on the page.
func (s *Server) showSection(section string, render func(*http.Request, *ui.WorkbookView) templ.Component) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.visibleProject(w, r)
		if !ok {
			return
		}
		if !isHTMX(r) {
			http.Redirect(w, r, workbookPath(p.ID, section), http.StatusSeeOther)
			return
		}
		v, err := s.workbook(r.Context(), p)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		s.renderFragment(w, r, http.StatusOK, render(r, &v))
	}
}
