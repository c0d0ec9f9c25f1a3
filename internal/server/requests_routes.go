package server

import "github.com/go-chi/chi/v5"

// requestRoutes registers its pages on the signed-in router.
func (s *Server) requestRoutes(r chi.Router) {
}
