package server

import "github.com/go-chi/chi/v5"

// portfolioRoutes registers its pages on the signed-in router.
func (s *Server) portfolioRoutes(r chi.Router) {
}
