package pages

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/calendar"
	"accord/internal/server/spine"
	"accord/web/ui"
)

// calendarFeedRoutes registers the calendar feed itself: outside the session's group,
// as calendar apps cannot sign in. The secret in the address is the only key.
func (s *Server) calendarFeedRoutes(r chi.Router) {
	r.Get("/calendar/{secret}.ics", s.serveCalendarFeed)
}

// maxFeedSecret bounds what is hashed and looked up: a real secret is 43 characters.
const maxFeedSecret = 64

// serveCalendarFeed answers a calendar app with the owner's feed. An unknown, revoked
// or malformed secret and a deactivated owner all get the same plain 404.
func (s *Server) serveCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	secret := chi.URLParam(r, "secret")
	if secret == "" || len(secret) > maxFeedSecret {
		feedNotFound(w)
		return
	}
	now := s.Now()
	u, err := s.store.CalendarFeedUser(ctx, secret, now)
	if err == nil {
		var items []accord.CalendarItem
		if items, err = s.store.CalendarItems(ctx, u.ID, now); err == nil {
			lang := accord.LocaleZH // Chinese unless they chose English, as the pages
			if u.Locale == accord.LocaleEN {
				lang = accord.LocaleEN
			}
			l := s.I18n.Localizer(lang)
			body := calendar.Build(calendar.Feed{Owner: u.DisplayName(lang), Items: items, Lang: lang,
				Location: s.Opts.Location, BaseURL: s.PublicBase(r), Now: now},
				func(id string, data map[string]any) string { return l.T(id, data) })
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			w.Header().Set("Content-Disposition", `inline; filename="accord.ics"`)
			w.Header().Set("Cache-Control", "private, no-cache")
			w.Header().Set("X-Robots-Tag", "noindex")
			w.Write(body)
			return
		}
	}
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		feedNotFound(w)
		return
	}
	s.Log.Error("calendar feed", "request_id", middleware.GetReqID(ctx), "err", err)
	w.Header().Set("Retry-After", "60")
	http.Error(w, "calendar feed unavailable, try again later", http.StatusServiceUnavailable)
}

// feedNotFound is the one answer for every address that is not a live feed.
func feedNotFound(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "not found", http.StatusNotFound)
}

// calendarFeedView is the settings page's calendar card for the viewer: one query.
func (s *Server) calendarFeedView(r *http.Request, url string) (ui.CalendarFeedView, error) {
	ctx := r.Context()
	f, ok, err := s.store.CalendarFeed(ctx, spine.ViewerFrom(ctx).User.ID)
	if err != nil {
		return ui.CalendarFeedView{}, err
	}
	return ui.CalendarFeedView{Active: ok, CreatedAt: f.CreatedAt, LastUsedAt: f.LastUsedAt, URL: url,
		Zone: s.Opts.Location.String(), Now: s.Now()}, nil
}

// createCalendarFeed makes the viewer a new calendar address, stopping the old one,
// and shows it in this answer only (as a new API token is: Accord keeps no secret in
// the clear, so it is rendered, not redirected to).
func (s *Server) createCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	_, secret, err := s.store.CreateCalendarFeed(ctx, v.User.ID, v.User.ID, s.Now())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.settingsPage(w, r, http.StatusCreated, ui.TokenForm{}, nil, nil, s.CalendarFeedURL(r, secret))
}

// revokeCalendarFeed stops the viewer's calendar feed: its address answers 404 from
// now on. Stopping none changes nothing.
func (s *Server) revokeCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	revoked, err := s.store.RevokeCalendarFeed(ctx, v.User.ID, v.User.ID, s.Now())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if revoked {
		s.flash(ctx, "calendar_feed_revoked")
	}
	http.Redirect(w, r, "/settings/tokens", http.StatusSeeOther)
}
