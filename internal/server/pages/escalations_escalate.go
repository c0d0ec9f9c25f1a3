package pages

import (
	"context"
	"net/http"
	"strings"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// escalateRequestFor loads the request in the path for its lead or an admin. Someone
// who may see the project but does not lead it gets the 403 page; anyone else the 404.
func (s *Server) escalateRequestFor(w http.ResponseWriter, r *http.Request) (accord.Request, accord.Project, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Request{}, accord.Project{}, false
	}
	req, p, err := s.RequestToEscalate(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Request{}, accord.Project{}, false
	}
	return req, p, true
}

// escalateView works out who the request would go to and writes the brief for the
// lead to edit: the shared superior, the tree (for names) and the facts of the brief,
// in a fixed number of queries.
func (s *Server) escalateView(ctx context.Context, req accord.Request, p accord.Project) (ui.EscalateView, string, error) {
	view := ui.EscalateView{Request: req, Project: p, Closed: !req.State.Open() || req.State == accord.RequestDraft}
	sup, err := s.store.SharedSuperior(ctx, p.OwningUnitID, req.HolderUnitID, req.LeadUserID)
	switch {
	case accord.ErrorCodeOf(err) == accord.ECodeNotFound:
		// No one above both units has a head: the page says so and offers no form.
	case err != nil:
		return ui.EscalateView{}, "", err
	default:
		units, err := s.store.Units(ctx)
		if err != nil {
			return ui.EscalateView{}, "", err
		}
		lang := i18n.Lang(ctx)
		u, _ := findUnit(units, sup.UnitID)
		view.Superior = u.HeadDisplayName(lang)
		view.SuperiorUnit = u.DisplayName(lang)
		view.VacantSkipped = sup.VacantSkipped
		view.PartiesSkipped = sup.PartiesSkipped
		view.HeadIsParty = sup.HeadIsParty
		view.ViewerDecides = accord.MayDecideDirectly(req, *spine.ViewerFrom(ctx), sup)
		view.LeadDecides = !view.ViewerDecides && accord.LeadDecides(req, sup)
		if view.ViewerDecides || view.LeadDecides {
			// The lead heads a unit above both: name that unit, not where it would go.
			if natural, ok := findUnit(units, sup.NaturalUnitID); ok {
				view.SuperiorUnit = natural.DisplayName(lang)
			}
		}
	}
	text, err := s.generatedBrief(ctx, req, p, "", "")
	if err != nil {
		return ui.EscalateView{}, "", err
	}
	return view, text, nil
}

// generatedBrief writes the brief from the facts as they stand, in the reader's
// language.
func (s *Server) generatedBrief(ctx context.Context, req accord.Request, _ accord.Project, cause accord.EscalationCause, reason string) (string, error) {
	f, err := s.store.BriefFacts(ctx, req.ID, cause, reason, s.Now())
	if err != nil {
		return "", err
	}
	return brief.Build(f, spine.BriefTranslator(ctx), spine.TypedText(ctx), i18n.Lang(ctx), ui.Location(ctx)), nil
}

func (s *Server) showEscalatePage(w http.ResponseWriter, r *http.Request) {
	req, p, ok := s.escalateRequestFor(w, r)
	if !ok {
		return
	}
	view, text, err := s.escalateView(r.Context(), req, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	view.Form.Brief = text
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "esc_escalate_title"), "projects", ui.Escalate(view))
}

// escalateRequest sends the request to the shared superior with the lead's reason. A
// brief left as generated is not stored, so each reader gets it in their language
// from the data as it stands; an edited one is kept as the lead wrote it.
func (s *Server) escalateRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, p, ok := s.escalateRequestFor(w, r)
	if !ok {
		return
	}
	f := ui.EscalateForm{Reason: r.PostFormValue("reason"), Brief: r.PostFormValue("brief")}
	reason := strings.TrimSpace(f.Reason)
	text := brief.Normalize(f.Brief)
	var read accord.Validation
	if reason == "" {
		read.Add("reason", "esc_reason_required")
	}
	// Bad characters too: a NUL would fail the insert with a 500.
	accord.ValidateText(&read, "reason", reason, accord.MaxNoteLength)
	accord.ValidateText(&read, "brief", text, accord.MaxNoteLength*2)
	view, generated, err := s.escalateView(ctx, req, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if text == brief.Normalize(generated) {
		text = ""
	}
	err = read.Err()
	var e accord.Escalation
	if err == nil {
		e, err = s.store.Escalate(ctx, *spine.ViewerFrom(ctx), req.ID, reason, text, s.Opts.DecisionWindowDays, s.Now())
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, "reason", "brief")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		st.Version = 0
		f.FormState = st
		view.Form = f
		s.page(w, r, status, i18n.T(ctx, "esc_escalate_title"), "projects", ui.Escalate(view))
		return
	}
	name := accord.User{Name: e.AssignedName, NameEN: e.AssignedNameEN}.DisplayName(i18n.Lang(ctx))
	s.flash(ctx, "esc_escalated", map[string]any{"Name": name})
	http.Redirect(w, r, escalationPath(e.ID), http.StatusSeeOther)
}
