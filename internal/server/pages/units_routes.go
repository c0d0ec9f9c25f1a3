package pages

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
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
	units, err := s.store.Units(ctx)
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
	departmentLedger(&view, ledger, today)
	s.page(w, r, http.StatusOK, u.DisplayName(i18n.Lang(ctx)), "org", ui.Department(view))
}

// departmentLedger fills the unit page from its ledger.
func departmentLedger(view *ui.DepartmentView, l store.UnitLedger, today time.Time) {
	view.Today = today
	view.QueueCount, view.QueueAsked, view.QueueCommitted = l.QueueCount, l.QueueAsked, l.QueueCommitted
	view.QueueShown, view.AsksShown, view.PromisesShown, view.ThanksShown = l.QueueShown, l.AsksShown, l.PromisesShown, l.ThanksShown
	view.AsksCount, view.ThanksCount = l.AsksCount, l.ThanksCount
	view.PromisesKept, view.PromisesBroken, view.PromisesOpen, view.PromisesLate = l.PromisesKept, l.PromisesBroken,
		l.PromisesOpen, l.PromisesLate
	for _, r := range l.Queue {
		view.Queue = append(view.Queue, ledgerRow(r))
	}
	for _, r := range l.Asks {
		view.Asks = append(view.Asks, ledgerRow(r))
	}
	for _, p := range l.Promises {
		view.Promises = append(view.Promises, ui.Promise{Commitment: p.Commitment, ProjectName: p.ProjectName,
			ProjectNameEN: p.ProjectNameEN, Overdue: p.Overdue(today)})
	}
	for _, t := range l.Thanks {
		view.Thanks = append(view.Thanks, ui.UnitThanks{ID: t.ID, ProjectID: t.ProjectID, ProjectName: t.ProjectName,
			ProjectNameEN: t.ProjectNameEN, Text: t.Text, ByName: t.ByName, ByNameEN: t.ByNameEN, At: t.At})
	}
	for _, b := range l.Balance {
		view.Balance = append(view.Balance, ui.BalanceRow{UnitID: b.UnitID, Name: b.Name, NameEN: b.NameEN,
			GivenDays: b.GivenDays, GivenCommitted: b.GivenCommitted, GivenDelivered: b.GivenDelivered,
			ReceivedDays: b.ReceivedDays, ReceivedCommitted: b.ReceivedCommitted, ReceivedDelivered: b.ReceivedDelivered})
	}
}

func ledgerRow(r store.LedgerRequest) ui.LedgerRow {
	return ui.LedgerRow{ID: r.ID, State: r.State, DueDate: r.DueDate, NeedTitle: r.NeedTitle, NeedTitleEN: r.NeedTitleEN,
		Tier: r.Tier, EffortDays: r.EffortDays, ProjectID: r.ProjectID, ProjectName: r.ProjectName,
		ProjectNameEN: r.ProjectNameEN, UnitID: r.UnitID, UnitName: r.UnitName, UnitNameEN: r.UnitNameEN}
}
