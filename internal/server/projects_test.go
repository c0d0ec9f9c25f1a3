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
)

// demoProject returns a demo project by English name, as it is now.
func (b *testBundle) demoProject(t *testing.T, nameEN string) accord.Project {
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

// seedProjects adds n projects owned by a unit and led by a user, named "<prefix> 1" …
func (b *testBundle) seedProjects(t *testing.T, n int, prefix, leadEmail, unitNameEN string) {
	t.Helper()
	lead, unit := b.user(t, leadEmail), b.units(t)[unitNameEN]
	for i := 1; i <= n; i++ {
		in := accord.ProjectInput{Name: fmt.Sprintf("%s %d", prefix, i), LeadUserID: lead.ID, OwningUnitID: unit.ID}
		in.Normalize()
		_, err := b.st.CreateProject(context.Background(), 0, in)
		require.NoError(t, err)
	}
}

// listedProjects reads the project names from a project table, in order.
func (r response) listedProjects(testid string) []string {
	var names []string
	r.doc.Find(`[data-testid="` + testid + `"] tbody tr [data-field="name"]`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Text()))
	})
	return names
}

// projectRow is one project's row in the list.
func (r response) projectRow(id int64) *goquery.Selection {
	return r.doc.Find(`[data-testid="projects"] tr[data-project-id="` + idStr(id) + `"]`)
}

func rowField(row *goquery.Selection, field string) string {
	return strings.TrimSpace(row.Find(`[data-field="` + field + `"]`).First().Text())
}

func TestProjectListShowsEveryColumn(t *testing.T) {
	b := setup(t)
	c := b.login(t, "ceo@accord.demo")
	smart := b.demoProject(t, "Smart service upgrade")
	resp := c.get("/projects")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.ElementsMatch(t, []string{"Smart service upgrade", "Weekend insurance renewal drive", "Inventory car promotion"},
		resp.listedProjects("projects"))
	require.Equal(t, "New project", resp.text("new-project"), "the CEO heads a unit")

	row := resp.projectRow(smart.ID)
	require.Equal(t, 1, row.Length())
	require.Equal(t, "Smart service upgrade", rowField(row, "name"))
	require.Equal(t, "/projects/"+idStr(smart.ID), row.Find(`[data-field="name"]`).AttrOr("href", ""))
	require.Equal(t, "After-sales", rowField(row, "unit"))
	require.Equal(t, "/units/"+idStr(smart.OwningUnitID), row.Find(`[data-field="unit"]`).AttrOr("href", ""))
	require.Equal(t, "Zhang Wei", rowField(row, "lead"))
	require.Equal(t, "Active", rowField(row, "status"))
	require.True(t, row.Find(`[data-field="status"]`).HasClass("ok"))
	require.Equal(t, "Customer satisfaction in the industry's top three", rowField(row, "goal"))
	require.Equal(t, "/goals/"+idStr(*smart.GoalID), row.Find(`[data-field="goal"] a`).AttrOr("href", ""))
	require.Equal(t, smart.TargetDate.Format("2006-01-02"), rowField(row, "target"))
	require.Equal(t, "20,000,000 CNY", rowField(row, "amount"))
	require.Equal(t, "Customer satisfaction +15 points, worth about CNY 20 million a year", rowField(row, "outcome"))
}

func TestProjectListEmptyStates(t *testing.T) {
	b := setup(t)
	// Legal takes part in no demo project.
	legal := b.login(t, "legal@accord.demo")
	resp := legal.get("/projects")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, resp.listedProjects("projects"))
	require.Contains(t, resp.text("empty"), "No projects to show yet.")
	require.Contains(t, resp.text("empty"), "Start one with New project", "a head is told how to start one")
	require.Equal(t, "New project", resp.text("new-project"))

	// A member who heads nothing follows projects but does not start them.
	dev := b.login(t, "it.dev@accord.demo")
	resp = dev.get("/projects")
	require.Equal(t, []string{"Smart service upgrade"}, resp.listedProjects("projects"), "IT holds a need")
	require.Zero(t, resp.doc.Find(`[data-testid="new-project"]`).Length())
	resp = dev.get("/projects?status=done")
	require.Contains(t, resp.text("empty"), "No project matches these filters.")
	require.Equal(t, "/projects", resp.attrOf(`[data-testid="empty"] a`, "href"), "offers to clear the filters")
}

