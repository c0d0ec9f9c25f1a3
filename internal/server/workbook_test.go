package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/web/ui"
)

// One file for the workbook's HTTP tests: every section (resource map, exchange
// matrix, board, promises) edited with and without htmx, sharing the form helpers at
// the top. Each test stands alone; the file is long because the page is.

// wbProject returns a demo project by English name, as it is now.
func (b *testBundle) wbProject(t *testing.T, nameEN string) accord.Project {
	t.Helper()
	admin, err := b.st.Viewer(context.Background(), b.user(t, "admin@accord.demo").ID)
	require.NoError(t, err)
	list, _, err := b.st.Projects(context.Background(), admin, store.ProjectFilter{Limit: 100})
	require.NoError(t, err)
	for _, p := range list {
		if p.NameEN == nameEN {
			return p
		}
	}
	t.Fatalf("no project %q", nameEN)
	return accord.Project{}
}

// wbNeeds returns a project's needs by English title, as they are now.
func (b *testBundle) wbNeeds(t *testing.T, projectID int64) map[string]accord.Need {
	t.Helper()
	list, err := b.st.Needs(context.Background(), projectID)
	require.NoError(t, err)
	byTitle := map[string]accord.Need{}
	for _, n := range list {
		byTitle[n.TitleEN] = n
	}
	return byTitle
}

// wbPlan returns the plan for one unit of a project.
func (b *testBundle) wbPlan(t *testing.T, projectID, unitID int64) accord.UnitPlan {
	t.Helper()
	plans, err := b.st.UnitPlans(context.Background(), projectID)
	require.NoError(t, err)
	for _, p := range plans {
		if p.UnitID == unitID {
			return p
		}
	}
	t.Fatalf("unit %d is not involved in project %d", unitID, projectID)
	return accord.UnitPlan{}
}

// htmxPost sends a form as htmx does from a page of the same site.
func (c *client) wbHTMXPost(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

func (c *client) wbHTMXGet(path string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+path, nil)
	require.NoError(c.t, err)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

// texts reads the trimmed texts of every element matching a CSS selector.
func (r response) wbTexts(selector string) []string {
	var out []string
	r.doc.Find(selector).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(s.Text()), " "))
	})
	return out
}

func (r response) wbCount(selector string) int { return r.doc.Find(selector).Length() }

// wbOpen reports whether a <details> matching the selector is unfolded.
func (r response) wbOpen(selector string) bool {
	_, open := r.doc.Find(selector).First().Attr("open")
	return open
}

// needRow is the row of one need on the workbook.
func (r response) wbNeedRow(id int64) *goquery.Selection {
	return r.doc.Find(`tr[data-testid="need-row"][data-need-id="` + idStr(id) + `"]`)
}

func wbCell(s *goquery.Selection, testid string) string {
	return strings.Join(strings.Fields(s.Find(`[data-testid="`+testid+`"]`).First().Text()), " ")
}

func wbPath(p accord.Project, rest ...string) string {
	return "/projects/" + idStr(p.ID) + strings.Join(rest, "")
}

// needForm is a valid need form held by a unit.
func wbNeedForm(title string, holder accord.Unit) url.Values {
	return url.Values{"title": {title}, "title_en": {title}, "tier": {"P1"}, "holder_unit_id": {idStr(holder.ID)},
		"effort_days": {"4"}, "key_person": {"Sun Yue"}}
}

