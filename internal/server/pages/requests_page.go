package pages

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

func (s *Server) showRequestPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	v, err := s.requestPage(r.Context(), a, ui.CommentForm{})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.requestPageRender(w, r, http.StatusOK, v)
}

func (s *Server) requestPageRender(w http.ResponseWriter, r *http.Request, status int, v ui.RequestPageView) {
	ctx := r.Context()
	title := accord.Need{Title: v.Card.Request.NeedTitle, TitleEN: v.Card.Request.NeedTitleEN}.DisplayTitle(i18n.Lang(ctx))
	active := "projects"
	if v.Card.Party.AnswersForHolder() && !v.Card.Party.Lead {
		active = "inbox"
	}
	s.page(w, r, status, title, active, ui.RequestPage(v))
}

// requestPage loads what the request page shows besides the request and its project:
// the queue place, the progress log, when the viewer answers for the holding unit its
// members, and the conversation with comment as typed.
func (s *Server) requestPage(ctx context.Context, a spine.RequestAccess, comment ui.CommentForm) (ui.RequestPageView, error) {
	now := s.Now()
	card, err := s.requestCard(ctx, a)
	if err != nil {
		return ui.RequestPageView{}, err
	}
	progress, err := s.store.Progress(ctx, a.Request.ID)
	if err != nil {
		return ui.RequestPageView{}, err
	}
	req, party := a.Request, a.Party
	sent := req.State.Open() && req.State != accord.RequestDraft
	v := ui.RequestPageView{Card: card, Now: now, Progress: progress,
		CanLog:       sent && party.MayLogProgress(),
		ProgressForm: ui.ProgressForm{Risk: string(accord.RiskLow)},
		CanEscalate:  accord.RefuseEscalation(req, party) == nil}
	if accord.RefuseNudge(req, party) == nil {
		if ok, next := req.CanNudge(now); ok {
			v.CanNudge = true
		} else {
			v.NextNudge = &next
		}
	}
	if v.Card.Ruling != nil && !v.Card.Ruling.Escalation.MayAskAgain() {
		v.CanEscalate = false // before a superior now, or already ruled on at the lead's request
	}
	if err := s.directDecision(ctx, a, &v); err != nil {
		return ui.RequestPageView{}, err
	}
	for _, st := range accord.StrategiesOffered(req, party) {
		v.Strategies = append(v.Strategies, ui.StrategyView{Strategy: st, Form: s.strategyForm(ctx, req, st)})
	}
	if slices.Contains(v.Card.Actions, accord.ActionTransfer) {
		units, err := s.store.Units(ctx)
		if err != nil {
			return ui.RequestPageView{}, err
		}
		v.Card.Units = openUnits(units)
	}
	conv := spine.Conversation{Subject: accord.CommentSubject{Kind: accord.CommentOnRequest, ID: req.ID},
		ProjectID: req.ProjectID, Speaks: accord.MayCommentOnRequest(party), Lead: party.Lead}
	if v.Conversation, err = s.conversation(ctx, conv, comment); err != nil {
		return ui.RequestPageView{}, err
	}
	return v, nil
}

// requestCard is one request with the viewer's actions, its queue place and, when
// the viewer answers for the holding unit, the members who can be named.
func (s *Server) requestCard(ctx context.Context, a spine.RequestAccess) (ui.RequestCard, error) {
	queue, err := s.store.QueuePositions(ctx, []int64{a.Request.ID})
	if err != nil {
		return ui.RequestCard{}, err
	}
	var members []accord.User
	if a.Party.AnswersForHolder() && a.Request.State.Open() {
		list, err := s.store.UnitMembers(ctx, a.Request.HolderUnitID)
		if err != nil {
			return ui.RequestCard{}, err
		}
		members = activeMembers(list)
	}
	rulings, err := s.store.LatestEscalations(ctx, []int64{a.Request.ID})
	if err != nil {
		return ui.RequestCard{}, err
	}
	v := spine.ViewerFrom(ctx)
	card := newRequestCard(v, a, queue[a.Request.ID], members)
	withRuling(&card, rulings, *v)
	return card, nil
}

