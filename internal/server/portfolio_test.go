package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// executiveOnly: executives and admins have a portfolio; everyone else who signs in
// is told it is not for their role.
var executiveOnly = policy{login, fb, fb, fb, ok, ok, fb}

func init() {
	addPolicies(map[string]policy{"GET /portfolio": executiveOnly})
}

// pfHealth is the health the portfolio shows on a project's row ("" when absent).
func (r response) pfHealth(projectID int64) string {
	return r.doc.Find(`[data-testid="portfolio"] tr[data-project-id="`+idStr(projectID)+`"] [data-field="health"]`).AttrOr("data-health", "")
}

// pfGoalHealth is the health a goal's card shows for one of its projects.
func (r response) pfGoalHealth(goalID, projectID int64) string {
	return r.doc.Find(`[data-testid="pf-goals"] [data-goal-id="`+idStr(goalID)+`"] li[data-project-id="`+idStr(projectID)+
		`"] [data-field="health"]`).AttrOr("data-health", "")
}

func (r response) pfTile(health string) string {
	return strings.TrimSpace(r.doc.Find(`[data-testid="pf-summary"] [data-health="` + health + `"] [data-field="count"]`).Text())
}

func TestCEOSeesSmartServiceUpgradeBlockedThenOnTrack(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.demoProject(t, "Smart service upgrade")
	ceo := b.login(t, "ceo@accord.demo")

	resp := ceo.get("/portfolio")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "on_track", resp.pfHealth(smart.ID), "nothing asked yet")
	require.Equal(t, "on_track", resp.pfGoalHealth(*smart.GoalID, smart.ID))

	// The seed's story: every need goes out, IT declines the CRM as too busy.
	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	it, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
	require.NoError(t, err)

	resp = ceo.get("/portfolio")
	require.Equal(t, "blocked", resp.pfHealth(smart.ID))
	require.Equal(t, "blocked", resp.pfGoalHealth(*smart.GoalID, smart.ID), "the goal it serves shows the same")
	row := resp.doc.Find(`[data-testid="portfolio"] tbody tr`).First()
	require.Equal(t, idStr(smart.ID), row.AttrOr("data-project-id", ""), "the blocked project comes first")
	require.Equal(t, "Blocked", strings.TrimSpace(row.Find(`[data-field="health"]`).Text()))
	require.Contains(t, rowField(row, "why"), "a required (P0) request declined")
	require.Contains(t, rowField(row, "value"), "20,000,000 CNY")
	require.Equal(t, "1", resp.pfTile("blocked"))
	require.Equal(t, "2", resp.pfTile("on_track"))
	require.Contains(t, resp.textOf(`[data-testid="pf-summary"] [data-health="blocked"]`), "20,000,000 CNY at stake")

	// The lead escalates; the CEO directs IT to deliver a first phase. On track again.
	e, err := b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	require.Equal(t, "1", ceo.get("/portfolio").text("pf-escalations"))
	due := b.now.AddDate(0, 0, 30)
	_, err = b.st.Decide(ctx, b.escViewer(t, "ceo@accord.demo"), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先交付一期必需功能", DueDate: &due}, *b.now)
	require.NoError(t, err)

	resp = ceo.get("/portfolio")
	require.Equal(t, "on_track", resp.pfHealth(smart.ID))
	require.Equal(t, "on_track", resp.pfGoalHealth(*smart.GoalID, smart.ID))
	require.Equal(t, "0", resp.text("pf-escalations"))
	require.Equal(t, "0", resp.pfTile("blocked"))

	// The same in Chinese.
	ceo.lang = "zh-CN"
	resp = ceo.get("/portfolio")
	require.Equal(t, "进展正常", strings.TrimSpace(resp.doc.Find(`[data-testid="portfolio"] tr[data-project-id="`+idStr(smart.ID)+`"] [data-field="health"]`).Text()))
	require.Equal(t, "项目组合", resp.textOf("h1"))
}

