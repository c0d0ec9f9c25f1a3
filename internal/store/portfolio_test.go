package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// portfolio is PortfolioPage's page of rows and total.
func portfolio(t *testing.T, st *store.Store, ctx context.Context, v accord.Viewer, f store.PortfolioFilter, now time.Time) ([]accord.PortfolioRow, int, error) {
	t.Helper()
	rows, total, _, err := st.PortfolioPage(ctx, v, f, 5, now)
	return rows, total, err
}

// portfolioGoals is PortfolioPage's goal rollup, each goal naming up to five projects.
func portfolioGoals(t *testing.T, st *store.Store, ctx context.Context, v accord.Viewer, now time.Time) ([]accord.GoalRollup, error) {
	t.Helper()
	_, _, goals, err := st.PortfolioPage(ctx, v, store.PortfolioFilter{Limit: 1}, 5, now)
	return goals, err
}

// portfolioCompany is the company of company_test.go, with a Finance unit under
// Corporate functions, and three projects under goals, none of them sent yet but the
// closed one:
//   - After-sales' upgrade, 20 million, serving the company goal of customer
//     satisfaction: P0s of IT and Data (needed in 30 days), P1s of Training and Marketing;
//   - the renewal drive of Finance & insurance (under Operations), closed with everything
//     delivered, serving that unit's KPI under the profit goal;
//   - Sales' promotion, 8 million, serving Sales' KPI under the profit goal: P0s of
//     Marketing and Finance (under Corporate functions), a P1 of Finance & insurance.
//
// A third company goal, digital transformation, has no project.
type portfolioCompany struct {
	company
	upgrade      accord.Project
	upgradeNeeds map[string]accord.Need
}

// newPortfolioCompany builds the portfolio company in a fresh database of t's own.
func newPortfolioCompany(t *testing.T) portfolioCompany {
	t.Helper()
	pc := portfolioCompany{company: newCompany(t)}
	c := pc.company
	finance := c.Unit(t, storetest.UnitOpts{Parent: &c.corp, Name: "财务部", NameEN: "Finance"})

	satisfaction := c.Goal(t, storetest.GoalOpts{Title: "客户满意度提升至行业前三", TitleEN: "Customer satisfaction in the industry's top three"})
	profit := c.Goal(t, storetest.GoalOpts{Title: "全年利润增长 10%", TitleEN: "Full-year profit up 10%"})
	renewal := c.Goal(t, storetest.GoalOpts{Parent: &profit, Unit: &c.fi, Title: "续保率 65%", TitleEN: "Insurance renewal rate 65%"})
	stockTurn := c.Goal(t, storetest.GoalOpts{Parent: &profit, Unit: &c.sales, Title: "库存周转 45 天以内", TitleEN: "Stock turnover under 45 days"})
	c.Goal(t, storetest.GoalOpts{Title: "数字化转型", TitleEN: "Digital transformation"})

	p, needs := c.upgrade(t)
	pc.upgrade, pc.upgradeNeeds = c.valued(t, p, 20_000_000, &satisfaction), needs
	closedDrive(t, c.World, driveUnits{owner: c.fi, leads: c.afterSales, calls: c.service, publicity: c.marketing},
		func(in *accord.ProjectInput) { in.GoalID = &renewal.ID })
	promo, _ := c.promotion(t)
	promo = c.valued(t, promo, 8_000_000, &stockTurn)
	c.Need(t, storetest.NeedOpts{Project: &promo, Holder: &finance, TitleEN: "Promotion budget", Tier: accord.TierRequired})
	c.Need(t, storetest.NeedOpts{Project: &promo, Holder: &c.fi, TitleEN: "Loan and insurance offers", Tier: accord.TierImportant})
	return pc
}

// sendTheUpgrade sends the upgrade's four needs at `at`, by holder's English name.
func (pc portfolioCompany) sendTheUpgrade(t *testing.T, at time.Time) map[string]accord.Request {
	t.Helper()
	return pc.send(t, pc.upgrade, pc.upgradeNeeds, at)
}

