package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// page renders content inside the layout with the given status. It renders into a
// buffer first, so a failed render never sends half a page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, title, active string, content templ.Component) {
	ctx := r.Context()
	meta := ui.Meta{Title: title, Viewer: viewerFrom(ctx), Active: active, Path: r.URL.RequestURI()}
	if msg := s.sessions.PopString(ctx, flashKey); msg != "" {
		meta.Flash = msg
	}
	if msg := s.sessions.PopString(ctx, flashErrorKey); msg != "" {
		meta.Flash, meta.FlashBad = msg, true
	}
	var buf bytes.Buffer
	if err := ui.Page(meta, content).Render(ctx, &buf); err != nil {
		s.log.Error("render page", "request_id", middleware.GetReqID(ctx), "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

const (
	flashKey      = "flash"
	flashErrorKey = "flash_error"
)

// flash shows a translated message on the next page the user sees.
func (s *Server) flash(ctx context.Context, id string, data ...map[string]any) {
	s.sessions.Put(ctx, flashKey, i18n.T(ctx, id, data...))
}

// fail answers with the page matching err's code. Only unexpected errors are logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	switch {
	case clientGone(ctx):
		s.abandoned(w, r, err)
		return
	case store.IsUnavailable(err) || isContextError(ctx):
		s.log.Warn("database unavailable", "request_id", middleware.GetReqID(ctx), "err", err)
		w.Header().Set("Retry-After", "5")
		s.errorPage(w, r, http.StatusServiceUnavailable, "error_unavailable_title", "error_unavailable_body")
		return
	}
	code := accord.ErrorCodeOf(err)
	status := statusOf(code)
	switch code {
	case accord.ECodeNotFound:
		s.notFound(w, r)
	case accord.ECodeForbidden:
		s.errorPage(w, r, status, "error_forbidden_title", messageID(err, "error_forbidden_body"))
	case accord.ECodeUnauthorized:
		s.redirectToLogin(w, r)
	case accord.ECodeConflict:
		s.errorPage(w, r, status, "error_conflict_title", "edit_conflict")
	case accord.ECodeInvalid:
		s.errorPage(w, r, status, "error_invalid_title", messageID(err, "error_invalid_form"))
	default:
		s.log.Error("internal error", "request_id", middleware.GetReqID(ctx), "path", r.URL.Path, "err", err)
		s.errorPage(w, r, status, "error_internal_title", "error_internal_body")
	}
}

func isContextError(ctx context.Context) bool { return ctx.Err() != nil }

// statusClientClosedRequest is nginx's code for a request its client abandoned; no
// one reads it, but the access log and metrics then tell it apart from an outage.
const statusClientClosedRequest = 499

// clientGone reports whether the client cancelled the request (closed the tab, timed
// out on its side); that is neither the database's fault nor ours.
func clientGone(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

func (s *Server) abandoned(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Debug("request abandoned by the client", "request_id", middleware.GetReqID(r.Context()), "path", r.URL.Path, "err", err)
	w.WriteHeader(statusClientClosedRequest)
}

// messageID is the translated message of a domain error, or fallback.
func messageID(err error, fallback string) string {
	var e *accord.Error
	if asAccordError(err, &e) && e.MessageID != "" {
		return e.MessageID
	}
	return fallback
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, titleID, bodyID string) {
	ctx := r.Context()
	if i18n.From(ctx) == nil {
		ctx = i18n.WithLocalizer(ctx, s.i18n.Localizer(s.i18n.Match("", r.Header.Get("Accept-Language"))))
		r = r.WithContext(ctx)
	}
	content := ui.Error(ui.ErrorPage{Status: status, Title: i18n.T(ctx, titleID), Message: i18n.T(ctx, bodyID),
		Home: status != http.StatusServiceUnavailable})
	// The session middleware may not have run (or the database may be down): render
	// without touching the session.
	meta := ui.Meta{Title: i18n.T(ctx, titleID), Viewer: viewerFrom(ctx), Path: r.URL.RequestURI()}
	var buf bytes.Buffer
	if err := ui.Page(meta, content).Render(ctx, &buf); err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error_not_found_title", "error_not_found_body")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusMethodNotAllowed, "error_method_title", "error_method_body")
}

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "error_cross_origin_title", "error_cross_origin_body")
}

// sessionError is called when the session store fails, usually because the database
// is down.
func (s *Server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, err)
}

// formInt64 reads a positive integer form or query value; 0 when absent or bad.
func formInt64(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// pageParam reads ?page=N (1-based).
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// pages is the number of pages for total items.
func pages(total, perPage int) int { return max(1, (total+perPage-1)/perPage) }

// localPath accepts only a path on this site, so ?next= cannot send users elsewhere.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
