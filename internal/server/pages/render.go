package pages

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// page renders content inside the layout with the given status. It renders into a
// buffer first, so a failed render never sends half a page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, title, active string, content templ.Component) {
	ctx := r.Context()
	meta := ui.Meta{Title: title, Viewer: spine.ViewerFrom(ctx), Active: active, Path: r.URL.RequestURI()}
	if msg := s.sessions.PopString(ctx, flashKey); msg != "" {
		meta.Flash = msg
	}
	if msg := s.sessions.PopString(ctx, flashErrorKey); msg != "" {
		meta.Flash, meta.FlashBad = msg, true
	}
	var buf bytes.Buffer
	if err := ui.Page(meta, content).Render(ctx, &buf); err != nil {
		s.Log.Error("render page", "request_id", middleware.GetReqID(ctx), "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Its length told, the page goes out as it is, without chunked framing.
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
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

// Fail answers with the page matching err's code. Only unexpected errors are logged.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	switch {
	case spine.ClientGone(ctx):
		s.Abandoned(w, r, err)
		return
	case store.IsUnavailable(err) || spine.TimedOut(ctx):
		s.Log.Warn("database unavailable", "request_id", middleware.GetReqID(ctx), "err", err)
		w.Header().Set("Retry-After", "5")
		s.ErrorPage(w, r, http.StatusServiceUnavailable, "error_unavailable_title", "error_unavailable_body")
		return
	}
	code := accord.ErrorCodeOf(err)
	status := spine.StatusOf(code)
	switch code {
	case accord.ECodeNotFound:
		s.NotFound(w, r)
	case accord.ECodeForbidden:
		s.ErrorPage(w, r, status, "error_forbidden_title", spine.MessageID(err, "error_forbidden_body"))
	case accord.ECodeUnauthorized:
		s.redirectToLogin(w, r)
	case accord.ECodeConflict:
		s.ErrorPage(w, r, status, "error_conflict_title", "edit_conflict")
	case accord.ECodeInvalid:
		s.ErrorPage(w, r, status, "error_invalid_title", spine.MessageID(err, "error_invalid_form"))
	default:
		s.Log.Error("internal error", "request_id", middleware.GetReqID(ctx), "path", r.URL.Path, "err", err)
		s.ErrorPage(w, r, status, "error_internal_title", "error_internal_body")
	}
}

func (s *Server) ErrorPage(w http.ResponseWriter, r *http.Request, status int, titleID, bodyID string) {
	ctx := r.Context()
	if i18n.From(ctx) == nil {
		ctx = i18n.WithLocalizer(ctx, s.I18n.Localizer(s.I18n.Match("", r.Header.Get("Accept-Language"))))
		r = r.WithContext(ctx)
	}
	content := ui.Error(ui.ErrorPage{Status: status, Title: i18n.T(ctx, titleID), Message: i18n.T(ctx, bodyID),
		Home: status != http.StatusServiceUnavailable})
	// The session middleware may not have run (or the database may be down): render
	// without touching the session.
	meta := ui.Meta{Title: i18n.T(ctx, titleID), Viewer: spine.ViewerFrom(ctx), Path: r.URL.RequestURI()}
	var buf bytes.Buffer
	if err := ui.Page(meta, content).Render(ctx, &buf); err != nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Its length told, the page goes out as it is, without chunked framing.
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.ErrorPage(w, r, http.StatusNotFound, "error_not_found_title", "error_not_found_body")
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.ErrorPage(w, r, http.StatusMethodNotAllowed, "error_method_title", "error_method_body")
}

func (s *Server) CrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.ErrorPage(w, r, http.StatusForbidden, "error_cross_origin_title", "error_cross_origin_body")
}

// sessionError is called when the session store fails, usually because the database
// is down.
func (s *Server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	s.Fail(w, r, err)
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
