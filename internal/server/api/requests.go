package api

import (
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/server/spine"
	"accord/internal/store"
)

// requestRoutes declares the endpoints for requests, the tracker and progress.
func (s *Server) requestRoutes(r chi.Router) {
	r.Get("/projects/{id}/tracker", s.apiTracker)
	r.Get("/requests", s.apiRequests)
	r.Get("/requests/{id}", s.apiRequest)
	r.Post("/requests/{id}/{action}", s.apiActOnRequest)
	r.Get("/requests/{id}/updates", s.apiProgress)
	r.Post("/requests/{id}/updates", s.apiAddProgress)
	r.Post("/requests/{id}/escalate", s.apiEscalate)
}

// apiRequests lists the caller's requests a page at a time: incoming are the open
// requests addressed to units they head or delegated to them, in queue order;
// outgoing are the requests of the projects they lead.
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var list []accord.Request
	var total int
	switch r.URL.Query().Get("box") {
	case "incoming":
		var in store.InboxPage
		in, err = s.store.InboxPage(ctx, v.User.ID, v.StandInUnits(), page.Offset, page.Limit)
		list, total = in.Requests, in.Total
	case "outgoing":
		list, total, err = s.outgoingRequests(r, page)
	default:
		err = &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{"box": "api_box_invalid"}}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiRequest, 0, len(list))
	for _, req := range list {
		out = append(out, toAPIRequest(req, *v))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"requests": out, "total": total, "next_cursor": page.nextCursor(total)})
}

// maxOutgoingProjects bounds the projects read for the outgoing box.
const maxOutgoingProjects = 200

// outgoingRequests pages through the requests of the projects the caller leads. It
// reads one list per project: fine for the handful a lead has; a store query joining
// them is the follow-up if leads come to run many.
func (s *Server) outgoingRequests(r *http.Request, page apiPage) ([]accord.Request, int, error) {
	ctx := r.Context()
	projects, err := s.store.ProjectsLedBy(ctx, spine.ViewerFrom(ctx).User.ID, maxOutgoingProjects)
	if err != nil {
		return nil, 0, err
	}
	var all []accord.Request
	for _, p := range projects {
		list, err := s.store.ProjectRequests(ctx, p.ID)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, list...)
	}
	start := min(page.Offset, len(all))
	end := min(start+page.Limit, len(all))
	return all[start:end], len(all), nil
}

// apiRequestFor loads the request in the path for someone who may see it: anyone who
// may see its project, the holder's head and the key person (requestAccess).
func (s *Server) apiRequestFor(r *http.Request) (spine.RequestAccess, error) {
	id, err := apiPathID(r)
	if err != nil {
		return spine.RequestAccess{}, err
	}
	return s.Spine.Request(r.Context(), id)
}

// apiRequest answers one request with the actions the caller may take now.
func (s *Server) apiRequest(w http.ResponseWriter, r *http.Request) {
	a, err := s.apiRequestFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	rulings, err := s.store.LatestEscalations(r.Context(), []int64{a.Request.ID})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := toAPIRequest(a.Request, *spine.ViewerFrom(r.Context()))
	if e, ok := rulings[a.Request.ID]; ok {
		out.Ruling = toAPIRuling(e, accord.EscalationPartyOf(e, *spine.ViewerFrom(r.Context())).MayView())
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

// apiActionBody carries an action's version and whatever input the action uses.
type apiActionBody struct {
	sentVersion
	KeyPersonUserID *string `json:"key_person_user_id"`
	DueDate         *string `json:"due_date"`
	Obstacle        string  `json:"obstacle"`
	Reason          string  `json:"reason"`
	CounterScope    string  `json:"counter_scope"`
	CounterDate     *string `json:"counter_date"`
	UnitID          *string `json:"unit_id"` // transfer
}

// apiActOnRequest takes one action on a request through store.ActOnRequest, the same
// call the pages make. Who may act is checked before the version, so someone on the
// wrong side learns that first, as on the page.
func (s *Server) apiActOnRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	action := accord.RequestAction(chi.URLParam(r, "action"))
	if action == accord.ActionSend || !slices.Contains(accord.RequestActions(), action) {
		s.apiNotFound(w, r)
		return
	}
	a, err := s.apiRequestFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !accord.MayTakeAction(action, a.Party) {
		s.apiFail(w, r, accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil))
		return
	}
	var body apiActionBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var read accord.Validation
	in := accord.RequestInput{Reason: body.Reason, CounterScope: body.CounterScope}
	// Only a decline reads the obstacle, as on the page: elsewhere it would go
	// unchecked into the audit log, where a NUL fails the insert with a 500.
	if action == accord.ActionDecline {
		in.Obstacle = accord.Obstacle(strings.TrimSpace(body.Obstacle))
	}
	in.KeyPersonUserID = parseAPIID(body.KeyPersonUserID, "key_person_user_id", &read)
	in.DueDate = parseAPIDate(body.DueDate, "due_date", &read)
	in.CounterDate = parseAPIDate(body.CounterDate, "counter_date", &read)
	if action == accord.ActionTransfer {
		in.TransferUnitID = parseAPIID(body.UnitID, "unit_id", &read)
	}
	in.Normalize()
	var after accord.Request
	if len(read.Fields) > 0 {
		err = spine.MergeProblems(read, in.ValidateFor(a.Request, action))
	} else {
		after, err = s.store.ActOnRequest(ctx, *spine.ViewerFrom(ctx), a.Request.ID, *body.Version, action, in, s.Now())
	}
	if err != nil {
		err = spine.RenameFields(err, map[string]string{"key_person": "key_person_user_id", "unit": "unit_id"})
		if accord.ErrorCodeOf(err) == accord.ECodeConflict {
			if now, lerr := s.store.Request(ctx, a.Request.ID); lerr == nil {
				s.apiFail(w, r, err, toAPIRequest(now, *spine.ViewerFrom(ctx)))
				return
			}
		}
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIRequest(after, *spine.ViewerFrom(ctx)))
}

