package api

import (
	"net/http"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"

	"github.com/go-chi/chi/v5"
)

// adminRoutes declares the endpoints for the administrator's changes to the organisation.
func (s *Server) adminRoutes(r chi.Router) {
	r.Post("/units", s.apiCreateUnit)
	r.Patch("/units/{id}", s.apiUpdateUnit)
	r.Post("/units/{id}/members", s.apiAddUnitMember)
	r.Post("/users", s.apiCreateUser)
}

// The admin's API: the org tree and the people in it, with the store calls and checks
// of the admin pages (admin_units.go, admin_users.go).

// apiAdminOnly refuses non-admins. They get 404, as the admin pages answer them: the
// authorisation matrix holds the API to the UI's outcomes, role by role.
func apiAdminOnly(v *accord.Viewer) error {
	if !accord.MayAdminister(*v) {
		return accord.Errorf(accord.ECodeNotFound, "api_not_found", nil)
	}
	return nil
}

// apiUserWithUnits is a person with the open units they belong to.
type apiUserWithUnits struct {
	User        apiUser         `json:"user"`
	Memberships []apiMembership `json:"memberships"`
}

func toAPIMemberships(ms []accord.Membership) []apiMembership {
	out := make([]apiMembership, 0, len(ms))
	for _, m := range ms {
		out = append(out, apiMembership{UnitID: apiID(m.UnitID), UnitName: m.UnitName, UnitNameEN: m.UnitNameEN,
			IsHead: m.IsHead})
	}
	return out
}

