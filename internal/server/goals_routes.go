package server

import "github.com/go-chi/chi/v5"

// goalRoutes registers its pages on the signed-in router.
func (s *Server) goalRoutes(r chi.Router) {
}
