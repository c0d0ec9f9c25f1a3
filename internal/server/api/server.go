// Package api is Accord's JSON face under /api/v1: the same store calls, loaders and
// rules as the pages, authenticated with personal bearer tokens instead of the
// session cookie. Its contract is openapi.json, which a test keeps in step with the
// routes.
package api

import (
	"accord/internal/server/spine"
)

// Server is the JSON face. Build it with New.
type Server struct {
	*spine.Spine
	store Store
}

// New builds the JSON face on the spine.
func New(sp *spine.Spine, st Store) *Server { return &Server{Spine: sp, store: st} }
