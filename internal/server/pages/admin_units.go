package pages

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// showUnitsPage lists the whole tree, closed units included.
func (s *Server) showUnitsPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "admin_units_title"), "admin_units", ui.AdminUnits(ui.AdminUnitsView{Units: units}))
}

func (s *Server) showNewUnitPage(w http.ResponseWriter, r *http.Request) {
	units, err := s.store.Units(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	f := ui.UnitForm{Parents: openUnits(units), ParentID: formInt64(r, "parent_id")}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "admin_unit_new_title"), "admin_units", ui.NewUnit(f))
}

// createUnit adds a unit under the chosen parent; the very first unit becomes the top.
func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	in := accord.UnitInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"), ParentID: formInt64(r, "parent_id")}
	in.Normalize()
	err = in.Validate(len(units) > 0)
	var u accord.Unit
	if err == nil {
		u, err = s.store.CreateUnit(ctx, spine.ViewerFrom(ctx).User.ID, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, "code", "name", "name_en", "parent_id")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		f := ui.UnitForm{Code: in.Code, Name: in.Name, NameEN: in.NameEN, ParentID: in.ParentID, Parents: openUnits(units),
			Error: st.Error, Fields: st.Fields}
		s.page(w, r, status, i18n.T(ctx, "admin_unit_new_title"), "admin_units", ui.NewUnit(f))
		return
	}
	s.flash(ctx, "admin_unit_created", map[string]any{"Name": u.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, unitPath(u.ID), http.StatusSeeOther)
}

func (s *Server) showUnitPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	p, err := s.unitPage(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, p.Unit.DisplayName(i18n.Lang(r.Context())), "admin_units", ui.AdminUnit(p))
}

// unitPage loads everything the unit's page shows in three queries: the tree (which
// gives the unit, its ancestors, sub-units and move targets), the members, the history.
func (s *Server) unitPage(ctx context.Context, id int64) (ui.UnitPage, error) {
	units, err := s.store.Units(ctx)
	if err != nil {
		return ui.UnitPage{}, err
	}
	u, ok := findUnit(units, id)
	if !ok {
		return ui.UnitPage{}, accord.Errorf(accord.ECodeNotFound, "unit_not_found", nil)
	}
	members, err := s.store.UnitMembers(ctx, id)
	if err != nil {
		return ui.UnitPage{}, err
	}
	entries, err := s.store.AuditEntries(ctx, accord.AuditUnit, id, historyLength)
	if err != nil {
		return ui.UnitPage{}, err
	}
	p := ui.UnitPage{Unit: u, Members: members, History: entries}
	for _, ancestorID := range u.Path[:len(u.Path)-1] {
		if a, ok := findUnit(units, ancestorID); ok {
			p.Ancestors = append(p.Ancestors, a)
		}
	}
	for _, other := range units {
		if other.ParentID != nil && *other.ParentID == id && other.Open() {
			p.OpenChildren++
		}
		if other.Open() && !slices.Contains(other.Path, id) {
			p.MoveTargets = append(p.MoveTargets, other)
		}
	}
	v := u.Version
	p.Rename = ui.RenameUnitForm{FormState: ui.FormState{Version: v}, Name: u.Name, NameEN: u.NameEN}
	p.Move = ui.MoveUnitForm{FormState: ui.FormState{Version: v}}
	if u.ParentID != nil {
		p.Move.ParentID = *u.ParentID
	}
	p.Head = ui.EmailForm{FormState: ui.FormState{Version: v}}
	for _, m := range members {
		if u.HeadUserID != nil && m.ID == *u.HeadUserID {
			p.Head.Email = m.Email
		}
	}
	p.Close = ui.FormState{Version: v}
	return p, nil
}

