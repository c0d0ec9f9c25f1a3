package pages

import (
	"net/http"
	"strconv"
	"time"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
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
//
// The page is kept rendered with the epochs it was read at (the inbox's way, see
// showInboxPage): the organisation's, the viewer's and their units' (migration 0051
// moves them on every write to an escalation they take part in), the projects they
// lead and the listed projects'. Every open escalation (an administrator's list) and
// a stand-in's queue, which holds someone else's, are rendered afresh.
func (s *Server) showEscalationsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	now := s.Now()
	query := r.URL.Query()
	keep := query.Get("all") != "1" && accord.EscalationList(query.Get("list")) != accord.ListAllOpen &&
		len(v.StandInPrincipals()) == 0
	key, err := keyOf("escalations", rulesViewer(*v), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var at store.QueueEpochs
	var turn *drawTurn
	if keep {
		var answered bool
		answered, turn = s.rendered.servedOrDraw(ctx, keptEscalations, key, func(since time.Time) lookedUp {
			return s.servedKeptPage(w, r, key, now, since, "escalations")
		})
		if answered {
			return
		}
		defer turn.done()
		// The epochs first: everything read after them is no older than they say.
		if at, err = s.store.EscalationListEpochs(ctx, v.User.ID); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	page := pageParam(r)
	counts, err := s.store.EscalationCountsOf(ctx, *v)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	list := accord.EscalationList(query.Get("list"))
	if query.Get("all") == "1" {
		list = accord.ListAllOpen
	}
	if !list.MayUse(*v) {
		list = accord.DefaultEscalationList(counts, v.Roles)
	}
	view := ui.EscalationQueueView{Now: now, List: list, All: list == accord.ListAllOpen, Page: page, ViewerID: v.User.ID}
	for _, l := range accord.EscalationLists() {
		if l.MayUse(*v) {
			view.Tabs = append(view.Tabs, ui.EscalationTab{List: l, Count: counts[l]})
		}
	}
	offset := (page - 1) * escalationsPerPage
	var rows []accord.Escalation
	var total int
	var listed map[int64]int64
	switch list {
	case accord.ListAllOpen:
		rows, total, err = s.store.OpenEscalations(ctx, offset, escalationsPerPage)
	case accord.ListToDecide:
		rows, total, listed, err = s.store.EscalationsToDecideAt(ctx, *v, offset, escalationsPerPage)
	default:
		rows, total, listed, err = s.store.EscalationsInListAt(ctx, v.User.ID, list, offset, escalationsPerPage)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if keep {
		at = at.With(nil, listed) // the listed rows' projects, read with them
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
	content := ui.EscalationQueue(view)
	if keep {
		body, err := s.rendered.renderRead(ctx, turn, view.SameUntil(ui.Location(ctx)),
			keptAt{at: at, titleID: list.TitleID()}, content)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		content = body
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, list.TitleID()), "escalations", content)
}
