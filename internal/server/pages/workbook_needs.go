package pages

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// needFormFields are the need form's inputs, in the order the form shows them.
var needFormFields = []string{"title", "title_en", "tier", "holder", "external_party", "backs_up_need_id",
	"needed_by", "effort_days", "key_person", "notes"}

// readNeedForm reads a posted need: the form as typed, the input, and the problems
// found reading text that is not an id, a date or a number.
func readNeedForm(r *http.Request) (ui.NeedForm, accord.NeedInput, accord.Validation) {
	f := ui.NeedForm{Title: r.PostFormValue("title"), TitleEN: r.PostFormValue("title_en"),
		Tier: strings.TrimSpace(r.PostFormValue("tier")), ExternalParty: r.PostFormValue("external_party"),
		NeededBy: r.PostFormValue("needed_by"), EffortDays: r.PostFormValue("effort_days"),
		KeyPerson: r.PostFormValue("key_person"), Notes: r.PostFormValue("notes")}
	in := accord.NeedInput{Title: f.Title, TitleEN: f.TitleEN, ExternalParty: f.ExternalParty, Tier: accord.Tier(f.Tier),
		KeyPerson: f.KeyPerson, Notes: f.Notes}
	var read accord.Validation
	var ok bool
	if in.HolderUnitID, ok = formOptionalID(r, "holder_unit_id"); !ok {
		read.Add("holder", "unit_not_found")
	}
	if in.BacksUpNeedID, ok = formOptionalID(r, "backs_up_need_id"); !ok {
		read.Add("backs_up_need_id", "need_not_found")
	}
	if in.NeededBy, ok = formDate(r, "needed_by"); !ok {
		read.Add("needed_by", "wb_field_date")
	}
	if in.EffortDays, ok = formFloat(r, "effort_days"); !ok || math.IsNaN(in.EffortDays) || math.IsInf(in.EffortDays, 0) {
		in.EffortDays = 0
		read.Add("effort_days", "wb_field_number")
	}
	if in.HolderUnitID != nil {
		f.HolderUnitID = *in.HolderUnitID
	}
	if in.BacksUpNeedID != nil {
		f.BacksUpNeedID = *in.BacksUpNeedID
	}
	in.Normalize()
	return f, in, read
}

// needWarnings translates what Validate let through but the lead should check, in the
// order of the form.
func needWarnings(ctx context.Context, warnings map[string]string) []string {
	var out []string
	for _, field := range needFormFields {
		if id, ok := warnings[field]; ok {
			out = append(out, i18n.T(ctx, id))
		}
	}
	return out
}

// projectNeed loads the need in the path and checks it belongs to the project.
func (s *Server) projectNeed(w http.ResponseWriter, r *http.Request, p accord.Project) (accord.Need, bool) {
	id, ok := s.pathID(w, r, "needID")
	if !ok {
		return accord.Need{}, false
	}
	n, err := s.ProjectNeed(r.Context(), p, id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Need{}, false
	}
	return n, true
}

// createNeed adds a need to the resource map. Problems the lead should only check (a
// date after the target, the project's own unit as holder) are shown after saving.
func (s *Server) createNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	before := s.involvedBefore(r, p)
	f, in, read := readNeedForm(r)
	warnings, err := in.Validate(p)
	err = spine.MergeProblems(read, err)
	var n accord.Need
	if err == nil {
		n, err = s.store.CreateNeed(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, in)
	}
	if err != nil {
		s.needFailed(w, r, p, f, err)
		return
	}
	notice := ui.Notice{Section: ui.SectionNeeds, Warnings: needWarnings(ctx, warnings),
		Message: i18n.T(ctx, "wb_need_added", map[string]any{"Title": n.DisplayTitle(i18n.Lang(ctx))})}
	s.needSaved(w, r, p, notice, before, n.ID, ui.SectionNeeds, true)
}

func (s *Server) showEditNeedPage(w http.ResponseWriter, r *http.Request) {
	v, n, ok := workbookItem(s, w, r, "needID", func(v ui.WorkbookView) []accord.Need { return v.Needs }, needID,
		queryIDs(r, "holder")...)
	if !ok {
		return
	}
	f := ui.NeedFormFrom(n)
	f.Autofocus = true
	if u, ok := chosenUnit(r, "holder", v.Units); ok {
		f.HolderUnitID = u // picked on the unit chooser
	}
	if isHTMX(r) {
		v.NeedEdit = &f
		s.renderFragment(w, r, http.StatusOK, ui.ResourceMap(v))
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "wb_need_edit_title"), "projects", ui.NeedEditPage(v, f))
}

