package server

import "github.com/go-chi/chi/v5"

// unitRoutes registers its pages on the signed-in router.
func (s *Server) unitRoutes(r chi.Router) {
}
