package pages

import (
	"accord/internal/accord"
	"accord/internal/server/spine"
	"net/http"

	"accord/web/i18n"
	"accord/web/ui"
)

// trackerPerPage is how many requests a tracker page shows: a project asking hundreds
// of units for help would otherwise render every row on every visit.
const trackerPerPage = 50

// showTrackerPage shows where a project's requests stand, a page at a time, grouped by
// the unit that holds them, in four queries whatever their number: the project, the
// summary counted over every request, the page's rows and their escalations.
func (s *Server) showTrackerPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
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
	now := s.Now()
	viewer := spine.ViewerFrom(ctx)
	v := ui.TrackerView{Project: p, CanEdit: accord.MayEditProject(*spine.ViewerFrom(ctx), p), Now: now, Units: sum.Units, Agreed: sum.Agreed, InPart: sum.InPart,
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
	s.page(w, r, http.StatusOK, i18n.T(ctx, "rq_tracker_title")+" · "+p.DisplayName(i18n.Lang(ctx)), "projects", ui.Tracker(v))
}
