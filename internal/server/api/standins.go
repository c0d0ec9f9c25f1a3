package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

type standInStore interface {
	CreateStandIn(ctx context.Context, actor accord.Viewer, principalID int64, standInEmail string,
		startsOn, endsOn *time.Time, loc *time.Location, now time.Time) (accord.StandIn, error)
	EndStandIn(ctx context.Context, actor accord.Viewer, id int64, now time.Time) error
	StandInsAround(ctx context.Context, v accord.Viewer, now time.Time) ([]accord.StandIn, error)
}

// standInRoutes declares out of office: the arrangements the caller is in, naming a
// stand-in (for oneself; an administrator for any head), and ending one early.
func (s *Server) standInRoutes(r chi.Router) {
	r.Get("/me/stand-ins", s.apiStandIns)
	r.Post("/stand-ins", s.apiCreateStandIn)
	r.Post("/stand-ins/{id}/end", s.apiEndStandIn)
}

// apiStandIn is one arrangement.
type apiStandIn struct {
	ID        string     `json:"id"`
	Principal apiPerson  `json:"principal"`
	StandIn   apiPerson  `json:"stand_in"`
	StartsOn  string     `json:"starts_on"`
	EndsOn    string     `json:"ends_on"`
	Active    bool       `json:"active"`
	EndedAt   *time.Time `json:"ended_at"`
}

// apiPerson is a person as a record names them.
type apiPerson struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

func toAPIStandIn(si accord.StandIn, now time.Time) apiStandIn {
	return apiStandIn{ID: apiID(si.ID), Principal: apiPerson{apiID(si.PrincipalID), si.PrincipalName, si.PrincipalNameEN},
		StandIn:  apiPerson{apiID(si.StandInID), si.StandInName, si.StandInNameEN},
		StartsOn: si.StartsOn.Format(time.DateOnly), EndsOn: si.EndsOn.Format(time.DateOnly),
		Active: si.ActiveAt(now), EndedAt: si.EndedAt}
}

// apiStandIns lists the arrangements not yet over in which the caller is the head
// away or the stand-in.
func (s *Server) apiStandIns(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.Now()
	list, err := s.store.StandInsAround(ctx, *spine.ViewerFrom(ctx), now)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiStandIn, len(list))
	for i, si := range list {
		out[i] = toAPIStandIn(si, now)
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"items": out})
}

// apiCreateStandIn names a stand-in: for the caller, or (an administrator) for the
// head principal_id names.
func (s *Server) apiCreateStandIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	var body struct {
		PrincipalID  *string `json:"principal_id"`
		StandInEmail string  `json:"stand_in_email"`
		StartsOn     *string `json:"starts_on"`
		EndsOn       *string `json:"ends_on"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var read accord.Validation
	principalID := parseAPIID(body.PrincipalID, "principal_id", &read)
	starts := parseAPIDate(body.StartsOn, "starts_on", &read)
	ends := parseAPIDate(body.EndsOn, "ends_on", &read)
	principal := v.User.ID
	if principalID != nil {
		principal = *principalID
	}
	// Asked even with a field unread, so every problem is told at once.
	si, err := s.store.CreateStandIn(ctx, *v, principal, body.StandInEmail, starts, ends, s.Opts.Location, s.Now())
	if err = spine.MergeProblems(read, err); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusCreated, toAPIStandIn(si, s.Now()))
}

// apiEndStandIn ends an arrangement now: its head, its stand-in or an administrator.
func (s *Server) apiEndStandIn(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.store.EndStandIn(ctx, *spine.ViewerFrom(ctx), id, s.Now()); err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
