package pages

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// actionFields are the inputs each action's form has.
var actionFields = map[accord.RequestAction][]string{
	accord.ActionAgree:    {"key_person", "due_date"},
	accord.ActionDecline:  {"obstacle", "reason"},
	accord.ActionCounter:  {"counter_scope", "counter_date"},
	accord.ActionDelegate: {"key_person"},
	accord.ActionCancel:   {"reason"},
	accord.ActionTransfer: {"unit", "reason"},
}

// readActionForm reads an answer as typed and the input it carries. Only the action's
// own fields count; problems reading a date or an id come back in the validation.
func readActionForm(r *http.Request, action accord.RequestAction) (ui.ActionForm, accord.RequestInput, accord.Validation) {
	version, _ := formInt(r, "version")
	f := ui.ActionForm{FormState: ui.FormState{Version: version}, Open: true}
	var in accord.RequestInput
	var read accord.Validation
	var ok bool
	for _, field := range actionFields[action] {
		switch field {
		case "key_person":
			f.KeyPerson = r.PostFormValue(field)
			if in.KeyPersonUserID, ok = formOptionalID(r, field); !ok {
				read.Add(field, "request_key_person_not_member")
			}
		case "due_date":
			f.DueDate = r.PostFormValue(field)
			if in.DueDate, ok = formDate(r, field); !ok {
				read.Add(field, "rq_field_date")
			}
		case "obstacle":
			f.Obstacle = r.PostFormValue(field)
			in.Obstacle = accord.Obstacle(strings.TrimSpace(f.Obstacle))
		case "reason":
			f.Reason = r.PostFormValue(field)
			in.Reason = f.Reason
		case "counter_scope":
			f.CounterScope = r.PostFormValue(field)
			in.CounterScope = f.CounterScope
		case "counter_date":
			f.CounterDate = r.PostFormValue(field)
			if in.CounterDate, ok = formDate(r, field); !ok {
				read.Add(field, "rq_field_date")
			}
		case "unit":
			f.Unit = r.PostFormValue(field)
			if in.TransferUnitID, ok = formOptionalID(r, field); !ok {
				read.Add(field, "unit_not_found")
			}
		}
	}
	in.Normalize()
	return f, in, read
}

