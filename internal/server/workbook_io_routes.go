package server

import "github.com/go-chi/chi/v5"

// workbookIORoutes registers its pages on the signed-in router.
func (s *Server) workbookIORoutes(r chi.Router) {
}