func TestPortfolioFiltersAndScope(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.demoProject(t, "Smart service upgrade")
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	promo := b.demoProject(t, "Inventory car promotion")
	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, *b.now)
	require.NoError(t, err)
	ceo := b.login(t, "ceo@accord.demo")

	listed := func(resp response) []int64 {
		var ids []int64
		resp.doc.Find(`[data-testid="portfolio"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, int64(mustAtoi(t, s.AttrOr("data-project-id", ""))))
		})
		return ids
	}
	require.Equal(t, []int64{smart.ID}, listed(ceo.get("/portfolio?health=blocked")))
	require.ElementsMatch(t, []int64{renewal.ID, promo.ID}, listed(ceo.get("/portfolio?health=on_track")))
	require.Equal(t, []int64{renewal.ID}, listed(ceo.get("/portfolio?status=done")))
	resp := ceo.get("/portfolio?health=at_risk")
	require.Empty(t, listed(resp))
	require.Contains(t, resp.text("empty"), "No project matches these filters.")
	// The profit goal gathers the projects of its two KPIs.
	goals := b.demoGoals(t)
	profit := goals["Full-year profit up 10%"]
	resp = ceo.get("/portfolio?goal=" + idStr(profit.ID))
	require.ElementsMatch(t, []int64{renewal.ID, promo.ID}, listed(resp))
	require.Equal(t, idStr(profit.ID), resp.attrOf(`#pf-goal option[selected]`, "value"))
	// Nonsense filters are ignored, not errors.
	require.Len(t, listed(ceo.get("/portfolio?health=purple&status=nonsense&goal=abc")), 3)

	// The closed project links its retrospective.
	require.Equal(t, "/projects/"+idStr(renewal.ID)+"/retro",
		resp.attrOf(`tr[data-project-id="`+idStr(renewal.ID)+`"] .pf-retro-link`, "href"))

	// The CTO's portfolio is what touches Technology: the Smart service upgrade only.
	cto := b.login(t, "cto@accord.demo").get("/portfolio")
	require.Equal(t, []int64{smart.ID}, listed(cto))
	require.Contains(t, cto.textOf(`[data-testid="unit-load"]`), "Data")
	require.NotContains(t, cto.textOf(`[data-testid="unit-load"]`), "Training", "Training is not under the CTO")

	// Others are told the page is not for their role.
	resp = b.login(t, "trainer@accord.demo").get("/portfolio")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, resp.body, "The portfolio is for executives")
	admin := b.login(t, "admin@accord.demo").get("/portfolio")
	require.Equal(t, http.StatusOK, admin.StatusCode)
	require.Len(t, listed(admin), 3)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', "not a number: %q", s)
		n = n*10 + int(c-'0')
	}
	return n
}

