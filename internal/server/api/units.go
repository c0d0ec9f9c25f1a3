package api

import (
	"net/http"
	"strconv"

	"accord/internal/accord"
	"accord/internal/server/spine"

	"github.com/go-chi/chi/v5"
)

// unitRoutes declares the endpoints for the organisation as the caller may read it.
func (s *Server) unitRoutes(r chi.Router) {
	r.Get("/me", s.apiMe)
	r.Get("/units", s.apiUnits)
	r.Get("/units/{id}", s.apiUnit)
	r.Get("/units/{id}/shared-superior", s.apiSharedSuperior)
}

// apiMe answers who the token acts for, with their roles and units.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	s.apiJSON(w, r, http.StatusOK, toAPIMe(*spine.ViewerFrom(r.Context())))
}

// apiUnits lists the whole org tree, parents before children (each unit carries its
// path from the root), as the organisation page shows it to everyone signed in.
func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiUnit, 0, len(units))
	for _, u := range units {
		out = append(out, toAPIUnit(u))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"units": out})
}

// apiUnit answers one unit.
func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r)
	if err == nil {
		var u accord.Unit
		if u, err = s.store.Unit(r.Context(), id); err == nil {
			s.apiJSON(w, r, http.StatusOK, toAPIUnit(u))
			return
		}
	}
	s.apiFail(w, r, err)
}

// apiSharedSuperior answers who decides between two units: the head of their lowest
// common ancestor, vacant posts skipped upward.
func (s *Server) apiSharedSuperior(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	other, perr := strconv.ParseInt(r.URL.Query().Get("with"), 10, 64)
	if perr != nil || other <= 0 {
		s.apiFail(w, r, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{"with": "api_id_invalid"}})
		return
	}
	sup, err := s.store.SharedSuperior(r.Context(), id, other, 0)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, apiSuperior{CommonUnitID: apiID(sup.CommonUnitID), UnitID: apiID(sup.UnitID),
		HeadUserID: apiID(sup.HeadUserID), VacantSkipped: sup.VacantSkipped, HeadIsParty: sup.HeadIsParty})
}
