package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"accord/internal/store"
)

// healthz says the process is alive; it touches nothing else.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// StartDraining is the first step of a graceful stop: /readyz answers 503 so the
// load balancer's health check takes this instance out of rotation, while every
// other route keeps serving; each response also says "Connection: close", so the
// balancer's kept-alive connections to this instance end after the request they
// carry and its next requests open connections to the other instances.
func (s *Server) StartDraining() { s.draining.Store(true) }

// Draining reports whether StartDraining was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// closeWhileDraining ends each connection after its response once draining.
func (s *Server) closeWhileDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// readyz says whether this instance can serve: the database answers and its schema
// is the one this binary expects, and it is not draining on its way to a stop.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining", "reason": "shutting down"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	want, err := store.LatestMigration()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "no migrations embedded"})
		return
	}
	got, dirty, err := s.store.SchemaVersion(ctx)
	switch {
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
	case dirty || got != want:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable",
			"reason": "schema not current; run `accord migrate up`", "schema_version": got, "want_version": want, "dirty": dirty})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "schema_version": got})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