func TestPortfolioLoadChartReadsInBothLanguages(t *testing.T) {
	b := setup(t)
	b.escSendSmart(t, *b.now)
	ceo := b.login(t, "ceo@accord.demo")
	resp := ceo.get("/portfolio")
	chart := resp.doc.Find(`[data-testid="chart-unit-load"] svg`)
	require.Equal(t, 1, chart.Length())
	require.Equal(t, "img", chart.AttrOr("role", ""))
	require.Equal(t, "Load on each unit", strings.TrimSpace(chart.Find("title#unit-load-title").Text()))
	require.Contains(t, chart.Find("desc#unit-load-desc").Text(), "One bar per unit")
	require.Equal(t, "unit-load-title unit-load-desc", chart.AttrOr("aria-labelledby", ""))
	require.Equal(t, 4, chart.Find("g.chart-row").Length(), "IT, Data, Training and Marketing")
	require.Contains(t, chart.Text(), "120 person-days")
	// The table says the same in words.
	training := resp.doc.Find(`[data-testid="unit-load"] tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return rowField(s, "unit") == "Training"
	})
	require.Equal(t, "40", rowField(training, "asked"))
	require.Equal(t, "0", rowField(training, "committed"))
	// The CSP forbids inline styles and scripts: the chart carries neither.
	require.NotContains(t, resp.body, "style=")
	require.NotContains(t, resp.body, "<script>")

	ceo.lang = "zh-CN"
	resp = ceo.get("/portfolio")
	chart = resp.doc.Find(`[data-testid="chart-unit-load"] svg`)
	require.Equal(t, "各部门负荷", strings.TrimSpace(chart.Find("title#unit-load-title").Text()))
	require.Contains(t, chart.Text(), "120 人天")
	require.Contains(t, chart.Text(), "信息技术部")
}

func TestPortfolioQueriesAreFixedAndItPaginates(t *testing.T) {
	b := setup(t)
	ceo := b.login(t, "ceo@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, ceo.get("/portfolio").StatusCode) }
	load()
	require.Equal(t, int64(2), b.countQueries(load), "kept: the session and the epochs")
	// Read afresh: the portfolio's epoch moved (as any write to what it reads moves it).
	afresh := func() {
		_, err := b.st.Pool().Exec(context.Background(), `UPDATE portfolio_epoch SET epoch = epoch + 1`)
		require.NoError(t, err)
		load()
	}
	few := b.countQueries(afresh) - 1

	// 10,000 more projects, each asking Marketing; every tenth declined.
	_, err := b.st.Pool().Exec(context.Background(), `WITH p AS (
			INSERT INTO projects (name, name_en, lead_user_id, owning_unit_id, expected_amount)
			SELECT '项目 ' || g, 'Project ' || g, (SELECT id FROM users WHERE email = 'sales@accord.demo'),
				(SELECT id FROM units WHERE name_en = 'Sales'), g * 1000
			FROM generate_series(1, 10000) g RETURNING id),
		n AS (
			INSERT INTO needs (project_id, title, holder_unit_id, tier, effort_days)
			SELECT id, '宣传', (SELECT id FROM units WHERE name_en = 'Marketing'), 'P0', 2 FROM p RETURNING id, project_id)
		INSERT INTO requests (need_id, project_id, holder_unit_id, state, sent_at, last_activity_at)
		SELECT n.id, n.project_id, (SELECT id FROM units WHERE name_en = 'Marketing'),
			CASE WHEN n.project_id % 10 = 0 THEN 'declined' ELSE 'requested' END, now(), now()
		FROM n`)
	require.NoError(t, err)
	start := time.Now()
	many := b.countQueries(afresh) - 1
	require.Less(t, time.Since(start), 10*time.Second)
	require.Equal(t, few, many, "3 and 10,003 projects cost the same")
	// Session, the epochs, the page of rows and the goals rollup in one statement (with
	// the setting that plans it for its parameters in the same round trip), the
	// decisions tile, the load.
	require.LessOrEqual(t, many, int64(7))

	resp := ceo.get("/portfolio")
	require.Equal(t, 25, resp.doc.Find(`[data-testid="portfolio"] tbody tr`).Length())
	require.Contains(t, resp.textOf(`.pager`), "Page 1 of 401 · 10003 in all")
	require.Equal(t, "1000", resp.pfTile("blocked"))
	last := ceo.get("/portfolio?page=401")
	require.Equal(t, 3, last.doc.Find(`[data-testid="portfolio"] tbody tr`).Length())
	past := ceo.get("/portfolio?page=402")
	require.Equal(t, http.StatusOK, past.StatusCode)
	require.Contains(t, past.text("empty"), "This page is past the end of the list.")
	blocked := ceo.get("/portfolio?" + url.Values{"health": {"blocked"}, "page": {"2"}}.Encode())
	require.Contains(t, blocked.textOf(`.pager`), "Page 2 of 40 · 1000 in all")
	require.Equal(t, "/portfolio?health=blocked&page=3", blocked.attrOf(`.pager a[rel="next"]`, "href"))
}

func TestUnitPageShowsGiveAndTake(t *testing.T) {
	b := setup(t)
	units := b.units(t)
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	// Customer service's head may open the renewal drive, so its thanks are named.
	c := b.login(t, "service@accord.demo")

	// Customer service: thanked for the renewal drive, its promise kept, effort given to F&I.
	resp := c.get("/units/" + idStr(units["Customer service"].ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	thanks := resp.doc.Find(`[data-testid="unit-thanks"] li`)
	require.Equal(t, 1, thanks.Length())
	require.Contains(t, rowField(thanks, "text"), "1,200")
	require.Equal(t, "Weekend insurance renewal drive", rowField(thanks, "project"))
	require.Equal(t, "/projects/"+idStr(renewal.ID)+"/retro", thanks.Find(`[data-field="project"]`).AttrOr("href", ""))
	require.Equal(t, "1 kept · 0 broken · 0 open", resp.textOf(`[data-testid="unit-facts"] [data-field="promises"]`))
	bal := resp.doc.Find(`[data-testid="unit-balance"] tbody tr[data-unit-id="` + idStr(units["Finance & insurance"].ID) + `"]`)
	require.Equal(t, "10", rowField(bal, "given-logged"))
	require.Equal(t, "8", rowField(bal, "given-committed"))
	require.Equal(t, "1", rowField(bal, "given-delivered"))
	require.Equal(t, "0", rowField(bal, "received-logged"))
	require.Equal(t, "gave 10 person-days more", rowField(bal, "net"))
	chart := resp.doc.Find(`[data-testid="chart-unit-balance"] svg`)
	require.Equal(t, "Give and take", strings.TrimSpace(chart.Find("title").First().Text()))
	require.Contains(t, chart.Find("desc").Text(), "\u2068Customer service\u2069 logged", "the unit named, isolated")

	// Marketing: asked by the Smart service upgrade; its broken promise shows. The CEO
	// may open every project, so everything is named.
	b.escSendSmart(t, *b.now)
	c = b.login(t, "ceo@accord.demo")
	resp = c.get("/units/" + idStr(units["Marketing"].ID))
	queue := resp.doc.Find(`[data-testid="unit-queue"] li`)
	require.Equal(t, 1, queue.Length())
	require.Equal(t, "Launch promotion", rowField(queue, "need"))
	require.Equal(t, "Requested", rowField(queue, "state"))
	require.Equal(t, "0 person-days committed · 15 waiting for an answer", resp.text("unit-queue-summary"))
	require.Equal(t, "0 kept · 1 broken · 0 open", resp.textOf(`[data-testid="unit-facts"] [data-field="promises"]`))
	require.Equal(t, "No project has thanked this unit yet.", resp.text("unit-thanks-none"))

	// After-sales asks four units for the Smart service upgrade.
	resp = c.get("/units/" + idStr(units["After-sales"].ID))
	require.Equal(t, 4, resp.doc.Find(`[data-testid="unit-asks"] li`).Length())
	require.Equal(t, "4 open requests", resp.textOf(`[data-testid="unit-facts"] [data-field="asks"]`))

	// Legal has nothing yet, and says so in each place.
	resp = c.get("/units/" + idStr(units["Legal"].ID))
	require.Equal(t, "Nothing is waiting on this unit.", resp.text("unit-queue-none"))
	require.Equal(t, "This unit has not yet worked with another unit through Accord.", resp.text("unit-balance-none"))

	c.lang = "zh-CN"
	resp = c.get("/units/" + idStr(units["Customer service"].ID))
	require.Equal(t, "多付出 10 人天", rowField(resp.doc.Find(`[data-testid="unit-balance"] tbody tr`).First(), "net"))
	require.Equal(t, "协作往来", strings.TrimSpace(resp.doc.Find(`[data-testid="chart-unit-balance"] svg title`).First().Text()))
}

// The page drawn afresh, as after every write: this server keeps no page drawn before.
func TestUnitPageQueriesStayFixed(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	marketing := b.units(t)["Marketing"]
	c := b.login(t, "it@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, c.get("/units/"+idStr(marketing.ID)).StatusCode) }
	load()
	before := b.countQueries(load)
	b.rqExtraRequests(t, b.demoProject(t, "Smart service upgrade"), "Marketing", 30)
	after := b.countQueries(load)
	require.Equal(t, before, after)
	// Session and viewer, the epochs, the tree, the members, the ledger (and the
	// setting sent in its round trip for its generic plan).
	require.LessOrEqual(t, after, int64(6))
}

// TestPortfolioDecisionTileShowsWhatItCounts: the tile's link opens a list with as
// many escalations as the tile counts, for every executive and the administrator —
// not a count of another executive's queue that opens empty.
func TestPortfolioDecisionTileShowsWhatItCounts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	// Two pending escalations with different superiors: the CEO's and the Operations head's.
	sent := b.escSendSmart(t, *b.now)
	it, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), sent["IT"].ID, sent["IT"].Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, *b.now)
	require.NoError(t, err)
	_, err = b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	promo := b.demoProject(t, "Inventory car promotion")
	needs, err := b.st.Needs(ctx, promo.ID)
	require.NoError(t, err)
	var marketing int64
	for _, n := range needs {
		if n.HolderNameEN == "Marketing" {
			marketing = n.ID
		}
	}
	out, err := b.st.SendNeeds(ctx, promo.LeadUserID, promo.ID, []int64{marketing}, "", *b.now)
	require.NoError(t, err)
	r, err := b.st.ActOnRequest(ctx, b.escViewer(t, "marketing@accord.demo"), out[0].ID, out[0].Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleRules}, *b.now)
	require.NoError(t, err)
	_, err = b.st.Escalate(ctx, b.escViewer(t, "sales@accord.demo"), r.ID, "宣传排期冲突", "", 3, *b.now)
	require.NoError(t, err)

	for _, tt := range []struct {
		email, count, label string
	}{
		{"ceo@accord.demo", "1", "Waiting for your decision"},
		{"ops@accord.demo", "1", "Waiting for your decision"},
		{"cto@accord.demo", "0", "Waiting for your decision"},
		{"admin@accord.demo", "2", "Waiting for a decision"},
	} {
		c := b.login(t, tt.email)
		resp := c.get("/portfolio")
		require.Equal(t, http.StatusOK, resp.StatusCode, tt.email)
		require.Equal(t, tt.count, resp.text("pf-escalations"), tt.email)
		require.Contains(t, resp.text("pf-escalations-tile"), tt.label, tt.email)
		list := c.get(resp.attrOf(`[data-testid="pf-escalations-tile"]`, "href"))
		require.Equal(t, http.StatusOK, list.StatusCode, tt.email)
		require.Equal(t, tt.count, strconv.Itoa(list.doc.Find(`[data-testid="escalations"] tbody tr`).Length()),
			"%s: the tile's list shows what the tile counts", tt.email)
		for _, href := range resp.doc.Find(`[data-testid="portfolio"] a[href^="/escalations"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") }) {
			require.Equal(t, "/escalations?list=all", href)
		}
	}
}
