package server

import (
	"net/http"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// showTrackerPage shows where every request of a project stands, grouped by the unit
// that holds it, in two queries: the project and its tracker rows.
func (s *Server) showTrackerPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	rows, err := s.store.Tracker(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.opts.Now()
	v := ui.TrackerView{Project: p, CanEdit: p.CanEdit(*viewerFrom(ctx)), Now: now}
	agreed := map[int64]bool{}
	var order []int64
	for _, row := range rows {
		req := row.Request
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].UnitID != req.HolderUnitID {
			v.Groups = append(v.Groups, ui.TrackerGroup{UnitID: req.HolderUnitID, UnitName: req.HolderName, UnitNameEN: req.HolderNameEN})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Lines = append(g.Lines, ui.TrackerLine{Request: req, Latest: row.Latest,
			Stale: req.Stale(now, p.CadenceDays), Overdue: req.Overdue(now)})
		if _, ok := agreed[req.HolderUnitID]; !ok {
			agreed[req.HolderUnitID] = true
			order = append(order, req.HolderUnitID)
		}
		agreed[req.HolderUnitID] = agreed[req.HolderUnitID] && committed(req.State)
	}
	v.Units = len(order)
	for _, id := range order {
		if agreed[id] {
			v.Agreed++
		}
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "rq_tracker_title")+" · "+p.DisplayName(i18n.Lang(ctx)), "projects", ui.Tracker(v))
}

// committed reports whether a request's holder has said yes: agreed, working on it,
// or done.
func committed(st accord.RequestState) bool {
	return st == accord.RequestAgreed || st == accord.RequestInProgress || st == accord.RequestDelivered
}