// unitFormFailed shows the unit's page again with one form as the user left it. After
// a conflict the form carries the current version, so saving again applies the input
// over the other change, now on screen; after a refusal it keeps the version it had.
func (s *Server) unitFormFailed(w http.ResponseWriter, r *http.Request, id int64, err error, fields []string, keep func(*ui.UnitPage, ui.FormState)) {
	status, st, ok := formProblem(r.Context(), err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	p, err := s.unitPage(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	st.Version = p.Unit.Version
	if status != http.StatusConflict {
		st.Version = int(formInt64(r, "version"))
	}
	keep(&p, st)
	s.page(w, r, status, p.Unit.DisplayName(i18n.Lang(r.Context())), "admin_units", ui.AdminUnit(p))
}

func (s *Server) renameUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	in := accord.UnitInput{Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en")}
	in.Normalize()
	err := in.Validate(false)
	if err == nil {
		_, err = s.store.RenameUnit(ctx, spine.ViewerFrom(ctx).User.ID, id, int(formInt64(r, "version")), in.Name, in.NameEN)
	}
	if err != nil {
		s.unitFormFailed(w, r, id, err, []string{"name", "name_en"}, func(p *ui.UnitPage, st ui.FormState) {
			p.Rename = ui.RenameUnitForm{FormState: st, Name: in.Name, NameEN: in.NameEN}
		})
		return
	}
	s.flash(ctx, "admin_unit_renamed")
	http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
}

func (s *Server) moveUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	parentID := formInt64(r, "parent_id")
	var err error
	if parentID == 0 {
		var v accord.Validation
		v.Add("parent_id", "field_required")
		err = v.Err()
	} else {
		_, err = s.store.MoveUnit(ctx, spine.ViewerFrom(ctx).User.ID, id, int(formInt64(r, "version")), parentID)
	}
	if err != nil {
		s.unitFormFailed(w, r, id, err, []string{"parent_id"}, func(p *ui.UnitPage, st ui.FormState) {
			p.Move = ui.MoveUnitForm{FormState: st, ParentID: parentID}
		})
		return
	}
	s.flash(ctx, "admin_unit_moved")
	http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
}

// setUnitHead names the head by email; an empty email leaves the post vacant.
func (s *Server) setUnitHead(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	var head *accord.User
	var err error
	if email != "" {
		var u accord.User
		if u, err = s.store.UserByEmail(ctx, email); err == nil {
			head = &u
			if !u.Active() {
				err = accord.FieldError("email", "user_inactive")
			}
		}
	}
	if err == nil {
		var headID *int64
		if head != nil {
			headID = &head.ID
		}
		_, err = s.store.SetUnitHead(ctx, spine.ViewerFrom(ctx).User.ID, id, int(formInt64(r, "version")), headID)
	}
	if err != nil {
		s.unitFormFailed(w, r, id, err, []string{"email"}, func(p *ui.UnitPage, st ui.FormState) {
			p.Head = ui.EmailForm{FormState: st, Email: email}
		})
		return
	}
	if head == nil {
		s.flash(ctx, "admin_unit_head_vacated")
	} else {
		s.flash(ctx, "admin_unit_head_set", map[string]any{"Name": head.DisplayName(i18n.Lang(ctx))})
	}
	http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
}

func (s *Server) closeUnit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	if _, err := s.store.CloseUnit(ctx, spine.ViewerFrom(ctx).User.ID, id, int(formInt64(r, "version"))); err != nil {
		s.unitFormFailed(w, r, id, err, nil, func(p *ui.UnitPage, st ui.FormState) { p.Close = st })
		return
	}
	s.flash(ctx, "admin_unit_closed")
	http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
}

// addUnitMember puts the person with the given email in the unit.
func (s *Server) addUnitMember(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	unit, err := s.store.Unit(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if !unit.Open() {
		s.flashRefusal(ctx, accord.Errorf(accord.ECodeInvalid, "admin_unit_is_closed", nil))
		http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	var u accord.User
	switch {
	case email == "":
		err = accord.FieldError("email", "field_required")
	default:
		if u, err = s.store.UserByEmail(ctx, email); err == nil && !u.Active() {
			err = accord.FieldError("email", "user_inactive")
		}
	}
	if err == nil {
		err = s.store.AddMembership(ctx, spine.ViewerFrom(ctx).User.ID, u.ID, id)
	}
	if err != nil {
		s.unitFormFailed(w, r, id, err, []string{"email"}, func(p *ui.UnitPage, st ui.FormState) {
			p.AddMember = ui.EmailForm{FormState: st, Email: email}
		})
		return
	}
	s.flash(ctx, "admin_member_added", map[string]any{"Name": u.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, unitPath(id), http.StatusSeeOther)
}

func (s *Server) removeUnitMember(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	userID, ok := s.pathID(w, r, "userID")
	if !ok {
		return
	}
	s.removeMembership(w, r, userID, id, unitPath(id))
}

// removeMembership takes a user out of a unit and goes back to the page the button
// was on; a refusal (the head cannot leave) is shown there as an error.
func (s *Server) removeMembership(w http.ResponseWriter, r *http.Request, userID, unitID int64, back string) {
	ctx := r.Context()
	unit, err := s.store.Unit(ctx, unitID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	err = s.store.RemoveMembership(ctx, spine.ViewerFrom(ctx).User.ID, userID, unitID)
	switch {
	case refused(err):
		s.flashRefusal(ctx, err)
	case err != nil:
		s.Fail(w, r, err)
		return
	default:
		lang := i18n.Lang(ctx)
		s.flash(ctx, "admin_member_removed", map[string]any{"Name": u.DisplayName(lang), "Unit": unit.DisplayName(lang)})
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