// actOnRequest answers one action on a request. Success returns to where the form was
// (303), or with htmx redraws the inbox card. A refusal shows the form again as typed:
// 422 for a problem with the input, 409 when the other side acted first — then the
// page says what happened and what was typed stays.
func (s *Server) actOnRequest(action accord.RequestAction) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		a, ok := s.loadRequest(w, r)
		if !ok {
			return
		}
		if !accord.MayTakeAction(action, a.Party) {
			s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil))
			return
		}
		f, in, read := readActionForm(r, action)
		var err error
		var after accord.Request
		if len(read.Fields) > 0 {
			err = spine.MergeProblems(read, in.ValidateFor(a.Request, action))
		} else {
			after, err = s.store.ActOnRequest(ctx, *spine.ViewerFrom(ctx), a.Request.ID, f.Version, action, in, s.Now())
		}
		if err != nil {
			s.actionFailed(w, r, a.Request.ID, action, f, err)
			return
		}
		lang := i18n.Lang(ctx)
		need := accord.Need{Title: after.NeedTitle, TitleEN: after.NeedTitleEN}.DisplayTitle(lang)
		notice := i18n.T(ctx, "rq_done", map[string]any{"Need": need, "State": i18n.T(ctx, after.State.MessageID())})
		switch action {
		case accord.ActionDelegate:
			notice = i18n.T(ctx, "rq_done_delegate", map[string]any{"Need": need,
				"Person": accord.User{Name: after.KeyPersonName, NameEN: after.KeyPersonNameEN}.DisplayName(lang)})
		case accord.ActionTransfer, accord.ActionTransferBack:
			notice = i18n.T(ctx, "rq_done_transfer", map[string]any{"Need": need,
				"Unit": accord.Unit{Name: after.HolderName, NameEN: after.HolderNameEN}.DisplayName(lang)})
		}
		if inPlace(r) {
			a.Request = after
			card, err := s.requestCard(ctx, a)
			if err != nil {
				s.Fail(w, r, err)
				return
			}
			card.Notice, card.Back, card.InPlace = notice, backPath(r, a.Request.ID), true
			s.renderFragment(w, r, http.StatusOK, ui.InboxCard(card))
			return
		}
		s.sessions.Put(ctx, flashKey, notice)
		back := backPath(r, a.Request.ID)
		if action == accord.ActionTransfer {
			back = "/inbox" // passed on, it is no longer this unit's to open
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

// actionFailed shows the refused answer again with the request as it is now. If the
// action is still possible the form keeps the typed input at the current version, so
// sending it again applies it knowingly; if not, the typed text is shown to copy.
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, id int64, action accord.RequestAction, f ui.ActionForm, err error) {
	ctx := r.Context()
	status, st, ok := requestProblem(ctx, err, actionFields[action]...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	a, lerr := s.Spine.Request(ctx, id)
	if lerr != nil {
		s.Fail(w, r, lerr)
		return
	}
	version := f.Version
	if status == http.StatusConflict {
		version = a.Request.Version
	}
	f.FormState = ui.FormState{Version: version, Fields: st.Fields}
	alert := ""
	if status == http.StatusConflict {
		alert = st.Error
	} else {
		f.FormState.Error = st.Error
	}
	keep := func(c *ui.RequestCard) {
		c.Alert = alert
		if slices.Contains(c.Actions, action) {
			c.Forms[action] = f
			return
		}
		if f.FormState.Error != "" {
			c.Alert, f.FormState.Error = f.FormState.Error, ""
		}
		c.Kept = &ui.KeptInput{Action: action, Form: f}
	}
	if inPlace(r) {
		card, err := s.requestCard(ctx, a)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		card.Back, card.InPlace = backPath(r, id), true
		keep(&card)
		s.renderFragment(w, r, fragmentStatus(r, status), ui.InboxCard(card))
		return
	}
	v, err := s.requestPage(ctx, a, ui.CommentForm{})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Card.Back = localBack(r)
	keep(&v.Card)
	s.requestPageRender(w, r, status, v)
}

// inPlace reports whether an inbox card posted with htmx, to be redrawn in place.
func inPlace(r *http.Request) bool {
	return isHTMX(r) && strings.HasPrefix(localBack(r), "/inbox")
}

// localBack is the page a form says to return to, if it is on this site.
func localBack(r *http.Request) string {
	back := strings.TrimSpace(r.PostFormValue("back"))
	if back == "" {
		return ""
	}
	return localPath(back)
}

// backPath is where a successful action returns: the form's page, else the request.
func backPath(r *http.Request, id int64) string {
	if back := localBack(r); back != "" && back != "/" {
		return back
	}
	return requestPath(id)
}

// addProgress appends an entry to the request's progress log.
func (s *Server) addProgress(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	if !a.Party.MayLogProgress() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil))
		return
	}
	f := ui.ProgressForm{Body: r.PostFormValue("body"), NextStep: r.PostFormValue("next_step"),
		Risk: strings.TrimSpace(r.PostFormValue("risk")), EffortDays: r.PostFormValue("effort_days")}
	in := accord.ProgressInput{Body: f.Body, NextStep: f.NextStep, Risk: accord.Risk(f.Risk)}
	var read accord.Validation
	var okNum bool
	if in.EffortDays, okNum = formFloat(r, "effort_days"); !okNum || math.IsNaN(in.EffortDays) || math.IsInf(in.EffortDays, 0) {
		in.EffortDays = 0
		read.Add("effort_days", "rq_field_number")
	}
	in.Normalize()
	err := spine.MergeProblems(read, in.Validate())
	if err == nil {
		_, err = s.store.AddProgress(ctx, *spine.ViewerFrom(ctx), a.Request.ID, in, s.Now())
	}
	if err != nil {
		status, st, ok := requestProblem(ctx, err, "body", "next_step", "risk", "effort_days")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		if a, err = s.Spine.Request(ctx, a.Request.ID); err != nil {
			s.Fail(w, r, err)
			return
		}
		v, err := s.requestPage(ctx, a, ui.CommentForm{})
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		f.FormState = st
		v.ProgressForm = f
		s.requestPageRender(w, r, status, v)
		return
	}
	s.flash(ctx, "rq_progress_added")
	http.Redirect(w, r, requestPath(a.Request.ID)+"#progress", http.StatusSeeOther)
}

