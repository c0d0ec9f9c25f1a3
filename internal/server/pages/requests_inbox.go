package pages

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// inboxPageSize is how many requests one inbox page shows.
const inboxPageSize = 20

// showInboxPage lists the open requests addressed to the viewer's units or delegated
// to them, in the order the queue uses, with the answers right on each card.
//
// The page is kept rendered (pages/rendered_pages.go) with the epochs it was read at:
// the organisation's, the viewer's (requests handed to them), those of the units
// whose queues it shows and of the listed projects. A view reads them again, in one
// statement, and is served the kept page while they are unchanged.
func (s *Server) showInboxPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	now := s.Now()
	// Everything the body is drawn from besides the rows: the viewer the rules are
	// asked about (their units, stand-in arrangements and the answers they may give),
	// their language and zone, and the query (the page).
	key, err := keyOf("inbox", rulesViewer(*v), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, turn := s.rendered.servedOrDraw(ctx, keptInbox, key, func(since time.Time) lookedUp { return s.servedKeptPage(w, r, key, now, since, "inbox") })
	if answered {
		return
	}
	defer turn.done()
	// The epochs first: everything read after them is no older than they say.
	at, err := s.store.InboxEpochs(ctx, v.User.ID, v.StandInUnits())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	page := pageParam(r)
	in, err := s.store.InboxPage(ctx, v.User.ID, v.StandInUnits(), (page-1)*inboxPageSize, inboxPageSize)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	// The listed requests' projects, and the units of those handed to the viewer
	// elsewhere, read with the requests.
	at = at.With(in.At.Units, in.At.Projects)
	list, total := in.Requests, in.Total
	view := ui.InboxView{Page: page, Pages: pages(total, inboxPageSize), Total: total, Handed: in.Handed,
		StandingIn: v.StandingIn, ViewerID: v.User.ID, Now: now}
	back := "/inbox"
	if page > 1 {
		back += "?page=" + strconv.Itoa(page)
	}
	if view.Cards, view.Queues, err = s.inboxCards(ctx, list, back); err != nil {
		s.Fail(w, r, err)
		return
	}
	body, err := s.rendered.renderRead(ctx, turn, view.SameUntil(ui.Location(ctx)), keptAt{at: at, titleID: "rq_inbox_title"},
		ui.Inbox(view))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "rq_inbox_title"), "inbox", body)
}

// inboxCards dresses a page of the inbox in a fixed number of queries whatever its
// length: the queue places, the page's projects (for value and goal), and the members
// of each unit the viewer answers for (one per unit, not per request). The queues on
// top are those of the units the viewer heads: someone handed a request in another
// unit sees their own count instead (InboxView.Handed), not that unit's whole queue.
func (s *Server) inboxCards(ctx context.Context, list []accord.Request, back string) ([]ui.RequestCard, []ui.QueueSummary, error) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	v := spine.ViewerFrom(ctx)
	ids := make([]int64, len(list))
	projectIDs := make([]int64, 0, len(list))
	for i, req := range list {
		ids[i] = req.ID
		if !slices.Contains(projectIDs, req.ProjectID) {
			projectIDs = append(projectIDs, req.ProjectID)
		}
	}
	queue, err := s.store.QueuePositions(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	places := queue
	projects, err := s.store.ProjectsByID(ctx, *v, projectIDs)
	if err != nil {
		return nil, nil, err
	}
	rulings, err := s.store.LatestEscalations(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	members := map[int64][]accord.User{}
	var queues []ui.QueueSummary
	seen := map[int64]bool{}
	cards := make([]ui.RequestCard, 0, len(list))
	for _, req := range list {
		a := spine.RequestAccess{Request: req, Project: projects[req.ProjectID], Party: accord.RequestPartyOf(req, *v)}
		if _, ok := members[req.HolderUnitID]; !ok && a.Party.AnswersForHolder() {
			list, err := s.store.UnitMembers(ctx, req.HolderUnitID)
			if err != nil {
				return nil, nil, err
			}
			members[req.HolderUnitID] = activeMembers(list)
		}
		card := newRequestCard(v, a, places[req.ID], members[req.HolderUnitID])
		card.Back, card.InPlace = back, true
		withRuling(&card, rulings, *v)
		cards = append(cards, card)
		if !seen[req.HolderUnitID] && a.Party.HolderHead {
			seen[req.HolderUnitID] = true
			q := places[req.ID]
			queues = append(queues, ui.QueueSummary{UnitName: req.HolderName, UnitNameEN: req.HolderNameEN, Open: q.Of, Effort: q.Effort})
		}
	}
	return cards, queues, nil
}