func TestProjectListFilters(t *testing.T) {
	b := setup(t)
	tests := []struct {
		email, query string
		want         []string
	}{
		{"fi@accord.demo", "mine=1", []string{"Weekend insurance renewal drive"}},
		{"ceo@accord.demo", "mine=1", nil},
		{"aftersales.pm@accord.demo", "units=1", []string{"Smart service upgrade"}},
		{"aftersales@accord.demo", "", []string{"Weekend insurance renewal drive", "Smart service upgrade"}},
		{"ceo@accord.demo", "status=active", []string{"Smart service upgrade", "Inventory car promotion"}},
		{"ceo@accord.demo", "status=done", []string{"Weekend insurance renewal drive"}},
		{"ceo@accord.demo", "status=on_hold", nil},
		{"ceo@accord.demo", "status=nonsense", []string{"Smart service upgrade", "Weekend insurance renewal drive", "Inventory car promotion"}},
	}
	for _, tt := range tests {
		t.Run(tt.email+"?"+tt.query, func(t *testing.T) {
			resp := b.login(t, tt.email).get("/projects?" + tt.query)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.ElementsMatch(t, tt.want, resp.listedProjects("projects"))
			if len(tt.want) == 0 {
				require.Contains(t, resp.text("empty"), "No project matches these filters.")
			}
		})
	}

	// The form shows the filters it applied.
	resp := b.login(t, "fi@accord.demo").get("/projects?mine=1&units=1&status=on_hold")
	require.Equal(t, 1, resp.doc.Find(`[data-testid="project-filters"] input[name="mine"][checked]`).Length())
	require.Equal(t, 1, resp.doc.Find(`[data-testid="project-filters"] input[name="units"][checked]`).Length())
	require.Equal(t, "on_hold", resp.attrOf(`#filter-status option[selected]`, "value"))
	require.Equal(t, "/projects", resp.attrOf(`[data-testid="clear-filters"]`, "href"))
}

func TestProjectListPages(t *testing.T) {
	b := setup(t)
	b.seedProjects(t, 25, "合规项目", "legal@accord.demo", "Legal")
	c := b.login(t, "legal@accord.demo")

	first := c.get("/projects?mine=1")
	require.Equal(t, http.StatusOK, first.StatusCode)
	require.Len(t, first.listedProjects("projects"), 20)
	require.Equal(t, "合规项目 25", first.listedProjects("projects")[0], "newest first")
	require.Contains(t, first.textOf(".pager"), "Page 1 of 2 · 25 in all")
	require.Equal(t, "/projects?mine=1&page=2", first.attrOf(`.pager a[rel="next"]`, "href"), "the pager keeps the filter")

	second := c.get("/projects?mine=1&page=2")
	require.Equal(t, []string{"合规项目 5", "合规项目 4", "合规项目 3", "合规项目 2", "合规项目 1"}, second.listedProjects("projects"))
	require.Equal(t, "/projects?mine=1&page=1", second.attrOf(`.pager a[rel="prev"]`, "href"))

	past := c.get("/projects?mine=1&page=9")
	require.Equal(t, http.StatusOK, past.StatusCode)
	require.Contains(t, past.text("empty"), "This page is past the end of the list.")
	require.Equal(t, "/projects?mine=1", past.attrOf(`[data-testid="empty"] a`, "href"))
}

