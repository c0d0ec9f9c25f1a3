package pages

import (
	"net/http"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// askAdvice has the superior ask someone outside the escalation for an opinion (加签),
// named by email; a refusal shows the page again with what was typed.
func (s *Server) askAdvice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if !party.Superior {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "advice_superior_only", nil))
		return
	}
	form := ui.AdviceAskForm{Email: strings.TrimSpace(r.PostFormValue("adviser")), Question: r.PostFormValue("question")}
	unknown := &accord.Error{Code: accord.ECodeInvalid, MessageID: "advice_adviser_unknown",
		Fields: map[string]string{"adviser": "advice_adviser_unknown"}}
	var adviser accord.User
	var err error = unknown
	if form.Email != "" {
		adviser, err = s.store.UserByEmail(ctx, form.Email)
		if code := accord.ErrorCodeOf(err); err != nil && (code == accord.ECodeInvalid || code == accord.ECodeNotFound) {
			err = unknown
		}
	}
	if err == nil {
		_, err = s.store.AskAdvice(ctx, *spine.ViewerFrom(ctx), e.ID,
			accord.AdviceRequest{AdviserUserID: adviser.ID, Question: form.Question}, s.Now())
	}
	if err != nil {
		s.escalationFormFailed(w, r, e, party, err, []string{"adviser", "question"}, func(v *ui.EscalationView, st ui.FormState) {
			form.FormState = st
			v.Advice.Ask = form
		})
		return
	}
	s.flash(ctx, "advice_asked_flash", map[string]any{"Adviser": adviser.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, escalationPath(e.ID)+"#advice", http.StatusSeeOther)
}

// giveOpinion records the opinion an adviser was asked for, once.
func (s *Server) giveOpinion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, ok := s.escalationFor(w, r)
	if !ok {
		return
	}
	if !party.Adviser {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "advice_not_asked", nil))
		return
	}
	form := ui.AdviceAnswerForm{Opinion: r.PostFormValue("opinion")}
	if _, err := s.store.GiveOpinion(ctx, spine.ViewerFrom(ctx).User.ID, e.ID, form.Opinion, s.Now()); err != nil {
		s.escalationFormFailed(w, r, e, party, err, []string{"opinion"}, func(v *ui.EscalationView, st ui.FormState) {
			form.FormState = st
			v.Advice.Answer = form
			if !v.Advice.MayAnswer {
				v.Alert = st.Error // given already, or decided meanwhile: the form is gone
			}
		})
		return
	}
	s.flash(ctx, "advice_given_flash")
	http.Redirect(w, r, escalationPath(e.ID)+"#advice", http.StatusSeeOther)
}
