package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

// workbookRoutes declares the endpoints for the value-exchange matrix, promises and goals.
func (s *Server) workbookRoutes(r chi.Router) {
	r.Get("/projects/{id}/exchange", s.apiExchanges)
	r.Get("/projects/{id}/exchange/{unit_id}", s.apiGetExchange)
	r.Put("/projects/{id}/exchange/{unit_id}", s.apiPutExchange)
	r.Get("/projects/{id}/commitments", s.apiCommitments)
	r.Post("/projects/{id}/commitments", s.apiCreateCommitment)
	r.Patch("/commitments/{id}", s.apiUpdateCommitment)
	r.Get("/goals", s.apiGoals)
}

// The workbook's other tables through the API: what each involved unit cares about
// and is offered (the exchange), the promises made to units (commitments), and the
// company goals. Each handler loads, checks and saves through the same store calls
// and domain rules as the workbook's and the goals' pages.

// apiExchange is the plan for one involved unit: its motivation (concerns, kpis), the
// value exchange (they_need … option_c) and its place on the alliance map (stance,
// approach_order). Version is 0 until the plan is first saved.
type apiExchange struct {
	ProjectID     string   `json:"project_id"`
	UnitID        string   `json:"unit_id"`
	UnitName      string   `json:"unit_name"`
	UnitNameEN    string   `json:"unit_name_en"`
	Concerns      []string `json:"concerns"`
	KPIs          []string `json:"kpis"`
	TheyNeed      string   `json:"they_need"`
	WeGive        string   `json:"we_give"`
	TheyGet       string   `json:"they_get"`
	Proposal      string   `json:"proposal"`
	OptionA       string   `json:"option_a"`
	OptionB       string   `json:"option_b"`
	OptionC       string   `json:"option_c"`
	Stance        string   `json:"stance"`
	ApproachOrder int      `json:"approach_order"`
	Version       int      `json:"version"`
}

func toAPIExchange(p accord.UnitPlan) apiExchange {
	return apiExchange{ProjectID: apiID(p.ProjectID), UnitID: apiID(p.UnitID), UnitName: p.UnitName,
		UnitNameEN: p.UnitNameEN, Concerns: nonNilStrings(p.Concerns), KPIs: nonNilStrings(p.KPIs),
		TheyNeed: p.TheyNeed, WeGive: p.WeGive, TheyGet: p.TheyGet, Proposal: p.Proposal, OptionA: p.OptionA,
		OptionB: p.OptionB, OptionC: p.OptionC, Stance: string(p.Stance), ApproachOrder: p.ApproachOrder,
		Version: p.Version}
}

