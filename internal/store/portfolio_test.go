package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
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

// portfolioByName pages through the whole portfolio and returns each project's health
// by English name.
func portfolioByName(t *testing.T, b testBundle, email string, now time.Time) map[string]accord.Health {
	t.Helper()
	rows, total, err := portfolio(t, b.st, b.ctx, b.viewer(t, email), store.PortfolioFilter{Limit: 100}, now)
	require.NoError(t, err)
	require.Len(t, rows, total)
	out := map[string]accord.Health{}
	for _, r := range rows {
		out[r.NameEN] = r.Health
	}
	return out
}

func TestPortfolioHealthFollowsTheRequests(t *testing.T) {
	b := setup(t)
	now := time.Now()
	require.Equal(t, map[string]accord.Health{"Smart service upgrade": accord.HealthOnTrack,
		"Weekend insurance renewal drive": accord.HealthOnTrack, "Inventory car promotion": accord.HealthOnTrack},
		portfolioByName(t, b, "ceo@accord.demo", now), "nothing sent yet, and the closed drive delivered everything")

	sent := sendSmart(t, b, now)
	it := sent["IT"]
	it, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthBlocked, portfolioByName(t, b, "ceo@accord.demo", now)["Smart service upgrade"], "a P0 declined")

	rows, _, err := portfolio(t, b.st, b.ctx, b.viewer(t, "ceo@accord.demo"), store.PortfolioFilter{Limit: 1}, now)
	require.NoError(t, err)
	smart := rows[0]
	require.Equal(t, "Smart service upgrade", smart.NameEN, "the worst comes first")
	require.Equal(t, 1, smart.P0Declined)
	require.Equal(t, 1, smart.Declined)
	require.Equal(t, 4, smart.Live)
	require.Equal(t, "Customer satisfaction in the industry's top three", smart.GoalTitleEN)
	require.Equal(t, int64(20_000_000), *smart.ExpectedAmount)
	require.Equal(t, "After-sales", smart.UnitNameEN)
	require.Equal(t, "Zhang Wei", smart.LeadNameEN)

	// The lead escalates; the CEO directs IT. Binding and agreed: on track again.
	e, err := b.st.Escalate(b.ctx, b.viewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, now)
	require.NoError(t, err)
	require.Equal(t, 1, portfolioRow(t, b, "ceo@accord.demo", "Smart service upgrade", now).Escalations)
	due := now.AddDate(0, 0, 30)
	_, err = b.st.Decide(b.ctx, b.viewer(t, "ceo@accord.demo"), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: &due}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthOnTrack, portfolioByName(t, b, "ceo@accord.demo", now)["Smart service upgrade"])

	// A high risk in the latest progress entry puts it at risk; a later low one clears it.
	data := sent["Data"]
	dataHead := b.viewer(t, "data@accord.demo")
	_, err = b.st.AddProgress(b.ctx, dataHead, data.ID, accord.ProgressInput{Body: "数据口径未定", Risk: accord.RiskHigh}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthAtRisk, portfolioByName(t, b, "ceo@accord.demo", now)["Smart service upgrade"])
	_, err = b.st.AddProgress(b.ctx, dataHead, data.ID, accord.ProgressInput{Body: "口径已定", Risk: accord.RiskLow}, now)
	require.NoError(t, err)
	require.Equal(t, accord.HealthOnTrack, portfolioByName(t, b, "ceo@accord.demo", now)["Smart service upgrade"])

	// Three weeks without a word: stale, at risk. Past the P0's date: blocked.
	later := now.AddDate(0, 0, 21)
	require.Equal(t, accord.HealthAtRisk, portfolioByName(t, b, "ceo@accord.demo", later)["Smart service upgrade"])
	r := portfolioRow(t, b, "ceo@accord.demo", "Smart service upgrade", later)
	require.Equal(t, 4, r.Stale)
	require.Equal(t, accord.HealthBlocked, portfolioByName(t, b, "ceo@accord.demo", now.AddDate(0, 0, 45))["Smart service upgrade"],
		"the customer analytics (P0) was needed within 30 days")
}

func portfolioRow(t *testing.T, b testBundle, email, nameEN string, now time.Time) accord.PortfolioRow {
	t.Helper()
	rows, _, err := portfolio(t, b.st, b.ctx, b.viewer(t, email), store.PortfolioFilter{Limit: 100}, now)
	require.NoError(t, err)
	for _, r := range rows {
		if r.NameEN == nameEN {
			return r
		}
	}
	t.Fatalf("%s is not on %s's portfolio", nameEN, email)
	return accord.PortfolioRow{}
}

func TestPortfolioScopeIsTheViewersSubtree(t *testing.T) {
	b := setup(t)
	now := time.Now()
	tests := []struct {
		email string
		want  []string
	}{
		{"ceo@accord.demo", []string{"Smart service upgrade", "Weekend insurance renewal drive", "Inventory car promotion"}},
		{"admin@accord.demo", []string{"Smart service upgrade", "Weekend insurance renewal drive", "Inventory car promotion"}},
		{"cto@accord.demo", []string{"Smart service upgrade"}}, // IT and Data hold its needs
		{"corp@accord.demo", []string{"Smart service upgrade", "Inventory car promotion"}},
		{"ops@accord.demo", []string{"Smart service upgrade", "Weekend insurance renewal drive", "Inventory car promotion"}},
		{"legal@accord.demo", nil},
		{"trainer@accord.demo", nil},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			var got []string
			for name := range portfolioByName(t, b, tt.email, now) {
				got = append(got, name)
			}
			require.ElementsMatch(t, tt.want, got)
		})
	}
}

