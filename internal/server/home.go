package server

import (
	"net/http"

	"accord/web/i18n"
	"accord/web/ui"
)

func (s *Server) showHomePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	projects, err := s.store.ProjectsLedBy(ctx, v.User.ID, 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "nav_home"), "home", ui.Home(ui.HomeView{Viewer: *v, Projects: projects}))
}
