package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

type calendarStore interface {
	CalendarFeed(ctx context.Context, userID int64) (accord.CalendarFeed, bool, error)
	CreateCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (accord.CalendarFeed, string, error)
	RevokeCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (bool, error)
}

// calendarFeedRoutes declares the caller's own calendar feed: whether it is on, a new
// address (shown once), and stopping it. The feed itself is GET /calendar/{secret}.ics,
// outside the API.
func (s *Server) calendarFeedRoutes(r chi.Router) {
	r.Get("/me/calendar-feed", s.apiCalendarFeed)
	r.Post("/me/calendar-feed", s.apiCreateCalendarFeed)
	r.Delete("/me/calendar-feed", s.apiRevokeCalendarFeed)
}

// apiCalendarFeedState is whether the caller's feed is on, and since when.
type apiCalendarFeedState struct {
	Active     bool       `json:"active"`
	CreatedAt  *time.Time `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// apiCalendarFeedCreated is a new feed with its address, in this answer only.
type apiCalendarFeedCreated struct {
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// apiCalendarFeed answers whether the caller has a live calendar feed.
func (s *Server) apiCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, ok, err := s.store.CalendarFeed(ctx, spine.ViewerFrom(ctx).User.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiCalendarFeedState{Active: ok}
	if ok {
		out.CreatedAt, out.LastUsedAt = &f.CreatedAt, f.LastUsedAt
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

// apiCreateCalendarFeed makes the caller a new calendar address, stopping the old one,
// and answers it once: Accord keeps only its hash.
func (s *Server) apiCreateCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	f, secret, err := s.store.CreateCalendarFeed(ctx, v.User.ID, v.User.ID, s.Now())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusCreated, apiCalendarFeedCreated{URL: s.CalendarFeedURL(r, secret), CreatedAt: f.CreatedAt})
}

// apiRevokeCalendarFeed stops the caller's calendar feed; with none on it changes
// nothing.
func (s *Server) apiRevokeCalendarFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if _, err := s.store.RevokeCalendarFeed(ctx, v.User.ID, v.User.ID, s.Now()); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
