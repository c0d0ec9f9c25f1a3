package pages

import "github.com/go-chi/chi/v5"

// escalationRoutes registers its pages on the signed-in router: the lead's escalate
// form on a request, the superior's queue, and one escalation with its decision.
func (s *Server) escalationRoutes(r chi.Router) {
	r.Get("/requests/{id}/escalate", s.showEscalatePage)
	r.Post("/requests/{id}/escalate", s.escalateRequest)

	r.Get("/escalations", s.showEscalationsPage)
	r.Get("/escalations/{id}", s.showEscalationPage)
	r.Get("/escalations/{id}/units/choose", s.showEscalationUnitChooser)
	r.Post("/escalations/{id}/decide", s.decideEscalation)
	r.Post("/escalations/{id}/statement", s.addEscalationStatement)
	r.Post("/escalations/{id}/reassign", s.reassignEscalation)
	r.Post("/escalations/{id}/refresh", s.refreshEscalationRecord)
	r.Post("/escalations/{id}/advice", s.askAdvice)
	r.Post("/escalations/{id}/opinion", s.giveOpinion)
	r.Post("/requests/{id}/decide", s.decideRequestDirectly)
}
