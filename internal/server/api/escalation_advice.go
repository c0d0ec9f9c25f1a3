package api

import (
	"net/http"
	"time"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

// apiAdvice is one opinion asked on an escalation (加签).
type apiAdvice struct {
	EscalationID  string     `json:"escalation_id"`
	AdviserUserID string     `json:"adviser_user_id"`
	AdviserName   string     `json:"adviser_name"`
	AdviserNameEN string     `json:"adviser_name_en"`
	Question      string     `json:"question"`
	AskedAt       time.Time  `json:"asked_at"`
	Opinion       string     `json:"opinion"`
	GivenAt       *time.Time `json:"given_at"`
}

func toAPIAdvice(a accord.Advice) apiAdvice {
	return apiAdvice{EscalationID: apiID(a.EscalationID), AdviserUserID: apiID(a.AdviserUserID), AdviserName: a.AdviserName,
		AdviserNameEN: a.AdviserNameEN, Question: a.Question, AskedAt: a.AskedAt, Opinion: a.Opinion, GivenAt: a.GivenAt}
}

// apiAdviceList answers the advice asked on an escalation the caller may see, and
// whether they may ask for more or answer.
func (s *Server) apiAdviceList(w http.ResponseWriter, r *http.Request) {
	e, party, err := s.apiEscalationFor(r)
	var asked []accord.Advice
	if err == nil {
		asked, err = s.store.EscalationAdvice(r.Context(), e.ID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiAdvice, 0, len(asked))
	for _, a := range asked {
		out = append(out, toAPIAdvice(a))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"advice": out, "may_ask": accord.MayAskAdvice(e, party),
		"may_answer": accord.OpinionAwaited(e, party, spine.ViewerFrom(r.Context()).User.ID, asked)})
}

// apiAskAdvice has the superior ask someone outside the escalation for an opinion.
func (s *Server) apiAskAdvice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, err := s.apiEscalationFor(r)
	if err == nil && !party.Superior {
		err = accord.Errorf(accord.ECodeForbidden, "advice_superior_only", nil)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		AdviserUserID *string `json:"adviser_user_id"`
		Question      string  `json:"question"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var read accord.Validation
	in := accord.AdviceRequest{Question: body.Question}
	if id := parseAPIID(body.AdviserUserID, "adviser_user_id", &read); id != nil {
		in.AdviserUserID = *id
	} else if len(read.Fields) == 0 {
		read.Add("adviser_user_id", "advice_adviser_unknown")
	}
	var a accord.Advice
	if err = read.Err(); err == nil {
		a, err = s.store.AskAdvice(ctx, *spine.ViewerFrom(ctx), e.ID, in, s.Now())
	}
	if err != nil {
		s.apiFail(w, r, spine.RenameFields(err, map[string]string{"adviser": "adviser_user_id"}))
		return
	}
	s.apiJSON(w, r, http.StatusCreated, toAPIAdvice(a))
}

// apiGiveOpinion records the opinion an adviser was asked for, once.
func (s *Server) apiGiveOpinion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, err := s.apiEscalationFor(r)
	if err == nil && !party.Adviser {
		err = accord.Errorf(accord.ECodeForbidden, "advice_not_asked", nil)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		Opinion string `json:"opinion"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	a, err := s.store.GiveOpinion(ctx, spine.ViewerFrom(ctx).User.ID, e.ID, body.Opinion, s.Now())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIAdvice(a))
}
