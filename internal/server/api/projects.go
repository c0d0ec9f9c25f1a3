package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"

	"github.com/go-chi/chi/v5"
)

// projectRoutes declares the endpoints for projects and their needs.
func (s *Server) projectRoutes(r chi.Router) {
	r.Get("/projects", s.apiProjects)
	r.Post("/projects", s.apiCreateProject)
	r.Get("/projects/{id}", s.apiProject)
	r.Patch("/projects/{id}", s.apiUpdateProject)
	r.Get("/projects/{id}/needs", s.apiNeeds)
	r.Post("/projects/{id}/needs", s.apiCreateNeed)
	r.Patch("/needs/{id}", s.apiUpdateNeed)
	r.Delete("/needs/{id}", s.apiDeleteNeed)
	r.Post("/needs/{id}/request", s.apiSendNeed)
}

// apiProjectBody is a project as a client sends it: every field optional, so the
// same body creates (defaults fill the gaps) and patches (the current values do).
type apiProjectBody struct {
	sentVersion
	Name            opt[string] `json:"name"`
	NameEN          opt[string] `json:"name_en"`
	OwningUnitID    opt[string] `json:"owning_unit_id"`
	LeadUserID      opt[string] `json:"lead_user_id"`
	Status          opt[string] `json:"status"`
	CadenceDays     opt[int]    `json:"cadence_days"`
	GoalStatement   opt[string] `json:"goal_statement"`
	ExpectedAmount  opt[int64]  `json:"expected_amount"`
	Currency        opt[string] `json:"currency"`
	ExpectedOutcome opt[string] `json:"expected_outcome"`
	GoalID          opt[string] `json:"goal_id"`
	StartDate       opt[string] `json:"start_date"`
	TargetDate      opt[string] `json:"target_date"`
}

// projectInput lays the body over base (the project as it is, or the defaults for a
// new one) and checks it as the project form does: the owning unit must be one the
// viewer belongs to, unless they are an admin or it stays the current one.
func (b apiProjectBody) projectInput(v *accord.Viewer, base accord.ProjectInput, currentUnitID int64) (accord.ProjectInput, error) {
	in := base
	var read accord.Validation
	b.Name.apply(&in.Name)
	b.NameEN.apply(&in.NameEN)
	if b.OwningUnitID.Set {
		in.OwningUnitID = 0
		if id := parseAPIID(b.OwningUnitID.Value, "owning_unit_id", &read); id != nil {
			in.OwningUnitID = *id
		}
	}
	if b.LeadUserID.Set {
		in.LeadUserID = 0
		if id := parseAPIID(b.LeadUserID.Value, "lead_user_id", &read); id != nil {
			in.LeadUserID = *id
		}
	}
	if b.Status.Set && b.Status.Value != nil {
		in.Status = accord.ProjectStatus(*b.Status.Value)
	}
	b.CadenceDays.apply(&in.CadenceDays)
	b.GoalStatement.apply(&in.GoalStatement)
	b.ExpectedAmount.applyPtr(&in.ExpectedAmount)
	b.Currency.apply(&in.Currency)
	b.ExpectedOutcome.apply(&in.ExpectedOutcome)
	if b.GoalID.Set {
		in.GoalID = parseAPIID(b.GoalID.Value, "goal_id", &read)
	}
	if b.StartDate.Set {
		in.StartDate = parseAPIDate(b.StartDate.Value, "start_date", &read)
	}
	if b.TargetDate.Set {
		in.TargetDate = parseAPIDate(b.TargetDate.Value, "target_date", &read)
	}
	cadenceSent := b.CadenceDays.Set && b.CadenceDays.Value != nil
	in.Normalize()
	// Normalize fills a missing cadence with the default; a sent 0 is out of range.
	if cadenceSent {
		in.CadenceDays = *b.CadenceDays.Value
	}
	if in.OwningUnitID > 0 && !accord.MayPlaceProjectIn(*v, in.OwningUnitID, currentUnitID) {
		read.Add("owning_unit_id", "projects_unit_not_yours")
	}
	return in, spine.MergeProblems(read, in.Validate())
}