func TestProjectListQueryCountIsFixed(t *testing.T) {
	b := setup(t)
	b.seedProjects(t, 3, "少量", "legal@accord.demo", "Legal")
	c := b.login(t, "legal@accord.demo")
	load := func() {
		resp := c.get("/projects")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	load() // warm the session
	few := b.countQueries(load)
	b.seedProjects(t, 22, "大量", "legal@accord.demo", "Legal")
	load() // the projects named the viewer their lead: their viewer is read whole once
	many := b.countQueries(load)
	require.Equal(t, few, many, "3 and 25 projects cost the same")
	// The session with its viewer's stamp; then, in one read-only snapshot (BEGIN and
	// COMMIT), the units the viewer sees through and one page of projects with its total.
	require.LessOrEqual(t, many, int64(5))
}

// validProjectForm is a complete form for aftersales@, to vary one field at a time.
func validProjectForm(b *testBundle, t *testing.T) url.Values {
	return url.Values{
		"name": {"预约到店提醒"}, "name_en": {"Appointment reminders"},
		"owning_unit_id": {idStr(b.units(t)["After-sales"].ID)}, "lead_email": {"aftersales.pm@accord.demo"},
		"goal_statement": {"提前一天提醒预约客户，减少爽约。"}, "expected_amount": {"1,200,000"}, "currency": {"cny"},
		"expected_outcome": {"爽约率下降 30%"}, "goal_id": {""}, "start_date": {"2025-03-01"},
		"target_date": {"2025-06-30"}, "cadence_days": {"7"}, "status": {"draft"},
	}
}

func TestCreateProject(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	afterSales := b.units(t)["After-sales"]

	form := c.get("/projects/new")
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, "aftersales@accord.demo", form.attrOf("#project-lead", "value"), "the viewer leads by default")
	require.Equal(t, "CNY", form.attrOf("#project-currency", "value"))
	require.Equal(t, "14", form.attrOf("#project-cadence", "value"))
	require.Equal(t, "active", form.attrOf("#project-status option[selected]", "value"))
	require.Equal(t, idStr(afterSales.ID), form.attrOf("#project-unit option[selected]", "value"), "the unit the viewer heads")
	require.Equal(t, 1, form.doc.Find(`#project-unit option[value!=""]`).Length(), "only the viewer's own units")
	require.Equal(t, "date", form.attrOf("#project-start", "type"))
	goalOptions := form.doc.Find("#project-goal option").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	require.Contains(t, goalOptions, "Customer satisfaction in the industry's top three")
	require.Contains(t, goalOptions, "\u00a0\u00a0\u00a0After-sales satisfaction 92 · After-sales", "KPIs sit indented under their goal")

	in := validProjectForm(b, t)
	goal := form.doc.Find("#project-goal option").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "After-sales satisfaction 92")
	}).AttrOr("value", "")
	in.Set("goal_id", goal)
	resp := c.post("/projects", in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	location := resp.Header.Get("Location")
	require.Regexp(t, `^/projects/\d+$`, location)

	created := b.demoProject(t, "Appointment reminders")
	require.Equal(t, "/projects/"+idStr(created.ID), location)
	require.Equal(t, "预约到店提醒", created.Name)
	require.Equal(t, afterSales.ID, created.OwningUnitID)
	require.Equal(t, b.user(t, "aftersales.pm@accord.demo").ID, created.LeadUserID)
	require.Equal(t, "提前一天提醒预约客户，减少爽约。", created.GoalStatement)
	require.Equal(t, int64(1_200_000), *created.ExpectedAmount)
	require.Equal(t, "CNY", created.Currency)
	require.Equal(t, "爽约率下降 30%", created.ExpectedOutcome)
	require.Equal(t, goal, idStr(*created.GoalID))
	require.Equal(t, "2025-03-01", created.StartDate.Format("2006-01-02"))
	require.Equal(t, "2025-06-30", created.TargetDate.Format("2006-01-02"))
	require.Equal(t, 7, created.CadenceDays)
	require.Equal(t, accord.ProjectDraft, created.Status)

	list := c.get("/projects")
	require.Contains(t, list.text("flash"), "Project “Appointment reminders” started.")
	require.Contains(t, list.listedProjects("projects"), "Appointment reminders")
	require.Equal(t, "1,200,000 CNY", rowField(list.projectRow(created.ID), "amount"))
}

