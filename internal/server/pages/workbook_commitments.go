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

// commitmentFormFields are the commitment form's inputs, in the order it shows them.
var commitmentFormFields = []string{"unit_id", "what", "due_date", "status"}

// readCommitmentForm reads a posted commitment: the form as typed, the input, and the
// problems found reading text that is not a date.
func readCommitmentForm(r *http.Request) (ui.CommitmentForm, accord.CommitmentInput, accord.Validation) {
	f := ui.CommitmentForm{UnitID: formInt64(r, "unit_id"), What: r.PostFormValue("what"),
		DueDate: r.PostFormValue("due_date"), Status: strings.TrimSpace(r.PostFormValue("status"))}
	in := accord.CommitmentInput{UnitID: f.UnitID, What: f.What, Status: accord.CommitmentStatus(f.Status)}
	var read accord.Validation
	var ok bool
	if in.DueDate, ok = formDate(r, "due_date"); !ok {
		read.Add("due_date", "wb_field_date")
	}
	in.Normalize()
	return f, in, read
}

// projectCommitment loads the commitment in the path, if it belongs to the project.
func (s *Server) projectCommitment(w http.ResponseWriter, r *http.Request, p accord.Project) (accord.Commitment, bool) {
	id, ok := s.pathID(w, r, "commitmentID")
	if !ok {
		return accord.Commitment{}, false
	}
	c, err := s.ProjectCommitment(r.Context(), p, id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Commitment{}, false
	}
	return c, true
}

// createCommitment records a promise made to a unit.
func (s *Server) createCommitment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	f, in, read := readCommitmentForm(r)
	err := spine.MergeProblems(read, in.Validate())
	var c accord.Commitment
	if err == nil {
		c, err = s.store.CreateCommitment(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, in)
	}
	if err != nil {
		s.commitmentFailed(w, r, p, f, err)
		return
	}
	notice := ui.Notice{Section: ui.SectionCommitments,
		Message: i18n.T(ctx, "wb_commitment_added", map[string]any{"Unit": commitmentUnit(r, c)})}
	s.commitmentSaved(w, r, p, notice, ui.SectionCommitments, true)
}

func (s *Server) showEditCommitmentPage(w http.ResponseWriter, r *http.Request) {
	v, c, ok := workbookItem(s, w, r, "commitmentID", func(v ui.WorkbookView) []accord.Commitment { return v.Commitments }, commitmentID)
	if !ok {
		return
	}
	f := ui.CommitmentFormFrom(c)
	f.Autofocus = true
	if isHTMX(r) {
		v.CommitmentEdit = &f
		s.renderFragment(w, r, http.StatusOK, ui.CommitmentsSection(v))
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "wb_commitment_edit_title"), "projects", ui.CommitmentEditPage(v, f))
}

// updateCommitment saves a commitment, its status included, if nobody changed it
// since the form was shown.
func (s *Server) updateCommitment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	cur, ok := s.projectCommitment(w, r, p)
	if !ok {
		return
	}
	f, in, read := readCommitmentForm(r)
	f.ID = cur.ID
	err := spine.MergeProblems(read, in.Validate())
	var c accord.Commitment
	if err == nil {
		c, err = s.store.UpdateCommitment(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, int(formInt64(r, "version")), in)
	}
	if err != nil {
		s.commitmentFailed(w, r, p, f, err)
		return
	}
	notice := ui.Notice{Section: ui.SectionCommitments,
		Message: i18n.T(ctx, "wb_commitment_saved", map[string]any{"Unit": commitmentUnit(r, c)})}
	s.commitmentSaved(w, r, p, notice, "commitment-"+strconv.FormatInt(c.ID, 10), false)
}

// deleteCommitment removes a commitment if nobody changed it since the page was shown.
func (s *Server) deleteCommitment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	cur, ok := s.projectCommitment(w, r, p)
	if !ok {
		return
	}
	err := s.store.DeleteCommitment(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, int(formInt64(r, "version")))
	if err != nil {
		s.deleteRefused(w, r, p, err, func(v *ui.WorkbookView) *string { return &v.CommitmentAlert }, ui.CommitmentsSection)
		return
	}
	notice := ui.Notice{Section: ui.SectionCommitments,
		Message: i18n.T(ctx, "wb_commitment_deleted", map[string]any{"Unit": commitmentUnit(r, cur)})}
	s.commitmentSaved(w, r, p, notice, ui.SectionCommitments, false)
}

// commitmentFailed shows the commitment form again as the lead left it; after a
// conflict with the current version and the commitment as saved now above it.
func (s *Server) commitmentFailed(w http.ResponseWriter, r *http.Request, p accord.Project, f ui.CommitmentForm, err error) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, commitmentFormFields...)
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
	var form *ui.CommitmentForm
	if status == http.StatusConflict {
		cur, found := findByID(v.Commitments, f.ID, commitmentID)
		if found {
			f.Current, st.Version, f.Autofocus = &cur, cur.Version, true
			form = &f
		} else {
			v.CommitmentAlert = i18n.T(ctx, "wb_commitment_gone")
		}
	} else {
		form = &f
	}
	if form != nil {
		form.FormState = st
		if form.ID == 0 {
			v.CommitmentAdd = *form
		} else {
			v.CommitmentEdit = form
		}
	}
	switch {
	case isHTMX(r):
		s.renderFragment(w, r, fragmentStatus(r, status), ui.CommitmentsSection(v))
	case form == nil || form.ID == 0:
		s.workbookPage(w, r, status, v)
	default:
		s.page(w, r, status, i18n.T(ctx, "wb_commitment_edit_title"), "projects", ui.CommitmentEditPage(v, *form))
	}
}

// commitmentSaved answers a saved commitment; with htmx the overdue banner at the top
// of the page is refreshed with the list.
func (s *Server) commitmentSaved(w http.ResponseWriter, r *http.Request, p accord.Project, n ui.Notice, anchor string, addAnother bool) {
	s.workbookSaved(w, r, p, n, anchor, func(v ui.WorkbookView) templ.Component {
		v.CommitmentAdd.Autofocus = addAnother
		return joinFragments(ui.CommitmentsSection(v), ui.OverdueBanner(v, true))
	})
}

func commitmentUnit(r *http.Request, c accord.Commitment) string {
	return accord.Unit{Name: c.UnitName, NameEN: c.UnitNameEN}.DisplayName(i18n.Lang(r.Context()))
}