func TestWorkbookShowsTheWholePlan(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	resp := c.get(wbPath(smart))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	require.Equal(t, "Smart service upgrade", resp.text("project-name"))
	require.Equal(t, "Active", resp.text("project-status"))
	require.Equal(t, "After-sales", resp.text("owning-unit"))
	require.Equal(t, "Zhang Wei", resp.text("project-lead"))
	require.Equal(t, "/goals/"+idStr(*smart.GoalID), resp.attrOf(`[data-testid="project-goal"] a`, "href"))
	require.Equal(t, "Customer satisfaction in the industry's top three", resp.text("project-goal"))
	// What the lead typed, in the reader's language: the demo brings its English.
	require.Equal(t, "Launch a CRM system and customer analytics so that after-sales service reaches out to customers instead of waiting for them.",
		resp.text("goal-statement"))
	require.Contains(t, resp.text("expected-value"), "20,000,000 CNY")
	require.Contains(t, resp.text("expected-value"), "Customer satisfaction +15 points, worth about CNY 20 million a year")
	require.Equal(t, smart.StartDate.Format("2006-01-02")+" → "+smart.TargetDate.Format("2006-01-02"), resp.text("project-dates"))
	require.Equal(t, "Sync every 14 days", resp.text("project-cadence"))
	for testid, href := range map[string]string{"edit-project": "/edit", "import-needs": "/import", "export-xlsx": "/export.xlsx", "history-link": "/history"} {
		require.Equal(t, wbPath(smart, href), resp.attrOf(`[data-testid="`+testid+`"]`, "href"), testid)
	}

	// Nothing is sent yet, so no promise is due.
	require.Zero(t, resp.wbCount(`[data-testid="overdue-banner"]`))

	// The resource map, in tier then date order, in the reader's language.
	require.Equal(t, []string{"Customer data analytics", "CRM system development", "Train 200 service advisers",
		"Launch promotion", "External training vendor (backup)"}, resp.wbTexts(`[data-testid="need-title"]`))
	require.Equal(t, []string{"P0 Required", "P0 Required", "P1 Important", "P1 Important", "P2 Alternative"},
		resp.wbTexts(`[data-testid="needs"] [data-testid="tier"]`))
	require.Equal(t, []string{"Data", "IT", "Training", "Marketing", "External training vendor external"},
		resp.wbTexts(`[data-testid="need-holder"]`))
	require.Equal(t, []string{"20", "120", "40", "15", "0"}, resp.wbTexts(`[data-testid="need-effort"]`))
	needs := b.wbNeeds(t, smart.ID)
	vendor := resp.wbNeedRow(needs["External training vendor (backup)"].ID)
	require.Equal(t, "Train 200 service advisers", wbCell(vendor, "need-backs-up"))
	require.Equal(t, "5 needs · 195 person-days", resp.text("needs-summary"))

	// Effort per holder, largest first, and the total.
	require.Equal(t, []string{"IT", "Training", "Data", "Marketing", "External training vendor"},
		resp.wbTexts(`[data-testid="effort-holder"]`))
	require.Equal(t, []string{"120 person-days", "40 person-days", "20 person-days", "15 person-days", "0 person-days"},
		resp.wbTexts(`[data-testid="effort-days"]`))
	require.Equal(t, "195 person-days", resp.text("effort-total-all"))

	// Every involved unit has a card with its motivation and exchange.
	require.Equal(t, []string{"Training", "Data", "Marketing", "IT"}, resp.wbTexts(`[data-testid="plan-card"] h3`))
	training := resp.doc.Find(`[data-testid="plan-card"]`).First()
	require.Equal(t, []string{"Are there enough trainers for 200 people?", "Will the results count against the department's own targets?",
		"What is the case worth to Training?"},
		response{doc: goquery.NewDocumentFromNode(training.Nodes[0])}.wbTexts(`[data-testid="plan-concerns"] li`))
	require.Contains(t, wbCell(training, "plan-exchange"), "A flagship training case for the whole company")
	require.Equal(t, 3, training.Find(`[data-testid="plan-options"] li`).Length())

	// The alliance board: one column per stance, in order, units with their approach order.
	require.Equal(t, []string{"Ally 1", "Winnable 1", "Neutral 1", "Opposed 1", "Not assessed 0"},
		resp.wbTexts(`[data-testid="alliance"] .wb-col h3`))
	require.Equal(t, []string{"Training"}, resp.wbTexts(`[data-testid="stance-ally"] [data-testid="board-unit"]`))
	require.Equal(t, []string{"IT"}, resp.wbTexts(`[data-testid="stance-opposed"] [data-testid="board-unit"]`))
	require.Equal(t, []string{"4"}, resp.wbTexts(`[data-testid="stance-opposed"] [data-testid="approach-order"]`))

	// Commitments, by date; neither is due before the help it thanks for.
	require.Equal(t, []string{"Data", "Training"}, resp.wbTexts(`[data-testid="commitment-unit"]`))
	require.Equal(t, []string{"Open", "Open"}, resp.wbTexts(`[data-testid="commitment-status"]`))

	// The lead edits in place.
	require.Equal(t, 1, resp.wbCount(`[data-testid="need-add-form"]`))
	require.Equal(t, 5, resp.wbCount(`[data-testid="need-edit"]`))
	require.Equal(t, 4, resp.wbCount(`[data-testid="plan-form"]`))
	require.Equal(t, 4, resp.wbCount(`[data-testid="stance-form"]`))
	require.Equal(t, 1, resp.wbCount(`[data-testid="commitment-add-form"]`))
	require.Zero(t, resp.wbCount(`[data-testid="empty"]`))
}

func TestWorkbookEmptyStates(t *testing.T) {
	b := setup(t)
	lead, unit := b.user(t, "aftersales@accord.demo"), b.units(t)["After-sales"]
	in := accord.ProjectInput{Name: "空白项目", NameEN: "Blank project", LeadUserID: lead.ID, OwningUnitID: unit.ID}
	in.Normalize()
	p, err := b.st.CreateProject(context.Background(), 0, in)
	require.NoError(t, err)

	resp := b.login(t, "aftersales@accord.demo").get(wbPath(p))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	empties := resp.wbTexts(`[data-testid="empty"]`)
	require.Len(t, empties, 4, "needs, involved units, board, commitments")
	require.Contains(t, empties[0], "Start with what the project cannot go on without: add a P0 need.")
	require.Contains(t, empties[1], "No other unit is involved yet")
	require.Contains(t, empties[3], "No promises recorded yet")
	require.Zero(t, resp.wbCount(`[data-testid="overdue-banner"]`))
	require.True(t, resp.wbOpen(`[data-testid="need-add"]`), "the add form is unfolded")
	require.Contains(t, resp.text("expected-value"), "Not stated yet")
	require.Contains(t, resp.text("project-goal"), "Not linked to a company goal")
}