// apiProgress answers a request's progress log, newest first.
func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) {
	a, err := s.apiRequestFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.store.Progress(r.Context(), a.Request.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiProgress, 0, len(list))
	for _, e := range list {
		out = append(out, toAPIProgress(e))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"updates": out})
}

// apiAddProgress appends to the progress log: both sides write, nobody else.
func (s *Server) apiAddProgress(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.apiRequestFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !a.Party.MayLogProgress() {
		s.apiFail(w, r, accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil))
		return
	}
	var body struct {
		Body       string  `json:"body"`
		NextStep   string  `json:"next_step"`
		Risk       string  `json:"risk"`
		EffortDays float64 `json:"effort_days"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in := accord.ProgressInput{Body: body.Body, NextStep: body.NextStep, Risk: accord.Risk(strings.TrimSpace(body.Risk)),
		EffortDays: body.EffortDays}
	var read accord.Validation
	if math.IsNaN(in.EffortDays) || math.IsInf(in.EffortDays, 0) {
		in.EffortDays = 0
		read.Add("effort_days", "rq_field_number")
	}
	in.Normalize()
	err = spine.MergeProblems(read, in.Validate())
	var e accord.ProgressEntry
	if err == nil {
		e, err = s.store.AddProgress(ctx, *spine.ViewerFrom(ctx), a.Request.ID, in, s.Now())
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusCreated, toAPIProgress(e))
}

// apiTracker answers a project's requests with the latest progress of each, in the
// tracker's order, each phase after the request it was split from and rolled into it.
func (s *Server) apiTracker(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	rows, err := s.store.Tracker(ctx, p.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	v := spine.ViewerFrom(ctx)
	out := make([]apiTrackerRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, toAPITrackerRow(row, *v))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"project": toAPIProject(p), "rows": out})
}

// apiEscalate takes a request to the shared superior at its lead's request. Someone
// who may see the project but does not lead it gets 403; anyone else 404.
func (s *Server) apiEscalate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	req, _, err := s.RequestToEscalate(ctx, id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		Reason string `json:"reason"`
		Brief  string `json:"brief"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	reason, brief := strings.TrimSpace(body.Reason), brief.Normalize(body.Brief)
	var read accord.Validation
	if reason == "" {
		read.Add("reason", "esc_reason_required")
	}
	// Bad characters too: a NUL would fail the insert with a 500.
	accord.ValidateText(&read, "reason", reason, accord.MaxNoteLength)
	accord.ValidateText(&read, "brief", brief, accord.MaxNoteLength*2)
	err = read.Err()
	var e accord.Escalation
	if err == nil {
		e, err = s.store.Escalate(ctx, *spine.ViewerFrom(ctx), req.ID, reason, brief, s.Opts.DecisionWindowDays, s.Now())
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/escalations/"+apiID(e.ID))
	s.apiJSON(w, r, http.StatusCreated, toAPIEscalation(e, *spine.ViewerFrom(ctx)))
}
