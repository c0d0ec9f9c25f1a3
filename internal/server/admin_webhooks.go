package server

import "github.com/go-chi/chi/v5"

// adminWebhookRoutes registers the admin pages for outgoing webhooks.
func (s *Server) adminWebhookRoutes(r chi.Router) {
}
