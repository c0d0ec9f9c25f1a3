package server

import "github.com/go-chi/chi/v5"

// projectRoutes registers its pages on the signed-in router.
func (s *Server) projectRoutes(r chi.Router) {
}
