package server

import "github.com/go-chi/chi/v5"

// adminRoutes are for admins only (see requireAdmin).
func (s *Server) adminRoutes(r chi.Router) {
}
