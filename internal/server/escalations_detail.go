package server

import (
	"context"
	"net/http"
	"strings"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// escalationRole is the part the viewer plays in one escalation.
type escalationRole struct {
	Decide     bool // the superior it is routed to, or an admin
	Lead       bool // the project's lead
	HolderHead bool // the head of the holding unit
}

// mayView: the superior, an admin, and the two sides see an escalation; nobody else
// learns it exists.
func (r escalationRole) mayView() bool { return r.Decide || r.Lead || r.HolderHead }

// statementSide is the side the viewer speaks for, or "". The holder's head speaks for
// the holder even when they also lead the project, as the store records it.
func (r escalationRole) statementSide() string {
	switch {
	case r.HolderHead:
		return ui.StatementHolder
	case r.Lead:
		return ui.StatementLead
	}
	return ""
}

func escalationRoleOf(e accord.Escalation, v accord.Viewer) escalationRole {
	return escalationRole{
		Decide:     e.AssignedUserID == v.User.ID || v.Roles.Admin,
		Lead:       e.Request.LeadUserID == v.User.ID,
		HolderHead: store.RequestParty(e.Request, v).HolderHead,
	}
}

// escalationFor loads the escalation in the path for someone who may see it; anyone
// else gets the 404 page.
func (s *Server) escalationFor(w http.ResponseWriter, r *http.Request) (accord.Escalation, escalationRole, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Escalation{}, escalationRole{}, false
	}
	e, err := s.store.Escalation(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return accord.Escalation{}, escalationRole{}, false
	}
	role := escalationRoleOf(e, *viewerFrom(r.Context()))
	if !role.mayView() {
		s.notFound(w, r)
		return accord.Escalation{}, escalationRole{}, false
	}
	return e, role, true
}

