package pages

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// escalationFor loads the escalation in the path for someone who may see it; anyone
// else gets the 404 page.
func (s *Server) escalationFor(w http.ResponseWriter, r *http.Request) (accord.Escalation, accord.EscalationParty, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Escalation{}, accord.EscalationParty{}, false
	}
	e, party, err := s.Spine.Escalation(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Escalation{}, accord.EscalationParty{}, false
	}
	return e, party, true
}

// escalationToDecide is escalationFor for what only the one deciding may do
// (accord.RefuseDecision): the two sides and administrators get 403.
func (s *Server) escalationToDecide(w http.ResponseWriter, r *http.Request) (accord.Escalation, accord.EscalationParty, bool) {
	e, party, ok := s.escalationFor(w, r)
	if !ok {
		return e, party, false
	}
	if err := accord.RefuseDecision(party); err != nil {
		s.Fail(w, r, err)
		return e, party, false
	}
	return e, party, true
}

// escalationView loads what the page shows in a fixed number of queries after the
// escalation's, whatever the size of the project or the organisation: the project,
// the frozen record, the first rows of its tracker as it stands today, the request's
// progress log and the units the page names or offers (beyond unitSelectMax open
// units, those the project involves, those above either side, and altUnit, an
// alternative's unit chosen for the decision form).
func (s *Server) escalationView(ctx context.Context, e accord.Escalation, party accord.EscalationParty, comment ui.CommentForm,
	altUnit int64) (ui.EscalationView, error) {
	// An adviser asked from outside reads the escalation, not the project: no tracker,
	// no links that would not open. Everyone else gets the project from the loader
	// that checks it, in one read.
	seesProject := true
	p, err := s.Spine.Project(ctx, e.ProjectID, false)
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		seesProject = false
		p, err = s.store.Project(ctx, e.ProjectID)
	}
	if err != nil {
		return ui.EscalationView{}, err
	}
	rec, err := s.store.EscalationRecord(ctx, e.ID, s.Now())
	if err != nil {
		return ui.EscalationView{}, err
	}
	var tracker []accord.TrackerRow
	var trackerTotal int
	if seesProject {
		// The first rows, and the escalated request's wherever it is.
		if tracker, trackerTotal, err = s.store.TrackerTop(ctx, p.ID, escTrackerShown, e.RequestID); err != nil {
			return ui.EscalationView{}, err
		}
	}
	progress, err := s.store.Progress(ctx, e.RequestID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	around := []int64{p.OwningUnitID, e.Request.HolderUnitID, e.AssignedUnitID}
	if altUnit > 0 {
		around = append(around, altUnit)
	}
	units, open, err := s.store.EscalationUnits(ctx, p.ID, unitSelectMax, around)
	if err != nil {
		return ui.EscalationView{}, err
	}
	lang := i18n.Lang(ctx)

	view := ui.EscalationView{Escalation: e, Project: p, Now: s.Now(), Progress: progress, Units: openUnits(units),
		CanDecide:     accord.MayCause(e.Status, accord.EventDecide, party),
		CanReassign:   accord.MayCause(e.Status, accord.EventReassign, party),
		CanRefresh:    accord.MayCause(e.Status, accord.EventRefresh, party),
		StatementSide: party.StatementSide(),
		Decider:       ui.RulingDecider(ctx, e),
		ActingFor:     actingForOf(party, lang),
		Decision:      ui.EscalationDecisionForm{FormState: ui.FormState{Version: e.Version}},
		Reassign:      ui.EscalationReassignForm{FormState: ui.FormState{Version: e.Version}},
		Heads:         reassignHeads(units, p, e)}
	if u, ok := findUnit(units, e.AssignedUnitID); ok {
		view.AssignedUnit = u.DisplayName(lang)
	}
	view.Tracker, view.TrackerTotal, view.TrackerFirst = tracker, trackerTotal, min(len(tracker), escTrackerShown)
	if open > unitSelectMax {
		view.UnitChooser = escalationPath(e.ID) + "/units/choose"
	}
	view.SeesProject, view.SeesRequest = seesProject, seesProject || party.HolderHead || party.KeyPerson
	// A decided escalation shows what its superior decided on; a pending one the
	// record as raised or last refreshed.
	facts := rec.Raised
	if rec.Decided != nil && e.Status == accord.EscalationDecided {
		facts = rec.Decided
	}
	view.RecordTakenAt, view.Unrecorded = facts.TakenAt, rec.Unrecorded
	view.Brief, view.BriefEdited = e.Brief, e.Brief != ""
	if !view.BriefEdited {
		view.Brief = brief.Build(*facts, spine.BriefTranslator(ctx), spine.TypedText(ctx), lang, ui.Location(ctx))
	}
	switch view.StatementSide {
	case accord.SideHolder:
		view.Statement.Text = e.HolderStatement
	case accord.SideLead:
		view.Statement.Text = e.LeadStatement
	}
	asked, err := s.store.EscalationAdvice(ctx, e.ID)
	if err != nil {
		return ui.EscalationView{}, err
	}
	viewerID := spine.ViewerFrom(ctx).User.ID
	view.Advice = ui.AdviceView{Asked: asked, MayAsk: accord.MayAskAdvice(e, party),
		MayAnswer: accord.OpinionAwaited(e, party, viewerID, asked)}
	conv := spine.Conversation{Subject: accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID},
		ProjectID: e.ProjectID, Speaks: accord.MayCommentOnEscalation(party), Lead: party.Lead, Escalation: &e}
	if view.Conversation, err = s.conversation(ctx, conv, comment); err != nil {
		return ui.EscalationView{}, err
	}
	return view, nil
}