// portfolioByName pages through the whole portfolio and returns each project's health
// by English name.
func portfolioByName(t *testing.T, c company, u accord.User, now time.Time) map[string]accord.Health {
	t.Helper()
	rows, total, err := portfolio(t, c.Store, c.Ctx, c.Viewer(t, u), store.PortfolioFilter{Limit: 100}, now)
	require.NoError(t, err)
	require.Len(t, rows, total)
	out := map[string]accord.Health{}
	for _, r := range rows {
		out[r.NameEN] = r.Health
	}
	return out
}

func TestPortfolioHealthFollowsTheRequests(t *testing.T) {
	t.Parallel()
	pc := newPortfolioCompany(t)
	now := time.Now()
	require.Equal(t, map[string]accord.Health{"Service upgrade": accord.HealthOnTrack,
		"Renewal drive": accord.HealthOnTrack, "Car promotion": accord.HealthOnTrack},
		portfolioByName(t, pc.company, pc.ceo, now), "nothing sent yet, and the closed drive delivered everything")

	sent := pc.sendTheUpgrade(t, now)
	it := sent["IT"]
	it, err := pc.Store.ActOnRequest(pc.Ctx, pc.Viewer(t, pc.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthBlocked, portfolioByName(t, pc.company, pc.ceo, now)["Service upgrade"], "a P0 declined")

	rows, _, err := portfolio(t, pc.Store, pc.Ctx, pc.Viewer(t, pc.ceo), store.PortfolioFilter{Limit: 1}, now)
	require.NoError(t, err)
	smart := rows[0]
	require.Equal(t, "Service upgrade", smart.NameEN, "the worst comes first")
	require.Equal(t, 1, smart.P0Declined)
	require.Equal(t, 1, smart.Declined)
	require.Equal(t, 4, smart.Live)
	require.Equal(t, "Customer satisfaction in the industry's top three", smart.GoalTitleEN)
	require.Equal(t, int64(20_000_000), *smart.ExpectedAmount)
	require.Equal(t, "After-sales", smart.UnitNameEN)
	require.Equal(t, pc.afterSalesHead.NameEN, smart.LeadNameEN)

	// The lead escalates; the CEO directs IT. Binding and agreed: on track again.
	e, err := pc.Store.Escalate(pc.Ctx, pc.Viewer(t, pc.afterSalesHead), it.ID, "需要决定", "", 3, now)
	require.NoError(t, err)
	require.Equal(t, 1, portfolioRow(t, pc.company, pc.ceo, "Service upgrade", now).Escalations)
	due := now.AddDate(0, 0, 30)
	_, err = pc.Store.Decide(pc.Ctx, pc.Viewer(t, pc.ceo), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthOnTrack, portfolioByName(t, pc.company, pc.ceo, now)["Service upgrade"])

	// A high risk in the latest progress entry puts it at risk; a later low one clears it.
	data := sent["Data"]
	dataHead := pc.Viewer(t, pc.dataHead)
	_, err = pc.Store.AddProgress(pc.Ctx, dataHead, data.ID, accord.ProgressInput{Body: "数据口径未定", Risk: accord.RiskHigh}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthAtRisk, portfolioByName(t, pc.company, pc.ceo, now)["Service upgrade"])
	_, err = pc.Store.AddProgress(pc.Ctx, dataHead, data.ID, accord.ProgressInput{Body: "口径已定", Risk: accord.RiskLow}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthOnTrack, portfolioByName(t, pc.company, pc.ceo, now)["Service upgrade"])

	// Three weeks without a word: stale, at risk. Past the P0's date: blocked.
	later := now.AddDate(0, 0, 21)
	require.Equal(t, accord.HealthAtRisk, portfolioByName(t, pc.company, pc.ceo, later)["Service upgrade"])
	r := portfolioRow(t, pc.company, pc.ceo, "Service upgrade", later)
	require.Equal(t, 4, r.Stale)
	late := now.AddDate(0, 0, 45)
	require.Equal(t, accord.HealthBlocked, portfolioByName(t, pc.company, pc.ceo, late)["Service upgrade"],
		"the customer analytics (P0) was needed within 30 days")
	r = portfolioRow(t, pc.company, pc.ceo, "Service upgrade", late)
	require.Positive(t, r.P0Overdue, "the P0s past their dates")
	overdue := r.Overdue

	// Every P0 re-tiered as important: as many requests late, none of them a P0.
	needs, err := pc.Store.Needs(pc.Ctx, data.ProjectID)
	require.NoError(t, err)
	for _, n := range needs {
		if n.Tier != accord.TierRequired {
			continue
		}
		in := needInputOf(n)
		in.Tier = accord.TierImportant
		_, err = pc.Store.UpdateNeed(pc.Ctx, pc.afterSalesHead.ID, n.ID, n.Version, in)
		require.NoError(t, err)
	}
	r = portfolioRow(t, pc.company, pc.ceo, "Service upgrade", late)
	require.Zero(t, r.P0Overdue, "no P0 is late any more")
	require.Equal(t, overdue, r.Overdue, "the same requests are late")
}

func portfolioRow(t *testing.T, c company, u accord.User, nameEN string, now time.Time) accord.PortfolioRow {
	t.Helper()
	rows, _, err := portfolio(t, c.Store, c.Ctx, c.Viewer(t, u), store.PortfolioFilter{Limit: 100}, now)
	require.NoError(t, err)
	for _, r := range rows {
		if r.NameEN == nameEN {
			return r
		}
	}
	t.Fatalf("%s is not on %s's portfolio", nameEN, u.NameEN)
	return accord.PortfolioRow{}
}

func TestPortfolioScopeIsTheViewersSubtree(t *testing.T) {
	t.Parallel()
	pc := newPortfolioCompany(t)
	now := time.Now()
	all := []string{"Service upgrade", "Renewal drive", "Car promotion"}
	tests := []struct {
		name string
		user accord.User
		want []string
	}{
		{"the CEO", pc.ceo, all},
		{"an administrator", pc.admin, all},
		{"the Technology head", pc.cto, []string{"Service upgrade"}},                      // IT and Data hold its needs
		{"the Corporate head", pc.corpHead, []string{"Service upgrade", "Car promotion"}}, // Training; Finance
		{"the Operations head", pc.opsHead, all},
		{"the Legal head", pc.legalHead, nil},
		{"a trainer", pc.trainer, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for name := range portfolioByName(t, pc.company, tt.user, now) {
				got = append(got, name)
			}
			require.ElementsMatch(t, tt.want, got)
		})
	}
}