func TestPortfolioFiltersGoalsAndLoad(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now)
	it := sent["IT"]
	_, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	data := sent["Data"]
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionAgree,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	ceo := b.viewer(t, "ceo@accord.demo")

	blocked := accord.HealthBlocked
	rows, total, err := portfolio(t, b.st, b.ctx, ceo, store.PortfolioFilter{Health: &blocked, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "Smart service upgrade", rows[0].NameEN)

	done := accord.ProjectDone
	rows, total, err = portfolio(t, b.st, b.ctx, ceo, store.PortfolioFilter{Status: &done, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "Weekend insurance renewal drive", rows[0].NameEN)
	require.Equal(t, 3, rows[0].Delivered)

	goals, err := b.st.Goals(b.ctx)
	require.NoError(t, err)
	goalID := map[string]int64{}
	for _, g := range goals {
		goalID[g.TitleEN] = g.ID
	}
	profit := goalID["Full-year profit up 10%"]
	rows, total, err = portfolio(t, b.st, b.ctx, ceo, store.PortfolioFilter{GoalID: &profit, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 2, total, "the profit goal gathers the projects of its two KPIs")
	for _, r := range rows {
		require.Equal(t, profit, *r.GoalID)
		require.Equal(t, "Full-year profit up 10%", r.GoalTitleEN)
	}
	kpi := goalID["Stock turnover under 45 days"]
	_, total, err = portfolio(t, b.st, b.ctx, ceo, store.PortfolioFilter{GoalID: &kpi, Limit: 10}, now)
	require.NoError(t, err)
	require.Equal(t, 1, total)

	// Pages: one at a time, worst first.
	rows, total, err = portfolio(t, b.st, b.ctx, ceo, store.PortfolioFilter{Offset: 1, Limit: 1}, now)
	require.NoError(t, err)
	require.Equal(t, 3, total)
	require.Len(t, rows, 1)
	require.NotEqual(t, "Smart service upgrade", rows[0].NameEN)

	rollup, err := portfolioGoals(t, b.st, b.ctx, ceo, now)
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
	require.Equal(t, []accord.GoalProject{{ID: sat.Top[0].ID, Name: "智能服务升级", NameEN: "Smart service upgrade",
		Status: accord.ProjectActive, Health: accord.HealthBlocked}}, sat.Top)
	require.Equal(t, 2, byGoal["Full-year profit up 10%"].Projects)
	require.Equal(t, 2, byGoal["Full-year profit up 10%"].Counts[accord.HealthOnTrack])
	require.Equal(t, 0, byGoal["Digital transformation"].Projects)
	require.Equal(t, int64(0), byGoal[""].Goal.ID)
	require.Equal(t, 0, byGoal[""].Projects)

	load, err := b.st.PortfolioLoad(b.ctx, ceo, 10)
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
	cto, err := b.st.PortfolioLoad(b.ctx, b.viewer(t, "cto@accord.demo"), 10)
	require.NoError(t, err)
	require.Len(t, cto, 2, "IT and Data only")
}

func TestPortfolioOfTenThousandProjects(t *testing.T) {
	b := setup(t)
	now := time.Now()
	// 10,000 projects owned by Sales, each asking Marketing, every tenth declined.
	_, err := b.st.Pool().Exec(b.ctx, `WITH p AS (
			INSERT INTO projects (name, name_en, lead_user_id, owning_unit_id, expected_amount)
			SELECT '项目 ' || g, 'Project ' || g, (SELECT id FROM users WHERE email = 'sales@accord.demo'),
				(SELECT id FROM units WHERE name_en = 'Sales'), g * 1000
			FROM generate_series(1, 10000) g RETURNING id, expected_amount),
		n AS (
			INSERT INTO needs (project_id, title, holder_unit_id, tier, effort_days)
			SELECT id, '宣传', (SELECT id FROM units WHERE name_en = 'Marketing'), 'P0', 2 FROM p RETURNING id, project_id)
		INSERT INTO requests (need_id, project_id, holder_unit_id, state, sent_at, last_activity_at)
		SELECT n.id, n.project_id, (SELECT id FROM units WHERE name_en = 'Marketing'),
			CASE WHEN n.project_id % 10 = 0 THEN 'declined' ELSE 'requested' END, now(), now()
		FROM n`)
	require.NoError(t, err)
	start := time.Now()
	rows, total, err := portfolio(t, b.st, b.ctx, b.viewer(t, "ceo@accord.demo"), store.PortfolioFilter{Offset: 25, Limit: 25}, now)
	require.NoError(t, err)
	require.Equal(t, 10_003, total)
	require.Len(t, rows, 25)
	for _, r := range rows {
		require.Equal(t, accord.HealthBlocked, r.Health)
	}
	rollup, err := portfolioGoals(t, b.st, b.ctx, b.viewer(t, "ceo@accord.demo"), now)
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
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now)
	it := sent["IT"]
	_, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	goals, err := b.st.Goals(b.ctx)
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
	for _, email := range []string{"ceo@accord.demo", "cto@accord.demo", "admin@accord.demo"} {
		v := b.viewer(t, email)
		for name, f := range filters {
			t.Run(email+"/"+name, func(t *testing.T) {
				rows, total, goals, err := b.st.PortfolioPage(b.ctx, v, f, 5, now)
				require.NoError(t, err)
				_, _, wantGoals, err := b.st.PortfolioPage(b.ctx, v, store.PortfolioFilter{Status: f.Status, Limit: 1}, 5, now)
				require.NoError(t, err)
				require.Equal(t, wantGoals, goals, "the rollup follows the status filter only")

				whole := f
				whole.Offset, whole.Limit = 0, 1000
				all, allTotal, _, err := b.st.PortfolioPage(b.ctx, v, whole, 5, now)
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
