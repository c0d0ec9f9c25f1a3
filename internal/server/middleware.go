package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

const sessionUserKey = "user_id"

type viewerKey struct{}

// viewerFrom returns the signed-in user, or nil.
func viewerFrom(ctx context.Context) *accord.Viewer {
	v, _ := ctx.Value(viewerKey{}).(*accord.Viewer)
	return v
}

// loadViewer reads the session's user and picks the reader's language: the user's
// choice, else the lang cookie of a signed-out visitor, else Accept-Language; and
// their time zone: the user's choice, else the company's.
func (s *Server) loadViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := ui.WithLocation(r.Context(), s.opts.Location)
		preference := ""
		if c, err := r.Cookie(langCookie); err == nil {
			preference = c.Value
		}
		if id := s.sessions.GetInt64(ctx, sessionUserKey); id != 0 {
			v, err := s.store.Viewer(ctx, id)
			switch {
			case err == nil:
				v.Location = s.location(v.User)
				ctx = ui.WithLocation(context.WithValue(ctx, viewerKey{}, &v), v.Location)
				if v.User.Locale != "" {
					preference = v.User.Locale
				}
			case accord.ErrorCodeOf(err) == accord.ECodeNotFound:
				// Deactivated or removed: the session ends here.
				_ = s.sessions.Destroy(ctx)
			default:
				s.fail(w, r.WithContext(i18n.WithLocalizer(ctx, s.i18n.Localizer(s.i18n.Match(preference, r.Header.Get("Accept-Language"))))), err)
				return
			}
		}
		loc := s.i18n.Localizer(s.i18n.Match(preference, r.Header.Get("Accept-Language")))
		w.Header().Set("Content-Language", loc.Lang)
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(i18n.WithLocalizer(ctx, loc)))
	})
}

// requireViewer sends signed-out visitors to the sign-in page and back afterwards.
func (s *Server) requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if viewerFrom(r.Context()) == nil {
			s.redirectToLogin(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireAdmin answers 404 to non-admins: they need not know the page exists.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if v == nil {
			s.redirectToLogin(w, r)
			return
		}
		if !v.Roles.Admin {
			s.notFound(w, r)
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

// securityHeaders applies to every response: no inline script, no framing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// logRequests writes one structured line per request, with its id, and feeds metrics.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(r.Method, route, ww.Status(), elapsed)
		level := slog.LevelInfo
		if ww.Status() >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
			slog.Int("status", ww.Status()), slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", elapsed))
	})
}

// recoverPanics turns a panic into the friendly 500 page and a logged stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.log.Error("panic", "request_id", middleware.GetReqID(r.Context()), "panic", rec, "stack", string(debug.Stack()))
			s.fail(w, r, errors.New("server: panic in handler"))
		}()
		next.ServeHTTP(w, r)
	})
}

// Body limits: forms are small; uploads (imports) set their own, larger limit.
const (
	maxFormBytes   = 1 << 20
	maxUploadBytes = 8 << 20
)

// limitForms caps request bodies and parses url-encoded forms up front, so an
// oversized form gets a clear 413 page instead of silently empty fields.
func (s *Server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.errorPage(w, r, http.StatusRequestEntityTooLarge, "error_too_large_title", "error_too_large_body")
					return
				}
				s.errorPage(w, r, http.StatusBadRequest, "error_bad_request_title", "error_bad_request_body")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
