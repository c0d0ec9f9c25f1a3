package pages

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/sso"
	"accord/web/i18n"
	"accord/web/ui"
)

type ssoStore interface {
	SignInWithIdentity(ctx context.Context, id accord.Identity, createUnknown bool, passwordHash string) (accord.SSOOutcome, accord.User, error)
}

// The attempt in flight, kept in the visitor's session and taken out (used once) by
// the callback.
const (
	ssoStateKey    = "sso_state"
	ssoNonceKey    = "sso_nonce"
	ssoVerifierKey = "sso_verifier"
	ssoNextKey     = "sso_next"
	ssoStartedKey  = "sso_started"
)

// ssoAttemptLifetime is how long a visitor may spend at the provider.
const ssoAttemptLifetime = 10 * time.Minute

// ssoRoutes are public: they sign people in. Both answer 404 while single sign-on is
// not configured.
func (s *Server) ssoRoutes(r chi.Router) {
	r.Get("/auth/oidc/start", s.startSSO)
	r.Get(sso.CallbackPath, s.finishSSO)
}

// ssoLoginForm adds single sign-on to the sign-in page when it is configured.
func (s *Server) ssoLoginForm(ctx context.Context, f *ui.LoginForm) {
	if s.sso == nil {
		return
	}
	set := s.sso.Settings()
	b := &ui.SSOButton{Label: i18n.T(ctx, "sso_button_plain")}
	if set.ButtonLabel != "" {
		b.Label = i18n.T(ctx, "sso_button", map[string]any{"Provider": set.ButtonLabel})
	}
	if s.sso.RecentlyUnavailable() {
		b.Unavailable = i18n.T(ctx, "sso_unavailable")
	}
	f.SSO = b
	f.PasswordsOff = !set.PasswordsAllowed()
}

