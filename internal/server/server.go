// Package server is Accord's HTTP face: the chi router, middleware, and one file per
// group of handlers. Handlers do HTTP only; rules live in internal/accord and data in
// internal/store.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/internal/password"
	"accord/internal/store"
	"accord/web"
	"accord/web/i18n"
)

// Options are the server's settings.
type Options struct {
	SecureCookies   bool
	SessionLifetime time.Duration
	DemoHint        bool            // show the demo logins on the sign-in page
	PasswordParams  password.Params // argon2id cost for new passwords
	// Now is the clock. Its readings are put into Location before use, so "today",
	// overdue and working days follow the company's calendar.
	Now func() time.Time
	// Location is the company's time zone (ACCORD_TIME_ZONE); UTC when nil. Times are
	// shown in it to people who chose no zone of their own.
	Location *time.Location
	// DecisionWindowDays is how many working days a superior has to decide;
	// accord.DefaultDecisionWindowDays when 0.
	DecisionWindowDays int
	// WebhookClient posts an administrator's test messages to chat webhooks;
	// delivery.NewWebhookClient without private networks when nil.
	WebhookClient *http.Client
}

// Server holds what the handlers share. Build it with New; it has no globals.
type Server struct {
	store    *store.Store
	sessions *scs.SessionManager
	i18n     *i18n.Bundle
	log      *slog.Logger
	metrics  *Metrics
	opts     Options
	// passwords bounds concurrent argon2id work, the largest allocation a request makes.
	passwords *password.Hasher
	// dummyHash is checked for unknown emails so they cost as much as wrong passwords.
	dummyHash func() (string, error)
	// zones holds the zones people may choose, loaded once (time.LoadLocation reads
	// the zone database on every call).
	zones map[string]*time.Location
}

// maxConcurrentHashes caps sign-ins checked at once, each holding PasswordParams.MemKiB.
const maxConcurrentHashes = 4

// New wires a server around a store.
func New(st *store.Store, bundle *i18n.Bundle, logger *slog.Logger, opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	clock, company := opts.Now, opts.Location
	opts.Now = func() time.Time { return clock().In(company) }
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 12 * time.Hour
	}
	if opts.PasswordParams == (password.Params{}) {
		opts.PasswordParams = password.DefaultParams()
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = delivery.NewWebhookClient(testMessageTimeout, false)
	}
	if opts.DecisionWindowDays == 0 {
		opts.DecisionWindowDays = accord.DefaultDecisionWindowDays
	}
	sm := scs.New()
	// pgxstore's own cleanup goroutine races with its StopCleanup; expired rows are
	// ignored on load anyway and internal/jobs prunes them.
	sm.Store = pgxstore.NewWithCleanupInterval(st.Pool(), 0)
	sm.Lifetime = opts.SessionLifetime
	sm.IdleTimeout = 0
	sm.Cookie.Name = "accord_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opts.SecureCookies
	s := &Server{store: st, sessions: sm, i18n: bundle, log: logger, metrics: NewMetrics(), opts: opts,
		passwords: password.NewHasher(opts.PasswordParams, min(runtime.GOMAXPROCS(0), maxConcurrentHashes))}
	s.zones = loadZones()
	s.dummyHash = sync.OnceValues(func() (string, error) { return s.passwords.Hash(context.Background(), "") })
	s.metrics.RegisterEscalations(st, logger)
	sm.ErrorFunc = s.sessionError
	return s
}

// Handler is the whole HTTP face: the router behind cross-origin protection.
func (s *Server) Handler() http.Handler {
	// Browsers say where a POST comes from; cross-site ones are refused on every route.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return cop.Handler(s.Router())
}

// Router builds the routes; tests walk it to check every route is covered.
func (s *Server) Router() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.logRequests, s.recoverPanics, securityHeaders, s.limitForms)

	static, _ := fs.Sub(web.Static, "static")
	r.Method(http.MethodGet, "/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Route("/api/v1", s.apiRoutes)
	r.Method(http.MethodGet, "/metrics", s.metrics.Handler())

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.loadViewer)
		r.NotFound(s.notFound)
		r.MethodNotAllowed(s.methodNotAllowed)
		r.Get("/login", s.showLoginPage)
		r.Post("/login", s.login)
		r.Post("/logout", s.logout)
		r.Post("/lang", s.switchLanguage)

		r.Group(func(r chi.Router) {
			r.Use(s.requireViewer)
			r.Get("/", s.showHomePage)
			r.Get("/org", s.showOrgPage)
			s.projectRoutes(r)
			s.goalRoutes(r)
			s.unitRoutes(r)
			s.workbookRoutes(r)
			s.workbookIORoutes(r)
			s.requestRoutes(r)
			s.escalationRoutes(r)
			s.portfolioRoutes(r)
			s.settingsRoutes(r)
		})
		r.Group(func(r chi.Router) {
			r.Use(s.requireAdmin)
			s.adminRoutes(r)
			s.adminWebhookRoutes(r)
		})
	})
	return r
}

// Close releases what the server holds; it starts no background work of its own.
func (s *Server) Close() {}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