// apiProjects lists the projects the caller may see, newest first, a page at a time.
func (s *Server) apiProjects(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.ProjectFilter{LedByMe: spine.QueryFlag(q.Get("mine")), Offset: page.Offset, Limit: page.Limit}
	if st := accord.ProjectStatus(q.Get("status")); st.Valid() {
		f.Status = &st
	}
	list, total, err := s.store.Projects(ctx, *spine.ViewerFrom(ctx), f)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiProject, 0, len(list))
	for _, p := range list {
		out = append(out, toAPIProject(p))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"projects": out, "total": total, "next_cursor": page.nextCursor(total)})
}

// apiCreateProject starts a project: heads and admins only, as on the page. The lead
// defaults to the caller.
func (s *Server) apiCreateProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if !v.Roles.MayStartProjects() {
		s.apiFail(w, r, accord.Errorf(accord.ECodeForbidden, "projects_start_forbidden", nil))
		return
	}
	var body apiProjectBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in, err := body.projectInput(v, accord.ProjectInput{LeadUserID: v.User.ID}, 0)
	var p accord.Project
	if err == nil {
		p, err = s.store.CreateProject(ctx, v.User.ID, in)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/projects/"+apiID(p.ID))
	s.apiJSON(w, r, http.StatusCreated, toAPIProject(p))
}

// apiProject answers one project the caller may see; one they may not is not found.
func (s *Server) apiProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.apiProjectFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIProject(p))
}

// apiProjectFor loads the project in the path: 404 for someone who may not see it,
// and when forEdit 403 for someone who may see but not change it.
func (s *Server) apiProjectFor(r *http.Request, forEdit bool) (accord.Project, error) {
	id, err := apiPathID(r)
	if err != nil {
		return accord.Project{}, err
	}
	return s.Project(r.Context(), id, forEdit)
}

// apiUpdateProject patches the fields the body names, if the version is current; a
// stale one gets 409 with the project as it stands.
func (s *Server) apiUpdateProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, true)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiProjectBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in, err := body.projectInput(spine.ViewerFrom(ctx), p.Input(), p.OwningUnitID)
	var saved accord.Project
	if err == nil {
		saved, err = s.store.UpdateProject(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, *body.Version, in)
	}
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.ProjectForViewer(ctx, *spine.ViewerFrom(ctx), p.ID); lerr == nil {
			s.apiFail(w, r, err, toAPIProject(now))
			return
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIProject(saved))
}

// apiNeedBody is a need as a client sends it; on PATCH only the fields it names change.
type apiNeedBody struct {
	sentVersion
	Title         opt[string]  `json:"title"`
	TitleEN       opt[string]  `json:"title_en"`
	HolderUnitID  opt[string]  `json:"holder_unit_id"`
	ExternalParty opt[string]  `json:"external_party"`
	Tier          opt[string]  `json:"tier"`
	BacksUpNeedID opt[string]  `json:"backs_up_need_id"`
	NeededBy      opt[string]  `json:"needed_by"`
	EffortDays    opt[float64] `json:"effort_days"`
	KeyPerson     opt[string]  `json:"key_person"`
	Notes         opt[string]  `json:"notes"`
}

// needInput lays the body over base and checks it against the project, as the
// workbook's form does; warnings are what saves but the lead should check.
func (b apiNeedBody) needInput(p accord.Project, base accord.NeedInput) (accord.NeedInput, map[string]string, error) {
	in := base
	var read accord.Validation
	b.Title.apply(&in.Title)
	b.TitleEN.apply(&in.TitleEN)
	if b.HolderUnitID.Set {
		in.HolderUnitID = parseAPIID(b.HolderUnitID.Value, "holder_unit_id", &read)
	}
	b.ExternalParty.apply(&in.ExternalParty)
	if b.Tier.Set && b.Tier.Value != nil {
		in.Tier = accord.Tier(*b.Tier.Value)
	}
	if b.BacksUpNeedID.Set {
		in.BacksUpNeedID = parseAPIID(b.BacksUpNeedID.Value, "backs_up_need_id", &read)
	}
	if b.NeededBy.Set {
		in.NeededBy = parseAPIDate(b.NeededBy.Value, "needed_by", &read)
	}
	b.EffortDays.apply(&in.EffortDays)
	if math.IsNaN(in.EffortDays) || math.IsInf(in.EffortDays, 0) {
		in.EffortDays = 0
		read.Add("effort_days", "wb_field_number")
	}
	b.KeyPerson.apply(&in.KeyPerson)
	b.Notes.apply(&in.Notes)
	in.Normalize()
	warnings, err := in.Validate(p)
	return in, warnings, spine.MergeProblems(read, err)
}

