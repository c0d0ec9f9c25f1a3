package api

import (
	"net/http"
	"strconv"
	"time"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"

	"github.com/go-chi/chi/v5"
)

// portfolioRoutes declares the endpoints for the portfolio and the caller's notifications.
func (s *Server) portfolioRoutes(r chi.Router) {
	r.Get("/portfolio", s.apiPortfolio)
	r.Get("/notifications", s.apiNotifications)
	r.Post("/notifications/read", s.apiMarkNotificationsRead)
}

// The executive's portfolio and the caller's notifications, as the /portfolio and
// /notifications pages show them.

type apiPortfolioProject struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	NameEN          string    `json:"name_en"`
	Status          string    `json:"status"`
	OwningUnitID    string    `json:"owning_unit_id"`
	UnitName        string    `json:"unit_name"`
	UnitNameEN      string    `json:"unit_name_en"`
	LeadName        string    `json:"lead_name"`
	LeadNameEN      string    `json:"lead_name_en"`
	GoalID          *string   `json:"goal_id"` // the company goal its own goal rolls up to
	GoalTitle       string    `json:"goal_title"`
	GoalTitleEN     string    `json:"goal_title_en"`
	ExpectedAmount  *int64    `json:"expected_amount"`
	Currency        string    `json:"currency"`
	ExpectedOutcome string    `json:"expected_outcome"`
	TargetDate      *string   `json:"target_date"`
	Health          string    `json:"health"`
	Signals         apiSignal `json:"signals"`
}

// apiSignal counts what makes a project's health.
type apiSignal struct {
	Live        int `json:"live"`
	P0Declined  int `json:"p0_declined"`
	P0Overdue   int `json:"p0_overdue"`
	Declined    int `json:"declined"`
	Overdue     int `json:"overdue"`
	Stale       int `json:"stale"`
	HighRisk    int `json:"high_risk"`
	Delivered   int `json:"delivered"`
	Escalations int `json:"escalations"`
}

func toAPIPortfolioProject(p accord.PortfolioRow) apiPortfolioProject {
	return apiPortfolioProject{ID: apiID(p.ID), Name: p.Name, NameEN: p.NameEN, Status: string(p.Status),
		OwningUnitID: apiID(p.OwningUnitID), UnitName: p.UnitName, UnitNameEN: p.UnitNameEN, LeadName: p.LeadName,
		LeadNameEN: p.LeadNameEN, GoalID: apiIDPtr(p.GoalID), GoalTitle: p.GoalTitle, GoalTitleEN: p.GoalTitleEN,
		ExpectedAmount: p.ExpectedAmount, Currency: p.Currency, ExpectedOutcome: p.ExpectedOutcome,
		TargetDate: apiDate(p.TargetDate), Health: string(p.Health),
		Signals: apiSignal{Live: p.Live, P0Declined: p.P0Declined, P0Overdue: p.P0Overdue, Declined: p.Declined,
			Overdue: p.Overdue, Stale: p.Stale, HighRisk: p.HighRisk, Delivered: p.Delivered, Escalations: p.Escalations}}
}

// apiHealthCounts is a number per health level.
type apiHealthCounts struct {
	Blocked int64 `json:"blocked"`
	AtRisk  int64 `json:"at_risk"`
	OnTrack int64 `json:"on_track"`
}

func (c *apiHealthCounts) add(h accord.Health, n int64) {
	switch h {
	case accord.HealthBlocked:
		c.Blocked += n
	case accord.HealthAtRisk:
		c.AtRisk += n
	case accord.HealthOnTrack:
		c.OnTrack += n
	}
}

type apiGoalProject struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Status string `json:"status"`
	Health string `json:"health"`
}

// apiGoalRollup is a company goal with the health of the projects serving it; the
// projects that serve no goal come last, with a null goal_id.
type apiGoalRollup struct {
	GoalID      *string          `json:"goal_id"`
	Title       string           `json:"title"`
	TitleEN     string           `json:"title_en"`
	Target      string           `json:"target"`
	Projects    int              `json:"projects"`
	Counts      apiHealthCounts  `json:"counts"`
	Value       apiHealthCounts  `json:"value"`
	Currency    string           `json:"currency"` // "" when its projects use several
	Escalations int              `json:"escalations"`
	Top         []apiGoalProject `json:"top"` // the worst few, worst first
}

