package server

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

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
		// A draining instance's 503 on /readyz is the plan, not an error.
		if ww.Status() >= 500 && !(route == "/readyz" && s.draining.Load()) {
			level = slog.LevelError
		}
		path := r.URL.Path
		if strings.Contains(route, "{secret}") {
			path = route // a calendar feed's address is its secret: never logged
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method), slog.String("path", path), slog.String("route", route),
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
			s.pages.Fail(w, r, errors.New("server: panic in handler"))
		}()
		next.ServeHTTP(w, r)
	})
}

// Body limits: forms are small; multipart bodies carry files (imports set their own
// limit, attachments Options.UploadLimit).
const (
	maxFormBytes   = 1 << 20
	maxUploadBytes = 8 << 20
)

// unixLineBreaks turns the CRLF line breaks browsers send for textareas into the
// LF a JSON client sends, so a text is stored with the same bytes, and counted
// against its length limit the same way, whichever face it came through.
func unixLineBreaks(values url.Values) {
	for _, vs := range values {
		for i, v := range vs {
			vs[i] = strings.ReplaceAll(v, "\r\n", "\n")
		}
	}
}

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
			// Only a comment carries a file as large as ACCORD_MAX_UPLOAD_MB.
			limit := int64(maxUploadBytes)
			if strings.HasSuffix(r.URL.Path, "/comments") {
				limit = s.multipartBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			if err := r.ParseForm(); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					s.pages.ErrorPage(w, r, http.StatusRequestEntityTooLarge, "error_too_large_title", "error_too_large_body")
					return
				}
				s.pages.ErrorPage(w, r, http.StatusBadRequest, "error_bad_request_title", "error_bad_request_body")
				return
			}
			unixLineBreaks(r.PostForm)
			unixLineBreaks(r.Form)
		}
		next.ServeHTTP(w, r)
	})
}
