package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// unitRoutes registers its pages on the signed-in router.
func (s *Server) unitRoutes(r chi.Router) {
	r.Get("/units/{id}", s.showDepartmentPage)
}

// promisesShown is how many promises to a unit its page lists, open and overdue first.
const promisesShown = 50

// showDepartmentPage shows a unit to everyone signed in: its head, parent, members and
// the promises projects made to it, in four queries: the tree, the members, the
// promises and the names of the projects that made them.
func (s *Server) showDepartmentPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, ok := findUnit(units, id)
	if !ok {
		s.fail(w, r, accord.Errorf(accord.ECodeNotFound, "unit_not_found", nil))
		return
	}
	view := ui.DepartmentView{Unit: u, Admin: viewerFrom(ctx).Roles.Admin}
	for _, other := range units {
		if u.ParentID != nil && other.ID == *u.ParentID {
			view.Parent = &other
		}
		if other.ParentID != nil && *other.ParentID == id && other.Open() {
			view.SubUnits = append(view.SubUnits, other)
		}
	}
	members, err := s.store.UnitMembers(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range members {
		if m.Active() {
			view.Members = append(view.Members, m)
		}
	}
	commitments, err := s.store.UnitCommitments(ctx, id, promisesShown)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	projectIDs := make([]int64, 0, len(commitments))
	for _, c := range commitments {
		projectIDs = append(projectIDs, c.ProjectID)
	}
	names, err := s.store.ProjectNames(ctx, projectIDs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.opts.Now()
	for _, c := range commitments {
		p := names[c.ProjectID]
		view.Promises = append(view.Promises, ui.Promise{Commitment: c, ProjectName: p.Name, ProjectNameEN: p.NameEN,
			Overdue: c.Overdue(today)})
	}
	s.page(w, r, http.StatusOK, u.DisplayName(i18n.Lang(ctx)), "org", ui.Department(view))
}
