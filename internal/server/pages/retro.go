package pages

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// retroRoutes registers the retrospective that closes a project. Whoever may see the
// project may read it and download it; its lead (or an admin) writes it.
func (s *Server) retroRoutes(r chi.Router) {
	r.Get("/projects/{id}/retro", s.showRetroPage)
	r.Post("/projects/{id}/retro", s.saveRetro)
	r.Get("/projects/{id}/retro.xlsx", s.exportRetro)
	r.Post("/projects/{id}/thanks", s.addThanks)
	r.Post("/projects/{id}/thanks/delete", s.deleteThanks)
}

var (
	retroFormFields  = []string{"actual_amount", "actual_outcome", "lessons"}
	thanksFormFields = []string{"unit_id", "text"}
)

// retroData is everything a retrospective shows.
type retroData struct {
	retro       accord.Retro
	thanks      []accord.Thanks
	units       []accord.RetroUnit
	timeline    []accord.TimelineNeed
	commitments []accord.Commitment
}

// loadRetro reads a project's retrospective in five queries, whatever its size: the
// record, the thanks, the units' shares, the timeline and the commitments.
func (s *Server) loadRetro(ctx context.Context, projectID int64) (retroData, error) {
	var d retroData
	var err error
	if d.retro, err = s.store.Retro(ctx, projectID); err != nil {
		return d, err
	}
	if d.thanks, err = s.store.ProjectThanks(ctx, projectID); err != nil {
		return d, err
	}
	if d.units, err = s.store.RetroUnits(ctx, projectID); err != nil {
		return d, err
	}
	if d.timeline, err = s.store.RetroTimeline(ctx, projectID); err != nil {
		return d, err
	}
	if d.commitments, err = s.store.Commitments(ctx, projectID); err != nil {
		return d, err
	}
	return d, nil
}

// retroView shapes the data for the page, with each unit's share of the effort
// against its share of the credit as accord.FairShares works them out.
func (s *Server) retroView(ctx context.Context, p accord.Project, d retroData) ui.RetroView {
	v := ui.RetroView{Project: p, CanEdit: accord.MayEditProject(*spine.ViewerFrom(ctx), p), Today: s.Now(), Commitments: d.commitments,
		Record: ui.RetroRecord{ActualAmount: d.retro.ActualAmount, ActualOutcome: d.retro.ActualOutcome, Lessons: d.retro.Lessons,
			UpdatedBy: d.retro.UpdatedBy, UpdatedByEN: d.retro.UpdatedByEN, UpdatedAt: d.retro.UpdatedAt, Version: d.retro.Version}}
	v.Form = ui.RetroForm{FormState: ui.FormState{Version: d.retro.Version}, ActualOutcome: d.retro.ActualOutcome, Lessons: d.retro.Lessons}
	if d.retro.ActualAmount != nil {
		v.Form.ActualAmount = strconv.FormatInt(*d.retro.ActualAmount, 10)
	}
	v.Thanks = d.thanks
	for _, n := range d.timeline {
		v.Timeline = append(v.Timeline, ui.TimelineItem{NeedID: n.NeedID, Title: n.Title, TitleEN: n.TitleEN, Tier: n.Tier,
			Holder: n.HolderName, HolderEN: n.HolderEN, External: n.External, NeededBy: n.NeededBy, DueDate: n.DueDate,
			DeliveredAt: spine.InZone(n.DeliveredAt, s.Opts.Location), State: n.State})
	}
	shares, basis := accord.FairShares(d.units, d.retro.WriteUp())
	v.Units, v.EffortBasis = make([]ui.RetroUnitRow, 0, len(shares)), string(basis)
	for _, u := range shares {
		v.Units = append(v.Units, ui.RetroUnitRow{UnitID: u.UnitID, Name: u.Name, NameEN: u.NameEN, Needs: u.Needs,
			PlannedDays: u.PlannedDays, LoggedDays: u.LoggedDays, Delivered: u.Delivered, Open: u.Open, Declined: u.Declined,
			Thanks: u.Thanks, Mentions: u.Mentions, Kept: u.PromisesKept, Broken: u.PromisesLost, OpenPromises: u.PromisesOpen,
			EffortShare: u.EffortShare, CreditShare: u.CreditShare, CarriedMost: u.CarriedMost, Unsung: u.Unsung})
	}
	return v
}