// apiCreateUnit adds a unit under parent_id; only the very first unit may go without.
func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if err := apiAdminOnly(v); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		Name     string  `json:"name"`
		NameEN   string  `json:"name_en"`
		ParentID *string `json:"parent_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var read accord.Validation
	in := accord.UnitInput{Name: body.Name, NameEN: body.NameEN}
	if id := parseAPIID(body.ParentID, "parent_id", &read); id != nil {
		in.ParentID = *id
	}
	in.Normalize()
	hasTree, err := s.store.HasOrganisation(ctx)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	err = spine.MergeProblems(read, in.Validate(hasTree))
	var u accord.Unit
	if err == nil {
		u, err = s.store.CreateUnit(ctx, v.User.ID, in)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/units/"+apiID(u.ID))
	s.apiJSON(w, r, http.StatusCreated, toAPIUnit(u))
}

// apiUnitPatch changes one thing about a unit, as one of the unit page's forms does:
// its names, its parent, its head (null leaves the post vacant), or closing it. Each
// is its own transaction in the store, so one request makes one change and a failed
// change never leaves half of a request applied.
type apiUnitPatch struct {
	sentVersion
	Name       opt[string] `json:"name"`
	NameEN     opt[string] `json:"name_en"`
	ParentID   opt[string] `json:"parent_id"`
	HeadUserID opt[string] `json:"head_user_id"`
	Closed     opt[bool]   `json:"closed"`
}

// change names the one kind of change the body asks for: "rename", "move", "head",
// "close", or "" when it asks for none or several.
func (b apiUnitPatch) change() string {
	var kinds []string
	if b.Name.Set || b.NameEN.Set {
		kinds = append(kinds, "rename")
	}
	if b.ParentID.Set {
		kinds = append(kinds, "move")
	}
	if b.HeadUserID.Set {
		kinds = append(kinds, "head")
	}
	if b.Closed.Set {
		kinds = append(kinds, "close")
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// apiUpdateUnit applies the patch if the version is current; a stale one gets 409
// with the unit as it stands.
func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	current, err := s.adminUnit(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiUnitPatch
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	u, err := s.applyUnitPatch(r, current, body)
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.Unit(ctx, current.ID); lerr == nil {
			s.apiFail(w, r, err, toAPIUnit(now))
			return
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIUnit(u))
}

func (s *Server) applyUnitPatch(r *http.Request, current accord.Unit, body apiUnitPatch) (accord.Unit, error) {
	ctx := r.Context()
	actor := spine.ViewerFrom(ctx).User.ID
	version := *body.Version
	var read accord.Validation
	switch body.change() {
	case "rename":
		in := accord.UnitInput{Name: current.Name, NameEN: current.NameEN}
		// null clears a name: the English one may be empty, the Chinese one may not.
		for _, f := range []struct {
			o   opt[string]
			dst *string
		}{{body.Name, &in.Name}, {body.NameEN, &in.NameEN}} {
			if f.o.Set {
				*f.dst = ""
				f.o.apply(f.dst)
			}
		}
		in.Normalize()
		if err := in.Validate(false); err != nil {
			return accord.Unit{}, err
		}
		return s.store.RenameUnit(ctx, actor, current.ID, version, in.Name, in.NameEN)
	case "move":
		parentID := parseAPIID(body.ParentID.Value, "parent_id", &read)
		if body.ParentID.Value == nil {
			read.Add("parent_id", "field_required")
		}
		if err := read.Err(); err != nil {
			return accord.Unit{}, err
		}
		return s.store.MoveUnit(ctx, actor, current.ID, version, *parentID)
	case "head":
		headID := parseAPIID(body.HeadUserID.Value, "head_user_id", &read)
		if err := read.Err(); err != nil {
			return accord.Unit{}, err
		}
		return s.store.SetUnitHead(ctx, actor, current.ID, version, headID)
	case "close":
		if body.Closed.Value == nil || !*body.Closed.Value {
			read.Add("closed", "api_unit_reopen")
			return accord.Unit{}, read.Err()
		}
		if !current.Open() {
			return current, nil // closing a closed unit changes nothing
		}
		return s.store.CloseUnit(ctx, actor, current.ID, version)
	}
	return accord.Unit{}, accord.Errorf(accord.ECodeInvalid, "api_unit_change_one", nil)
}

// apiCreateUser registers a person with an initial password and, optionally, their
// first unit, as the new-person form does.
func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := apiAdminOnly(spine.ViewerFrom(ctx)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		Email    string  `json:"email"`
		Name     string  `json:"name"`
		NameEN   string  `json:"name_en"`
		Password string  `json:"password"`
		IsAdmin  bool    `json:"is_admin"`
		UnitID   *string `json:"unit_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in := accord.NewUser{Email: body.Email, Name: body.Name, NameEN: body.NameEN, Password: body.Password,
		IsAdmin: body.IsAdmin}
	in.Normalize()
	v := accord.Validation{Fields: accord.FieldErrors(in.Validate())}
	var unit accord.Unit
	if id := parseAPIID(body.UnitID, "unit_id", &v); id != nil {
		var err error
		unit, err = s.store.Unit(ctx, *id)
		switch {
		case accord.ErrorCodeOf(err) == accord.ECodeNotFound || (err == nil && !unit.Open()):
			v.Add("unit_id", "unit_not_found")
		case err != nil:
			s.apiFail(w, r, err)
			return
		}
	}
	err := v.Err()
	var u accord.User
	if err == nil {
		u, err = s.CreateUser(r.Context(), in, unit.ID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiUserWithUnits{User: toAPIUser(u), Memberships: []apiMembership{}}
	if unit.ID != 0 {
		out.Memberships = toAPIMemberships([]accord.Membership{{UnitID: unit.ID, UnitName: unit.Name,
			UnitNameEN: unit.NameEN}})
	}
	s.apiJSON(w, r, http.StatusCreated, out)
}

// apiAddUnitMember puts a person, named by user_id or by email, in the unit; adding
// someone already in it changes nothing. It answers the person with their units.
func (s *Server) apiAddUnitMember(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	unit, err := s.adminUnit(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		UserID *string `json:"user_id"`
		Email  *string `json:"email"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !unit.Open() {
		s.apiFail(w, r, accord.Errorf(accord.ECodeInvalid, "admin_unit_is_closed", nil))
		return
	}
	u, err := s.apiMemberToAdd(r, body.UserID, body.Email)
	if err == nil {
		err = s.store.AddMembership(ctx, v.User.ID, u.ID, unit.ID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	row, err := s.store.UserWithUnits(ctx, u.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, apiUserWithUnits{User: toAPIUser(row.User), Memberships: toAPIMemberships(row.Units)})
}

// apiMemberToAdd finds the active person a membership request names: exactly one of
// user_id and email.
func (s *Server) apiMemberToAdd(r *http.Request, rawID, rawEmail *string) (accord.User, error) {
	ctx := r.Context()
	var read accord.Validation
	email := ""
	if rawEmail != nil {
		email = strings.ToLower(strings.TrimSpace(*rawEmail))
	}
	switch {
	case rawID != nil && email != "":
		read.Add("email", "api_member_one_of")
		return accord.User{}, read.Err()
	case rawID == nil && email == "":
		read.Add("user_id", "api_member_one_of")
		return accord.User{}, read.Err()
	}
	field := "email"
	var u accord.User
	var err error
	if rawID != nil {
		field = "user_id"
		id := parseAPIID(rawID, field, &read)
		if err := read.Err(); err != nil {
			return accord.User{}, err
		}
		u, err = s.store.User(ctx, *id)
		if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			err = accord.FieldError(field, "user_not_found")
		}
	} else {
		u, err = s.store.UserByEmail(ctx, email)
	}
	if err == nil && !u.Active() {
		err = accord.FieldError(field, "user_inactive")
	}
	return u, err
}

// adminUnit is the unit in the path, for an administrator.
func (s *Server) adminUnit(r *http.Request) (accord.Unit, error) {
	if err := apiAdminOnly(spine.ViewerFrom(r.Context())); err != nil {
		return accord.Unit{}, err
	}
	id, err := apiPathID(r)
	if err != nil {
		return accord.Unit{}, err
	}
	return s.store.Unit(r.Context(), id)
}
