package pages

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"

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

// openNotification follows a notification to the page where its reader acts, marking
// it read on the way: reading a notice is clicking it. The mark is this one
// notification's, made where the reader chose it; the pages it leads to stay
// read-only, and a link from elsewhere (an email, the inbox) marks nothing.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.Fail(w, r, accord.Errorf(accord.ECodeNotFound, "notification_not_found", nil))
		return
	}
	s.markWrote(w) // it marks the notification read: the next page counts one unread fewer
	n, err := s.store.OpenNotification(ctx, *spine.ViewerFrom(ctx), id, s.Now())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, n.Path(), http.StatusSeeOther)
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
