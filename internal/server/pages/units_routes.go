package pages

import (
	"net/http"
	"time"

	"github.com/a-h/templ"
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
// viewer may open their project; the rest are counted. Four queries whatever the
// numbers: the epochs, the tree, the members, and the ledger (store.UnitLedgerAt)
// with everything else.
//
// The page is kept rendered (pages/rendered_pages.go) with the epochs it was read at:
// the organisation's (the tree, the members, names), the unit's (every row of it the
// ledger reads, migrations 0050 and 0052), those of the projects it owns (what they
// ask of others) and of the projects its lists name. Only for a viewer who sees every
// project the unit touches through the unit itself (its head, as a rule): for anyone
// else, which rows are named depends on their sight of each project, which those
// epochs do not follow, and the page is drawn afresh.
func (s *Server) showDepartmentPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := spine.ViewerFrom(ctx)
	now := s.Now()
	key, err := keyOf("unit", id, rulesViewer(*v), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, turn := s.rendered.servedOrDraw(ctx, keptUnit, key, func(since time.Time) lookedUp { return s.servedKeptPage(w, r, key, now, since, "org") })
	if answered {
		return
	}
	defer turn.done()
	// The epochs first: everything read after them is no older than they say.
	at, err := s.store.UnitPageEpochs(ctx, v.User.ID, id)
	if err != nil {
		s.Fail(w, r, err)
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
	view := ui.DepartmentView{Unit: u, Admin: v.Roles.Admin}
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
	ledger, read, err := s.store.UnitLedgerAt(ctx, *v, id, promisesShown, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view.Today, view.UnitLedger = now, ledger
	title := u.DisplayName(i18n.Lang(ctx))
	var body templ.Component = ui.Department(view)
	if read.AllSeen {
		kept := keptAt{at: at.With(nil, read.Projects), title: title}
		if body, err = s.rendered.renderRead(ctx, turn, view.SameUntil(), kept, body); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	turn.done() // drawn, kept or not: whoever waits looks again now
	s.page(w, r, http.StatusOK, title, "org", body)
}