// updateNeed saves a need if nobody changed it since the form was shown.
func (s *Server) updateNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	cur, ok := s.projectNeed(w, r, p)
	if !ok {
		return
	}
	before := s.involvedBefore(r, p)
	f, in, read := readNeedForm(r)
	f.ID = cur.ID
	warnings, err := in.Validate(p)
	err = spine.MergeProblems(read, err)
	var n accord.Need
	if err == nil {
		n, err = s.store.UpdateNeed(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, int(formInt64(r, "version")), in)
	}
	if err != nil {
		s.needFailed(w, r, p, f, err)
		return
	}
	notice := ui.Notice{Section: ui.SectionNeeds, Warnings: needWarnings(ctx, warnings),
		Message: i18n.T(ctx, "wb_need_saved", map[string]any{"Title": n.DisplayTitle(i18n.Lang(ctx))})}
	s.needSaved(w, r, p, notice, before, n.ID, "need-"+strconv.FormatInt(n.ID, 10), false)
}

// deleteNeed removes a need if nobody changed it since the page was shown: deleted if
// never sent, archived if every request of it was cancelled (accord.NeedRemovalOf).
func (s *Server) deleteNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	cur, ok := s.projectNeed(w, r, p)
	if !ok {
		return
	}
	before := s.involvedBefore(r, p)
	done, err := s.store.DeleteNeed(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, int(formInt64(r, "version")))
	if err != nil {
		s.deleteRefused(w, r, p, err, func(v *ui.WorkbookView) *string { return &v.NeedAlert }, ui.ResourceMap)
		return
	}
	said := "wb_need_deleted"
	if done == accord.NeedArchive {
		said = "wb_need_archived"
	}
	notice := ui.Notice{Section: ui.SectionNeeds,
		Message: i18n.T(ctx, said, map[string]any{"Title": cur.DisplayTitle(i18n.Lang(ctx))})}
	s.needSaved(w, r, p, notice, before, 0, ui.SectionNeeds, false)
}

// needFailed shows the need form again as the lead left it: on the workbook for a new
// need, on the edit page (or in its row, with htmx) for an existing one. After a
// conflict the form carries the current version and the need as saved now is shown
// above it, so saving again is a deliberate choice.
func (s *Server) needFailed(w http.ResponseWriter, r *http.Request, p accord.Project, f ui.NeedForm, err error) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, needFormFields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	v, err := s.workbook(ctx, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	st.Version = int(formInt64(r, "version"))
	if status == http.StatusConflict {
		cur, found := findByID(v.Needs, f.ID, needID)
		if !found {
			v.NeedAlert = i18n.T(ctx, "wb_need_gone")
			s.needFormPage(w, r, status, v, nil)
			return
		}
		f.Current, st.Version, f.Autofocus = &cur, cur.Version, true
	}
	f.FormState = st
	s.needFormPage(w, r, status, v, &f)
}

func (s *Server) needFormPage(w http.ResponseWriter, r *http.Request, status int, v ui.WorkbookView, f *ui.NeedForm) {
	switch {
	case f != nil && f.ID == 0:
		v.NeedAdd = *f
	case f != nil:
		v.NeedEdit = f
	}
	if isHTMX(r) {
		s.renderFragment(w, r, fragmentStatus(r, status), ui.ResourceMap(v))
		return
	}
	if f == nil || f.ID == 0 {
		s.workbookPage(w, r, status, v)
		return
	}
	s.page(w, r, status, i18n.T(r.Context(), "wb_need_edit_title"), "projects", ui.NeedEditPage(v, *f))
}

// needSaved answers a saved need. With htmx the resource map is swapped, and the board
// with it (the load each unit carries changed); the involved units are redrawn only
// when a unit joined or left, else only the line of needs each card lists, so a plan
// being typed there is kept.
// The resource map shows the page holding the need saved (focus; 0 after a delete).
func (s *Server) needSaved(w http.ResponseWriter, r *http.Request, p accord.Project, n ui.Notice, before []int64,
	focus int64, anchor string, addAnother bool) {
	target := workbookPath(p.ID, anchor)
	if focus != 0 {
		target = workbookPath(p.ID, "") + "?need=" + strconv.FormatInt(focus, 10) + "#" + anchor
	}
	s.workbookSavedAt(w, r, p, n, target, func(v ui.WorkbookView) templ.Component {
		v.NeedAdd.Autofocus = addAnother
		v.NeedFocus = focus
		parts := []templ.Component{ui.ResourceMap(v), ui.AllianceBoard(v, true)}
		if !slices.Equal(before, involvedUnits(v.Plans)) {
			parts = append(parts, ui.PlansSection(v, true))
		} else {
			for _, plan := range v.Plans {
				parts = append(parts, ui.PlanHolds(v, plan.UnitID, true))
			}
		}
		return joinFragments(parts...)
	})
}

// involvedBefore lists the involved units before an htmx save changes the needs, to
// tell afterwards whether the involved units changed. Without htmx it costs nothing.
func (s *Server) involvedBefore(r *http.Request, p accord.Project) []int64 {
	if !isHTMX(r) {
		return nil
	}
	plans, err := s.store.UnitPlans(r.Context(), p.ID)
	if err != nil {
		return nil // the save goes on; the answer then redraws the units
	}
	return involvedUnits(plans)
}

func involvedUnits(plans []accord.UnitPlan) []int64 {
	ids := make([]int64, len(plans))
	for i, p := range plans {
		ids[i] = p.UnitID
	}
	slices.Sort(ids)
	return ids
}