// TestPortfolioFollowsTheRootsHeadWhenReplaced: a portfolio of every project is
// remembered as such and read by the walked statement's generic plan (PortfolioPage);
// once the root's head is replaced, their next view holds nothing, and their
// successor's holds every project, whatever was remembered.
func TestPortfolioFollowsTheRootsHeadWhenReplaced(t *testing.T) {
	t.Parallel()
	pc := newPortfolioCompany(t)
	pc.Store.SetPortfolioDenseScope(0) // a scope of every project is dense here
	now := time.Now()
	all := []string{"Service upgrade", "Renewal drive", "Car promotion"}
	names := func(u accord.User) []string {
		var got []string
		for name := range portfolioByName(t, pc.company, u, now) {
			got = append(got, name)
		}
		return got
	}
	for range 3 { // past the first view, which learns the scope
		require.ElementsMatch(t, all, names(pc.ceo))
	}
	root, err := pc.Store.Unit(pc.Ctx, pc.root.ID)
	require.NoError(t, err)
	_, err = pc.Store.SetUnitHead(pc.Ctx, pc.admin.ID, root.ID, root.Version, &pc.legalHead.ID)
	require.NoError(t, err)
	require.Empty(t, names(pc.ceo), "no longer the root's head, the CEO heads nothing")
	require.ElementsMatch(t, all, names(pc.legalHead), "the new head of the root sees every project")
}