// escalationView loads what the page shows in five queries after the escalation's,
// whatever the size of the project: the project, its needs, its tracker (which also
// gives where things stand), the request's progress log and the tree; a sixth names
// who decided once someone has.
func (s *Server) escalationView(ctx context.Context, e accord.Escalation, role escalationRole) (ui.EscalationView, error) {
	p, err := s.store.Project(ctx, e.ProjectID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	needs, err := s.store.Needs(ctx, p.ID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	tracker, err := s.store.Tracker(ctx, p.ID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	progress, err := s.store.Progress(ctx, e.RequestID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return ui.EscalationView{}, err
	}
	lang := i18n.Lang(ctx)
	view := ui.EscalationView{Escalation: e, Project: p, Now: s.opts.Now(), Progress: progress, Units: openUnits(units),
		CanDecide: role.Decide, StatementSide: role.statementSide(),
		Decision: ui.EscalationDecisionForm{FormState: ui.FormState{Version: e.Version}}}
	if u, ok := findUnit(units, e.AssignedUnitID); ok {
		view.AssignedUnit = u.DisplayName(lang)
	}
	requests := make([]accord.Request, len(tracker))
	for i, row := range tracker {
		requests[i] = row.Request
		view.Tracker = append(view.Tracker, ui.EscalationTrackerRow{Request: row.Request, Latest: row.Latest})
	}
	view.Brief, view.BriefEdited = e.Brief, e.Brief != ""
	if !view.BriefEdited {
		view.Brief = brief.Build(brief.Input{Project: p, Request: e.Request, Requests: requests, Needs: needs,
			Cause: e.Cause, Reason: e.Reason}, briefTranslator(ctx), lang)
	}
	switch view.StatementSide {
	case ui.StatementHolder:
		view.Statement.Text = e.HolderStatement
	case ui.StatementLead:
		view.Statement.Text = e.LeadStatement
	}
	if e.Decision != nil {
		decider, found, err := s.store.EscalationDecider(ctx, e.ID)
		if err != nil {
			return ui.EscalationView{}, err
		}
		if found {
			view.Decider = decider.DisplayName(lang)
		}
	}
	return view, nil
}

func (s *Server) escalationPage(w http.ResponseWriter, r *http.Request, status int, v ui.EscalationView) {
	title := accord.Need{Title: v.Escalation.Request.NeedTitle, TitleEN: v.Escalation.Request.NeedTitleEN}.DisplayTitle(i18n.Lang(r.Context()))
	s.page(w, r, status, title, "escalations", ui.EscalationPage(v))
}

func (s *Server) showEscalationPage(w http.ResponseWriter, r *http.Request) {
	e, role, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	view, err := s.escalationView(r.Context(), e, role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.escalationPage(w, r, http.StatusOK, view)
}

// readDecisionForm reads a posted decision: the form as typed, the input holding only
// what the chosen kind uses, and the problems found reading a date or a unit.
func readDecisionForm(r *http.Request) (ui.EscalationDecisionForm, accord.DecisionInput, accord.Validation) {
	f := ui.EscalationDecisionForm{Kind: strings.TrimSpace(r.PostFormValue("kind")), Note: r.PostFormValue("note"),
		Scope: r.PostFormValue("scope"), DueDate: r.PostFormValue("due_date"), Tier: strings.TrimSpace(r.PostFormValue("tier")),
		AltTitle: r.PostFormValue("alt_title"), AltParty: r.PostFormValue("alt_party")}
	in := accord.DecisionInput{Kind: accord.DecisionKind(f.Kind), Note: f.Note}
	var read accord.Validation
	due, dateOK := formDate(r, "due_date")
	unit, unitOK := formOptionalID(r, "alt_unit_id")
	if unit != nil {
		f.AltUnitID = *unit
	}
	switch in.Kind {
	case accord.DecideDirect, accord.DecideRescope:
		in.Scope, in.DueDate = f.Scope, due
		if in.Kind == accord.DecideRescope {
			in.Tier = accord.Tier(f.Tier)
		}
		if !dateOK {
			read.Add("due_date", "esc_field_date")
		}
	case accord.DecideAlternative:
		in.AltTitle, in.AltUnitID, in.AltParty = f.AltTitle, unit, f.AltParty
		if !unitOK {
			read.Add("alt_holder", "unit_not_found")
		}
	}
	in.Normalize()
	return f, in, read
}

// decideEscalation records the superior's binding decision, applied to the request in
// the same transaction. Only the superior it is routed to, or an admin, may decide;
// the two sides get 403, anyone else 404.
func (s *Server) decideEscalation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, role, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if !role.Decide {
		s.fail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_not_yours", nil))
		return
	}
	f, in, read := readDecisionForm(r)
	err := mergeProblems(read, in.Validate())
	if err == nil {
		_, err = s.store.Decide(ctx, *viewerFrom(ctx), e.ID, int(formInt64(r, "version")), in, s.opts.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, role, err, decisionFields, func(v *ui.EscalationView, st ui.FormState) {
			f.FormState = st
			v.Decision = f
			if v.Escalation.Status != accord.EscalationOpen || !v.CanDecide {
				v.Alert = st.Error // the form is gone; say why above the page
			}
		})
		return
	}
	if in.Kind == accord.DecideSendBack {
		s.flash(ctx, "esc_sent_back_flash")
	} else {
		s.flash(ctx, "esc_decided_flash")
	}
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}

var decisionFields = []string{"kind", "note", "scope", "due_date", "tier", "alt_title", "alt_holder", "alt_party"}

// addEscalationStatement records one side's short statement. The lead's answer to a
// superior who sent the escalation back puts it before them again.
func (s *Server) addEscalationStatement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, role, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if role.statementSide() == "" {
		s.fail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_not_a_party", nil))
		return
	}
	raw := r.PostFormValue("text")
	text := strings.TrimSpace(raw)
	var v accord.Validation
	switch {
	case text == "":
		v.Add("text", "esc_statement_required")
	default: // bad characters too: a NUL would fail the insert with a 500
		accord.ValidateText(&v, "text", text, accord.MaxNoteLength)
	}
	err := v.Err()
	if err == nil && e.Status == accord.EscalationDecided {
		err = accord.Errorf(accord.ECodeInvalid, "esc_statement_closed", nil)
	}
	if err == nil {
		err = s.store.AddStatement(ctx, *viewerFrom(ctx), e.ID, text, s.opts.DecisionWindowDays, s.opts.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, role, err, []string{"text"}, func(v *ui.EscalationView, st ui.FormState) {
			v.Statement = ui.EscalationStatementForm{FormState: st, Text: raw}
			if v.Escalation.Status == accord.EscalationDecided {
				v.Alert = st.Error // the form is gone; say why above the page
			}
		})
		return
	}
	if e.Status == accord.EscalationSentBack && role.statementSide() == ui.StatementLead {
		s.flash(ctx, "esc_answer_sent", map[string]any{"Name": accord.User{Name: e.AssignedName, NameEN: e.AssignedNameEN}.DisplayName(i18n.Lang(ctx))})
	} else {
		s.flash(ctx, "esc_statement_added")
	}
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}

// escalationFormFailed shows the page again with one form as the user left it. After
// a conflict the form carries the current version, so sending again applies the input
// over the change now on screen; after a refusal it keeps the version it had.
func (s *Server) escalationFormFailed(w http.ResponseWriter, r *http.Request, e accord.Escalation, role escalationRole,
	err error, fields []string, keep func(*ui.EscalationView, ui.FormState)) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, fields...)
	if !ok {
		s.fail(w, r, err)
		return
	}
	cur, err := s.store.Escalation(ctx, e.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.escalationView(ctx, cur, role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st.Version = cur.Version
	if status != http.StatusConflict {
		st.Version = int(formInt64(r, "version"))
	}
	keep(&view, st)
	s.escalationPage(w, r, status, view)
}
