package pages

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// settingsRoutes registers the signed-in user's own settings: their time zone and
// their API tokens, on one page.
func (s *Server) settingsRoutes(r chi.Router) {
	r.Get("/settings/tokens", s.showTokensPage)
	r.Post("/settings/time-zone", s.setTimeZone)
	r.Post("/settings/tokens", s.createToken)
	r.Post("/settings/tokens/{id}/revoke", s.revokeToken)
	r.Post("/settings/calendar-feed", s.createCalendarFeed)
	r.Post("/settings/calendar-feed/revoke", s.revokeCalendarFeed)
}

// showTokensPage shows the viewer's settings: their time zone, and their tokens with
// the form to create one.
func (s *Server) showTokensPage(w http.ResponseWriter, r *http.Request) {
	s.tokensPage(w, r, http.StatusOK, ui.TokenForm{}, nil, nil)
}

// tokensPage renders the page with the forms as given (the time zone as saved when tz
// is nil) and, right after a create, the new token's secret: one query for the list.
func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, status int, form ui.TokenForm, created *ui.CreatedToken, tz *ui.TimeZoneForm) {
	s.settingsPage(w, r, status, form, created, tz, "")
}

// settingsPage renders the settings page as tokensPage does and, right after the
// viewer made a calendar feed, its address (calendarURL; "" otherwise).
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, status int, form ui.TokenForm, created *ui.CreatedToken, tz *ui.TimeZoneForm, calendarURL string) {
	ctx := r.Context()
	viewer := spine.ViewerFrom(ctx)
	list, err := s.store.Tokens(ctx, viewer.User.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if tz == nil {
		tz = &ui.TimeZoneForm{Zone: viewer.User.TimeZone}
	}
	tz.Company = s.Opts.Location.String()
	cal, err := s.calendarFeedView(r, calendarURL)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := ui.TokensView{TimeZone: *tz, Form: form, Created: created, Now: s.Now(), APIBase: apiBase(r), Tokens: list, Calendar: cal}
	s.page(w, r, status, i18n.T(ctx, "settings_title"), "settings", ui.SettingsTokens(v))
}

// apiBase is the API's address as this request reached Accord, for the example
// command shown with a new token.
func apiBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/api/v1"
}

// createToken issues a token for the viewer and shows its secret in this answer
// only. It is rendered, not redirected to: a redirect would have to park the secret
// in the session table, and Accord keeps no token in the clear anywhere.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	name := strings.TrimSpace(r.PostFormValue("name"))
	var err error
	var created accord.APIToken
	var secret string
	if name == "" {
		err = accord.FieldError("name", "field_required")
	} else {
		created, secret, err = s.store.CreateToken(ctx, v.User.ID, v.User.ID, name, s.Now())
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, "name")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		s.tokensPage(w, r, status, ui.TokenForm{FormState: st, Name: r.PostFormValue("name")}, nil, nil)
		return
	}
	s.tokensPage(w, r, http.StatusCreated, ui.TokenForm{}, &ui.CreatedToken{Name: created.Name, Secret: secret}, nil)
}

// revokeToken ends one of the viewer's tokens at once; another user's is not found.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	v := spine.ViewerFrom(ctx)
	if err := s.store.RevokeToken(ctx, v.User.ID, v.User.ID, id, s.Now()); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.flash(ctx, "settings_token_revoked")
	http.Redirect(w, r, "/settings/tokens", http.StatusSeeOther)
}

// setTimeZone saves the zone the viewer reads times in; one not offered is refused
// with the choice kept on the form.
func (s *Server) setTimeZone(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	zone := strings.TrimSpace(r.PostFormValue("time_zone"))
	if err := s.store.SetUserTimeZone(ctx, spine.ViewerFrom(ctx).User.ID, zone); err != nil {
		status, st, ok := formProblem(ctx, err, "time_zone")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		s.tokensPage(w, r, status, ui.TokenForm{}, nil, &ui.TimeZoneForm{FormState: st, Zone: zone})
		return
	}
	if zone == "" {
		zone = s.Opts.Location.String()
	}
	s.flash(ctx, "settings_time_zone_saved", map[string]any{"Zone": zone})
	http.Redirect(w, r, "/settings/tokens", http.StatusSeeOther)
}