// nonNilStrings keeps an empty list a JSON array rather than null.
func nonNilStrings(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// apiExchangeBody is a plan as a client sends it. Fields it leaves out keep their
// saved values (null does too), as the workbook's plan form keeps the stance and the
// alliance board keeps the text; version is the one the client saw (0 for a plan
// never saved).
type apiExchangeBody struct {
	sentVersion
	Concerns      opt[[]string] `json:"concerns"`
	KPIs          opt[[]string] `json:"kpis"`
	TheyNeed      opt[string]   `json:"they_need"`
	WeGive        opt[string]   `json:"we_give"`
	TheyGet       opt[string]   `json:"they_get"`
	Proposal      opt[string]   `json:"proposal"`
	OptionA       opt[string]   `json:"option_a"`
	OptionB       opt[string]   `json:"option_b"`
	OptionC       opt[string]   `json:"option_c"`
	Stance        opt[string]   `json:"stance"`
	ApproachOrder opt[int]      `json:"approach_order"`
}

// plan lays the body over the plan as saved and checks it as the workbook does.
func (b apiExchangeBody) plan(cur accord.UnitPlan) (accord.UnitPlan, error) {
	plan := cur
	b.Concerns.apply(&plan.Concerns)
	b.KPIs.apply(&plan.KPIs)
	b.TheyNeed.apply(&plan.TheyNeed)
	b.WeGive.apply(&plan.WeGive)
	b.TheyGet.apply(&plan.TheyGet)
	b.Proposal.apply(&plan.Proposal)
	b.OptionA.apply(&plan.OptionA)
	b.OptionB.apply(&plan.OptionB)
	b.OptionC.apply(&plan.OptionC)
	stance := string(plan.Stance)
	b.Stance.apply(&stance)
	plan.Stance = accord.Stance(stance)
	b.ApproachOrder.apply(&plan.ApproachOrder)
	plan.Version = *b.Version
	plan.Normalize()
	return plan, plan.Validate()
}

// apiExchangeFor loads the project in the path and the plan for {unit_id}; a unit the
// project does not involve is not found.
func (s *Server) apiExchangeFor(r *http.Request, forEdit bool) (accord.UnitPlan, error) {
	p, err := s.apiProjectFor(r, forEdit)
	if err != nil {
		return accord.UnitPlan{}, err
	}
	unitID, err := strconv.ParseInt(chi.URLParam(r, "unit_id"), 10, 64)
	if err != nil || unitID <= 0 {
		return accord.UnitPlan{}, accord.Errorf(accord.ECodeNotFound, "api_not_found", nil)
	}
	return s.store.UnitPlan(r.Context(), p.ID, unitID)
}

// apiExchanges answers the plan for every unit the project involves, in the alliance
// board's order (approach order, then the tree): one query, as the workbook loads them.
func (s *Server) apiExchanges(w http.ResponseWriter, r *http.Request) {
	p, err := s.apiProjectFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	plans, err := s.store.UnitPlans(r.Context(), p.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiExchange, 0, len(plans))
	for _, plan := range plans {
		out = append(out, toAPIExchange(plan))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"exchanges": out})
}

// apiGetExchange answers what one involved unit cares about and is offered.
func (s *Server) apiGetExchange(w http.ResponseWriter, r *http.Request) {
	plan, err := s.apiExchangeFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIExchange(plan))
}

// apiPutExchange saves a unit's plan if the version is current; a stale one gets 409
// with the plan as it stands.
func (s *Server) apiPutExchange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, err := s.apiExchangeFor(r, true)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiExchangeBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	plan, err := body.plan(cur)
	var saved accord.UnitPlan
	if err == nil {
		saved, err = s.store.SaveUnitPlan(ctx, spine.ViewerFrom(ctx).User.ID, plan)
	}
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.UnitPlan(ctx, cur.ProjectID, cur.UnitID); lerr == nil {
			s.apiFail(w, r, err, toAPIExchange(now))
			return
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIExchange(saved))
}

// apiCommitment is a promise the project made to a unit; overdue is worked out with
// the same rule as the workbook's overdue banner.
type apiCommitment struct {
	ID         string    `json:"id"`
	ProjectID  string    `json:"project_id"`
	UnitID     string    `json:"unit_id"`
	UnitName   string    `json:"unit_name"`
	UnitNameEN string    `json:"unit_name_en"`
	What       string    `json:"what"`
	DueDate    *string   `json:"due_date"`
	Status     string    `json:"status"`
	Overdue    bool      `json:"overdue"`
	CreatedAt  time.Time `json:"created_at"`
	Version    int       `json:"version"`
}

func toAPICommitment(c accord.Commitment, today time.Time) apiCommitment {
	return apiCommitment{ID: apiID(c.ID), ProjectID: apiID(c.ProjectID), UnitID: apiID(c.UnitID),
		UnitName: c.UnitName, UnitNameEN: c.UnitNameEN, What: c.What, DueDate: apiDate(c.DueDate),
		Status: string(c.Status), Overdue: c.Overdue(today), CreatedAt: c.CreatedAt, Version: c.Version}
}

// apiCommitmentBody is a commitment as a client sends it; on PATCH only the fields it
// names change.
type apiCommitmentBody struct {
	sentVersion
	UnitID  opt[string] `json:"unit_id"`
	What    opt[string] `json:"what"`
	DueDate opt[string] `json:"due_date"`
	Status  opt[string] `json:"status"`
}

