package pages

import (
	"net/http"
	"time"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// trackerPerPage is how many requests a tracker page shows: a project asking hundreds
// of units for help would otherwise render every row on every visit.
const trackerPerPage = 50

// showTrackerPage shows where a project's requests stand, a page at a time, grouped by
// the unit that holds them, in four queries whatever their number: the project, the
// summary counted over every request, the page's rows and their escalations. A page
// drawn before is served again, with the project's statement alone, while nothing it
// shows has changed (rendered_pages.go).
func (s *Server) showTrackerPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	p, at, err := s.Spine.ProjectAt(ctx, id, false)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	now := s.Now()
	viewer := spine.ViewerFrom(ctx)
	title := i18n.T(ctx, "rq_tracker_title") + " · " + p.DisplayName(i18n.Lang(ctx))
	// Everything the body is drawn from besides the clock: the project as read now, the
	// rows read at their epochs, the viewer the rules are asked about (who may follow a
	// ruling's link), their language and zone, and the query (the page).
	key, err := keyOf("tracker", p, at, rulesViewer(*viewer), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, turn := s.rendered.servedOrDraw(ctx, keptTracker, key, func(time.Time) lookedUp { return s.servedBody(w, r, key, now, title, "projects") })
	if answered {
		return
	}
	defer turn.done()
	sum, err := s.store.TrackerSummary(ctx, p.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	page := min(pageParam(r), maxListPage)
	rows, err := s.store.TrackerPage(ctx, p.ID, (page-1)*trackerPerPage, trackerPerPage)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.Request.ID
	}
	rulings, err := s.store.LatestEscalations(ctx, ids)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := ui.TrackerView{Project: p, CanEdit: accord.MayEditProject(*viewer, p), Now: now, Units: sum.Units, Agreed: sum.Agreed, InPart: sum.InPart,
		ByState: sum.ByState, Page: page, Pages: pages(sum.Requests, trackerPerPage), Total: sum.Requests}
	for _, row := range rows {
		req := row.Request
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].UnitID != req.HolderUnitID {
			v.Groups = append(v.Groups, ui.TrackerGroup{UnitID: req.HolderUnitID, UnitName: req.HolderName, UnitNameEN: req.HolderNameEN})
		}
		g := &v.Groups[len(v.Groups)-1]
		line := ui.TrackerLine{Request: req, Latest: row.Latest, Stale: req.Stale(now, p.CadenceDays), Overdue: req.Overdue(now),
			Phases: row.Phases}
		if row.PhaseOf != nil {
			line.PhaseOf = row.DisplayPhaseOf(i18n.Lang(ctx))
		}
		if e, ok := rulings[req.ID]; ok {
			line.Ruling = &ui.RulingView{Escalation: e, Link: accord.EscalationPartyOf(e, *viewer).MayView()}
		}
		g.Lines = append(g.Lines, line)
	}
	body, err := s.rendered.render(ctx, turn, v.SameUntil(), ui.Tracker(v))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, title, "projects", body)
}

// rulesViewer is the viewer as the rules see them, for a rendered page's key: without
// the unread count, which only the layout shows, and the zone, which goes in the key
// by name.
func rulesViewer(v accord.Viewer) accord.Viewer {
	v.Unread, v.Location = 0, nil
	return v
}