func (s *Server) showRetroPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	d, err := s.loadRetro(r.Context(), p.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := s.retroView(r.Context(), p, d)
	v.Print = r.URL.Query().Get("print") == "1"
	s.retroPage(w, r, http.StatusOK, v)
}

func (s *Server) retroPage(w http.ResponseWriter, r *http.Request, status int, v ui.RetroView) {
	ctx := r.Context()
	s.page(w, r, status, i18n.T(ctx, "retro_title", map[string]any{"Name": v.Project.DisplayName(i18n.Lang(ctx))}),
		"projects", ui.Retro(v))
}

// saveRetro writes the results and lessons if nobody saved them since the form was
// shown; a refused save shows the form again with what was typed.
func (s *Server) saveRetro(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	form := ui.RetroForm{FormState: ui.FormState{Version: int(formInt64(r, "version"))},
		ActualAmount: strings.TrimSpace(r.PostFormValue("actual_amount")), ActualOutcome: r.PostFormValue("actual_outcome"),
		Lessons: r.PostFormValue("lessons")}
	in := accord.RetroInput{ActualOutcome: form.ActualOutcome, Lessons: form.Lessons}
	var problems accord.Validation
	amount, amountOK := parseAmount(form.ActualAmount)
	if !amountOK {
		problems.Add("actual_amount", "projects_amount_invalid")
	}
	in.ActualAmount = amount
	in.Normalize()
	err := spine.MergeProblems(problems, in.Validate())
	if err == nil {
		_, err = s.store.SaveRetro(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, form.Version, in, s.Now())
	}
	if err != nil {
		s.retroFailed(w, r, p, err, retroFormFields, func(v *ui.RetroView, d retroData, status int, st ui.FormState) {
			form.Error, form.Fields = st.Error, st.Fields
			if status == http.StatusConflict {
				form.Version = d.retro.Version // saving again is a deliberate choice over what is saved now
			}
			v.Form = form
		})
		return
	}
	s.flash(ctx, "retro_saved")
	http.Redirect(w, r, retroPath(p.ID, ui.RetroResults), http.StatusSeeOther)
}

// addThanks records the lead's thanks to a unit.
func (s *Server) addThanks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	form := ui.ThanksForm{Text: r.PostFormValue("text")}
	var problems accord.Validation
	unitID, idOK := formOptionalID(r, "unit_id")
	if !idOK {
		problems.Add("unit_id", "unit_not_found")
	}
	in := accord.ThanksInput{Text: form.Text}
	if unitID != nil {
		in.UnitID, form.UnitID = *unitID, *unitID
	}
	in.Normalize()
	err := spine.MergeProblems(problems, in.Validate())
	if err == nil {
		_, err = s.store.AddThanks(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, in, s.Now())
	}
	if err != nil {
		s.retroFailed(w, r, p, err, thanksFormFields, func(v *ui.RetroView, _ retroData, _ int, st ui.FormState) {
			form.Error, form.Fields = st.Error, st.Fields
			v.ThanksForm = form
		})
		return
	}
	s.flash(ctx, "retro_thanks_added")
	http.Redirect(w, r, retroPath(p.ID, ui.RetroThanks), http.StatusSeeOther)
}

// deleteThanks withdraws a thanks given in error.
func (s *Server) deleteThanks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	id := formInt64(r, "thanks_id")
	if id == 0 {
		s.Fail(w, r, accord.Errorf(accord.ECodeInvalid, "retro_thanks_missing", nil))
		return
	}
	if err := s.store.DeleteThanks(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, id); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.flash(ctx, "retro_thanks_withdrawn")
	http.Redirect(w, r, retroPath(p.ID, ui.RetroThanks), http.StatusSeeOther)
}

func retroPath(projectID int64, anchor string) string {
	return "/projects/" + strconv.FormatInt(projectID, 10) + "/retro#" + anchor
}

// retroFailed shows the retrospective again with a refused form as the lead left it
// (keep puts it back, with the problems found).
func (s *Server) retroFailed(w http.ResponseWriter, r *http.Request, p accord.Project, err error, fields []string,
	keep func(v *ui.RetroView, d retroData, status int, st ui.FormState)) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	d, lerr := s.loadRetro(ctx, p.ID)
	if lerr != nil {
		s.Fail(w, r, lerr)
		return
	}
	v := s.retroView(ctx, p, d)
	keep(&v, d, status, st)
	s.retroPage(w, r, status, v)
}