// nudgeRequest reminds the holder by hand; a second reminder within four hours is
// refused with the time the next one is possible.
func (s *Server) nudgeRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	_, err := s.store.Nudge(ctx, *spine.ViewerFrom(ctx), a.Request.ID, s.Now())
	switch {
	case refused(err):
		s.sessions.Put(ctx, flashErrorKey, spine.RequestErrorText(ctx, err))
	case err != nil:
		s.Fail(w, r, err)
		return
	default:
		s.flash(ctx, "rq_nudged", map[string]any{"Unit": accord.Unit{Name: a.Request.HolderName,
			NameEN: a.Request.HolderNameEN}.DisplayName(i18n.Lang(ctx))})
	}
	http.Redirect(w, r, requestPath(a.Request.ID), http.StatusSeeOther)
}

// splitNeed acts on "lower the bar": it adds a smaller first phase of the need to the
// project and sends it to the same unit at once.
func (s *Server) splitNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.leadOfRequest(w, r)
	if !ok {
		return
	}
	req := a.Request
	f := ui.StrategyForm{Title: r.PostFormValue("title"), EffortDays: r.PostFormValue("effort_days"),
		NeededBy: r.PostFormValue("needed_by"), Message: r.PostFormValue("message"), Open: true}
	holder := req.HolderUnitID
	phaseOf := req.NeedID
	// No note naming the parent: PhaseOfNeedID does, in each reader's language.
	in := accord.NeedInput{Title: f.Title, HolderUnitID: &holder, Tier: req.Tier, PhaseOfNeedID: &phaseOf}
	s.phaseTitles(ctx, req, &in)
	var read accord.Validation
	var okField bool
	if in.EffortDays, okField = formFloat(r, "effort_days"); !okField || math.IsNaN(in.EffortDays) || math.IsInf(in.EffortDays, 0) {
		in.EffortDays = 0
		read.Add("effort_days", "rq_field_number")
	}
	if in.NeededBy, okField = formDate(r, "needed_by"); !okField {
		read.Add("needed_by", "rq_field_date")
	}
	message := strings.TrimSpace(f.Message)
	accord.ValidateText(&read, "message", message, accord.MaxNoteLength)
	in.Normalize()
	_, err := in.Validate(a.Project)
	if err == nil {
		// A first phase stays within the need it is split from; the store also counts
		// the need's other phases.
		err = accord.ValidatePhase(in, accord.Need{ID: req.NeedID, HolderUnitID: &holder, EffortDays: req.EffortDays}, 0)
	}
	err = spine.MergeProblems(read, err)
	var sent []accord.Request
	if err == nil {
		actor := spine.ViewerFrom(ctx).User.ID
		var n accord.Need
		if n, err = s.store.CreateNeed(ctx, actor, req.ProjectID, in); err == nil {
			sent, err = s.store.SendNeeds(ctx, actor, req.ProjectID, []int64{n.ID}, message, s.Now())
		}
	}
	if err != nil {
		s.strategyFailed(w, r, a, f, err, "title", "effort_days", "needed_by", "message")
		return
	}
	lang := i18n.Lang(ctx)
	unit := accord.Unit{Name: req.HolderName, NameEN: req.HolderNameEN}.DisplayName(lang)
	if len(sent) == 0 {
		s.sessions.Put(ctx, flashErrorKey, i18n.T(ctx, "rq_send_nothing"))
		http.Redirect(w, r, requestPath(req.ID), http.StatusSeeOther)
		return
	}
	s.flash(ctx, "rq_split_sent", map[string]any{"Unit": unit})
	http.Redirect(w, r, requestPath(sent[0].ID), http.StatusSeeOther)
}

