package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func init() {
	addPolicies(map[string]policy{
		"GET /projects/{id}/retro": projectView, "GET /projects/{id}/retro.xlsx": projectView,
		"POST /projects/{id}/retro": projectEdit, "POST /projects/{id}/thanks": projectEdit,
		"POST /projects/{id}/thanks/delete": projectEdit,
	})
}

func retroPath(id int64, rest ...string) string {
	return "/projects/" + idStr(id) + "/retro" + strings.Join(rest, "")
}

// retroUnit is a unit's row in the effort-against-credit table, by English name.
func (r response) retroUnit(nameEN string) *goquery.Selection {
	return r.doc.Find(`[data-testid="retro-units"] tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return rowField(s, "unit") == nameEN
	})
}

func TestClosedDemoProjectShowsItsRetrospective(t *testing.T) {
	b := setup(t)
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	// Anyone who may see the project may read it: here the CEO.
	resp := b.login(t, "ceo@accord.demo").get(retroPath(renewal.ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "Retrospective: Weekend insurance renewal drive", resp.text("retro-title"))
	require.Equal(t, "Done", resp.text("retro-status"))
	require.Zero(t, resp.doc.Find(`[data-testid="retro-open"]`).Length(), "the project is closed")
	require.Zero(t, resp.doc.Find(`[data-testid="retro-form"]`).Length(), "only the lead writes it")

	// Results against the stated value.
	results := resp.doc.Find(`[data-testid="retro-results"]`)
	require.Equal(t, "3,500,000 CNY", rowField(results, "expected-amount"))
	require.Contains(t, rowField(results, "actual-amount"), "3,900,000 CNY")
	require.Equal(t, "111% of the stated value", rowField(results, "ratio"))
	require.Contains(t, rowField(results, "actual-outcome"), "9.2")
	require.Contains(t, resp.text("retro-lessons"), "Customer service's calls converted best")

	// Thanks to After-sales and Customer service; Marketing helped and was not thanked.
	var thanked []string
	resp.doc.Find(`[data-testid="retro-thanks"] li`).Each(func(_ int, s *goquery.Selection) {
		thanked = append(thanked, rowField(s, "unit"))
	})
	require.Equal(t, []string{"After-sales", "Customer service"}, thanked)
	require.Contains(t, resp.text("retro-unthanked"), "Marketing")

	// Effort against credit: Customer service logged the most; Marketing is under-credited.
	service, marketing, after := resp.retroUnit("Customer service"), resp.retroUnit("Marketing"), resp.retroUnit("After-sales")
	require.Equal(t, "10", rowField(service, "logged"))
	require.Equal(t, "41%", rowField(service, "effort-share"))
	require.Equal(t, "50%", rowField(service, "credit-share"))
	require.Equal(t, "Carried the most", rowField(service, "carried"))
	require.Equal(t, "9", rowField(marketing, "logged"))
	require.Equal(t, "37%", rowField(marketing, "effort-share"))
	require.Equal(t, "0%", rowField(marketing, "credit-share"))
	require.Equal(t, "Under-credited", rowField(marketing, "unsung"))
	require.Equal(t, "1", rowField(marketing, "mentions"), "the lessons name Marketing once")
	require.Contains(t, rowField(marketing, "promises"), "1 broken")
	require.Contains(t, rowField(service, "promises"), "1 kept")
	require.Contains(t, rowField(after, "promises"), "1 open")
	require.True(t, marketing.HasClass("retro-unsung"))

	// The chart says the same, with a title and a description.
	chart := resp.doc.Find(`[data-testid="chart-retro-fairness"] svg`)
	require.Equal(t, "Effort against credit", strings.TrimSpace(chart.Find("title#retro-fairness-title").Text()))
	require.NotEmpty(t, strings.TrimSpace(chart.Find("desc").Text()))
	require.Equal(t, 3, chart.Find("g.chart-row").Length())
	require.Equal(t, 1, chart.Find("circle.chart-flag").Length(), "Marketing is flagged")

	// Promises: one still to keep; one kept and one broken.
	open := resp.doc.Find(`[data-testid="retro-promises-open"] tbody tr`)
	require.Equal(t, 1, open.Length())
	require.Equal(t, "Share the service visits of renewing customers every month", rowField(open, "what"))
	var settled []string
	resp.doc.Find(`[data-testid="retro-promises-closed"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		settled = append(settled, rowField(s, "status"))
	})
	require.ElementsMatch(t, []string{"Kept", "Broken"}, settled)

	// The timeline: one early, two late, as a chart and as a table.
	var timing []string
	resp.doc.Find(`[data-testid="retro-timeline"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		timing = append(timing, rowField(s, "need")+": "+rowField(s, "timing"))
	})
	require.Equal(t, []string{"Renewal leads from workshop visits: 1 day early",
		"Reminder calls by customer service: 1 day late", "Weekend campaign publicity: 3 days late"}, timing)
	tl := resp.doc.Find(`[data-testid="chart-retro-timeline"] svg`)
	require.Equal(t, "Timeline", strings.TrimSpace(tl.Find("title#retro-timeline-title").Text()))
	require.Equal(t, 3, tl.Find("g.chart-row circle").Length(), "three deliveries")
	require.Equal(t, 2, tl.Find("g.chart-late").Length())
	require.NotContains(t, resp.body, "style=")

	// Customer service's page shows the thanks, linking back here, to its head (who
	// may open the project; others see the thanks counted).
	units := b.units(t)
	unit := b.login(t, "service@accord.demo").get("/units/" + idStr(units["Customer service"].ID))
	require.Equal(t, retroPath(renewal.ID), unit.attrOf(`[data-testid="unit-thanks"] [data-field="project"]`, "href"))
}

func TestRetrospectiveSpeaksChinese(t *testing.T) {
	b := setup(t)
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	c := b.login(t, "fi@accord.demo")
	c.lang = "zh-CN"
	resp := c.get(retroPath(renewal.ID))
	require.Equal(t, "项目复盘：周末续保冲刺", resp.text("retro-title"))
	require.Equal(t, "认可不足", rowField(resp.retroUnit("市场部"), "unsung"))
	require.Equal(t, "付出与认可", strings.TrimSpace(resp.doc.Find(`[data-testid="chart-retro-fairness"] svg title`).First().Text()))
	tl := resp.doc.Find(`[data-testid="chart-retro-timeline"] svg`)
	require.Equal(t, "时间线", strings.TrimSpace(tl.Find("title").First().Text()))
	require.Contains(t, tl.Text(), "月", "ticks read as Chinese dates")
	require.NotContains(t, tl.Text(), "今天", "closed weeks ago: the chart keeps to the project's own dates")
	var timing []string
	resp.doc.Find(`[data-testid="retro-timeline"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		timing = append(timing, rowField(s, "timing"))
	})
	require.Equal(t, []string{"提前 1 天", "延误 1 天", "延误 3 天"}, timing)
}