type apiUnitLoad struct {
	UnitID        string  `json:"unit_id"`
	Name          string  `json:"name"`
	NameEN        string  `json:"name_en"`
	Open          int     `json:"open"`
	AskedDays     float64 `json:"asked_days"`
	CommittedDays float64 `json:"committed_days"`
	Declined      int     `json:"declined"`
}

// apiPortfolioSummary is the page's tiles: projects and value at stake by health,
// over the whole scope (the status filter applies; health and goal do not).
type apiPortfolioSummary struct {
	Projects    int             `json:"projects"`
	Escalations int             `json:"escalations"`
	Counts      apiHealthCounts `json:"counts"`
	Value       apiHealthCounts `json:"value"`
	Currency    string          `json:"currency"`
}

type apiPortfolio struct {
	Projects   []apiPortfolioProject `json:"projects"`
	Total      int                   `json:"total"`
	NextCursor *string               `json:"next_cursor"`
	Summary    apiPortfolioSummary   `json:"summary"`
	Goals      []apiGoalRollup       `json:"goals"`
	Load       []apiUnitLoad         `json:"load"`
}

// apiPortfolio answers an executive's (or an admin's) portfolio: a page of the
// projects touching the units under them, worst first, with the goal rollup and the
// load per unit, read as the page reads them (the page adds its decisions tile).
func (s *Server) apiPortfolio(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if !v.Roles.SeesPortfolio() {
		s.apiFail(w, r, accord.Errorf(accord.ECodeForbidden, "pf_not_for_role", nil))
		return
	}
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := readPortfolioFilter(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	f.Offset, f.Limit = page.Offset, page.Limit
	now := s.Now()
	rows, total, goals, err := s.store.PortfolioPage(ctx, *v, f, spine.GoalProjectsShown, now)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	load, err := s.store.PortfolioLoad(ctx, *v, spine.LoadUnitsShown)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := apiPortfolio{Projects: make([]apiPortfolioProject, 0, len(rows)), Total: total,
		NextCursor: page.nextCursor(total), Goals: make([]apiGoalRollup, 0, len(goals)), Load: make([]apiUnitLoad, 0, len(load))}
	for _, p := range rows {
		out.Projects = append(out.Projects, toAPIPortfolioProject(p))
	}
	currencies := map[string]bool{}
	for _, g := range goals {
		rollup := apiGoalRollup{Title: g.Goal.Title, TitleEN: g.Goal.TitleEN, Target: g.Goal.Target, Projects: g.Projects,
			Currency: g.Currency, Escalations: g.Escalations, Top: make([]apiGoalProject, 0, len(g.Top))}
		if g.Goal.ID != 0 {
			rollup.GoalID = apiIDPtr(&g.Goal.ID)
		}
		for _, h := range accord.Healths() {
			rollup.Counts.add(h, int64(g.Counts[h]))
			rollup.Value.add(h, g.Value[h])
			out.Summary.Counts.add(h, int64(g.Counts[h]))
			out.Summary.Value.add(h, g.Value[h])
		}
		for _, p := range g.Top {
			rollup.Top = append(rollup.Top, apiGoalProject{ID: apiID(p.ID), Name: p.Name, NameEN: p.NameEN,
				Status: string(p.Status), Health: string(p.Health)})
		}
		out.Goals = append(out.Goals, rollup)
		out.Summary.Projects += g.Projects
		out.Summary.Escalations += g.Escalations
		if g.Projects > 0 {
			currencies[g.Currency] = true
		}
	}
	// One currency across every goal's projects, as the page's tiles say it; "" when
	// they mix (a goal whose projects already mixed counts as "").
	if len(currencies) == 1 {
		for c := range currencies {
			out.Summary.Currency = c
		}
	}
	for _, u := range load {
		out.Load = append(out.Load, apiUnitLoad{UnitID: apiID(u.UnitID), Name: u.Name, NameEN: u.NameEN, Open: u.Open,
			AskedDays: u.AskedDays, CommittedDays: u.CommittedDays, Declined: u.Declined})
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

// readPortfolioFilter reads ?health=, ?status= and ?goal=; unlike the page, which
// ignores a value it does not know, the API says which one is wrong.
func readPortfolioFilter(r *http.Request) (store.PortfolioFilter, error) {
	q := r.URL.Query()
	var f store.PortfolioFilter
	var v accord.Validation
	if raw := q.Get("health"); raw != "" {
		if h := accord.Health(raw); h.Valid() {
			f.Health = &h
		} else {
			v.Add("health", "api_health_invalid")
		}
	}
	if raw := q.Get("status"); raw != "" {
		if st := accord.ProjectStatus(raw); st.Valid() {
			f.Status = &st
		} else {
			v.Add("status", "api_status_invalid")
		}
	}
	if raw := q.Get("goal"); raw != "" {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id > 0 {
			f.GoalID = &id
		} else {
			v.Add("goal", "api_id_invalid")
		}
	}
	return f, v.Err()
}

type apiNotification struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	Text          string     `json:"text"` // the sentence the notification centre shows, in the request's language
	Link          string     `json:"link"` // the page it is about, relative to Accord's address
	ProjectID     *string    `json:"project_id"`
	RequestID     *string    `json:"request_id"`
	ActorName     string     `json:"actor_name"`
	ActorNameEN   string     `json:"actor_name_en"`
	NeedTitle     string     `json:"need_title"`
	NeedTitleEN   string     `json:"need_title_en"`
	ProjectName   string     `json:"project_name"`
	ProjectNameEN string     `json:"project_name_en"`
	State         string     `json:"state"`         // the request's state it reports, or ""
	EscalationID  *string    `json:"escalation_id"` // the escalation it is about; Link opens it
	Decision      string     `json:"decision"`      // an escalation's outcome, or ""
	Reason        string     `json:"reason"`        // the decision's or reassignment's reason, or ""
	ReadAt        *time.Time `json:"read_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

// apiNotifications lists the caller's notifications, newest first, a page at a time.
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, total, err := s.store.Notifications(ctx, v.User.ID, page.Offset, page.Limit)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	lang := i18n.Lang(ctx)
	tr := func(id string, data ...map[string]any) string { return i18n.T(ctx, id, data...) }
	out := make([]apiNotification, 0, len(list))
	for _, n := range list {
		said := n
		said.Reason = i18n.Text(ctx, n.Reason) // the sentence in the reader's language; Reason stays as typed
		out = append(out, apiNotification{ID: apiID(n.ID), Kind: string(n.Kind), Text: delivery.Sentence(said, lang, tr),
			Link: delivery.Path(n), ProjectID: apiIDPtr(n.ProjectID), RequestID: apiIDPtr(n.RequestID),
			ActorName: n.ActorName, ActorNameEN: n.ActorNameEN, NeedTitle: n.NeedTitle, NeedTitleEN: n.NeedTitleEN,
			ProjectName: n.ProjectName, ProjectNameEN: n.ProjectNameEN, State: string(n.State),
			EscalationID: apiIDPtr(n.EscalationID), Decision: string(n.Decision), Reason: n.Reason, ReadAt: n.ReadAt,
			CreatedAt: n.CreatedAt})
	}
	s.apiJSON(w, r, http.StatusOK, map[string]any{"notifications": out, "total": total, "unread": v.Unread,
		"next_cursor": page.nextCursor(total)})
}

// apiMarkNotificationsRead marks the caller's notifications read up to and including
// up_to (the newest one the client has seen, so one arriving meanwhile stays unread),
// or all of them when the body is empty or leaves it out.
func (s *Server) apiMarkNotificationsRead(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		UpTo *string `json:"up_to"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &body); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	var v accord.Validation
	var upTo int64
	if id := parseAPIID(body.UpTo, "up_to", &v); id != nil {
		upTo = *id
	}
	err := v.Err()
	if err == nil {
		err = s.store.MarkNotificationsRead(ctx, spine.ViewerFrom(ctx).User.ID, upTo, s.Now())
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
