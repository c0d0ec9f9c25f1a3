package pages

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// adminRoutes are for admins only (see requireAdmin).
func (s *Server) adminRoutes(r chi.Router) {
	r.Get("/admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/units", http.StatusSeeOther)
	})

	r.Get("/admin/units", s.showUnitsPage)
	r.Get("/admin/units/new", s.showNewUnitPage)
	r.Post("/admin/units", s.createUnit)
	r.Get("/admin/units/{id}", s.showUnitPage)
	r.Post("/admin/units/{id}/rename", s.renameUnit)
	r.Post("/admin/units/{id}/move", s.moveUnit)
	r.Post("/admin/units/{id}/head", s.setUnitHead)
	r.Post("/admin/units/{id}/close", s.closeUnit)
	r.Post("/admin/units/{id}/members", s.addUnitMember)
	r.Post("/admin/units/{id}/members/{userID}/remove", s.removeUnitMember)

	r.Get("/admin/users", s.showUsersPage)
	r.Get("/admin/users/new", s.showNewUserPage)
	r.Post("/admin/users", s.createUser)
	r.Get("/admin/users/{id}", s.showUserPage)
	r.Post("/admin/users/{id}/units", s.addUserUnit)
	r.Post("/admin/users/{id}/units/{unitID}/remove", s.removeUserUnit)
	r.Post("/admin/users/{id}/deactivate", s.deactivateUser)
}

// pathID reads a positive id from the path. Anything else is a page that does not
// exist: the 404 page is sent and ok is false.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request, name string) (id int64, ok bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		s.NotFound(w, r)
		return 0, false
	}
	return id, true
}

// formProblem sorts a refused save into what its form shows again. A stale version is
// a conflict (409); problems with the input and refusals by the domain's rules stay on
// the form (422), each field's message next to it when the form has that field, else
// above the form. ok is false for any other error, which s.fail answers.
func formProblem(ctx context.Context, err error, formFields ...string) (status int, state ui.FormState, ok bool) {
	var e *accord.Error
	if !errors.As(err, &e) {
		return 0, ui.FormState{}, false
	}
	switch {
	case e.Code == accord.ECodeConflict && len(e.Fields) == 0:
		return spine.StatusOf(e.Code), ui.FormState{Error: errorMessage(ctx, e)}, true
	case e.Code == accord.ECodeInvalid || e.Code == accord.ECodeConflict:
		state.Fields = map[string]string{}
		for field, id := range e.Fields {
			if slices.Contains(formFields, field) {
				state.Fields[field] = id
			} else if state.Error == "" {
				state.Error = i18n.T(ctx, id)
			}
		}
		if len(e.Fields) == 0 {
			state.Error = errorMessage(ctx, e)
		}
		return spine.StatusOf(accord.ECodeInvalid), state, true // a conflict on a field is the form's to fix
	}
	return 0, ui.FormState{}, false
}

// errorMessage says a domain error's message in the reader's language.
func errorMessage(ctx context.Context, e *accord.Error) string {
	if e.Data != nil {
		return i18n.T(ctx, e.MessageID, e.Data)
	}
	return i18n.T(ctx, e.MessageID)
}

// flashRefusal shows why an action was refused on the next page, as an error. It is
// for buttons without a form of their own to show the message on.
func (s *Server) flashRefusal(ctx context.Context, err error) {
	var e *accord.Error
	msg := i18n.T(ctx, "error_invalid_form")
	if errors.As(err, &e) {
		msg = errorMessage(ctx, e)
	}
	s.sessions.Put(ctx, flashErrorKey, msg)
}

// refused reports whether err is the user's to fix (invalid input or a rule), as
// opposed to a missing page or a fault.
func refused(err error) bool {
	code := accord.ErrorCodeOf(err)
	return code == accord.ECodeInvalid || code == accord.ECodeConflict
}

// historyLength is how many audit entries an admin page shows.
const historyLength = 20

// openUnits keeps the units that still operate, in the same order.
func openUnits(units []accord.Unit) []accord.Unit {
	open := make([]accord.Unit, 0, len(units))
	for _, u := range units {
		if u.Open() {
			open = append(open, u)
		}
	}
	return open
}

func findUnit(units []accord.Unit, id int64) (accord.Unit, bool) {
	i := slices.IndexFunc(units, func(u accord.Unit) bool { return u.ID == id })
	if i < 0 {
		return accord.Unit{}, false
	}
	return units[i], true
}

func unitPath(id int64) string { return "/admin/units/" + strconv.FormatInt(id, 10) }

func userPath(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }
