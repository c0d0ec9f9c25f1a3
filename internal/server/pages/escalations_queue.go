package pages

import (
	"net/http"
	"strconv"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

const escalationsPerPage = 20

func escalationPath(id int64) string { return "/escalations/" + strconv.FormatInt(id, 10) }

// showEscalationsPage shows one list of escalations (?list=): to decide (the
// superior's queue), involving my units (heads, key people), my projects' (leads),
// decided, and, for administrators, every open one (also ?all=1). Without a list it
// opens the first that holds something. Three queries whatever the number of rows:
// the tabs' counts, the page, and the values of its projects.
func (s *Server) showEscalationsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	page := pageParam(r)
	counts, err := s.store.EscalationCountsOf(ctx, *v)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	list := accord.EscalationList(r.URL.Query().Get("list"))
	if r.URL.Query().Get("all") == "1" {
		list = accord.ListAllOpen
	}
	if !list.MayUse(*v) {
		list = accord.DefaultEscalationList(counts, v.Roles)
	}
	view := ui.EscalationQueueView{Now: s.Now(), List: list, All: list == accord.ListAllOpen, Page: page, ViewerID: v.User.ID}
	for _, l := range accord.EscalationLists() {
		if l.MayUse(*v) {
			view.Tabs = append(view.Tabs, ui.EscalationTab{List: l, Count: counts[l]})
		}
	}
	offset := (page - 1) * escalationsPerPage
	var rows []accord.Escalation
	var total int
	switch list {
	case accord.ListAllOpen:
		rows, total, err = s.store.OpenEscalations(ctx, offset, escalationsPerPage)
	case accord.ListToDecide:
		rows, total, err = s.store.EscalationsToDecide(ctx, *v, offset, escalationsPerPage)
	default:
		rows, total, err = s.store.EscalationsInList(ctx, v.User.ID, list, offset, escalationsPerPage)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	ids := make([]int64, 0, len(rows))
	seen := map[int64]bool{}
	for _, e := range rows {
		if !seen[e.ProjectID] {
			seen[e.ProjectID] = true
			ids = append(ids, e.ProjectID)
		}
	}
	values, err := s.store.ProjectValues(ctx, ids)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view.Pages, view.Total = pages(total, escalationsPerPage), total
	for _, e := range rows {
		view.Rows = append(view.Rows, ui.EscalationRow{Escalation: e, Project: values[e.ProjectID],
			StatementOwed: e.StatementOwedBy(accord.EscalationPartyOf(e, *v))})
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, list.TitleID()), "escalations", ui.EscalationQueue(view))
}