// startSSO begins an attempt: a fresh state, nonce and PKCE verifier in the session,
// and the visitor on their way to the provider.
func (s *Server) startSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.NotFound(w, r)
		return
	}
	ctx := r.Context()
	next := localPath(r.URL.Query().Get("next"))
	if spine.ViewerFrom(ctx) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	discoverCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a, authURL, err := s.sso.Start(discoverCtx)
	if err != nil {
		s.Log.Warn("single sign-on: provider unavailable", "request_id", middleware.GetReqID(ctx), "err", err)
		f := ui.LoginForm{Next: next, Error: i18n.T(ctx, "sso_unavailable")}
		s.renderLogin(w, r, http.StatusServiceUnavailable, f)
		return
	}
	s.sessions.Put(ctx, ssoStateKey, a.State)
	s.sessions.Put(ctx, ssoNonceKey, a.Nonce)
	s.sessions.Put(ctx, ssoVerifierKey, a.Verifier)
	s.sessions.Put(ctx, ssoNextKey, next)
	s.sessions.Put(ctx, ssoStartedKey, s.Now().Unix())
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// finishSSO is where the provider sends the visitor back. The attempt is taken out of
// the session first, so it is used once whatever happens next; then the state, the
// code (with the verifier), the ID token and its nonce are checked, and the person is
// found, bound, created or refused as accord.DecideSSO says.
func (s *Server) finishSSO(w http.ResponseWriter, r *http.Request) {
	if s.sso == nil {
		s.NotFound(w, r)
		return
	}
	ctx := r.Context()
	a := sso.Attempt{State: s.sessions.PopString(ctx, ssoStateKey), Nonce: s.sessions.PopString(ctx, ssoNonceKey),
		Verifier: s.sessions.PopString(ctx, ssoVerifierKey)}
	next := localPath(s.sessions.PopString(ctx, ssoNextKey))
	started := time.Unix(s.sessions.GetInt64(ctx, ssoStartedKey), 0)
	s.sessions.Remove(ctx, ssoStartedKey)
	q := r.URL.Query()
	log := s.Log.With("request_id", middleware.GetReqID(ctx))

	if !a.StateMatches(q.Get("state")) || s.Now().Sub(started) > ssoAttemptLifetime {
		log.Warn("single sign-on: state is not this browser's attempt, or too old")
		s.ssoProblem(w, r, http.StatusBadRequest, ssoStale, "")
		return
	}
	if q.Get("error") != "" {
		log.Info("single sign-on: the provider did not sign in", "error", clip(q.Get("error"), 100))
		s.ssoProblem(w, r, http.StatusUnauthorized, ssoCancelled, "")
		return
	}
	if q.Get("code") == "" {
		s.ssoProblem(w, r, http.StatusBadRequest, ssoRejected, "")
		return
	}
	finishCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	id, err := s.sso.Finish(finishCtx, a, q.Get("code"))
	switch {
	case errors.Is(err, sso.ErrUnavailable):
		log.Warn("single sign-on: provider unavailable", "err", err)
		s.ssoProblem(w, r, http.StatusServiceUnavailable, ssoUnavailable, "")
		return
	case errors.Is(err, sso.ErrNoEmail):
		log.Warn("single sign-on: no usable email", "subject", id.Subject, "err", err)
		s.ssoProblem(w, r, http.StatusForbidden, ssoNoEmail, "")
		return
	case err != nil:
		log.Warn("single sign-on: answer rejected", "err", err)
		s.ssoProblem(w, r, http.StatusBadRequest, ssoRejected, "")
		return
	}

	hash := ""
	if s.sso.Settings().CreateUnknown {
		if hash, err = s.unusableHash(ctx); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	outcome, user, err := s.store.SignInWithIdentity(ctx, id, s.sso.Settings().CreateUnknown, hash)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if !outcome.SignsIn() {
		log.Info("single sign-on: refused", "outcome", outcome, "email", id.Email)
		s.ssoProblem(w, r, http.StatusForbidden, ssoProblemOf(outcome), id.Email)
		return
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessionUserKey, user.ID)
	if outcome == accord.SSOCreate {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// ssoProblemKind is why a single sign-on did not let someone in.
type ssoProblemKind int

const (
	ssoStale ssoProblemKind = iota
	ssoRejected
	ssoCancelled
	ssoUnavailable
	ssoNoEmail
	ssoUnknown
	ssoDeactivated
	ssoOtherSubject
)

func ssoProblemOf(o accord.SSOOutcome) ssoProblemKind {
	switch o {
	case accord.SSORefuseUnknown:
		return ssoUnknown
	case accord.SSORefuseDeactivated:
		return ssoDeactivated
	default:
		return ssoOtherSubject
	}
}

// ssoProblem shows what happened and what to do next, in the reader's language.
func (s *Server) ssoProblem(w http.ResponseWriter, r *http.Request, status int, kind ssoProblemKind, email string) {
	ctx := r.Context()
	data := map[string]any{"Email": email}
	p := ui.SSOProblem{Status: status}
	switch kind {
	case ssoStale:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_stale_title"), Message: i18n.T(ctx, "sso_stale_message"),
			Next: i18n.T(ctx, "sso_stale_next"), Retry: true}
	case ssoRejected:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_rejected_title"), Message: i18n.T(ctx, "sso_rejected_message"),
			Next: i18n.T(ctx, "sso_rejected_next"), Retry: true}
	case ssoCancelled:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_cancelled_title"), Message: i18n.T(ctx, "sso_cancelled_message"),
			Next: i18n.T(ctx, "sso_cancelled_next"), Retry: true}
	case ssoUnavailable:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_unavailable_title"), Message: i18n.T(ctx, "sso_unavailable_message"),
			Next: i18n.T(ctx, "sso_unavailable_next"), Retry: true}
	case ssoNoEmail:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_no_email_title"), Message: i18n.T(ctx, "sso_no_email_message"),
			Next: i18n.T(ctx, "sso_no_email_next")}
	case ssoUnknown:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_unknown_title"), Message: i18n.T(ctx, "sso_unknown_message", data),
			Next: i18n.T(ctx, "sso_unknown_next")}
	case ssoDeactivated:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_deactivated_title"), Message: i18n.T(ctx, "sso_deactivated_message", data),
			Next: i18n.T(ctx, "sso_deactivated_next")}
	case ssoOtherSubject:
		p = ui.SSOProblem{Title: i18n.T(ctx, "sso_other_subject_title"), Message: i18n.T(ctx, "sso_other_subject_message", data),
			Next: i18n.T(ctx, "sso_other_subject_next")}
	}
	p.Status = status
	s.page(w, r, status, p.Title, "", ui.SSOProblemPage(p))
}

// unusableHash is the password hash of a person created at their first single
// sign-on: the hash of a random secret that is never kept, so no password signs them in.
func (s *Server) unusableHash(ctx context.Context) (string, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails (Go 1.24+)
	return s.Passwords.Hash(ctx, base64.RawURLEncoding.EncodeToString(secret))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
