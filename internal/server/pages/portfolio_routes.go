package pages

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// portfolioRoutes registers its pages on the signed-in router: the executive's
// portfolio, and the retrospective that closes a project.
func (s *Server) portfolioRoutes(r chi.Router) {
	r.Get("/portfolio", s.showPortfolioPage)
	s.retroRoutes(r)
}

const (
	// portfolioPerPage is how many projects a portfolio page lists.
	portfolioPerPage = 25
)

// showPortfolioPage lists the projects touching the units under the viewer, worst
// first, the company goals they roll up to, and the load on each unit. A fixed number
// of statements after the session's, whatever the number of projects: the epochs, the
// page of rows with the goal rollup (which also gives the totals by health) in one,
// the decisions tile, and the load.
//
// The page is kept rendered (pages/rendered_pages.go) with the organisation's and the
// portfolio's epochs it was read at (migration 0056 moves the latter on every write to
// what ranks, sums or colours a project), and the row epochs of the projects it lists
// (migration 0061 moves a project's on a change only its own row shows), under a key
// naming the viewer's rules, language, zone and query, until the clock alone would
// change it (PortfolioView.SameUntil): a kept view costs the epochs' statement. A
// write to what ranks, sums or colours any project makes the next view of every
// portfolio read afresh; one to a row alone, of the portfolios listing it.
func (s *Server) showPortfolioPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	if !v.Roles.SeesPortfolio() {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "pf_not_for_role", nil))
		return
	}
	now := s.Now()
	q := r.URL.Query()
	view := ui.PortfolioView{Admin: v.Roles.Admin, Today: now, Page: min(pageParam(r), maxListPage)}
	f := store.PortfolioFilter{Offset: (view.Page - 1) * portfolioPerPage, Limit: portfolioPerPage}
	if h := accord.Health(q.Get("health")); h.Valid() {
		f.Health, view.Filter.Health = &h, h
	}
	if st := accord.ProjectStatus(q.Get("status")); st.Valid() {
		f.Status, view.Filter.Status = &st, string(st)
	}
	if id, err := strconv.ParseInt(q.Get("goal"), 10, 64); err == nil && id > 0 {
		f.GoalID, view.Filter.GoalID = &id, id
	}
	key, err := keyOf("portfolio", rulesViewer(*v), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	at, answered, turn := s.keptAtCompanyOrDraw(w, r, keptPortfolio, key, now, store.PortfolioEpoch, i18n.T(ctx, "pf_title"),
		"portfolio")
	if answered {
		return
	}
	defer turn.done()
	read, err := s.store.ReadPortfolio(ctx, *v, f, spine.GoalProjectsShown, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	rows, total, goals := read.Rows, read.Total, read.Goals
	load, err := s.store.PortfolioLoad(ctx, *v, spine.LoadUnitsShown)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	// The decision tile counts what its link shows (accord.PortfolioDecisionList).
	view.DecisionList = accord.PortfolioDecisionList(v.Roles)
	if view.DecisionList == accord.ListToDecide {
		n, err := s.store.EscalationsToDecideCount(ctx, *v)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		view.Decisions = n
	}
	view.Total, view.Pages = total, pages(total, portfolioPerPage)
	for _, p := range rows {
		view.Rows = append(view.Rows, ui.PortfolioRow{PortfolioRow: p})
	}
	view.Counts, view.Value = map[accord.Health]int{}, map[accord.Health]int64{}
	currencies := map[string]bool{}
	view.Goals = goals
	for _, g := range goals {
		view.Projects += g.Projects
		if view.DecisionList == accord.ListAllOpen {
			view.Decisions += g.Escalations // every pending one, each in one goal's rollup
		}
		for _, h := range accord.Healths() {
			view.Counts[h] += g.Counts[h]
			view.Value[h] += g.Value[h]
		}
		if g.Projects > 0 {
			currencies[g.Currency] = true
		}
	}
	if len(currencies) == 1 {
		for c := range currencies {
			view.Currency = c // "" when one goal's projects already mixed currencies
		}
	}
	for _, u := range load {
		view.Load = append(view.Load, ui.UnitLoadRow{UnitID: u.UnitID, Name: u.Name, NameEN: u.NameEN, Open: u.Open,
			Asked: u.AskedDays, Committed: u.CommittedDays, Declined: u.Declined})
	}
	// Kept with the listed projects' row epochs too: what only a listed row shows
	// moves its project's, not the portfolio's (migration 0061).
	at.Projects = read.Listed
	body, err := s.rendered.renderRead(ctx, turn, view.SameUntil(ui.Location(ctx), read.Quiet), at, ui.Portfolio(view))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "pf_title"), "portfolio", body)
}