func (s *Server) escalationPage(w http.ResponseWriter, r *http.Request, status int, v ui.EscalationView) {
	s.page(w, r, status, escalationTitle(r.Context(), v.Escalation), "escalations", ui.EscalationPage(v))
}

// escalationTitle names an escalation's page: its need, in the reader's language.
func escalationTitle(ctx context.Context, e accord.Escalation) string {
	return accord.Need{Title: e.Request.NeedTitle, TitleEN: e.Request.NeedTitleEN}.DisplayTitle(i18n.Lang(ctx))
}

func (s *Server) showEscalationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return
	}
	e, party, at, turn, err := s.Spine.EscalationAt(ctx, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	now := s.Now()
	viewer := spine.ViewerFrom(ctx)
	title := escalationTitle(ctx, e)
	// Everything the body is drawn from besides the clock: the escalation as read now
	// and the viewer's part in it, the project's rows read at their epochs, the viewer
	// (the rules asked about them: whether the project opens, which comments are
	// theirs, whom they may mention), their language and zone, and the query (an
	// alternative's unit chosen for the decision form).
	key, err := keyOf("escalation", e, party, at, rulesViewer(*viewer), i18n.Lang(ctx), ui.Location(ctx).String(),
		r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, drawing := s.rendered.servedOrDraw(ctx, keptEscalation, key, func(time.Time) lookedUp {
		return s.servedBody(w, r, key, now, title, "escalations")
	})
	if answered {
		return
	}
	defer drawing.done()
	// The unit chooser returns here with an alternative's unit to decide on.
	altUnit, _ := strconv.ParseInt(r.URL.Query().Get("alt_unit"), 10, 64)
	view, err := s.escalationView(ctx, e, party, ui.CommentForm{}, altUnit)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if altUnit > 0 && view.CanDecide {
		if _, ok := findUnit(openUnits(view.Units), altUnit); ok {
			view.Decision.Kind, view.Decision.AltUnitID = string(accord.DecideAlternative), altUnit
		}
	}
	view.Now, view.Conversation.Now = now, now // one moment for the page and its SameUntil
	body, err := s.rendered.render(ctx, drawing, view.SameUntil(turn, ui.Location(ctx)), ui.EscalationPage(view))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, title, "escalations", body)
}

// escTrackerShown is how many rows of the project's tracker an escalation's page
// shows; the tracker page lists them all (200 rows were 67 kB of the page).
const escTrackerShown = 20