func TestPortfolioFiltersGoalsAndLoad(t *testing.T) {
	t.Parallel()
	pc := newPortfolioCompany(t)
	now := time.Now()
	sent := pc.sendTheUpgrade(t, now)
	it := sent["IT"]
	_, err := pc.Store.ActOnRequest(pc.Ctx, pc.Viewer(t, pc.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	data := sent["Data"]
	_, err = pc.Store.ActOnRequest(pc.Ctx, pc.Viewer(t, pc.dataHead), data.ID, data.Version, accord.ActionAgree,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	ceo := pc.Viewer(t, pc.ceo)

	blocked := accord.HealthBlocked
	rows, total, err := portfolio(t, pc.Store, pc.Ctx, ceo, store.PortfolioFilter{Health: &blocked, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "Service upgrade", rows[0].NameEN)

	done := accord.ProjectDone
	rows, total, err = portfolio(t, pc.Store, pc.Ctx, ceo, store.PortfolioFilter{Status: &done, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "Renewal drive", rows[0].NameEN)
	require.Equal(t, 3, rows[0].Delivered)

	goals, err := pc.Store.Goals(pc.Ctx)
	require.NoError(t, err)
	goalID := map[string]int64{}
	for _, g := range goals {
		goalID[g.TitleEN] = g.ID
	}
	profit := goalID["Full-year profit up 10%"]
	rows, total, err = portfolio(t, pc.Store, pc.Ctx, ceo, store.PortfolioFilter{GoalID: &profit, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 2, total, "the profit goal gathers the projects of its two KPIs")
	for _, r := range rows {
		require.Equal(t, profit, *r.GoalID)
		require.Equal(t, "Full-year profit up 10%", r.GoalTitleEN)
	}
	kpi := goalID["Stock turnover under 45 days"]
	_, total, err = portfolio(t, pc.Store, pc.Ctx, ceo, store.PortfolioFilter{GoalID: &kpi, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)

	// Pages: one at a time, worst first.
	rows, total, err = portfolio(t, pc.Store, pc.Ctx, ceo, store.PortfolioFilter{Offset: 1, Limit: 1}, now)
	require.NoError(t, err)
	require.Equal(t, 3, total)
	require.Len(t, rows, 1)
	require.NotEqual(t, "Service upgrade", rows[0].NameEN)

	rollup, err := portfolioGoals(t, pc.Store, pc.Ctx, ceo, now)
	require.NoError(t, err)
	byGoal := map[string]accord.GoalRollup{}
	for _, g := range rollup {
		byGoal[g.Goal.TitleEN] = g
	}
	require.Len(t, rollup, 4, "three company goals and the projects serving none")
	sat := byGoal["Customer satisfaction in the industry's top three"]
	require.Equal(t, 1, sat.Projects)
	require.Equal(t, 1, sat.Counts[accord.HealthBlocked])
	require.Equal(t, int64(20_000_000), sat.Value[accord.HealthBlocked])
	require.Equal(t, "CNY", sat.Currency)
	require.Equal(t, []accord.GoalProject{{ID: sat.Top[0].ID, Name: "服务升级", NameEN: "Service upgrade",
		Status: accord.ProjectActive, Health: accord.HealthBlocked}}, sat.Top)
	require.Equal(t, 2, byGoal["Full-year profit up 10%"].Projects)
	require.Equal(t, 2, byGoal["Full-year profit up 10%"].Counts[accord.HealthOnTrack])
	require.Equal(t, 0, byGoal["Digital transformation"].Projects)
	require.Equal(t, int64(0), byGoal[""].Goal.ID)
	require.Equal(t, 0, byGoal[""].Projects)

	load, err := pc.Store.PortfolioLoad(pc.Ctx, ceo, 10)
	require.NoError(t, err)
	byUnit := map[string]store.UnitLoad{}
	for _, l := range load {
		byUnit[l.NameEN] = l
	}
	require.Equal(t, store.UnitLoad{UnitID: byUnit["Data"].UnitID, Name: "数据部", NameEN: "Data", Open: 1, CommittedDays: 20}, byUnit["Data"])
	require.Equal(t, 1, byUnit["IT"].Declined)
	require.Equal(t, 0, byUnit["IT"].Open)
	require.Equal(t, 40.0, byUnit["Training"].AskedDays)
	require.Equal(t, "Training", load[0].NameEN, "the most loaded first")
	cto, err := pc.Store.PortfolioLoad(pc.Ctx, pc.Viewer(t, pc.cto), 10)
	require.NoError(t, err)
	require.Len(t, cto, 2, "IT and Data only")
}

func TestPortfolioOfTenThousandProjects(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	sales := w.Unit(t, storetest.UnitOpts{NameEN: "Sales"})
	marketing := w.Unit(t, storetest.UnitOpts{NameEN: "Marketing"})
	// 10,000 projects owned by Sales, each asking Marketing, every tenth declined.
	_, err := w.Store.Pool().Exec(w.Ctx, `WITH p AS (
			INSERT INTO projects (name, name_en, lead_user_id, owning_unit_id, expected_amount)
			SELECT '项目 ' || g, 'Project ' || g, $1, $2, g * 1000
			FROM generate_series(1, 10000) g RETURNING id, expected_amount),
		n AS (
			INSERT INTO needs (project_id, title, holder_unit_id, tier, effort_days)
			SELECT id, '宣传', $3, 'P0', 2 FROM p RETURNING id, project_id)
		INSERT INTO requests (need_id, project_id, holder_unit_id, state, sent_at, last_activity_at)
		SELECT n.id, n.project_id, $3,
			CASE WHEN n.project_id % 10 = 0 THEN 'declined' ELSE 'requested' END, now(), now()
		FROM n`, w.Head(t, sales).ID, sales.ID, marketing.ID)
	require.NoError(t, err)
	ceo := w.Viewer(t, w.Head(t, w.Root(t)))
	start := time.Now()
	rows, total, err := portfolio(t, w.Store, w.Ctx, ceo, store.PortfolioFilter{Offset: 25, Limit: 25}, now)
	require.NoError(t, err)
	require.Equal(t, 10_000, total)
	require.Len(t, rows, 25)
	for _, r := range rows {
		require.Equal(t, accord.HealthBlocked, r.Health)
	}
	rollup, err := portfolioGoals(t, w.Store, w.Ctx, ceo, now)
	require.NoError(t, err)
	none := rollup[len(rollup)-1]
	require.Equal(t, 10_000, none.Projects)
	require.Equal(t, 1_000, none.Counts[accord.HealthBlocked])
	require.Len(t, none.Top, 5)
	require.Less(t, time.Since(start), 10*time.Second, "the portfolio stays quick at this size")
}

// TestPortfolioPageIsConsistentAcrossFilters: whatever the filter, the goal rollup is
// the one for its status alone, and a page is the matching slice of the whole list.
func TestPortfolioPageIsConsistentAcrossFilters(t *testing.T) {
	t.Parallel()
	pc := newPortfolioCompany(t)
	now := time.Now()
	sent := pc.sendTheUpgrade(t, now)
	it := sent["IT"]
	_, err := pc.Store.ActOnRequest(pc.Ctx, pc.Viewer(t, pc.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	goals, err := pc.Store.Goals(pc.Ctx)
	require.NoError(t, err)
	profit := goals[0].ID
	for _, g := range goals {
		if g.TitleEN == "Full-year profit up 10%" {
			profit = g.ID
		}
	}
	blocked, onTrack := accord.HealthBlocked, accord.HealthOnTrack
	active, done := accord.ProjectActive, accord.ProjectDone
	filters := map[string]store.PortfolioFilter{
		"all":              {Limit: 25},
		"blocked":          {Health: &blocked, Limit: 25},
		"on track, active": {Health: &onTrack, Status: &active, Limit: 25},
		"done":             {Status: &done, Limit: 25},
		"goal":             {GoalID: &profit, Limit: 25},
		"second page":      {Offset: 1, Limit: 1},
		"past the end":     {Offset: 50, Limit: 25},
	}
	for who, u := range map[string]accord.User{"ceo": pc.ceo, "cto": pc.cto, "admin": pc.admin} {
		v := pc.Viewer(t, u)
		for name, f := range filters {
			t.Run(who+"/"+name, func(t *testing.T) {
				rows, total, goals, err := pc.Store.PortfolioPage(pc.Ctx, v, f, 5, now)
				require.NoError(t, err)
				_, _, wantGoals, err := pc.Store.PortfolioPage(pc.Ctx, v, store.PortfolioFilter{Status: f.Status, Limit: 1}, 5, now)
				require.NoError(t, err)
				require.Equal(t, wantGoals, goals, "the rollup follows the status filter only")

				whole := f
				whole.Offset, whole.Limit = 0, 1000
				all, allTotal, _, err := pc.Store.PortfolioPage(pc.Ctx, v, whole, 5, now)
				require.NoError(t, err)
				require.Len(t, all, allTotal)
				from, to := min(f.Offset, len(all)), min(f.Offset+f.Limit, len(all))
				require.Equal(t, all[from:to], append([]accord.PortfolioRow{}, rows...))
				if len(rows) > 0 {
					require.Equal(t, allTotal, total)
				}
			})
		}
	}
}