// phaseTitles names the first phase in both languages when the lead kept the title
// Accord suggested; a title the lead wrote stays as written.
func (s *Server) phaseTitles(ctx context.Context, req accord.Request, in *accord.NeedInput) {
	suggested := accord.Need{Title: req.NeedTitle, TitleEN: req.NeedTitleEN}.DisplayTitle(i18n.Lang(ctx))
	if strings.TrimSpace(in.Title) != i18n.T(ctx, "rq_phase_title", map[string]any{"Title": suggested}) {
		return
	}
	in.Title = s.I18n.Localizer(i18n.Chinese).T("rq_phase_title", map[string]any{"Title": req.NeedTitle})
	if req.NeedTitleEN != "" {
		in.TitleEN = s.I18n.Localizer(i18n.English).T("rq_phase_title", map[string]any{"Title": req.NeedTitleEN})
	}
}

// commitToHolder acts on strategies that promise something in return: it records a
// commitment of the project to the holding unit.
func (s *Server) commitToHolder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.leadOfRequest(w, r)
	if !ok {
		return
	}
	f := ui.StrategyForm{What: r.PostFormValue("what"), DueDate: r.PostFormValue("due_date"), Open: true}
	in := accord.CommitmentInput{UnitID: a.Request.HolderUnitID, What: f.What}
	var read accord.Validation
	var okDate bool
	if in.DueDate, okDate = formDate(r, "due_date"); !okDate {
		read.Add("due_date", "rq_field_date")
	}
	in.Normalize()
	err := spine.MergeProblems(read, in.Validate())
	if err == nil {
		_, err = s.store.CreateCommitment(ctx, spine.ViewerFrom(ctx).User.ID, a.Request.ProjectID, in)
	}
	if err != nil {
		s.strategyFailed(w, r, a, f, err, "what", "due_date")
		return
	}
	s.flash(ctx, "rq_commitment_added", map[string]any{"Unit": accord.Unit{Name: a.Request.HolderName,
		NameEN: a.Request.HolderNameEN}.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, requestPath(a.Request.ID), http.StatusSeeOther)
}

// leadOfRequest loads the request for an act only its project's lead may take.
func (s *Server) leadOfRequest(w http.ResponseWriter, r *http.Request) (spine.RequestAccess, bool) {
	a, ok := s.loadRequest(w, r)
	if !ok {
		return spine.RequestAccess{}, false
	}
	if !a.Party.Lead {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil))
		return spine.RequestAccess{}, false
	}
	return a, true
}

// strategyFailed shows the request page again with the strategy's form as typed.
func (s *Server) strategyFailed(w http.ResponseWriter, r *http.Request, a spine.RequestAccess, f ui.StrategyForm, err error, fields ...string) {
	ctx := r.Context()
	status, st, ok := requestProblem(ctx, err, fields...)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	v, err := s.requestPage(ctx, a, ui.CommentForm{})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	f.FormState = st
	strategy := accord.Strategy(r.PostFormValue("strategy"))
	placed := false
	for i, sv := range v.Strategies {
		if sv.Strategy == strategy {
			v.Strategies[i].Form, placed = f, true
		}
	}
	if !placed {
		v.Card.Alert = st.Error
		if v.Card.Alert == "" {
			v.Card.Alert = i18n.T(ctx, "error_invalid_form")
		}
	}
	s.requestPageRender(w, r, status, v)
}
