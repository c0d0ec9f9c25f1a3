package pages

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// unitRoutes registers its pages on the signed-in router.
func (s *Server) unitRoutes(r chi.Router) {
	r.Get("/units/{id}", s.showDepartmentPage)
}

// promisesShown is how many promises to a unit its page lists, open and overdue first;
// the queue, the asks and the thanks are capped alike.
const promisesShown = 50

// showDepartmentPage shows a unit to everyone signed in: its head, parent and
// members; what it is asked for and what it asks of others; the promises projects
// made to it and whether they were kept; the thanks it received; and the give and
// take with every other unit. Requests, promises and thanks are named only where the
// viewer may open their project; the rest are counted. Three queries whatever the numbers: the tree, the
// members, and the ledger (store.UnitLedger) with everything else.
func (s *Server) showDepartmentPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	units, err := s.store.UnitFamily(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	u, ok := findUnit(units, id)
	if !ok {
		s.Fail(w, r, accord.Errorf(accord.ECodeNotFound, "unit_not_found", nil))
		return
	}
	view := ui.DepartmentView{Unit: u, Admin: spine.ViewerFrom(ctx).Roles.Admin}
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
		s.Fail(w, r, err)
		return
	}
	for _, m := range members {
		if m.Active() {
			view.Members = append(view.Members, m)
		}
	}
	today := s.Now()
	ledger, err := s.store.UnitLedger(ctx, *spine.ViewerFrom(ctx), id, promisesShown, today)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view.Today, view.UnitLedger = today, ledger
	s.page(w, r, http.StatusOK, u.DisplayName(i18n.Lang(ctx)), "org", ui.Department(view))
}