// showEscalationUnitChooser finds any open unit for the decision's alternative when
// the form's select lists only the units around the project, and links back to the
// form with it chosen. Only who may decide uses it.
func (s *Server) showEscalationUnitChooser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, _, ok := s.escalationToDecide(w, r)
	if !ok {
		return
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	back := escalationPath(e.ID) + "#decide"
	v := ui.UnitChooserView{Query: strings.TrimSpace(r.URL.Query().Get("q")), Back: back,
		BackLabel: accord.Need{Title: e.Request.NeedTitle, TitleEN: e.Request.NeedTitleEN}.DisplayTitle(i18n.Lang(ctx)),
		Pick: func(u int64) string {
			return escalationPath(e.ID) + "?alt_unit=" + strconv.FormatInt(u, 10) + "#decide"
		}}
	chooseAmong(&v, openUnits(units))
	s.page(w, r, http.StatusOK, i18n.T(ctx, "wb_chooser_title")+" · "+v.BackLabel, "escalations", ui.UnitChooser(v))
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
// the same transaction. Only the superior it is routed to may decide; the two sides
// and administrators get 403, anyone else 404.
func (s *Server) decideEscalation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, ok := s.escalationToDecide(w, r)
	if !ok {
		return
	}
	f, in, read := readDecisionForm(r)
	err := spine.MergeProblems(read, in.Validate())
	if err == nil {
		_, err = s.store.Decide(ctx, *spine.ViewerFrom(ctx), e.ID, int(formInt64(r, "version")), in, s.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, party, err, decisionFields, func(v *ui.EscalationView, st ui.FormState) {
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
	e, party, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if party.StatementSide() == "" {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_not_a_party", nil))
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
		err = s.store.AddStatement(ctx, *spine.ViewerFrom(ctx), e.ID, text, s.Opts.DecisionWindowDays, s.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, party, err, []string{"text"}, func(v *ui.EscalationView, st ui.FormState) {
			v.Statement = ui.EscalationStatementForm{FormState: st, Text: raw}
			if v.Escalation.Status == accord.EscalationDecided {
				v.Alert = st.Error // the form is gone; say why above the page
			}
		})
		return
	}
	if e.Status == accord.EscalationSentBack && party.StatementSide() == accord.SideLead {
		s.flash(ctx, "esc_answer_sent", map[string]any{"Name": accord.User{Name: e.AssignedName, NameEN: e.AssignedNameEN}.DisplayName(i18n.Lang(ctx))})
	} else {
		s.flash(ctx, "esc_statement_added")
	}
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}

// escalationFormFailed shows the page again with one form as the user left it. After
// a conflict the form carries the current version, so sending again applies the input
// over the change now on screen; after a refusal it keeps the version it had.
func (s *Server) escalationFormFailed(w http.ResponseWriter, r *http.Request, e accord.Escalation, party accord.EscalationParty,
	err error, fields []string, keep func(*ui.EscalationView, ui.FormState)) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	cur, err := s.store.Escalation(ctx, e.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	altUnit, _ := formOptionalID(r, "alt_unit_id")
	var alt int64
	if altUnit != nil {
		alt = *altUnit
	}
	view, err := s.escalationView(ctx, cur, party, ui.CommentForm{}, alt)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	st.Version = cur.Version
	if status != http.StatusConflict {
		st.Version = int(formInt64(r, "version"))
	}
	keep(&view, st)
	s.escalationPage(w, r, status, view)
}

// reassignHeads lists the heads an administrator may move escalation e to
// (accord.ReassignCandidates): heads of units above both sides, not parties.
func reassignHeads(units []accord.Unit, p accord.Project, e accord.Escalation) []accord.Unit {
	owning, okA := findUnit(units, p.OwningUnitID)
	holder, okB := findUnit(units, e.Request.HolderUnitID)
	if !okA || !okB {
		return nil
	}
	head := func(u accord.Unit) int64 {
		if u.HeadUserID == nil {
			return 0
		}
		return *u.HeadUserID
	}
	return accord.ReassignCandidates(e, openUnits(units), owning.Path, holder.Path,
		accord.Parties{head(owning), head(holder), e.Request.LeadUserID})
}

// reassignEscalation moves a stuck escalation to another head, with a reason: what an
// administrator may do instead of deciding.
func (s *Server) reassignEscalation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if !party.Admin {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_admin_only", nil))
		return
	}
	f := ui.EscalationReassignForm{Reason: r.PostFormValue("reason")}
	to, toOK := formOptionalID(r, "user_id")
	var read accord.Validation
	if to == nil || !toOK {
		read.Add("user_id", "escalation_reassign_not_head")
	} else {
		f.UserID = *to
	}
	reason := strings.TrimSpace(f.Reason)
	err := read.Err()
	if err == nil {
		err = s.store.Reassign(ctx, *spine.ViewerFrom(ctx), e.ID, f.UserID, reason, s.Opts.DecisionWindowDays, s.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, party, err, []string{"user_id", "reason"}, func(v *ui.EscalationView, st ui.FormState) {
			f.FormState = st
			v.Reassign = f
			if !v.CanReassign {
				v.Alert = st.Error
			}
		})
		return
	}
	s.flash(ctx, "esc_reassigned_flash")
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}

// refreshEscalationRecord takes a new record of the facts at the lead's request while
// the escalation waits: the brief then shows today's data, and the history says so.
func (s *Server) refreshEscalationRecord(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, _, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if err := s.store.RefreshRecord(ctx, *spine.ViewerFrom(ctx), e.ID, s.Now()); err != nil {
		s.Fail(w, r, err)
		return
	}
	s.flash(ctx, "esc_refreshed_flash")
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}

// actingForOf names, for the page's note, the absent head the viewer stands in for
// here: as the superior, else as the holder's side; "" when they act as themselves.
func actingForOf(party accord.EscalationParty, lang string) string {
	switch {
	case party.SuperiorFor != nil:
		return party.SuperiorFor.DisplayName(lang)
	case party.HolderFor != nil:
		return party.HolderFor.DisplayName(lang)
	}
	return ""
}
