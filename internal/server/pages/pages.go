// Package pages is Accord's HTML face: the pages people use in the browser, signed in
// by a session cookie. Handlers translate HTTP to calls on the store (through the
// small interfaces in store.go) and view models for web/ui; every "may" is asked of
// internal/accord, and objects named in a path are loaded through the spine, which
// answers "not found" for what the viewer may not see.
package pages

import (
	"context"
	"net/http"
	"sync"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"accord/internal/delivery"
	"accord/internal/server/spine"
	"accord/internal/sso"
)

// Server is the HTML face. Build it with New.
type Server struct {
	*spine.Spine
	store    Store
	sessions *scs.SessionManager
	// dummyHash is checked for unknown emails so they cost as much as wrong passwords.
	dummyHash func() (string, error)
	// webhooks posts an administrator's test messages to chat webhooks.
	webhooks *http.Client
	// sso signs people in through an OpenID provider; nil when it is not configured.
	sso *sso.Client
	// rendered keeps rendered project pages while nothing they show has changed; nil
	// keeps none (spine.Options.RenderedPageBytes).
	rendered *renderedPages
}

// New builds the HTML face on the spine; sessions are kept in PostgreSQL by the store.
func New(sp *spine.Spine, st Store) *Server {
	sm := scs.New()
	// Expired rows are ignored on load and internal/jobs prunes them.
	sm.Store = st.Sessions(sessionUser)
	sm.Codec = sessionCodec{}
	sm.Lifetime = sp.Opts.SessionLifetime
	sm.IdleTimeout = 0
	sm.Cookie.Name = "accord_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = sp.Opts.SecureCookies
	s := &Server{Spine: sp, store: st, sessions: sm, webhooks: sp.Opts.WebhookClient}
	if s.webhooks == nil {
		s.webhooks = delivery.NewWebhookClient(testMessageTimeout, sp.Opts.WebhookAllowPrivate)
	}
	s.dummyHash = sync.OnceValues(func() (string, error) { return s.Passwords.Hash(context.Background(), "") })
	sm.ErrorFunc = s.sessionError
	if sp.Opts.SSO.Enabled() {
		s.sso = sso.New(sp.Opts.SSO, sp.Now)
	}
	limit := sp.Opts.RenderedPageBytes
	if limit == 0 {
		limit = spine.DefaultRenderedPageBytes
	}
	s.rendered = newRenderedPages(limit)
	return s
}

// Routes declares the pages: each group of pages declares its own in its file.
func (s *Server) Routes(r chi.Router) {
	s.calendarFeedRoutes(r) // no session: calendar apps cannot sign in
	r.Group(func(r chi.Router) {
		r.Use(s.probeSessionViewer, s.sessions.LoadAndSave, s.loadViewer)
		r.NotFound(s.NotFound)
		r.MethodNotAllowed(s.methodNotAllowed)
		r.Get("/login", s.showLoginPage)
		r.Post("/login", s.login)
		r.Post("/logout", s.logout)
		r.Post("/lang", s.switchLanguage)
		s.ssoRoutes(r)

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
			s.commentRoutes(r)
			s.portfolioRoutes(r)
			s.settingsRoutes(r)
			s.standInRoutes(r)
			s.searchRoutes(r)
		})
		r.Group(func(r chi.Router) {
			r.Use(s.requireAdmin)
			s.adminRoutes(r)
			s.adminWebhookRoutes(r)
			s.orgImportRoutes(r)
		})
	})
}
