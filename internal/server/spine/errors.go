package spine

import (
	"context"
	"errors"
	"net/http"

	"accord/internal/accord"

	"github.com/go-chi/chi/v5/middleware"
)

// StatusOf is the one table from a domain error code to its HTTP status, for pages
// and the API alike. An unknown code is an internal error.
func StatusOf(code accord.ErrorCode) int {
	switch code {
	case accord.ECodeInvalid:
		return http.StatusUnprocessableEntity
	case accord.ECodeNotFound:
		return http.StatusNotFound
	case accord.ECodeConflict:
		return http.StatusConflict
	case accord.ECodeUnauthorized:
		return http.StatusUnauthorized
	case accord.ECodeForbidden:
		return http.StatusForbidden
	case accord.ECodeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// MessageID is the message id a domain error carries, or fallback.
func MessageID(err error, fallback string) string {
	var e *accord.Error
	if errors.As(err, &e) && e.MessageID != "" {
		return e.MessageID
	}
	return fallback
}

// StatusClientClosedRequest is nginx's code for a request its client abandoned; no
// one reads it, but the access log and metrics then tell it apart from an outage.
const StatusClientClosedRequest = 499

// ClientGone reports whether the client cancelled the request (closed the tab, timed
// out on its side); that is neither the database's fault nor ours.
func ClientGone(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

// TimedOut reports whether the request's context ended for any reason, which both
// faces answer as "unavailable, try again".
func TimedOut(ctx context.Context) bool { return ctx.Err() != nil }

// Abandoned answers a request whose client has gone: logged quietly, status 499.
func (s *Spine) Abandoned(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Debug("request abandoned by the client", "request_id", middleware.GetReqID(r.Context()), "path", r.URL.Path, "err", err)
	w.WriteHeader(StatusClientClosedRequest)
}
