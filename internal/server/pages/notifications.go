package pages

import (
	"net/http"

	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// notificationsPageSize is how many notifications one page shows.
const notificationsPageSize = 30

// showNotificationsPage lists the viewer's notifications, newest first.
func (s *Server) showNotificationsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	page := pageParam(r)
	list, total, err := s.store.Notifications(ctx, v.User.ID, (page-1)*notificationsPageSize, notificationsPageSize)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view := ui.NotificationsView{Items: list, Now: s.Now(), Unread: v.Unread,
		Page: page, Pages: pages(total, notificationsPageSize), Total: total}
	// On the first page the newest notification is known: marking read stops there, so
	// one that arrives while the page is open stays unread.
	if page == 1 && len(list) > 0 {
		view.UpTo = list[0].ID
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "rq_notifications_title"), "notifications", ui.Notifications(view))
}

// markNotificationsRead marks the viewer's notifications read, up to the newest one
// the page showed (all of them when it did not say), and goes back to the list.
func (s *Server) markNotificationsRead(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := s.store.MarkNotificationsRead(ctx, spine.ViewerFrom(ctx).User.ID, formInt64(r, "up_to"), s.Now()); err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}