// commitmentInput lays the body over base and checks it as the commitment form does.
func (b apiCommitmentBody) commitmentInput(base accord.CommitmentInput) (accord.CommitmentInput, error) {
	in := base
	var read accord.Validation
	if b.UnitID.Set {
		in.UnitID = 0
		if id := parseAPIID(b.UnitID.Value, "unit_id", &read); id != nil {
			in.UnitID = *id
		}
	}
	b.What.apply(&in.What)
	if b.DueDate.Set {
		in.DueDate = parseAPIDate(b.DueDate.Value, "due_date", &read)
	}
	if b.Status.Set && b.Status.Value != nil {
		in.Status = accord.CommitmentStatus(*b.Status.Value)
	}
	in.Normalize()
	return in, spine.MergeProblems(read, in.Validate())
}

// apiCommitments answers a project's promises, open ones first by due date.
func (s *Server) apiCommitments(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.store.Commitments(ctx, p.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	today := s.Now()
	out := make([]apiCommitment, 0, len(list))
	for _, c := range list {
		out = append(out, toAPICommitment(c, today))
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"commitments": out})
}

// apiCreateCommitment records a promise to a unit: the lead or an admin.
func (s *Server) apiCreateCommitment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.apiProjectFor(r, true)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiCommitmentBody
	if err := decodeJSON(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	in, err := body.commitmentInput(accord.CommitmentInput{})
	var c accord.Commitment
	if err == nil {
		c, err = s.store.CreateCommitment(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, in)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusCreated, toAPICommitment(c, s.Now()))
}

// apiUpdateCommitment patches a commitment, its status included, if the version is
// current; a stale one gets 409 with the commitment as it stands.
func (s *Server) apiUpdateCommitment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	var cur accord.Commitment
	if err == nil {
		cur, _, err = s.Commitment(ctx, id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body apiCommitmentBody
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	base := accord.CommitmentInput{UnitID: cur.UnitID, What: cur.What, DueDate: cur.DueDate, Status: cur.Status}
	in, err := body.commitmentInput(base)
	var c accord.Commitment
	if err == nil {
		c, err = s.store.UpdateCommitment(ctx, spine.ViewerFrom(ctx).User.ID, cur.ID, *body.Version, in)
	}
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.Commitment(ctx, cur.ID); lerr == nil {
			s.apiFail(w, r, err, toAPICommitment(now, s.Now()))
			return
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPICommitment(c, s.Now()))
}

// apiGoal is a company goal or a department KPI under one, with the number of linked
// projects the caller may see.
type apiGoal struct {
	ID           string     `json:"id"`
	ParentID     *string    `json:"parent_id"`
	UnitID       *string    `json:"unit_id"`
	UnitName     string     `json:"unit_name"`
	UnitNameEN   string     `json:"unit_name_en"`
	Title        string     `json:"title"`
	TitleEN      string     `json:"title_en"`
	Target       string     `json:"target"`
	ClosedAt     *time.Time `json:"closed_at"`
	Depth        int        `json:"depth"`
	ProjectCount int        `json:"project_count"`
	Version      int        `json:"version"`
}

// apiGoals answers the goal tree depth-first, each goal followed by its KPIs, as the
// goals page shows it to everyone signed in; two queries whatever its size.
func (s *Server) apiGoals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	goals, err := s.store.Goals(ctx)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	counts, err := s.store.GoalProjectCounts(ctx, *spine.ViewerFrom(ctx))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiGoal, 0, len(goals))
	for _, g := range goals {
		out = append(out, apiGoal{ID: apiID(g.ID), ParentID: apiIDPtr(g.ParentID), UnitID: apiIDPtr(g.UnitID),
			UnitName: g.UnitName, UnitNameEN: g.UnitNameEN, Title: g.Title, TitleEN: g.TitleEN, Target: g.Target,
			ClosedAt: g.ClosedAt, Depth: g.Depth, ProjectCount: counts[g.ID], Version: g.Version})
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"goals": out})
}
