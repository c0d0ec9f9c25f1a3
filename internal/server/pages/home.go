package pages

import (
	"net/http"
	"slices"

	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// agendaShown is how many items each list on the start page names.
const agendaShown = 6

// showHomePage shows what needs the viewer today, by role: escalations waiting for
// their decision; requests waiting for their answer, escalations waiting for their
// unit's statement and agreed requests they must deliver; counter-proposals and
// declines on their projects, requests gone quiet, promises coming due; then their
// units and projects. Two queries after the session's, whatever the numbers: the
// projects led, and every list at once.
func (s *Server) showHomePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	projects, err := s.store.ProjectsLedBy(ctx, v.User.ID, 20)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	now := s.Now()
	items, counts, err := s.store.Agenda(ctx, v.User.ID, agendaShown, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	// The arrangements running now came with the viewer: no query of their own.
	view := ui.HomeView{Viewer: *v, Projects: projects, Today: now, Agenda: items, Counts: counts,
		StandIns: slices.Concat(v.AwayWith, v.StandingIn)}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "nav_home"), "home", ui.Home(view))
}