func TestLeadWritesTheRetrospective(t *testing.T) {
	b := setup(t)
	promo := b.demoProject(t, "Inventory car promotion")
	units := b.units(t)
	lead := b.login(t, "sales@accord.demo")

	resp := lead.get(retroPath(promo.ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.text("retro-open"), "the project is still open")
	require.Equal(t, "0", resp.inputValue("retro-form", "version"))
	require.Equal(t, "Not recorded yet.", resp.textOf(`[data-field="actual-none"]`))

	// A bad amount keeps what was typed and says what to do.
	form := url.Values{"version": {"0"}, "actual_amount": {"八百万"}, "actual_outcome": {"售出 52 台"}, "lessons": {"财务预算要提前两周沟通"}}
	resp = lead.post(retroPath(promo.ID), form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.textOf(`#actual_amount-error`), "whole number")
	require.Equal(t, "售出 52 台", resp.inputValue("retro-form", "actual_outcome"))
	// An empty one is refused.
	resp = lead.post(retroPath(promo.ID), url.Values{"version": {"0"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.text("retro-form-error"), "Write at least")

	form.Set("actual_amount", "7,200,000")
	resp = rqFollow(t, lead, lead.post(retroPath(promo.ID), form))
	require.Equal(t, "Results and lessons saved.", resp.text("flash"))
	require.Contains(t, resp.textOf(`[data-field="actual-amount"]`), "7,200,000 CNY")
	require.Equal(t, "90% of the stated value", resp.textOf(`[data-field="ratio"]`))
	require.Equal(t, "1", resp.inputValue("retro-form", "version"))

	// A second save from the stale page is refused, keeping its input.
	form.Set("lessons", "另一种说法")
	resp = lead.post(retroPath(promo.ID), form)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, "另一种说法", resp.textOf(`#lessons`))
	require.Equal(t, "1", resp.inputValue("retro-form", "version"), "saving again is a deliberate choice")

	// Thanks: refused without text; recorded; shown on the unit's page; withdrawn.
	resp = lead.post("/projects/"+idStr(promo.ID)+"/thanks", url.Values{"unit_id": {idStr(units["Finance"].ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.NotEmpty(t, resp.textOf(`#thanks-text-error`))
	resp = rqFollow(t, lead, lead.post("/projects/"+idStr(promo.ID)+"/thanks",
		url.Values{"unit_id": {idStr(units["Finance"].ID)}, "text": {"财务部两天内批下促销预算"}}))
	require.Equal(t, "Thanks recorded. It shows on the unit's page.", resp.text("flash"))
	item := resp.doc.Find(`[data-testid="retro-thanks"] li`)
	require.Equal(t, "Finance", rowField(item, "unit"))
	finance := lead.get("/units/" + idStr(units["Finance"].ID))
	require.Equal(t, "财务部两天内批下促销预算", rowField(finance.doc.Find(`[data-testid="unit-thanks"] li`), "text"))
	require.Equal(t, "1", finance.textOf(`[data-testid="unit-facts"] [data-field="thanks"]`))

	// The holder's head may read but not write.
	marketing := b.login(t, "marketing@accord.demo")
	require.Equal(t, http.StatusOK, marketing.get(retroPath(promo.ID)).StatusCode)
	require.Equal(t, http.StatusForbidden, marketing.post(retroPath(promo.ID), form).StatusCode)
	require.Equal(t, http.StatusForbidden, marketing.post("/projects/"+idStr(promo.ID)+"/thanks/delete",
		url.Values{"thanks_id": {item.AttrOr("data-thanks-id", "")}}).StatusCode)

	resp = rqFollow(t, lead, lead.post("/projects/"+idStr(promo.ID)+"/thanks/delete",
		url.Values{"thanks_id": {item.AttrOr("data-thanks-id", "")}}))
	require.Equal(t, "Thanks withdrawn.", resp.text("flash"))
	require.Zero(t, resp.doc.Find(`[data-testid="retro-thanks"] li`).Length())
	// A thanks of another project is not found here.
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	other := b.login(t, "fi@accord.demo").get(retroPath(renewal.ID)).doc.Find(`[data-testid="retro-thanks"] li`).First()
	require.Equal(t, http.StatusNotFound, lead.post("/projects/"+idStr(promo.ID)+"/thanks/delete",
		url.Values{"thanks_id": {other.AttrOr("data-thanks-id", "")}}).StatusCode)

	// The project's history says what happened in words, in the reader's language.
	history := lead.get(wbPath(promo, "/history"))
	summaries := history.wbTexts(`[data-testid="history-summary"]`)
	require.Equal(t, "Withdrew the thanks to Finance: “财务部两天内批下促销预算”", summaries[0])
	require.Equal(t, "Thanked Finance: “财务部两天内批下促销预算”", summaries[1])
	require.Equal(t, "Wrote the retrospective", summaries[2])
	require.Contains(t, history.wbTexts(`[data-testid="history-change"]`), "Lessons: 财务预算要提前两周沟通")
	lead.lang = "zh-CN"
	summaries = lead.get(wbPath(promo, "/history")).wbTexts(`[data-testid="history-summary"]`)
	require.Equal(t, "感谢财务部：“财务部两天内批下促销预算”", summaries[1])
	require.Equal(t, "撰写了项目复盘", summaries[2])
}

func TestRetrospectivePrintViewAndExport(t *testing.T) {
	b := setup(t)
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	lead := b.login(t, "fi@accord.demo")
	page := lead.get(retroPath(renewal.ID))
	require.Equal(t, 1, page.doc.Find(`[data-testid="retro-form"]`).Length(), "the lead writes")
	require.Equal(t, retroPath(renewal.ID, "?print=1"), page.attrOf(`[data-testid="retro-print-link"]`, "href"))

	printView := lead.get(retroPath(renewal.ID, "?print=1"))
	require.Equal(t, http.StatusOK, printView.StatusCode)
	require.True(t, printView.doc.Find(`[data-testid="retro"]`).HasClass("retro-print"))
	require.Zero(t, printView.doc.Find(`[data-testid="retro-form"]`).Length(), "no forms on paper")
	require.Zero(t, printView.doc.Find(`[data-testid="thanks-form"]`).Length())

	resp := lead.get(retroPath(renewal.ID, ".xlsx"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Content-Disposition"), "Retrospective")
	f, err := excelize.OpenReader(bytes.NewReader([]byte(resp.body)))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Results", "Effort and credit", "Thanks", "Promises", "Timeline"}, f.GetSheetList())
	rows, err := f.GetRows("Effort and credit")
	require.NoError(t, err)
	require.Equal(t, "Unit", rows[0][0])
	byUnit := map[string][]string{}
	for _, r := range rows[1:] {
		byUnit[r[0]] = r
	}
	require.Equal(t, "9", byUnit["Marketing"][3], "logged days")
	require.Equal(t, "0%", byUnit["Marketing"][8], "share of credit")
	require.Equal(t, "Under-credited", byUnit["Marketing"][12])
	summary, err := f.GetRows("Results")
	require.NoError(t, err)
	values := map[string]string{}
	for _, r := range summary[1:] {
		if len(r) > 1 {
			values[r[0]] = r[1]
		}
	}
	require.Equal(t, "3,900,000", values["Amount achieved"])
	require.Equal(t, "111%", values["Achieved against stated"])
	promises, err := f.GetRows("Promises")
	require.NoError(t, err)
	require.Len(t, promises, 4, "a header and three promises")
	timeline, err := f.GetRows("Timeline")
	require.NoError(t, err)
	require.Equal(t, "3 days late", timeline[3][5])

	// Someone who may not see the project gets nothing.
	require.Equal(t, http.StatusNotFound, b.login(t, "it.dev@accord.demo").get(retroPath(renewal.ID, ".xlsx")).StatusCode)

	// In Chinese, the sheets speak Chinese.
	lead.lang = "zh-CN"
	resp = lead.get(retroPath(renewal.ID, ".xlsx"))
	f2, err := excelize.OpenReader(bytes.NewReader([]byte(resp.body)))
	require.NoError(t, err)
	defer f2.Close()
	require.Equal(t, []string{"结果", "付出与认可", "感谢", "承诺", "时间线"}, f2.GetSheetList())
}

func TestRetrospectiveQueriesAreFixed(t *testing.T) {
	b := setup(t)
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	c := b.login(t, "fi@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, c.get(retroPath(renewal.ID)).StatusCode) }
	load()
	before := b.countQueries(load)
	for i := 0; i < 10; i++ {
		c.post("/projects/"+idStr(renewal.ID)+"/thanks", url.Values{"unit_id": {idStr(b.units(t)["Marketing"].ID)}, "text": {"谢谢市场部"}})
	}
	load() // shows and clears the last flash, which writes the session once
	require.Equal(t, before, b.countQueries(load))
	// Session, viewer, project, record, thanks, units, timeline, commitments.
	require.LessOrEqual(t, before, int64(8))
}
