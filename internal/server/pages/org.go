package pages

import (
	"net/http"

	"accord/web/i18n"
	"accord/web/ui"
)

// showOrgPage shows the whole org tree with its heads, for everyone signed in.
func (s *Server) showOrgPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "nav_org"), "org", ui.Org(ui.OrgView{Units: units}))
}