// needWarningsJSON translates the warnings of a save, keyed by field.
func needWarningsJSON(ctx context.Context, warnings map[string]string) map[string]string {
	if len(warnings) == 0 {
		return nil
	}
	return translateFields(ctx, warnings)
}

// apiNeeds answers a project's resource map, tier and date order.
func (s *Server) apiNeeds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	needs, err := s.store.Needs(ctx, p.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiNeed, 0, len(needs))
	for _, n := range needs {
		out = append(out, toAPINeed(n))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"needs": out})
}

// apiCreateNeed adds a need to the resource map: the lead or an admin.
func (s *Server) apiCreateNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, true)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiNeedBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in, warnings, err := body.needInput(p, accord.NeedInput{})
	var n accord.Need
	if err == nil {
		n, err = s.store.CreateNeed(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, in)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := toAPINeed(n)
	out.Warnings = needWarningsJSON(ctx, warnings)
	s.apiJSON(w, r, http.StatusCreated, out)
}

// apiNeedFor loads the need in the path with its project, for the project's editor.
func (s *Server) apiNeedFor(r *http.Request) (accord.Need, accord.Project, error) {
	id, err := apiPathID(r)
	if err != nil {
		return accord.Need{}, accord.Project{}, err
	}
	return s.Spine.Need(r.Context(), id)
}

// apiUpdateNeed patches a need if the version is current; a stale one gets 409 with
// the need as it stands.
func (s *Server) apiUpdateNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, p, err := s.apiNeedFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiNeedBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	base := accord.NeedInput{Title: cur.Title, TitleEN: cur.TitleEN, HolderUnitID: cur.HolderUnitID,
		ExternalParty: cur.ExternalParty, Tier: cur.Tier, BacksUpNeedID: cur.BacksUpNeedID, NeededBy: cur.NeededBy,
		EffortDays: cur.EffortDays, KeyPerson: cur.KeyPerson, Notes: cur.Notes}
	in, warnings, err := body.needInput(p, base)
	var n accord.Need
	if err == nil {
		n, err = s.store.UpdateNeed(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, *body.Version, in)
	}
	if err != nil {
		s.apiFailWithNeed(w, r, cur.ID, err)
		return
	}
	out := toAPINeed(n)
	out.Warnings = needWarningsJSON(ctx, warnings)
	s.apiJSON(w, r, http.StatusOK, out)
}

// apiDeleteNeed removes a need from the resource map, deleting one never sent and
// archiving one whose every request was cancelled (accord.NeedRemovalOf); the
// version it saw travels as ?version=.
func (s *Server) apiDeleteNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, _, err := s.apiNeedFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var version *int
	if n, perr := strconv.Atoi(r.URL.Query().Get("version")); perr == nil {
		version = &n
	}
	if err := requireVersion(version); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if _, err := s.store.DeleteNeed(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, *version); err != nil {
		s.apiFailWithNeed(w, r, cur.ID, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiFailWithNeed answers err, with the need as it stands when err is a conflict.
func (s *Server) apiFailWithNeed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.Need(r.Context(), id); lerr == nil {
			s.apiFail(w, r, err, toAPINeed(now))
			return
		}
	}
	s.apiFail(w, r, err)
}

// apiSendNeed sends one need to the head of its holding unit, with the lead's note.
// A need held outside, or one already asked for, sends nothing: 409.
func (s *Server) apiSendNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n, p, err := s.apiNeedFor(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		Message string `json:"message"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var v accord.Validation
	message := strings.TrimSpace(body.Message)
	accord.ValidateText(&v, "message", message, accord.MaxNoteLength) // NUL would fail the insert: a 500
	if err := v.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	sent, err := s.store.SendNeeds(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, []int64{n.ID}, message, s.Now())
	if err == nil && len(sent) == 0 {
		err = accord.Errorf(accord.ECodeConflict, "rq_send_nothing", nil)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/requests/"+apiID(sent[0].ID))
	s.apiJSON(w, r, http.StatusCreated, toAPIRequest(sent[0], *spine.ViewerFrom(ctx)))
}