func TestAddNeedKeepsInputAndExplainsEachProblem(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	form := wbNeedForm("宣传视频", b.units(t)["Marketing"])
	form.Set("tier", "")
	form.Set("effort_days", "-3")
	form.Set("notes", "两周内剪辑完成")
	resp := c.post(wbPath(smart, "/needs"), form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Some fields need attention; see the messages below.", resp.text("form-alert"))
	add := `[data-testid="need-add-form"]`
	require.Equal(t, "宣传视频", resp.attrOf(add+` [name="title"]`, "value"))
	require.Equal(t, "-3", resp.attrOf(add+` [name="effort_days"]`, "value"))
	require.Equal(t, idStr(b.units(t)["Marketing"].ID), resp.attrOf(add+` [name="holder_unit_id"] option[selected]`, "value"))
	require.Equal(t, "两周内剪辑完成", resp.textOf(add+` [name="notes"]`))
	require.Equal(t, "Choose a tier: P0 required, P1 important or P2 alternative.", resp.textOf("#need-add-tier-error"))
	require.Equal(t, "Enter zero or more.", resp.textOf("#need-add-effort-error"))
	require.Equal(t, "true", resp.attrOf("#need-add-tier", "aria-invalid"))
	require.Equal(t, "need-add-tier-error", resp.attrOf("#need-add-tier", "aria-describedby"))
	require.True(t, resp.wbOpen(`[data-testid="need-add"]`))
	require.Len(t, b.wbNeeds(t, smart.ID), 5, "nothing was saved")

	// Text that is not a date or a number is named as such, and kept.
	form = wbNeedForm("宣传视频", b.units(t)["Marketing"])
	form.Set("needed_by", "next week")
	form.Set("effort_days", "a lot")
	resp = c.post(wbPath(smart, "/needs"), form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Enter a date as yyyy-mm-dd.", resp.textOf("#need-add-needed-by-error"))
	require.Equal(t, "Enter a number, such as 12 or 2.5.", resp.textOf("#need-add-effort-error"))
	require.Equal(t, "a lot", resp.attrOf(add+` [name="effort_days"]`, "value"))
}

func TestAddNeedAfterTargetIsSavedWithAWarning(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	form := wbNeedForm("宣传视频", b.units(t)["Marketing"])
	form.Set("title_en", "Promotion video")
	form.Set("needed_by", smart.TargetDate.AddDate(0, 0, 10).Format("2006-01-02"))
	resp := c.post(wbPath(smart, "/needs"), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	video := b.wbNeeds(t, smart.ID)["Promotion video"]
	require.Equal(t, wbPath(smart, "?need=", idStr(video.ID), "#resource-map"), resp.Header.Get("Location"),
		"back to the page of the resource map holding the new need")

	page := c.get(wbPath(smart))
	require.Contains(t, page.text("notice"), "Added “Promotion video”.")
	require.Equal(t, "Saved. Please check:", page.textOf(`[data-testid="warnings"] strong`))
	require.Equal(t, []string{"Needed after the project's target date: is that right?"}, page.wbTexts(`[data-testid="warnings"] li`))
	created := b.wbNeeds(t, smart.ID)["Promotion video"]
	require.Equal(t, accord.TierImportant, created.Tier)
	require.Equal(t, 4.0, created.EffortDays)
	row := page.wbNeedRow(created.ID)
	require.Equal(t, 1, row.Length())
	require.Contains(t, wbCell(row, "need-needed-by"), "after target")
	require.Equal(t, "Marketing", wbCell(row, "need-holder"))

	again := c.get(wbPath(smart))
	require.Zero(t, again.wbCount(`[data-testid="notice"]`), "the notice is shown once")

	// The project's own unit as holder is allowed too, with its own warning.
	form = wbNeedForm("售后接待", b.units(t)["After-sales"])
	resp = c.post(wbPath(smart, "/needs"), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Contains(t, c.get(wbPath(smart)).text("warnings"), "This is the project's own unit")
}

func TestEditNeedWithStaleVersionKeepsInput(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	data := b.wbNeeds(t, smart.ID)["Customer data analytics"]

	edit := c.get(wbPath(smart, "/needs/", idStr(data.ID), "/edit"))
	require.Equal(t, http.StatusOK, edit.StatusCode)
	require.Equal(t, idStr(int64(data.Version)), edit.inputValue("need-edit-form", "version"))
	require.Equal(t, "客户数据分析", edit.inputValue("need-edit-form", "title"))
	require.Equal(t, "20", edit.inputValue("need-edit-form", "effort_days"))
	require.Equal(t, "P0", edit.attrOf(`[data-testid="need-edit-form"] [name="tier"] option[selected]`, "value"))

	// Someone else saves first.
	in := accord.NeedInput{Title: data.Title, TitleEN: data.TitleEN, HolderUnitID: data.HolderUnitID, Tier: data.Tier,
		NeededBy: data.NeededBy, EffortDays: 22, KeyPerson: data.KeyPerson, Notes: data.Notes}
	_, err := b.st.UpdateNeed(context.Background(), 0, data.ID, data.Version, in)
	require.NoError(t, err)

	form := url.Values{"version": {idStr(int64(data.Version))}, "title": {"客户数据分析（一期）"}, "title_en": {"Customer data analytics"},
		"tier": {"P0"}, "holder_unit_id": {idStr(*data.HolderUnitID)}, "needed_by": {data.NeededBy.Format("2006-01-02")},
		"effort_days": {"30"}}
	resp := c.post(wbPath(smart, "/needs/", idStr(data.ID)), form)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.text("form-alert"), "Someone changed this while you were editing.")
	require.Equal(t, "客户数据分析（一期）", resp.inputValue("need-edit-form", "title"), "the input is kept")
	require.Equal(t, "30", resp.inputValue("need-edit-form", "effort_days"))
	require.Equal(t, idStr(int64(data.Version+1)), resp.inputValue("need-edit-form", "version"), "the version is refreshed")
	require.Contains(t, resp.textOf(`tr.wb-saved-now`), "Saved now:", "the need as saved now is shown")
	require.Equal(t, "22", wbCell(resp.doc.Find(`tr.wb-saved-now`), "need-effort"))

	// Saving again with the refreshed version is a deliberate choice, and works.
	form.Set("version", resp.inputValue("need-edit-form", "version"))
	resp = c.post(wbPath(smart, "/needs/", idStr(data.ID)), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, wbPath(smart, "?need=", idStr(data.ID), "#need-", idStr(data.ID)), resp.Header.Get("Location"))
	require.Equal(t, 30.0, b.wbNeeds(t, smart.ID)["Customer data analytics"].EffortDays)
	require.Contains(t, c.get(wbPath(smart)).text("notice"), "Saved “Customer data analytics”.")

	// A need of another project is not found here.
	other := b.wbProject(t, "Weekend insurance renewal drive")
	leads := b.wbNeeds(t, other.ID)["Renewal leads from workshop visits"]
	require.Equal(t, http.StatusNotFound, c.get(wbPath(smart, "/needs/", idStr(leads.ID), "/edit")).StatusCode)
	require.Equal(t, http.StatusNotFound, c.post(wbPath(smart, "/needs/", idStr(leads.ID)), form).StatusCode)
}

func TestDeleteNeed(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	vendor := b.wbNeeds(t, smart.ID)["External training vendor (backup)"]

	page := c.get(wbPath(smart))
	version := page.wbNeedRow(vendor.ID).Find(`[data-testid="need-delete"] [name="version"]`).AttrOr("value", "")
	require.Equal(t, idStr(int64(vendor.Version)), version)

	stale := c.post(wbPath(smart, "/needs/", idStr(vendor.ID), "/delete"), url.Values{"version": {"99"}})
	require.Equal(t, http.StatusConflict, stale.StatusCode)
	require.Contains(t, stale.text("needs-alert"), "Someone changed this after you opened the page.")
	require.Len(t, b.wbNeeds(t, smart.ID), 5)

	resp := c.post(wbPath(smart, "/needs/", idStr(vendor.ID), "/delete"), url.Values{"version": {version}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(wbPath(smart))
	require.Contains(t, page.text("notice"), "Deleted “External training vendor (backup)”.")
	require.NotContains(t, page.wbTexts(`[data-testid="need-title"]`), "External training vendor (backup)")
	require.Len(t, b.wbNeeds(t, smart.ID), 4)
}

func TestPlanSaveStanceMoveAndConflict(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	units := b.units(t)
	marketing, it := units["Marketing"], units["IT"]
	plan := b.wbPlan(t, smart.ID, marketing.ID)

	planPath := wbPath(smart, "/units/", idStr(marketing.ID), "/plan")
	form := url.Values{"version": {idStr(int64(plan.Version))}, "concerns": {"不在本部门 KPI 里\n\n  能获得什么曝光  \n"},
		"kpis": {"品牌曝光量"}, "they_need": {"不占用核心档期"}, "we_give": {"现成素材"}, "they_get": {"署名"},
		"proposal": {"联合发布客户故事"}, "option_a": {"只转发"}, "option_b": {"联合发布"}, "option_c": {"全渠道投放"}}
	resp := c.post(planPath, form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, wbPath(smart, "?plan=", idStr(marketing.ID), "#plan-", idStr(marketing.ID)), resp.Header.Get("Location"))
	saved := b.wbPlan(t, smart.ID, marketing.ID)
	require.Equal(t, []string{"不在本部门 KPI 里", "能获得什么曝光"}, saved.Concerns, "one item per line, blanks dropped")
	require.Equal(t, "全渠道投放", saved.OptionC)
	require.Equal(t, accord.StanceNeutral, saved.Stance, "the stance is the board's and stays")
	require.Equal(t, 3, saved.ApproachOrder)
	page := c.get(wbPath(smart))
	card := page.doc.Find(`[data-testid="plan-card"][data-unit-id="` + idStr(marketing.ID) + `"]`)
	require.Contains(t, wbCell(card, "notice"), "Plan for Marketing saved.")
	require.Equal(t, "不在本部门 KPI 里\n能获得什么曝光", card.Find(`textarea[name="concerns"]`).Text())

	// Moving IT on the board keeps the rest of its plan.
	itPlan := b.wbPlan(t, smart.ID, it.ID)
	stancePath := wbPath(smart, "/units/", idStr(it.ID), "/stance")
	resp = c.post(stancePath, url.Values{"version": {idStr(int64(itPlan.Version))}, "stance": {"winnable"}, "approach_order": {"2"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, wbPath(smart, "?plan=", idStr(it.ID), "#alliance"), resp.Header.Get("Location"), "back to the board with IT's card")
	moved := b.wbPlan(t, smart.ID, it.ID)
	require.Equal(t, accord.StanceWinnable, moved.Stance)
	require.Equal(t, 2, moved.ApproachOrder)
	require.Equal(t, itPlan.Concerns, moved.Concerns)
	require.Equal(t, itPlan.Proposal, moved.Proposal)
	page = c.get(wbPath(smart))
	require.Contains(t, page.text("notice"), "IT is now on “Winnable”.")
	require.ElementsMatch(t, []string{"Data", "IT"}, page.wbTexts(`[data-testid="stance-winnable"] [data-testid="board-unit"]`))
	require.Zero(t, page.wbCount(`[data-testid="stance-opposed"] [data-testid="board-card"]`))

	// A stale plan form (the board moved IT since) is a conflict that keeps the typing.
	stale := url.Values{"version": {idStr(int64(itPlan.Version))}, "concerns": {"排期已满"}, "proposal": {"新的交换方案"}}
	resp = c.post(wbPath(smart, "/units/", idStr(it.ID), "/plan"), stale)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	itCard := resp.doc.Find(`[data-testid="plan-card"][data-unit-id="` + idStr(it.ID) + `"]`)
	require.Contains(t, wbCell(itCard, "form-alert"), "Someone changed this while you were editing.")
	_, open := itCard.Find(`[data-testid="plan-edit"]`).Attr("open")
	require.True(t, open, "the form stays unfolded")
	require.Equal(t, "新的交换方案", itCard.Find(`textarea[name="proposal"]`).Text())
	require.Equal(t, idStr(int64(moved.Version)), itCard.Find(`input[name="version"]`).AttrOr("value", ""))
	require.Equal(t, moved.Proposal, b.wbPlan(t, smart.ID, it.ID).Proposal, "nothing was overwritten")

	// So is a stale board move, and a bad order number is named.
	resp = c.post(stancePath, url.Values{"version": {idStr(int64(itPlan.Version))}, "stance": {"ally"}, "approach_order": {"1"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.textOf(`[data-testid="stance-form"] [data-testid="form-alert"]`), "Someone changed this")
	resp = c.post(stancePath, url.Values{"version": {idStr(int64(moved.Version))}, "stance": {"ally"}, "approach_order": {"first"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Enter a whole number.", resp.textOf(fmt.Sprintf("#stance-%d-order-error", it.ID)))

	// A unit the project does not involve has no plan here.
	legal := units["Legal"]
	require.Equal(t, http.StatusNotFound, c.post(wbPath(smart, "/units/", idStr(legal.ID), "/plan"), form).StatusCode)
}

func TestCommitmentsAddAndEdit(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	it := b.units(t)["IT"]

	resp := c.post(wbPath(smart, "/commitments"), url.Values{"unit_id": {""}, "what": {""}, "due_date": {"soon"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", resp.textOf("#commitment-add-unit-error"))
	require.Equal(t, "Fill in this field.", resp.textOf("#commitment-add-what-error"))
	require.Equal(t, "Enter a date as yyyy-mm-dd.", resp.textOf("#commitment-add-due-error"))
	require.Equal(t, "soon", resp.inputValue("commitment-add-form", "due_date"))

	due := b.now.AddDate(0, 2, 0).Format("2006-01-02")
	resp = c.post(wbPath(smart, "/commitments"), url.Values{"unit_id": {idStr(it.ID)}, "what": {"联合申报年度优秀项目"}, "due_date": {due}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, wbPath(smart, "#commitments"), resp.Header.Get("Location"))
	page := c.get(wbPath(smart))
	require.Contains(t, page.text("notice"), "Promise to IT recorded.")
	require.Contains(t, page.wbTexts(`[data-testid="commitment-what"]`), "联合申报年度优秀项目")

	// A promise recorded after its date is overdue at once, and stands out at the top.
	yesterday := b.now.AddDate(0, 0, -1).Format("2006-01-02")
	resp = c.post(wbPath(smart, "/commitments"), url.Values{"unit_id": {idStr(it.ID)}, "what": {"方案评审会上致谢 IT"}, "due_date": {yesterday}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(wbPath(smart))
	require.Contains(t, page.text("overdue-banner"), "Overdue promises: 1")
	require.Contains(t, page.text("overdue-banner"), "方案评审会上致谢 IT", "typed with no translation: as typed")
	require.Contains(t, page.text("overdue-banner"), "to IT")

	// Keeping the overdue promise clears the banner.
	list, err := b.st.Commitments(context.Background(), smart.ID)
	require.NoError(t, err)
	var overdue accord.Commitment
	for _, cm := range list {
		if cm.Overdue(*b.now) {
			overdue = cm
		}
	}
	edit := c.get(wbPath(smart, "/commitments/", idStr(overdue.ID), "/edit"))
	require.Equal(t, http.StatusOK, edit.StatusCode)
	require.Equal(t, "open", edit.attrOf(`[data-testid="commitment-edit-form"] [name="status"] option[selected]`, "value"))
	form := url.Values{"version": {edit.inputValue("commitment-edit-form", "version")}, "unit_id": {idStr(overdue.UnitID)},
		"what": {overdue.What}, "due_date": {edit.inputValue("commitment-edit-form", "due_date")}, "status": {"kept"}}
	resp = c.post(wbPath(smart, "/commitments/", idStr(overdue.ID)), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(wbPath(smart))
	require.Zero(t, page.wbCount(`[data-testid="overdue-banner"]`))
	require.Contains(t, page.wbTexts(`[data-testid="commitment-status"]`), "Kept")

	// The same form again is stale.
	resp = c.post(wbPath(smart, "/commitments/", idStr(overdue.ID)), form)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.text("form-alert"), "Someone changed this while you were editing.")
	require.Equal(t, "kept", resp.attrOf(`[data-testid="commitment-edit-form"] [name="status"] option[selected]`, "value"))

	// And delete with the current version.
	cur, err := b.st.Commitment(context.Background(), overdue.ID)
	require.NoError(t, err)
	resp = c.post(wbPath(smart, "/commitments/", idStr(overdue.ID), "/delete"), url.Values{"version": {idStr(int64(cur.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NotContains(t, c.get(wbPath(smart)).wbTexts(`[data-testid="commitment-what"]`), overdue.What)
}

// TestWorkbookAccess: a viewer who may see the project but not change it sees no
// edit controls and is refused every change; someone who may not see it finds nothing.
func TestWorkbookAccess(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	needs := b.wbNeeds(t, smart.ID)
	data := needs["Customer data analytics"]
	it := b.units(t)["IT"]
	list, err := b.st.Commitments(context.Background(), smart.ID)
	require.NoError(t, err)
	promise := list[0]
	posts := []string{
		"/needs", "/needs/" + idStr(data.ID), "/needs/" + idStr(data.ID) + "/delete",
		"/units/" + idStr(it.ID) + "/plan", "/units/" + idStr(it.ID) + "/stance",
		"/commitments", "/commitments/" + idStr(promise.ID), "/commitments/" + idStr(promise.ID) + "/delete",
	}
	form := url.Values{"version": {"1"}, "title": {"x"}, "tier": {"P0"}, "holder_unit_id": {idStr(it.ID)}, "stance": {"ally"},
		"unit_id": {idStr(it.ID)}, "what": {"x"}}

	viewer := b.login(t, "it@accord.demo")
	page := viewer.get(wbPath(smart))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Len(t, page.wbTexts(`[data-testid="need-title"]`), 5)
	for _, testid := range []string{"edit-project", "import-needs", "need-add-form", "need-edit", "need-delete", "plan-form",
		"stance-form", "commitment-add-form", "commitment-edit", "commitment-delete"} {
		require.Zero(t, page.wbCount(`[data-testid="`+testid+`"]`), testid)
	}
	require.Equal(t, wbPath(smart, "/export.xlsx"), page.attrOf(`[data-testid="export-xlsx"]`, "href"))
	require.Equal(t, http.StatusOK, viewer.get(wbPath(smart, "/history")).StatusCode)
	for _, path := range posts {
		resp := viewer.post(wbPath(smart, path), form)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, path)
		require.Contains(t, resp.text("error-page"), "only the project lead or an administrator can change it")
	}
	require.Equal(t, http.StatusForbidden, viewer.get(wbPath(smart, "/needs/", idStr(data.ID), "/edit")).StatusCode)
	require.Equal(t, http.StatusForbidden, viewer.get(wbPath(smart, "/commitments/", idStr(promise.ID), "/edit")).StatusCode)
	after, err := b.st.Need(context.Background(), data.ID)
	require.NoError(t, err)
	require.Equal(t, data, after, "nothing changed")

	outsider := b.login(t, "legal@accord.demo")
	for _, path := range []string{"", "/history", "/needs/" + idStr(data.ID) + "/edit", "/commitments/" + idStr(promise.ID) + "/edit"} {
		require.Equal(t, http.StatusNotFound, outsider.get(wbPath(smart, path)).StatusCode, path)
	}
	for _, path := range posts {
		require.Equal(t, http.StatusNotFound, outsider.post(wbPath(smart, path), form).StatusCode, path)
	}
	require.Equal(t, http.StatusNotFound, outsider.get("/projects/999999").StatusCode)

	// An admin edits like the lead.
	admin := b.login(t, "admin@accord.demo").get(wbPath(smart))
	require.Equal(t, 1, admin.wbCount(`[data-testid="need-add-form"]`))
}

func TestProjectHistoryShowsWhatChanged(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	data := b.wbNeeds(t, smart.ID)["Customer data analytics"]
	form := url.Values{"version": {idStr(int64(data.Version))}, "title": {data.Title}, "title_en": {data.TitleEN},
		"tier": {"P0"}, "holder_unit_id": {idStr(*data.HolderUnitID)}, "needed_by": {data.NeededBy.Format("2006-01-02")},
		"effort_days": {"25"}, "key_person": {data.KeyPerson}, "notes": {data.Notes}}
	require.Equal(t, http.StatusSeeOther, c.post(wbPath(smart, "/needs/", idStr(data.ID)), form).StatusCode)
	it := b.units(t)["IT"]
	itPlan := b.wbPlan(t, smart.ID, it.ID)
	require.Equal(t, http.StatusSeeOther, c.post(wbPath(smart, "/units/", idStr(it.ID), "/stance"),
		url.Values{"version": {idStr(int64(itPlan.Version))}, "stance": {"winnable"}, "approach_order": {"4"}}).StatusCode)

	resp := c.get(wbPath(smart, "/history"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	entries := resp.doc.Find(`[data-testid="history-entry"]`)
	first, second := entries.Eq(0), entries.Eq(1)
	require.Equal(t, "Changed the plan for IT", wbCell(first, "history-summary"))
	require.Equal(t, "Zhang Wei", wbCell(first, "history-actor"))
	require.Equal(t, []string{"Stance: Opposed → Winnable"}, response{doc: goquery.NewDocumentFromNode(first.Nodes[0])}.wbTexts(`[data-testid="history-change"]`))
	require.Equal(t, "Changed the need “Customer data analytics”", wbCell(second, "history-summary"))
	require.Equal(t, []string{"Effort: 20 → 25"}, response{doc: goquery.NewDocumentFromNode(second.Nodes[0])}.wbTexts(`[data-testid="history-change"]`),
		"only the fields whose values differ")
	require.Contains(t, resp.wbTexts(`[data-testid="history-summary"]`), "Added the need “External training vendor (backup)”")
	require.Contains(t, resp.wbTexts(`[data-testid="history-change"]`), "Backs up: Train 200 service advisers",
		"ids are named")
	require.Equal(t, wbPath(smart), resp.attrOf(`[data-testid="back-to-workbook"]`, "href"))
}

func TestProjectHistoryPages(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	marketing := b.units(t)["Marketing"]
	for i := range 30 {
		in := accord.NeedInput{Title: fmt.Sprintf("需求 %d", i), Tier: accord.TierImportant, HolderUnitID: &marketing.ID}
		_, err := b.st.CreateNeed(context.Background(), 0, smart.ID, in)
		require.NoError(t, err)
	}
	c := b.login(t, "aftersales@accord.demo")
	first := c.get(wbPath(smart, "/history"))
	require.Equal(t, 25, first.wbCount(`[data-testid="history-entry"]`))
	require.Equal(t, "Added the need “需求 29”", first.wbTexts(`[data-testid="history-summary"]`)[0], "newest first")
	require.Equal(t, "System", first.wbTexts(`[data-testid="history-actor"]`)[0])
	second := c.get(wbPath(smart, "/history?page=2"))
	require.Equal(t, http.StatusOK, second.StatusCode)
	require.Positive(t, second.wbCount(`[data-testid="history-entry"]`))
	require.Equal(t, "Added the need “需求 4”", second.wbTexts(`[data-testid="history-summary"]`)[0])
}

func TestWorkbookSpeaksChinese(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	resp := c.post("/lang", url.Values{"lang": {"zh"}, "next": {wbPath(smart)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page := c.get(resp.Header.Get("Location"))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "zh-Hans", page.doc.Find("html").AttrOr("lang", ""))
	require.Equal(t, "智能服务升级", page.text("project-name"))
	require.Equal(t, "资源地图", page.textOf("#resource-map-title"))
	require.Equal(t, []string{"客户数据分析", "客户管理系统开发", "培训 200 名服务顾问", "上线推广宣传", "外部培训机构（备选）"},
		page.wbTexts(`[data-testid="need-title"]`))
	require.Equal(t, "P0 必需", page.wbTexts(`[data-testid="needs"] [data-testid="tier"]`)[0])
	require.Equal(t, "数据部", page.wbTexts(`[data-testid="need-holder"]`)[0])
	require.Equal(t, "信息技术部", page.wbTexts(`[data-testid="effort-holder"]`)[0])
	require.Equal(t, "120 人天", page.wbTexts(`[data-testid="effort-days"]`)[0])
	require.Equal(t, "每 14 天同步一次", page.text("project-cadence"))
	require.Zero(t, page.wbCount(`[data-testid="overdue-banner"]`), "nothing sent, nothing due")
	require.Equal(t, []string{"盟友 1", "可争取 1", "中立 1", "反对 1", "未评估 0"}, page.wbTexts(`[data-testid="alliance"] .wb-col h3`))
	require.Contains(t, page.wbTexts(`[data-testid="commitment-status"]`), "待兑现")

	history := c.get(wbPath(smart, "/history"))
	require.Contains(t, history.wbTexts(`[data-testid="history-summary"]`), "添加了需求“外部培训机构（备选）”")
}

func TestWorkbookAnswersHTMXWithFragments(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	units := b.units(t)

	// A new need held by a unit not yet involved: the map, the board and the units.
	resp := c.wbHTMXPost(wbPath(smart, "/needs"), wbNeedForm("法律审核", units["Legal"]))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, resp.body, "<html")
	require.True(t, strings.HasPrefix(strings.TrimSpace(resp.body), `<section class="card wb-section" id="resource-map"`), "the target comes first")
	require.Contains(t, resp.text("notice"), "Added “法律审核”.")
	require.Equal(t, "true", resp.attrOf("#alliance", "hx-swap-oob"))
	require.Equal(t, "true", resp.attrOf("#involved-units", "hx-swap-oob"), "Legal joined the involved units")
	require.True(t, resp.wbOpen(`[data-testid="need-add"]`), "ready for the next need")

	// Another need for an involved unit leaves the plan cards alone.
	resp = c.wbHTMXPost(wbPath(smart, "/needs"), wbNeedForm("第二场培训", units["Training"]))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Zero(t, resp.wbCount("#involved-units"))
	training := units["Training"]
	holds := resp.doc.Find(fmt.Sprintf("#plan-%d-holds", training.ID))
	require.Equal(t, "true", holds.AttrOr("hx-swap-oob", ""), "only the cards' lists of needs are refreshed")
	require.Contains(t, holds.Text(), "第二场培训")

	// A refused save answers with the form and its messages, where htmx swaps it.
	bad := wbNeedForm("", units["Training"])
	resp = c.wbHTMXPost(wbPath(smart, "/needs"), bad)
	require.Equal(t, http.StatusOK, resp.StatusCode, "htmx swaps only 2xx answers")
	require.NotContains(t, resp.body, "<html")
	require.Equal(t, "Fill in this field.", resp.textOf("#need-add-title-error"))

	// Editing happens in the row.
	data := b.wbNeeds(t, smart.ID)["Customer data analytics"]
	resp = c.wbHTMXGet(wbPath(smart, "/needs/", idStr(data.ID), "/edit"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, resp.body, "<html")
	require.Equal(t, "need-"+idStr(data.ID), resp.attrOf(`[data-testid="need-edit-row"]`, "id"))
	require.Equal(t, "#resource-map", resp.attrOf(`[data-testid="need-edit-form"]`, "hx-target"))

	// A stance move redraws the board and refreshes the unit's card by id.
	it := units["IT"]
	plan := b.wbPlan(t, smart.ID, it.ID)
	resp = c.wbHTMXPost(wbPath(smart, "/units/", idStr(it.ID), "/stance"),
		url.Values{"version": {idStr(int64(plan.Version))}, "stance": {"neutral"}, "approach_order": {"3"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(strings.TrimSpace(resp.body), `<section class="card wb-section" id="alliance"`))
	require.Equal(t, "true", resp.attrOf(fmt.Sprintf("#plan-%d-stance", it.ID), "hx-swap-oob"))
	require.Equal(t, idStr(int64(plan.Version+1)), resp.attrOf(fmt.Sprintf("#plan-%d-version", it.ID), "value"))
	require.Equal(t, []string{"Marketing", "IT"}, resp.wbTexts(`[data-testid="stance-neutral"] [data-testid="board-unit"]`))

	// A plan save redraws the card and refreshes the board's version for the unit.
	resp = c.wbHTMXPost(wbPath(smart, "/units/", idStr(it.ID), "/plan"),
		url.Values{"version": {idStr(int64(plan.Version + 1))}, "concerns": {"排期"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, fmt.Sprintf("plan-%d", it.ID), resp.attrOf(`[data-testid="plan-card"]`, "id"))
	require.Equal(t, idStr(int64(plan.Version+2)), resp.attrOf(fmt.Sprintf("#stance-version-%d", it.ID), "value"))

	// A commitment refreshes the overdue banner too.
	resp = c.wbHTMXPost(wbPath(smart, "/commitments"), url.Values{"unit_id": {idStr(it.ID)}, "what": {"致谢"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "true", resp.attrOf("#overdue-banner", "hx-swap-oob"))
	require.Contains(t, resp.text("notice"), "Promise to IT recorded.")
}

// TestWorkbookQueryCountIsFixed: the page costs the same number of queries whatever
// the number of needs, involved units and commitments.
func TestWorkbookQueryCountIsFixed(t *testing.T) {
	b := setup(t)
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	path := wbPath(smart)
	c.get(path)
	var small int64
	small = b.countQueries(func() { require.Equal(t, http.StatusOK, c.get(path).StatusCode) })

	ctx := context.Background()
	var holders []accord.Unit
	for _, name := range []string{"Sales", "Customer service", "Finance & insurance", "Accessories", "Finance", "Legal", "IT", "Data"} {
		holders = append(holders, b.units(t)[name])
	}
	for i := range 30 {
		holder := holders[i%len(holders)]
		in := accord.NeedInput{Title: fmt.Sprintf("需求 %d", i), Tier: accord.Tiers()[i%3], HolderUnitID: &holder.ID, EffortDays: float64(i)}
		_, err := b.st.CreateNeed(ctx, 0, smart.ID, in)
		require.NoError(t, err)
		if i%3 == 0 {
			_, err = b.st.CreateCommitment(ctx, 0, smart.ID, accord.CommitmentInput{UnitID: holder.ID, What: fmt.Sprintf("承诺 %d", i), Status: accord.CommitmentOpen})
			require.NoError(t, err)
		}
	}
	page := c.get(path)
	require.Len(t, page.wbTexts(`[data-testid="need-title"]`), min(35, ui.NeedsPerPage))
	require.Len(t, page.wbTexts(`[data-testid="plan-card"] h3`), 10)
	large := b.countQueries(func() { require.Equal(t, http.StatusOK, c.get(path).StatusCode) })
	require.Equal(t, small, large, "queries must not grow with the workbook")
	require.LessOrEqual(t, large, int64(9), "project, needs, plans, commitments, units, and the session and viewer")
	t.Logf("the workbook page costs %d queries", large)
}