func TestCreateProjectKeepsInputAndExplainsEachProblem(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	tests := []struct {
		name   string
		change url.Values
		errors map[string]string // input id → message
		values map[string]string // input id → value shown again
	}{
		{
			name: "many problems at once",
			change: url.Values{"name": {"  "}, "expected_amount": {"-5"}, "start_date": {"2025-05-01"},
				"target_date": {"2025-04-01"}, "cadence_days": {"0"}, "currency": {"yuan"}, "lead_email": {"nobody@accord.demo"}},
			errors: map[string]string{
				"project-name":     "Fill in this field.",
				"project-amount":   "Enter zero or more.",
				"project-target":   "The target date must be on or after the start date.",
				"project-cadence":  "Choose a sync cadence from 1 to 365 days.",
				"project-currency": "Use a three-letter currency code such as CNY or USD.",
				"project-lead":     "No such person.",
			},
			values: map[string]string{"project-amount": "-5", "project-target": "2025-04-01", "project-cadence": "0",
				"project-lead": "nobody@accord.demo", "project-name-en": "Appointment reminders"},
		},
		{
			name:   "text that is not a number or date",
			change: url.Values{"expected_amount": {"12.5"}, "start_date": {"next monday"}, "target_date": {"2025-02-30"}, "cadence_days": {"two weeks"}},
			errors: map[string]string{
				"project-amount":  "Enter a whole number without decimals, e.g. 20000000.",
				"project-start":   "Enter a date as year-month-day, e.g. 2025-06-30.",
				"project-target":  "Enter a date as year-month-day, e.g. 2025-06-30.",
				"project-cadence": "Enter a whole number of days, e.g. 14.",
			},
			values: map[string]string{"project-amount": "12.5", "project-start": "next monday", "project-target": "2025-02-30",
				"project-cadence": "two weeks", "project-name": "预约到店提醒"},
		},
		{
			name:   "a unit the viewer does not belong to",
			change: url.Values{"owning_unit_id": {idStr(b.units(t)["IT"].ID)}},
			errors: map[string]string{"project-unit": "Choose a unit you belong to; an administrator can assign any unit."},
		},
		{
			name:   "no unit and no lead",
			change: url.Values{"owning_unit_id": {""}, "lead_email": {""}},
			errors: map[string]string{"project-unit": "Fill in this field.", "project-lead": "Fill in this field."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validProjectForm(b, t)
			for k, v := range tt.change {
				in[k] = v
			}
			resp := c.post("/projects", in)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
			require.Equal(t, "Some fields need attention; see the messages below.", resp.text("form-alert"))
			require.Len(t, resp.doc.Find(`[data-testid="project-form"] .error`).Nodes, len(tt.errors), resp.textOf(`[data-testid="project-form"]`))
			for id, msg := range tt.errors {
				require.Equal(t, msg, resp.textOf("#"+id+"-error"), id)
				require.Equal(t, "true", resp.attrOf("#"+id, "aria-invalid"), id)
			}
			for id, value := range tt.values {
				require.Equal(t, value, resp.attrOf("#"+id, "value"), id)
			}
			require.Equal(t, "提前一天提醒预约客户，减少爽约。", resp.textOf("#project-goal-statement"), "text areas keep their text")
			require.Equal(t, "draft", resp.attrOf("#project-status option[selected]", "value"))
		})
	}
	_, total, err := b.st.Projects(context.Background(), accord.Viewer{Roles: accord.Roles{Admin: true}}, store.ProjectFilter{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 3, total, "nothing was saved")
}

func TestOnlyHeadsAndAdminsStartProjects(t *testing.T) {
	b := setup(t)
	dev := b.login(t, "it.dev@accord.demo")
	resp := dev.get("/projects/new")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, resp.text("error-page"), "Department heads and administrators start projects.")
	resp = dev.post("/projects", validProjectForm(b, t))
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	admin := b.login(t, "admin@accord.demo")
	form := admin.get("/projects/new")
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, 15, form.doc.Find(`#project-unit option[value!=""]`).Length(), "an admin may choose any open unit")
	in := validProjectForm(b, t)
	in.Set("owning_unit_id", idStr(b.units(t)["Legal"].ID))
	resp = admin.post("/projects", in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
}

func TestEditProjectByLead(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	smart := b.demoProject(t, "Smart service upgrade")
	path := "/projects/" + idStr(smart.ID) + "/edit"

	form := c.get(path)
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, "智能服务升级", form.attrOf("#project-name", "value"))
	require.Equal(t, "Smart service upgrade", form.attrOf("#project-name-en", "value"))
	require.Equal(t, "aftersales@accord.demo", form.attrOf("#project-lead", "value"))
	require.Equal(t, "20000000", form.attrOf("#project-amount", "value"))
	require.Equal(t, smart.StartDate.Format("2006-01-02"), form.attrOf("#project-start", "value"))
	require.Equal(t, smart.TargetDate.Format("2006-01-02"), form.attrOf("#project-target", "value"))
	require.Equal(t, idStr(*smart.GoalID), form.attrOf("#project-goal option[selected]", "value"))
	require.Equal(t, idStr(smart.OwningUnitID), form.attrOf("#project-unit option[selected]", "value"))
	require.Equal(t, idStr(int64(smart.Version)), form.inputValue("project-form", "version"))

	in := url.Values{}
	form.doc.Find(`[data-testid="project-form"] input, [data-testid="project-form"] textarea`).Each(func(_ int, s *goquery.Selection) {
		if name, ok := s.Attr("name"); ok {
			if goquery.NodeName(s) == "textarea" {
				in.Set(name, s.Text())
			} else {
				in.Set(name, s.AttrOr("value", ""))
			}
		}
	})
	in.Set("owning_unit_id", idStr(smart.OwningUnitID))
	in.Set("goal_id", idStr(*smart.GoalID))
	in.Set("status", "on_hold")
	in.Set("expected_amount", "25000000")
	in.Set("cadence_days", "21")
	resp := c.post(path, in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	require.Equal(t, "/projects/"+idStr(smart.ID), resp.Header.Get("Location"))

	after := b.demoProject(t, "Smart service upgrade")
	require.Equal(t, accord.ProjectOnHold, after.Status)
	require.Equal(t, int64(25_000_000), *after.ExpectedAmount)
	require.Equal(t, 21, after.CadenceDays)
	require.Equal(t, smart.GoalStatement, after.GoalStatement)
	require.Equal(t, smart.TargetDate, after.TargetDate)
	require.Equal(t, smart.Version+1, after.Version)
}

