package pages

import "github.com/go-chi/chi/v5"

// workbookIORoutes registers its pages on the signed-in router: exports for anyone
// who may see the project, import for its lead and admins.
func (s *Server) workbookIORoutes(r chi.Router) {
	r.Get("/projects/{id}/export.xlsx", s.exportWorkbook)
	r.Get("/projects/{id}/import-template.csv", s.downloadImportTemplate)
	r.Get("/projects/{id}/{table}.csv", s.exportTable)
	r.Get("/projects/{id}/import", s.showImportPage)
	r.Post("/projects/{id}/import", s.importNeeds)
}
