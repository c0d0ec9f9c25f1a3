package api

import (
	"net/http"
	"strings"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"

	"github.com/go-chi/chi/v5"
)

// escalationRoutes declares the endpoints for escalations.
func (s *Server) escalationRoutes(r chi.Router) {
	r.Get("/escalations", s.apiEscalations)
	r.Get("/escalations/{id}", s.apiEscalation)
	r.Post("/escalations/{id}/statement", s.apiStatement)
	r.Post("/escalations/{id}/decide", s.apiDecide)
	r.Get("/escalations/{id}/advice", s.apiAdviceList)
	r.Post("/escalations/{id}/advice", s.apiAskAdvice)
	r.Post("/escalations/{id}/opinion", s.apiGiveOpinion)
}

// apiEscalations lists one of the escalation lists the page has (?list=): decide
// (the default, also ?assigned=me), units, projects, decided, and all for
// administrators.
func (s *Server) apiEscalations(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	if a := q.Get("assigned"); a != "" && a != "me" {
		s.apiFail(w, r, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{"assigned": "api_assigned_invalid"}})
		return
	}
	which := accord.ListToDecide
	if l := q.Get("list"); l != "" {
		which = accord.EscalationList(l)
	}
	if !which.MayUse(*v) {
		s.apiFail(w, r, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{"list": "api_list_invalid"}})
		return
	}
	var list []accord.Escalation
	var total int
	switch which {
	case accord.ListToDecide:
		list, total, err = s.store.EscalationsToDecide(ctx, *v, page.Offset, page.Limit)
	case accord.ListAllOpen:
		list, total, err = s.store.OpenEscalations(ctx, page.Offset, page.Limit)
	default:
		list, total, err = s.store.EscalationsInList(ctx, v.User.ID, which, page.Offset, page.Limit)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiEscalation, 0, len(list))
	for _, e := range list {
		out = append(out, toAPIEscalation(e, *v))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"escalations": out, "total": total, "next_cursor": page.nextCursor(total)})
}

// apiEscalationFor loads the escalation in the path for the superior, an admin or one
// of the two sides; nobody else learns it exists.
func (s *Server) apiEscalationFor(r *http.Request) (accord.Escalation, accord.EscalationParty, error) {
	id, err := apiPathID(r)
	if err != nil {
		return accord.Escalation{}, accord.EscalationParty{}, err
	}
	return s.Spine.Escalation(r.Context(), id)
}

// apiEscalation answers one escalation with its request and the brief written from
// its frozen record (as decided on, once decided) in the caller's language.
func (s *Server) apiEscalation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, _, err := s.apiEscalationFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	rec, err := s.store.EscalationRecord(ctx, e.ID, s.Now())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := toAPIEscalation(e, *spine.ViewerFrom(ctx))
	facts := rec.Raised
	if rec.Decided != nil && e.Status == accord.EscalationDecided {
		facts = rec.Decided
	}
	text := e.Brief
	if text == "" {
		text = brief.Build(*facts, spine.BriefTranslator(ctx), spine.TypedText(ctx), i18n.Lang(ctx), ui.Location(ctx))
	}
	out.BriefText, out.RecordTakenAt = &text, &facts.TakenAt
	s.apiJSON(w, r, http.StatusOK, out)
}

// apiStatement records one side's short statement, as on the page.
func (s *Server) apiStatement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, err := s.apiEscalationFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if party.StatementSide() == "" {
		s.apiFail(w, r, accord.Errorf(accord.ECodeForbidden, "escalation_not_a_party", nil))
		return
	}
	var body struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	text := strings.TrimSpace(body.Text)
	var v accord.Validation
	switch {
	case text == "":
		v.Add("text", "esc_statement_required")
	default: // bad characters too: a NUL would fail the insert with a 500
		accord.ValidateText(&v, "text", text, accord.MaxNoteLength)
	}
	err = v.Err()
	if err == nil && e.Status == accord.EscalationDecided {
		err = accord.Errorf(accord.ECodeInvalid, "esc_statement_closed", nil)
	}
	if err == nil {
		err = s.store.AddStatement(ctx, *spine.ViewerFrom(ctx), e.ID, text, s.Opts.DecisionWindowDays, s.Now())
	}
	if err == nil {
		e, err = s.store.Escalation(ctx, e.ID)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIEscalation(e, *spine.ViewerFrom(ctx)))
}

// apiDecisionBody is the superior's decision; only the fields its kind uses count.
type apiDecisionBody struct {
	sentVersion
	Kind      string  `json:"kind"`
	Note      string  `json:"note"`
	Scope     string  `json:"scope"`
	DueDate   *string `json:"due_date"`
	Tier      string  `json:"tier"`
	AltTitle  string  `json:"alt_title"`
	AltUnitID *string `json:"alt_unit_id"`
	AltParty  string  `json:"alt_party"`
}

// apiDecide records the superior's binding decision through store.Decide: only the
// assigned superior; the two sides and administrators get 403, anyone else 404.
func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, party, err := s.apiEscalationFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := accord.RefuseDecision(party); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiDecisionBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in := accord.DecisionInput{Kind: accord.DecisionKind(strings.TrimSpace(body.Kind)), Note: body.Note}
	var read accord.Validation
	due := parseAPIDate(body.DueDate, "due_date", &read)
	switch in.Kind {
	case accord.DecideDirect, accord.DecideRescope:
		in.Scope, in.DueDate = body.Scope, due
		if in.Kind == accord.DecideRescope {
			in.Tier = accord.Tier(strings.TrimSpace(body.Tier))
		}
	case accord.DecideAlternative:
		in.AltTitle, in.AltParty = body.AltTitle, body.AltParty
		in.AltUnitID = parseAPIID(body.AltUnitID, "alt_unit_id", &read)
	}
	in.Normalize()
	err = spine.MergeProblems(read, in.Validate())
	var decided accord.Escalation
	if err == nil {
		decided, err = s.store.Decide(ctx, *spine.ViewerFrom(ctx), e.ID, *body.Version, in, s.Now())
	}
	if err != nil {
		if accord.ErrorCodeOf(err) == accord.ECodeConflict {
			if now, lerr := s.store.Escalation(ctx, e.ID); lerr == nil {
				s.apiFail(w, r, err, toAPIEscalation(now, *spine.ViewerFrom(ctx)))
				return
			}
		}
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIEscalation(decided, *spine.ViewerFrom(ctx)))
}
