// Package server assembles Accord's HTTP service: the middleware every request
// passes, the health and metrics endpoints, and the two faces over one spine: the
// pages (internal/server/pages) and the JSON API (internal/server/api). Its tests
// drive the assembled handler as browsers and API clients do.
package server

import (
	"crypto/subtle"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"sync/atomic"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/server/api"
	"accord/internal/server/pages"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web"
	"accord/web/i18n"
)

// Options are the server's settings (see spine.Options).
type Options = spine.Options

// Server assembles the two faces over one spine, with the middleware every request
// passes. Build it with New; it has no globals.
type Server struct {
	store   *store.Store
	log     *slog.Logger
	metrics *Metrics
	// metricsToken lets /metrics be read on the public port by who bears it.
	metricsToken string
	pages        *pages.Server
	api          *api.Server
	// multipartBytes caps a multipart body: the largest file a conversation takes,
	// with room for its words.
	multipartBytes int64
	// draining is set by StartDraining (health.go) when the process is asked to stop.
	draining atomic.Bool
}

// New wires a server around a store.
func New(st *store.Store, bundle *i18n.Bundle, logger *slog.Logger, opts Options) *Server {
	sp := spine.New(st, bundle, logger, opts)
	s := &Server{store: st, log: logger, metrics: NewMetrics(), metricsToken: opts.MetricsToken,
		pages: pages.New(sp, st), api: api.New(sp, st),
		multipartBytes: max(maxUploadBytes, sp.Opts.UploadLimit()+maxFormBytes)}
	s.metrics.RegisterEscalations(st, logger)
	s.metrics.RegisterRenderedPages(s.pages.RenderedCounts)
	return s
}

// Handler is the whole HTTP face: the router behind cross-origin protection.
func (s *Server) Handler() http.Handler {
	// Browsers say where a POST comes from; cross-site ones are refused on every route.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.pages.CrossOriginDenied))
	return s.closeWhileDraining(cop.Handler(s.Router()))
}

// Router builds the routes; tests walk it to check every route is covered.
func (s *Server) Router() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.logRequests, s.recoverPanics, securityHeaders, s.limitForms)

	static, _ := fs.Sub(web.Static, "static")
	r.Method(http.MethodGet, "/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Route("/api/v1", s.api.Routes)
	if s.metricsToken != "" {
		r.Method(http.MethodGet, "/metrics", requireBearer(s.metricsToken, s.metrics.Handler()))
	}

	s.pages.Routes(r)
	return r
}

// MetricsHandler serves the metrics alone, for a listener of their own
// (ACCORD_METRICS_ADDR), off the port people use, with the Go profiler
// (net/http/pprof, under /debug/pprof/), which is never on the public port.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// requireBearer lets through only requests bearing token, compared in constant time.
func requireBearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the bearer token (ACCORD_METRICS_TOKEN)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Close releases what the server holds; it starts no background work of its own.
func (s *Server) Close() {}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
