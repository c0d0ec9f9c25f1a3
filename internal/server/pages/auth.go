package pages

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

func (s *Server) showLoginPage(w http.ResponseWriter, r *http.Request) {
	if spine.ViewerFrom(r.Context()) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, ui.LoginForm{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, f ui.LoginForm) {
	s.ssoLoginForm(r.Context(), &f)
	f.DemoHint = s.Opts.DemoHint && !f.PasswordsOff
	s.page(w, r, status, i18n.T(r.Context(), "login_title"), "", ui.Login(f))
}

// login checks the password, throttling repeated failures per email and per address,
// and renews the session id so a planted one is useless.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	form := ui.LoginForm{Email: email, Next: localPath(r.PostFormValue("next"))}
	if !s.Opts.SSO.PasswordsAllowed() {
		form.Error = i18n.T(ctx, "sso_passwords_off")
		s.renderLogin(w, r, http.StatusForbidden, form)
		return
	}
	ip := s.ClientAddress(r)
	now := s.Now()

	failures, err := s.store.LoginFailures(ctx, email, ip, now.Add(-accord.LoginFailureWindow))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if wait := accord.LoginDelay(failures, now); wait > 0 {
		seconds := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(seconds))
		form.Error = i18n.T(ctx, "login_throttled", map[string]any{"Seconds": seconds})
		s.renderLogin(w, r, http.StatusTooManyRequests, form)
		return
	}

	user, hash, err := s.store.UserCredentials(ctx, email)
	if err != nil && accord.ErrorCodeOf(err) != accord.ECodeNotFound {
		s.Fail(w, r, err)
		return
	}
	known := err == nil
	if !known {
		if hash, err = s.dummyHash(); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	ok, err := s.Passwords.Check(ctx, r.PostFormValue("password"), hash)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	ok = ok && known
	if !ok {
		if err := s.store.RecordLoginFailure(ctx, email, ip, now); err != nil {
			s.Fail(w, r, err)
			return
		}
		form.Error = i18n.T(ctx, "login_failed")
		s.renderLogin(w, r, http.StatusUnauthorized, form)
		return
	}
	if err := s.store.ClearLoginFailures(ctx, email, now.Add(-accord.LoginFailureWindow)); err != nil {
		s.Fail(w, r, err)
		return
	}
	if !s.Passwords.Current(hash) {
		s.upgradeHash(ctx, user.ID, hash, r.PostFormValue("password"))
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessionUserKey, user.ID)
	http.Redirect(w, r, form.Next, http.StatusSeeOther)
}

// upgradeHash rehashes a just-checked password made with older parameters. Failing
// only keeps the old hash, which still checks, so it does not fail the sign-in.
func (s *Server) upgradeHash(ctx context.Context, userID int64, old, plain string) {
	fresh, err := s.Passwords.Hash(ctx, plain)
	if err == nil {
		err = s.store.ReplacePasswordHash(ctx, userID, old, fresh)
	}
	if err != nil {
		s.Log.Warn("keep an outdated password hash", "user_id", userID, "err", err)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

const langCookie = "accord_lang"

// switchLanguage saves the choice on the user, or in a cookie before sign-in.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if lang != i18n.Chinese && lang != i18n.English {
		lang = ""
	}
	if v := spine.ViewerFrom(r.Context()); v != nil {
		if err := s.store.SetUserLocale(r.Context(), v.User.ID, lang); err != nil {
			s.Fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Opts.SecureCookies})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}
