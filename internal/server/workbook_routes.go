package server

import "github.com/go-chi/chi/v5"

// workbookRoutes registers its pages on the signed-in router.
func (s *Server) workbookRoutes(r chi.Router) {
}
