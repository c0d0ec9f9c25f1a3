package pages

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// standInRoutes registers the out-of-office page: a head names who answers for them
// while away, and either of them may call it off.
func (s *Server) standInRoutes(r chi.Router) {
	r.Get("/settings/away", s.showStandInsPage)
	r.Post("/settings/away", s.createStandIn)
	r.Post("/settings/away/{id}/end", s.endStandIn)
}

func (s *Server) showStandInsPage(w http.ResponseWriter, r *http.Request) {
	s.standInsPage(w, r, http.StatusOK, ui.StandInForm{})
}

// standInsPage shows the arrangements not yet over that the viewer is in, and the
// form as given: one query for the list.
func (s *Server) standInsPage(w http.ResponseWriter, r *http.Request, status int, form ui.StandInForm) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	now := s.Now()
	list, err := s.store.StandInsAround(ctx, *v, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view := ui.StandInsView{Viewer: *v, List: list, Form: form, Now: now, MayName: v.Roles.Head}
	s.page(w, r, status, i18n.T(ctx, "standin_title"), "settings", ui.StandIns(view))
}

// createStandIn names the viewer's stand-in; a refusal keeps what was typed.
func (s *Server) createStandIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	form := ui.StandInForm{Email: r.PostFormValue("stand_in"), StartsOn: r.PostFormValue("starts_on"),
		EndsOn: r.PostFormValue("ends_on")}
	var read accord.Validation
	starts, okStart := spine.ParseDate(form.StartsOn)
	if !okStart {
		read.Add("starts_on", "projects_date_invalid")
	}
	ends, okEnd := spine.ParseDate(form.EndsOn)
	if !okEnd {
		read.Add("ends_on", "projects_date_invalid")
	}
	// Asked even with a date unread, so every problem is told at once.
	_, err := s.store.CreateStandIn(ctx, *v, v.User.ID, form.Email, starts, ends, s.Opts.Location, s.Now())
	err = spine.MergeProblems(read, err)
	if err != nil {
		status, st, ok := formProblem(ctx, err, "stand_in", "starts_on", "ends_on")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		form.FormState = st
		s.standInsPage(w, r, status, form)
		return
	}
	s.flash(ctx, "standin_saved")
	http.Redirect(w, r, "/settings/away", http.StatusSeeOther)
}

// endStandIn calls an arrangement off now: the head, the stand-in or an
// administrator; anyone else finds nothing.
func (s *Server) endStandIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := s.store.EndStandIn(ctx, *spine.ViewerFrom(ctx), id, s.Now()); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.flash(ctx, "standin_ended")
	http.Redirect(w, r, "/settings/away", http.StatusSeeOther)
}
