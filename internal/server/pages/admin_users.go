package pages

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

const (
	usersPerPage = 25
	maxUsersPage = 100_000 // keeps the offset far from overflowing
)

// showUsersPage lists people page by page, searched by name or email.
func (s *Server) showUsersPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	inactive := r.URL.Query().Get("inactive") == "1"
	page := min(pageParam(r), maxUsersPage)
	rows, total, err := s.store.Users(ctx, store.UserFilter{Query: q, IncludeInactive: inactive,
		Offset: (page - 1) * usersPerPage, Limit: usersPerPage})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	search := url.Values{}
	if q != "" {
		search.Set("q", q)
	}
	if inactive {
		search.Set("inactive", "1")
	}
	base := "/admin/users"
	if len(search) > 0 {
		base += "?" + search.Encode()
	}
	v := ui.UsersView{Query: q, Inactive: inactive, Page: page, Pages: pages(total, usersPerPage), Total: total, Base: base,
		Rows: rows}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "admin_users_title"), "admin_users", ui.AdminUsers(v))
}

func (s *Server) showNewUserPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	f := ui.UserForm{Units: openUnits(units), UnitID: formInt64(r, "unit_id")}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "admin_user_new_title"), "admin_users", ui.NewUser(f))
}

// createUser registers a person with an initial password and, optionally, their
// first unit.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	in := accord.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"),
		Password: r.PostFormValue("password"), IsAdmin: r.PostFormValue("is_admin") == "1"}
	in.Normalize()
	unitID := formInt64(r, "unit_id")
	v := accord.Validation{Fields: accord.FieldErrors(in.Validate())}
	if unit, ok := findUnit(units, unitID); unitID != 0 && (!ok || !unit.Open()) {
		v.Add("unit_id", "unit_not_found")
	}
	err = v.Err()
	var u accord.User
	if err == nil {
		u, err = s.CreateUser(r.Context(), in, unitID)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, "email", "name", "name_en", "password", "unit_id")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f := ui.UserForm{Email: in.Email, Name: in.Name, NameEN: in.NameEN, IsAdmin: in.IsAdmin, UnitID: unitID,
			Units: openUnits(units), Fields: st.Fields}
		s.page(w, r, status, i18n.T(ctx, "admin_user_new_title"), "admin_users", ui.NewUser(f))
		return
	}
	s.flash(ctx, "admin_user_created", map[string]any{"Name": u.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, userPath(u.ID), http.StatusSeeOther)
}

func (s *Server) showUserPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	p, err := s.userPage(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, p.User.DisplayName(i18n.Lang(r.Context())), "admin_users", ui.AdminUser(p))
}

// userPage loads the person with their units, the units they could join, and their
// history: three queries.
func (s *Server) userPage(ctx context.Context, id int64) (ui.UserPage, error) {
	row, err := s.store.UserWithUnits(ctx, id)
	if err != nil {
		return ui.UserPage{}, err
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return ui.UserPage{}, err
	}
	entries, err := s.store.AuditEntries(ctx, accord.AuditUser, id, historyLength)
	if err != nil {
		return ui.UserPage{}, err
	}
	p := ui.UserPage{User: row.User, Units: row.Units, History: entries,
		Self:       spine.ViewerFrom(ctx).User.ID == id,
		Deactivate: ui.FormState{Version: row.Version}}
	for _, u := range openUnits(units) {
		if !slices.ContainsFunc(row.Units, func(m accord.Membership) bool { return m.UnitID == u.ID }) {
			p.JoinTargets = append(p.JoinTargets, u)
		}
	}
	return p, nil
}

// userFormFailed shows the person's page again with one form as the user left it.
func (s *Server) userFormFailed(w http.ResponseWriter, r *http.Request, id int64, err error, fields []string, keep func(*ui.UserPage, ui.FormState)) {
	status, st, ok := formProblem(r.Context(), err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	p, err := s.userPage(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	st.Version = p.User.Version
	if status != http.StatusConflict {
		st.Version = int(formInt64(r, "version"))
	}
	keep(&p, st)
	s.page(w, r, status, p.User.DisplayName(i18n.Lang(r.Context())), "admin_users", ui.AdminUser(p))
}

// addUserUnit puts the person in the chosen unit.
func (s *Server) addUserUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if !u.Active() {
		s.flashRefusal(ctx, accord.Errorf(accord.ECodeInvalid, "user_inactive", nil))
		http.Redirect(w, r, userPath(id), http.StatusSeeOther)
		return
	}
	unitID := formInt64(r, "unit_id")
	var unit accord.Unit
	switch {
	case unitID == 0:
		err = accord.FieldError("unit_id", "field_required")
	default:
		unit, err = s.store.Unit(ctx, unitID)
		if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			err = accord.FieldError("unit_id", "unit_not_found")
		} else if err == nil && !unit.Open() {
			err = accord.FieldError("unit_id", "unit_parent_closed")
		}
	}
	if err == nil {
		err = s.store.AddMembership(ctx, spine.ViewerFrom(ctx).User.ID, id, unitID)
	}
	if err != nil {
		s.userFormFailed(w, r, id, err, []string{"unit_id"}, func(p *ui.UserPage, st ui.FormState) {
			p.AddUnit = ui.UnitChoiceForm{FormState: st, UnitID: unitID}
		})
		return
	}
	s.flash(ctx, "admin_user_joined", map[string]any{"Unit": unit.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, userPath(id), http.StatusSeeOther)
}

func (s *Server) removeUserUnit(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	unitID, ok := s.pathID(w, r, "unitID")
	if !ok {
		return
	}
	s.removeMembership(w, r, id, unitID, userPath(id))
}

// deactivateUser stops the person from signing in; their history stays and the posts
// they head become vacant. Admins cannot lock themselves out this way.
func (s *Server) deactivateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if id == spine.ViewerFrom(ctx).User.ID {
		s.flashRefusal(ctx, accord.Errorf(accord.ECodeInvalid, "admin_user_deactivate_self", nil))
		http.Redirect(w, r, userPath(id), http.StatusSeeOther)
		return
	}
	if err := s.store.DeactivateUser(ctx, spine.ViewerFrom(ctx).User.ID, id, int(formInt64(r, "version"))); err != nil {
		s.userFormFailed(w, r, id, err, nil, func(p *ui.UserPage, st ui.FormState) { p.Deactivate = st })
		return
	}
	s.flash(ctx, "admin_user_deactivated", map[string]any{"Name": u.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, userPath(id), http.StatusSeeOther)
}
