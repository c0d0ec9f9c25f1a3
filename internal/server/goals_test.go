package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// demoGoals returns the goals by English title, as they are now.
func (b *testBundle) demoGoals(t *testing.T) map[string]accord.Goal {
	t.Helper()
	list, err := b.st.Goals(context.Background())
	require.NoError(t, err)
	byTitle := map[string]accord.Goal{}
	for _, g := range list {
		byTitle[g.TitleEN] = g
	}
	return byTitle
}

// goalRows reads the goal tree as "title|target|unit|count" lines, in order.
func (r response) goalRows() []string {
	var rows []string
	r.doc.Find(`[data-testid="goals"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		rows = append(rows, strings.Join([]string{rowField(s, "title"), rowField(s, "target"), rowField(s, "unit"), rowField(s, "count")}, "|"))
	})
	return rows
}

func TestGoalTree(t *testing.T) {
	b := setup(t)
	goals := b.demoGoals(t)
	ceo := b.login(t, "ceo@accord.demo")
	resp := ceo.get("/goals")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{
		"Customer satisfaction in the industry's top three|+15 points||1",
		"After-sales satisfaction 92|92|After-sales|0",
		"95% of complaints closed within 24 h|95%|Customer service|0",
		"Full-year profit up 10%|+10%||0",
		"Insurance renewal rate 65%|65%|Finance & insurance|1",
		"Stock turnover under 45 days|≤ 45 days|Sales|1",
		"Digital transformation|3 flagship systems||0",
	}, resp.goalRows())
	kpi := resp.doc.Find(`[data-testid="goals"] tr[data-goal-id="` + idStr(goals["Insurance renewal rate 65%"].ID) + `"]`)
	require.True(t, kpi.Find(".tree-name").HasClass("depth-1"), "KPIs sit under their goal")
	require.Equal(t, "/units/"+idStr(b.units(t)["Finance & insurance"].ID), kpi.Find(`[data-field="unit"] a`).AttrOr("href", ""))
	require.Equal(t, "/goals/"+idStr(goals["Insurance renewal rate 65%"].ID), kpi.Find(`[data-field="title"]`).AttrOr("href", ""))
	require.Equal(t, "New goal", resp.text("new-goal"), "the CEO is an executive")
	require.Equal(t, 7, resp.doc.Find(`[data-testid="goals"] a[href$="/edit"]`).Length())

	// A department head reads the goals but does not set them; the counts are the
	// projects they may see.
	legal := b.login(t, "legal@accord.demo").get("/goals")
	require.Equal(t, http.StatusOK, legal.StatusCode)
	require.Zero(t, legal.doc.Find(`[data-testid="new-goal"]`).Length())
	require.Zero(t, legal.doc.Find(`[data-testid="goals"] a[href$="/edit"]`).Length())
	for _, row := range legal.goalRows() {
		require.True(t, strings.HasSuffix(row, "|0"), row)
	}
}

func TestGoalTreeQueryCount(t *testing.T) {
	b := setup(t)
	c := b.login(t, "ceo@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, c.get("/goals").StatusCode) }
	load()
	// Session, viewer, the tree, the counts.
	require.LessOrEqual(t, b.countQueries(load), int64(4))
}

func TestGoalPageListsItsProjects(t *testing.T) {
	b := setup(t)
	goals := b.demoGoals(t)
	smart := b.demoProject(t, "Smart service upgrade")
	ceo := b.login(t, "ceo@accord.demo")

	resp := ceo.get("/goals/" + idStr(goals["Customer satisfaction in the industry's top three"].ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "Customer satisfaction in the industry's top three", resp.text("goal-title"))
	require.Equal(t, "+15 points", resp.text("goal-target"), "the target as typed, in English")
	require.Contains(t, resp.text("goal-kpis"), "After-sales satisfaction 92")
	require.Contains(t, resp.text("goal-kpis"), "95% of complaints closed within 24 h")
	require.Equal(t, []string{"Smart service upgrade"}, resp.listedProjects("goal-projects"))
	require.Equal(t, "/projects/"+idStr(smart.ID), resp.attrOf(`[data-testid="goal-projects"] [data-field="name"]`, "href"))
	require.Equal(t, "/goals/new?parent_id="+idStr(goals["Customer satisfaction in the industry's top three"].ID), resp.attrOf(`[data-testid="new-kpi"]`, "href"))

	kpi := ceo.get("/goals/" + idStr(goals["Stock turnover under 45 days"].ID))
	require.Equal(t, []string{"Inventory car promotion"}, kpi.listedProjects("goal-projects"))
	require.Equal(t, "Sales", kpi.text("goal-unit"))
	require.Contains(t, kpi.textOf(".page-head .small"), "Full-year profit up 10%", "the parent goal leads back up")

	// Someone who may not see the project sees the goal without it.
	legal := b.login(t, "legal@accord.demo").get("/goals/" + idStr(goals["Stock turnover under 45 days"].ID))
	require.Equal(t, http.StatusOK, legal.StatusCode)
	require.Empty(t, legal.listedProjects("goal-projects"))
	require.Contains(t, legal.text("empty"), "No project you can follow serves this goal yet.")
	require.Zero(t, legal.doc.Find(`[data-testid="edit-goal"]`).Length())

	for _, p := range []string{"/goals/abc", "/goals/0", "/goals/99999999"} {
		require.Equal(t, http.StatusNotFound, ceo.get(p).StatusCode, p)
	}
}

func TestExecutiveCreatesGoal(t *testing.T) {
	b := setup(t)
	goals := b.demoGoals(t)
	digital := goals["Digital transformation"]
	it := b.units(t)["IT"]
	c := b.login(t, "ceo@accord.demo")

	form := c.get("/goals/new?parent_id=" + idStr(digital.ID))
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, idStr(digital.ID), form.attrOf("#goal-parent option[selected]", "value"))

	bad := c.post("/goals", url.Values{"title": {" "}, "title_en": {"CRM live"}, "target": {"上线"}, "parent_id": {"x"}, "unit_id": {idStr(it.ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode)
	require.Equal(t, "Fill in this field.", bad.textOf("#goal-title-error"))
	require.Equal(t, "Choose a parent goal that is not this goal or one below it.", bad.textOf("#goal-parent-error"))
	require.Equal(t, "CRM live", bad.attrOf("#goal-title-en", "value"))
	require.Equal(t, "上线", bad.attrOf("#goal-target", "value"))
	require.Equal(t, idStr(it.ID), bad.attrOf("#goal-unit option[selected]", "value"))

	resp := c.post("/goals", url.Values{"title": {"客户管理系统上线"}, "title_en": {"CRM live"}, "target": {"Q3"},
		"parent_id": {idStr(digital.ID)}, "unit_id": {idStr(it.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	created := b.demoGoals(t)["CRM live"]
	require.Equal(t, "/goals/"+idStr(created.ID), resp.Header.Get("Location"))
	require.Equal(t, "客户管理系统上线", created.Title)
	require.Equal(t, "Q3", created.Target)
	require.Equal(t, digital.ID, *created.ParentID)
	require.Equal(t, it.ID, *created.UnitID)
	require.Equal(t, 1, created.Depth)

	page := c.get(resp.Header.Get("Location"))
	require.Equal(t, "Goal “CRM live” added.", page.text("flash"))
	require.Equal(t, "CRM live", page.text("goal-title"))
	require.Equal(t, "IT", page.text("goal-unit"))
}

func TestGoalChangesAreForExecutivesAndAdmins(t *testing.T) {
	b := setup(t)
	digital := b.demoGoals(t)["Digital transformation"]
	edit := "/goals/" + idStr(digital.ID) + "/edit"
	form := url.Values{"title": {"数字化"}, "version": {idStr(int64(digital.Version))}}

	head := b.login(t, "it@accord.demo")
	for _, resp := range []response{head.get("/goals/new"), head.post("/goals", form), head.get(edit), head.post(edit, form)} {
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Contains(t, resp.text("error-page"), "Executives and administrators set the goals.")
	}
	require.Equal(t, "Digital transformation", b.demoGoals(t)["Digital transformation"].TitleEN, "nothing changed")
	require.Len(t, b.demoGoals(t), 7, "nothing added")

	require.Equal(t, http.StatusOK, b.login(t, "admin@accord.demo").get("/goals/new").StatusCode)
	require.Equal(t, http.StatusOK, b.login(t, "cto@accord.demo").get(edit).StatusCode, "heads of centres are executives")
}

func TestEditGoal(t *testing.T) {
	b := setup(t)
	goals := b.demoGoals(t)
	satisfaction := goals["Customer satisfaction in the industry's top three"]
	path := "/goals/" + idStr(satisfaction.ID) + "/edit"
	c := b.login(t, "ceo@accord.demo")

	form := c.get(path)
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, satisfaction.Title, form.attrOf("#goal-title", "value"))
	require.Equal(t, idStr(int64(satisfaction.Version)), form.inputValue("goal-form", "version"))
	parents := form.doc.Find(`#goal-parent option[value!=""]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("value", "") })
	require.NotContains(t, parents, idStr(satisfaction.ID), "not under itself")
	require.NotContains(t, parents, idStr(goals["After-sales satisfaction 92"].ID), "not under its own KPI")
	require.Contains(t, parents, idStr(goals["Digital transformation"].ID))

	// Someone else saves first.
	other, err := b.st.UpdateGoal(context.Background(), 0, satisfaction.ID, satisfaction.Version,
		accord.GoalInput{Title: satisfaction.Title, TitleEN: satisfaction.TitleEN, Target: "+20 points"})
	require.NoError(t, err)
	in := url.Values{"title": {"客户满意度行业前三"}, "title_en": {"Top-three satisfaction"}, "target": {"+15"},
		"parent_id": {""}, "unit_id": {""}, "version": {form.inputValue("goal-form", "version")}}
	resp := c.post(path, in)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.text("form-alert"), "Someone changed this while you were editing.")
	require.Equal(t, "Top-three satisfaction", resp.attrOf("#goal-title-en", "value"))
	require.Equal(t, "+15", resp.attrOf("#goal-target", "value"))
	require.Equal(t, idStr(int64(other.Version)), resp.inputValue("goal-form", "version"))

	in.Set("version", resp.inputValue("goal-form", "version"))
	resp = c.post(path, in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	require.Equal(t, "+15", b.demoGoals(t)["Top-three satisfaction"].Target)
	require.Equal(t, "Goal saved.", c.get(resp.Header.Get("Location")).text("flash"))
}

func TestGoalPagesSpeakChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "ceo@accord.demo")
	require.Equal(t, http.StatusSeeOther, c.post("/lang", url.Values{"lang": {"zh"}, "next": {"/goals"}}).StatusCode)
	resp := c.get("/goals")
	require.Equal(t, "目标", resp.textOf("h1"))
	require.Equal(t, "新建目标", resp.text("new-goal"))
	require.Contains(t, resp.goalRows(), "续保率 65%|65%|金融保险部|1")
}