// withRuling puts the request's latest escalation on its card: pending, it says who
// has it and since when; decided, the outcome and the reason. The link to it is
// offered only to those who may open it.
func withRuling(card *ui.RequestCard, rulings map[int64]accord.Escalation, v accord.Viewer) {
	e, ok := rulings[card.Request.ID]
	if !ok {
		return
	}
	party := accord.EscalationPartyOf(e, v)
	card.Ruling = &ui.RulingView{Escalation: e, Link: party.MayView(),
		StatementOwed: e.StatementOwedBy(party)}
}

func newRequestCard(v *accord.Viewer, a spine.RequestAccess, q accord.QueueEntry, members []accord.User) ui.RequestCard {
	return ui.RequestCard{Request: a.Request, Project: a.Project, Queue: q, ViewerID: v.User.ID, Party: a.Party,
		Actions: a.Request.AvailableActions(a.Party), Members: members, Forms: map[accord.RequestAction]ui.ActionForm{}}
}

// strategyForm fills a strategy's act with what the lead most likely wants: a first
// phase half the size, due when the whole was, or an empty promise to write.
func (s *Server) strategyForm(ctx context.Context, req accord.Request, st accord.Strategy) ui.StrategyForm {
	if st.Act() != accord.ActSplitNeed {
		return ui.StrategyForm{}
	}
	title := accord.Need{Title: req.NeedTitle, TitleEN: req.NeedTitleEN}.DisplayTitle(i18n.Lang(ctx))
	return ui.StrategyForm{
		Title:      i18n.T(ctx, "rq_phase_title", map[string]any{"Title": title}),
		EffortDays: strconv.FormatFloat(req.EffortDays/2, 'f', -1, 64),
		NeededBy:   dateValue(req.DueDate),
		Message:    i18n.T(ctx, "rq_phase_message", map[string]any{"Title": title}),
	}
}

// directDecision offers the decision form to a lead who heads the unit above both
// sides (accord.MayDecideDirectly), while nothing else is before a superior: two
// queries, only for a lead who heads a unit.
func (s *Server) directDecision(ctx context.Context, a spine.RequestAccess, v *ui.RequestPageView) error {
	viewer := spine.ViewerFrom(ctx)
	req := a.Request
	if !accord.MightDecideDirectly(req, *viewer, v.Card.Ruling != nil && v.Card.Ruling.Escalation.Pending()) {
		return nil
	}
	sup, err := s.store.SharedSuperior(ctx, a.Project.OwningUnitID, req.HolderUnitID, req.LeadUserID)
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if !accord.MayDecideDirectly(req, *viewer, sup) {
		return nil
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return err
	}
	v.DecideDirectly, v.CanEscalate, v.Units = true, false, openUnits(units)
	if u, ok := findUnit(units, sup.NaturalUnitID); ok {
		v.DecideUnit = u.DisplayName(i18n.Lang(ctx))
	}
	return nil
}

// decideRequestDirectly records the binding decision of a lead who is the superior
// both units share, on the request page; anyone else is refused with 403.
func (s *Server) decideRequestDirectly(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	// Who may comes first: anyone else learns that, not what the form lacks. The
	// store checks again inside its transaction.
	sup, err := s.store.SharedSuperior(ctx, a.Project.OwningUnitID, a.Request.HolderUnitID, a.Request.LeadUserID)
	if err != nil && accord.ErrorCodeOf(err) != accord.ECodeNotFound {
		s.Fail(w, r, err)
		return
	}
	if !accord.MayDecideDirectly(a.Request, *spine.ViewerFrom(ctx), sup) {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_not_superior", nil))
		return
	}
	f, in, read := readDecisionForm(r)
	err = spine.MergeProblems(read, in.Validate())
	if err == nil {
		_, err = s.store.DecideDirectly(ctx, *spine.ViewerFrom(ctx), a.Request.ID, in, s.Now())
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, decisionFields...)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		v, verr := s.requestPage(ctx, a, ui.CommentForm{})
		if verr != nil {
			s.Fail(w, r, verr)
			return
		}
		f.FormState = st
		v.Decision = f
		if !v.DecideDirectly {
			v.Card.Alert = st.Error // the form is gone; say why
		}
		s.requestPageRender(w, r, status, v)
		return
	}
	s.flash(ctx, "rq_decided_directly_flash")
	http.Redirect(w, r, requestPath(a.Request.ID), http.StatusSeeOther)
}