func TestEditProjectWithStaleVersionKeepsInput(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	smart := b.demoProject(t, "Smart service upgrade")
	path := "/projects/" + idStr(smart.ID) + "/edit"
	seen := c.get(path).inputValue("project-form", "version")

	// Someone else saves first.
	other := smart.Input()
	other.TargetDate = nil
	other.Status = accord.ProjectOnHold
	saved, err := b.st.UpdateProject(context.Background(), 0, smart.ID, smart.Version, other)
	require.NoError(t, err)

	in := validProjectForm(b, t)
	in.Set("lead_email", "aftersales@accord.demo")
	in.Set("name", "智能服务升级（一期）")
	in.Set("name_en", "Smart service upgrade")
	in.Set("version", seen)
	resp := c.post(path, in)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, "Someone changed this while you were editing. Your input is kept below; review the current values and save again.",
		resp.text("form-alert"))
	require.Equal(t, "智能服务升级（一期）", resp.attrOf("#project-name", "value"))
	require.Equal(t, "1,200,000", resp.attrOf("#project-amount", "value"))
	require.Equal(t, "2025-06-30", resp.attrOf("#project-target", "value"))
	require.Equal(t, idStr(int64(saved.Version)), resp.inputValue("project-form", "version"))
	require.Contains(t, resp.text("saved-now"), "On hold", "the other change is on screen")
	require.Equal(t, accord.ProjectOnHold, b.demoProject(t, "Smart service upgrade").Status, "nothing overwritten")

	in.Set("version", resp.inputValue("project-form", "version"))
	resp = c.post(path, in)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	require.Equal(t, "智能服务升级（一期）", b.demoProject(t, "Smart service upgrade").Name, "saving again applies the input")
}

func TestEditProjectAccess(t *testing.T) {
	b := setup(t)
	smart := b.demoProject(t, "Smart service upgrade")
	path := "/projects/" + idStr(smart.ID) + "/edit"
	in := validProjectForm(b, t)
	in.Set("version", idStr(int64(smart.Version)))
	tests := []struct {
		email  string
		status int
	}{
		{"it@accord.demo", http.StatusForbidden}, // sees it (IT holds a need) but does not lead it
		{"ceo@accord.demo", http.StatusForbidden},
		{"legal@accord.demo", http.StatusNotFound}, // may not even see it
		{"sales@accord.demo", http.StatusNotFound},
		{"admin@accord.demo", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			c := b.login(t, tt.email)
			resp := c.get(path)
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status == http.StatusForbidden {
				require.Contains(t, resp.text("error-page"), "only the project lead or an administrator can change it")
			}
			if tt.status != http.StatusOK {
				require.Equal(t, tt.status, c.post(path, in).StatusCode)
			}
		})
	}
	require.Equal(t, smart.Version, b.demoProject(t, "Smart service upgrade").Version, "nobody changed it")

	c := b.login(t, "admin@accord.demo")
	for _, p := range []string{"/projects/abc/edit", "/projects/0/edit", "/projects/99999999/edit", "/projects/1x/edit"} {
		require.Equal(t, http.StatusNotFound, c.get(p).StatusCode, p)
	}
}

func TestProjectPagesSpeakChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")
	smart := b.demoProject(t, "Smart service upgrade")
	require.Equal(t, "Projects", c.get("/projects").textOf("h1"))

	resp := c.post("/lang", url.Values{"lang": {"zh"}, "next": {"/projects"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	list := c.get("/projects")
	require.Equal(t, "项目", list.textOf("h1"))
	require.Equal(t, "新建项目", list.text("new-project"))
	row := list.projectRow(smart.ID)
	require.Equal(t, "智能服务升级", rowField(row, "name"))
	require.Equal(t, "售后服务部", rowField(row, "unit"))
	require.Equal(t, "张伟", rowField(row, "lead"))
	require.Equal(t, "进行中", rowField(row, "status"))
	require.Equal(t, "客户满意度提升至行业前三", rowField(row, "goal"))

	form := c.get("/projects/new")
	require.Equal(t, "新建项目", form.textOf("h1"))
	require.Equal(t, "项目名称", form.textOf(`label[for="project-name"]`))
	require.Equal(t, "负责人邮箱", form.textOf(`label[for="project-lead"]`))
	resp = c.post("/projects", url.Values{"name": {""}, "cadence_days": {"0"}, "lead_email": {"aftersales@accord.demo"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.NotEmpty(t, resp.textOf("#project-name-error"))
	require.NotEqual(t, "Fill in this field.", resp.textOf("#project-name-error"))
}
