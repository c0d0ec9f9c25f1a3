package server

import "github.com/go-chi/chi/v5"

// escalationRoutes registers its pages on the signed-in router.
func (s *Server) escalationRoutes(r chi.Router) {
}
