package pages

import (
	"net/http"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

const sessionUserKey = "user_id"

// wroteCookie marks a browser whose request may have written, for wroteCookieAge
// seconds: longer than a server whose listener lags may still answer from the
// sessions it keeps (the store's listener grace, 3 s), so none of them answers that
// browser from what it kept before it heard of the write.
const (
	wroteCookie    = "accord_wrote"
	wroteCookieAge = 5
)

// probeSessionViewer readies the request for the session store to read the
// session's user with the session (store.SessionStore), before scs loads it. A
// request that may write reads the session afresh, so a person signed out or
// deactivated a moment ago on another server cannot act; so does a browser's
// next few seconds of requests after it, so it sees its own write at once.
func (s *Server) probeSessionViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reads := r.Method == http.MethodGet || r.Method == http.MethodHead
		if !reads {
			s.markWrote(w)
		}
		_, err := r.Cookie(wroteCookie)
		ctx, _ := store.WithSessionProbe(r.Context(), reads && err != nil)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// markWrote sets wroteCookie: a page that writes on GET calls it too.
func (s *Server) markWrote(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: wroteCookie, Value: "1", Path: "/", MaxAge: wroteCookieAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Opts.SecureCookies})
}

// sessionUser is the signed-in user a session's encoded data names, 0 for none: the
// session store keeps it beside the data.
func sessionUser(data []byte) int64 {
	_, values, err := sessionCodec{}.Decode(data)
	if err != nil {
		return 0
	}
	id, _ := values[sessionUserKey].(int64)
	return id
}

// loadViewer reads the session's user and picks the reader's language: the user's
// choice, else the lang cookie of a signed-out visitor, else Accept-Language; and
// their time zone: the user's choice, else the company's.
func (s *Server) loadViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := ui.WithLocation(r.Context(), s.Opts.Location)
		preference := ""
		if c, err := r.Cookie(langCookie); err == nil {
			preference = c.Value
		}
		if id := s.sessions.GetInt64(ctx, sessionUserKey); id != 0 {
			v, err := s.store.SessionViewer(ctx, store.SessionProbeFrom(ctx), id, s.Now())
			switch {
			case err == nil:
				v.Location = s.Location(v.User)
				ctx = ui.WithLocation(spine.WithViewer(ctx, &v), v.Location)
				if v.User.Locale != "" {
					preference = v.User.Locale
				}
			case accord.ErrorCodeOf(err) == accord.ECodeNotFound:
				// Deactivated or removed: the session ends here.
				_ = s.sessions.Destroy(ctx)
			default:
				s.Fail(w, r.WithContext(i18n.WithLocalizer(ctx, s.I18n.Localizer(s.I18n.Match(preference, r.Header.Get("Accept-Language"))))), err)
				return
			}
		}
		loc := s.I18n.Localizer(s.I18n.Match(preference, r.Header.Get("Accept-Language")))
		w.Header().Set("Content-Language", loc.Lang)
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(i18n.WithLocalizer(ctx, loc)))
	})
}

// requireViewer sends signed-out visitors to the sign-in page and back afterwards.
func (s *Server) requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if spine.ViewerFrom(r.Context()) == nil {
			s.redirectToLogin(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireAdmin answers 404 to non-admins: they need not know the page exists.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := spine.ViewerFrom(r.Context())
		if v == nil {
			s.redirectToLogin(w, r)
			return
		}
		if !accord.MayAdminister(*v) {
			s.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + urlQueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
