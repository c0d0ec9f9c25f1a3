package server

import (
	"net/http"
	"strconv"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

const escalationsPerPage = 20

func escalationPath(id int64) string { return "/escalations/" + strconv.FormatInt(id, 10) }

// showEscalationsPage lists the decisions waiting for the viewer; an administrator
// may ask for every open one (?all=1). Two queries whatever the number of rows: the
// escalations with their requests, and the values of their projects.
func (s *Server) showEscalationsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	page := pageParam(r)
	all := v.Roles.Admin && r.URL.Query().Get("all") == "1"
	offset := (page - 1) * escalationsPerPage
	var list []accord.Escalation
	var total int
	var err error
	if all {
		list, total, err = s.store.OpenEscalations(ctx, offset, escalationsPerPage)
	} else {
		list, total, err = s.store.EscalationsAssigned(ctx, v.User.ID, offset, escalationsPerPage)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids := make([]int64, 0, len(list))
	seen := map[int64]bool{}
	for _, e := range list {
		if !seen[e.ProjectID] {
			seen[e.ProjectID] = true
			ids = append(ids, e.ProjectID)
		}
	}
	values, err := s.store.ProjectValues(ctx, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view := ui.EscalationQueueView{Now: s.opts.Now(), All: all, CanAll: v.Roles.Admin, Page: page,
		Pages: pages(total, escalationsPerPage), Total: total}
	for _, e := range list {
		view.Rows = append(view.Rows, ui.EscalationRow{Escalation: e, Project: values[e.ProjectID]})
	}
	title := i18n.T(ctx, "esc_queue_title")
	if all {
		title = i18n.T(ctx, "esc_all_title")
	}
	s.page(w, r, http.StatusOK, title, "escalations", ui.EscalationQueue(view))
}
