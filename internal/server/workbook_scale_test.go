package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/web/ui"
)

// planFormsInline mirrors the server's threshold: the demo's project involves 4 units.
const planFormsInline = 12

func init() {
	addPolicies(map[string]policy{"GET /projects/{id}/units/{unitID}/plan/edit": projectEdit,
		"GET /projects/{id}/units/{unitID}/stance/edit": projectEdit, "GET /projects/{id}/units/choose": projectEdit})
}

// TestWorkbookLoadsPlanFormsOnDemandForManyUnits: past planFormsInline involved units
// the page carries a link per plan instead of a form; the form comes with htmx into the
// card, or on a page of its own, and saves like the inline one.
func TestWorkbookLoadsPlanFormsOnDemandForManyUnits(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	lead := b.user(t, "aftersales@accord.demo")
	hq := b.units(t)["HQ"]
	var last accord.Unit
	for i := 0; i <= planFormsInline; i++ {
		u, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprintf("小组 %d", i), NameEN: fmt.Sprintf("Team %d", i), ParentID: hq.ID})
		require.NoError(t, err)
		_, err = b.st.CreateNeed(ctx, lead.ID, smart.ID, accord.NeedInput{Title: fmt.Sprintf("支持 %d", i),
			HolderUnitID: &u.ID, Tier: accord.TierImportant, EffortDays: 1})
		require.NoError(t, err)
		last = u
	}
	c := b.login(t, "aftersales@accord.demo")
	page := c.get(wbPath(smart))
	require.Equal(t, http.StatusOK, page.StatusCode)
	cards := page.wbCount(`[data-testid="plan-card"]`)
	require.Greater(t, cards, planFormsInline)
	require.Zero(t, page.wbCount(`[data-testid="plan-form"]`), "no form is sent with the page")
	require.Equal(t, cards, page.wbCount(`[data-testid="plan-edit-link"]`))
	card := fmt.Sprintf(`#plan-%d`, last.ID)
	editPath := wbPath(smart, "/units/", idStr(last.ID), "/plan/edit")
	require.Equal(t, editPath, page.attrOf(card+` [data-testid="plan-edit-link"] a`, "href"), "works without JavaScript")
	require.Equal(t, editPath, page.attrOf(card+` [data-testid="plan-edit-link"] a`, "hx-get"))
	require.Equal(t, fmt.Sprintf("#plan-%d-edit", last.ID), page.attrOf(card+` [data-testid="plan-edit-link"] a`, "hx-target"))

	// With htmx: the unfolded form alone, to swap in for the link.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+editPath, nil)
	require.NoError(t, err)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	require.Equal(t, http.StatusOK, frag.StatusCode)
	require.Equal(t, 1, frag.wbCount(`details[data-testid="plan-edit"][open] [data-testid="plan-form"]`))
	require.Zero(t, frag.wbCount(`header, nav`), "a fragment, not a page")

	// Without JavaScript: a page with the form, which saves and returns to the card.
	edit := c.get(editPath)
	require.Equal(t, http.StatusOK, edit.StatusCode)
	require.Equal(t, 1, edit.wbCount(`[data-testid="plan-form"]`))
	version := edit.attrOf(`[data-testid="plan-form"] input[name="version"]`, "value")
	resp := c.post(wbPath(smart, "/units/", idStr(last.ID), "/plan"), url.Values{"version": {version}, "concerns": {"人手紧张"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, wbPath(smart, "?plan=", idStr(last.ID), "#plan-", idStr(last.ID)), resp.Header.Get("Location"))
	require.Equal(t, []string{"人手紧张"}, b.wbPlan(t, smart.ID, last.ID).Concerns)

	// A refused save shows its form again, open, in the page.
	resp = c.post(wbPath(smart, "/units/", idStr(last.ID), "/plan"), url.Values{"version": {version}, "concerns": {"过期的"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, 1, resp.wbCount(`[data-testid="plan-form"]`))
	_, open := resp.doc.Find(card + ` [data-testid="plan-edit"]`).Attr("open")
	require.True(t, open)

	// A unit the project does not involve has no form.
	require.Equal(t, http.StatusNotFound, c.get(wbPath(smart, "/units/", idStr(b.units(t)["Legal"].ID), "/plan/edit")).StatusCode)
}

// TestResourceMapPagesKeepTheWholeProjectSummary: past ui.NeedsPerPage needs the
// resource map shows a page of rows at a time; its summary and effort totals still
// count every need, and a saved or edited need is shown on its own page.
func TestResourceMapPagesKeepTheWholeProjectSummary(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	lead := b.user(t, "aftersales@accord.demo")
	it := b.units(t)["IT"]
	for i := range 60 {
		_, err := b.st.CreateNeed(ctx, lead.ID, smart.ID, accord.NeedInput{Title: fmt.Sprintf("支持 %02d", i),
			TitleEN: fmt.Sprintf("Support %02d", i), HolderUnitID: &it.ID, Tier: accord.TierAlternative, EffortDays: 1})
		require.NoError(t, err)
	}
	all, err := b.st.Needs(ctx, smart.ID)
	require.NoError(t, err)
	require.Greater(t, len(all), 2*ui.NeedsPerPage)
	pages := (len(all) + ui.NeedsPerPage - 1) / ui.NeedsPerPage
	rowIDs := func(p response) []string {
		var out []string
		p.doc.Find(`[data-testid="need-row"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-need-id", "")) })
		return out
	}
	c := b.login(t, "aftersales@accord.demo")

	first := c.get(wbPath(smart))
	require.Equal(t, http.StatusOK, first.StatusCode)
	require.Len(t, rowIDs(first), ui.NeedsPerPage)
	summary, totals := first.text("needs-summary"), first.text("effort-total-all")
	require.Contains(t, summary, fmt.Sprint(len(all)), "the summary counts every need")
	require.Equal(t, fmt.Sprintf("Page 1 of %d · %d in all", pages, len(all)), first.textOf(`[data-testid="needs-pager"] .muted`))
	require.Equal(t, wbPath(smart, "?page=2#resource-map"), first.attrOf(`[data-testid="needs-pager"] a[rel="next"]`, "href"))

	got := rowIDs(first)
	var second response
	for n := 2; n <= pages; n++ {
		page := c.get(wbPath(smart, "?page=", fmt.Sprint(n)))
		require.Equal(t, http.StatusOK, page.StatusCode)
		require.Equal(t, summary, page.text("needs-summary"))
		require.Equal(t, totals, page.text("effort-total-all"))
		require.Equal(t, wbPath(smart, "?page=", fmt.Sprint(n-1), "#resource-map"), page.attrOf(`[data-testid="needs-pager"] a[rel="prev"]`, "href"))
		got = append(got, rowIDs(page)...)
		second = page
	}
	var want []string
	for _, n := range all {
		want = append(want, idStr(n.ID))
	}
	require.Equal(t, want, got, "every need once, in order")
	require.Len(t, rowIDs(second), len(all)-(pages-1)*ui.NeedsPerPage, "the last page holds the rest")

	past := c.get(wbPath(smart, "?page=9"))
	require.Equal(t, http.StatusOK, past.StatusCode)
	require.Empty(t, rowIDs(past))
	require.Equal(t, "This page is past the end of the list.", past.textOf(`#resource-map [data-testid="empty"] strong`))
	require.Equal(t, wbPath(smart, "?page=1#resource-map"), past.attrOf(`#resource-map [data-testid="empty"] a`, "href"))
	require.Equal(t, summary, past.text("needs-summary"))

	// A save returns to the page holding the need, with and without JavaScript.
	last := all[len(all)-1]
	require.Equal(t, rowIDs(second), rowIDs(c.get(wbPath(smart, "?need=", idStr(last.ID)))))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+wbPath(smart, "/needs/", idStr(last.ID), "/edit"), nil)
	require.NoError(t, err)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	require.Equal(t, http.StatusOK, frag.StatusCode)
	require.Equal(t, 1, frag.wbCount(`[data-testid="need-edit-form"]`), "the row being edited is on the page shown")
	form := wbNeedForm("支持 改", it)
	form.Set("title_en", "Support changed")
	form.Set("tier", "P2")
	form.Set("version", strconv.Itoa(last.Version))
	resp := c.post(wbPath(smart, "/needs/", idStr(last.ID)), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	require.Equal(t, wbPath(smart, "?need=", idStr(last.ID), "#need-", idStr(last.ID)), resp.Header.Get("Location"))
	back := c.get(resp.Header.Get("Location"))
	require.Contains(t, rowIDs(back), idStr(last.ID))
	require.Contains(t, back.text("notice"), "Saved “Support changed”.")
}

// TestAllianceBoardLoadsStanceFormsOnDemandForManyUnits: past planFormsInline
// involved units each board card carries a link instead of its form; the form comes
// with htmx, focused, or on a page of its own, and saves like the inline one.
func TestAllianceBoardLoadsStanceFormsOnDemandForManyUnits(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	require.NotZero(t, c.get(wbPath(smart)).wbCount(`[data-testid="stance-form"]`), "few units: forms in the page")

	lead := b.user(t, "aftersales@accord.demo")
	hq := b.units(t)["HQ"]
	var last accord.Unit
	for i := 0; i <= planFormsInline; i++ {
		u, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprintf("小组 %d", i), NameEN: fmt.Sprintf("Team %d", i), ParentID: hq.ID})
		require.NoError(t, err)
		_, err = b.st.CreateNeed(ctx, lead.ID, smart.ID, accord.NeedInput{Title: fmt.Sprintf("支持 %d", i),
			HolderUnitID: &u.ID, Tier: accord.TierImportant, EffortDays: 1})
		require.NoError(t, err)
		last = u
	}
	page := c.get(wbPath(smart, "?board=all"))
	cards := page.wbCount(`[data-testid="board-card"]`)
	require.Greater(t, cards, planFormsInline)
	require.Zero(t, page.wbCount(`[data-testid="stance-form"]`), "no board form is sent with the page")
	require.Equal(t, cards, page.wbCount(`[data-testid="stance-edit-link"]`))
	card := fmt.Sprintf(`[data-testid="board-card"][data-unit-id="%d"]`, last.ID)
	editPath := wbPath(smart, "/units/", idStr(last.ID), "/stance/edit")
	link := card + ` [data-testid="stance-edit-link"] a`
	require.Equal(t, editPath, page.attrOf(link, "href"), "works without JavaScript")
	require.Equal(t, editPath, page.attrOf(link, "hx-get"))
	require.Equal(t, fmt.Sprintf("#stance-%d-edit", last.ID), page.attrOf(link, "hx-target"))
	require.Equal(t, "Stance of Team 12", page.attrOf(link, "aria-label"))

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+editPath, nil)
	require.NoError(t, err)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	require.Equal(t, http.StatusOK, frag.StatusCode)
	require.Equal(t, 1, frag.wbCount(`[data-testid="stance-form"] select[name="stance"][autofocus]`), "focused for the keyboard")
	require.Zero(t, frag.wbCount(`header, nav`), "a fragment, not a page")

	edit := c.get(editPath)
	require.Equal(t, http.StatusOK, edit.StatusCode)
	require.Equal(t, 1, edit.wbCount(`[data-testid="stance-form"]`))
	version := edit.attrOf(`[data-testid="stance-form"] input[name="version"]`, "value")
	resp := c.post(wbPath(smart, "/units/", idStr(last.ID), "/stance"), url.Values{"version": {version}, "stance": {"ally"}, "approach_order": {"1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	require.Equal(t, wbPath(smart, "?plan=", idStr(last.ID), "#alliance"), resp.Header.Get("Location"))
	require.Equal(t, accord.StanceAlly, b.wbPlan(t, smart.ID, last.ID).Stance)
	require.Equal(t, 1, c.get(resp.Header.Get("Location")).wbCount(`[data-testid="stance-ally"] `+card),
		"the saved card is on the board it returns to")

	// A refused save shows its form again in the page.
	resp = c.post(wbPath(smart, "/units/", idStr(last.ID), "/stance"), url.Values{"version": {version}, "stance": {"opposed"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, 1, resp.wbCount(card+` [data-testid="stance-form"]`))

	require.Equal(t, http.StatusNotFound, c.get(wbPath(smart, "/units/", idStr(b.units(t)["Legal"].ID), "/stance/edit")).StatusCode)
}

// TestUnitChooserForManyUnits: past unitSelectMax open units the workbook's unit
// selects list only the units the project involves, and a page finds any other by
// name and returns to the form with it chosen.
func TestUnitChooserForManyUnits(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	c := b.login(t, "aftersales@accord.demo")
	few := c.get(wbPath(smart))
	require.Zero(t, few.wbCount(`[data-testid="unit-chooser-link"]`), "a small organisation lists every unit")
	everyUnit := few.wbCount(`#need-add-holder option`)

	hq := b.units(t)["HQ"]
	for i := range 61 {
		_, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprintf("分部 %02d", i), NameEN: fmt.Sprintf("Branch %02d", i), ParentID: hq.ID})
		require.NoError(t, err)
	}
	plans, err := b.st.UnitPlans(ctx, smart.ID)
	require.NoError(t, err)
	page := c.get(wbPath(smart))
	require.Equal(t, len(plans)+1, page.wbCount(`#need-add-holder option`), "the involved units after the outside party")
	require.Less(t, page.wbCount(`#need-add-holder option`), everyUnit)
	require.Zero(t, page.wbCount(`#need-add-holder option:contains("Branch")`))
	chooser := wbPath(smart, "/units/choose?for=need")
	require.Equal(t, chooser, page.attrOf(`#resource-map [data-testid="unit-chooser-link"]`, "href"))
	require.Equal(t, wbPath(smart, "/units/choose?for=commitment"), page.attrOf(`#commitments [data-testid="unit-chooser-link"]`, "href"))

	all := c.get(chooser)
	require.Equal(t, http.StatusOK, all.StatusCode)
	require.Equal(t, 50, all.wbCount(`[data-testid="unit-choice"]`), "the first 50 of every open unit")
	require.NotEmpty(t, all.text("unit-chooser-more"))
	found := c.get(chooser + "&q=" + url.QueryEscape("branch 0"))
	require.Equal(t, 10, found.wbCount(`[data-testid="unit-choice"]`), "Branch 00 to 09, by English name")
	require.Zero(t, found.wbCount(`[data-testid="unit-chooser-more"]`))
	require.Equal(t, 10, c.get(chooser+"&q="+url.QueryEscape("分部 0")).wbCount(`[data-testid="unit-choice"]`), "and by Chinese name")
	none := c.get(chooser + "&q=nothing-like-it")
	require.Equal(t, "No unit matches.", none.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, "nothing-like-it", none.attrOf(`#chooser-q`, "value"))

	// The add form comes back open with the unit chosen, and saves with it.
	branch := found.doc.Find(`[data-testid="unit-choice"]`).First()
	branchID := branch.AttrOr("data-unit-id", "")
	back := c.get(branch.AttrOr("href", ""))
	require.Equal(t, http.StatusOK, back.StatusCode)
	require.Equal(t, branchID, back.attrOf(`#need-add-holder option[selected]`, "value"))
	_, open := back.doc.Find(`[data-testid="need-add"]`).Attr("open")
	require.True(t, open)
	form := url.Values{"title": {"分部支持"}, "title_en": {"Branch support"}, "tier": {"P1"}, "holder_unit_id": {branchID}, "effort_days": {"2"}}
	resp := c.post(wbPath(smart, "/needs"), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	need := b.wbNeeds(t, smart.ID)["Branch support"]
	require.Equal(t, branchID, idStr(*need.HolderUnitID))

	// Editing a need: the chooser returns to its edit page.
	edit := c.get(wbPath(smart, "/needs/", idStr(need.ID), "/edit"))
	link := edit.attrOf(`[data-testid="unit-chooser-link"]`, "href")
	require.Equal(t, wbPath(smart, "/units/choose?for=need-", idStr(need.ID)), link)
	other := c.get(link + "&q=" + url.QueryEscape("Branch 07")).doc.Find(`[data-testid="unit-choice"]`)
	require.Equal(t, 1, other.Length())
	again := c.get(other.AttrOr("href", ""))
	require.Equal(t, other.AttrOr("data-unit-id", ""), again.attrOf(`#need-edit-`+idStr(need.ID)+`-holder option[selected]`, "value"))

	// The commitment add form too.
	unit := c.get(wbPath(smart, "/units/choose?for=commitment&q=Branch+05")).doc.Find(`[data-testid="unit-choice"]`)
	require.Equal(t, wbPath(smart, "?unit=", unit.AttrOr("data-unit-id", ""), "#commitments"), unit.AttrOr("href", ""))
	withUnit := c.get(unit.AttrOr("href", ""))
	require.Equal(t, unit.AttrOr("data-unit-id", ""), withUnit.attrOf(`#commitment-add-unit option[selected]`, "value"))
}

// TestInvolvedUnitsPagesKeepTheWholeBoard: past ui.PlansPerPage involved units their
// cards come a page at a time; the alliance board shows the first units of each
// column and every unit when asked, and leads to the page holding each card. The
// effort totals list the biggest holders and all when asked, and the add form, with
// its selects of every involved unit, is loaded when wanted.
func TestInvolvedUnitsPagesKeepTheWholeBoard(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	lead := b.user(t, "aftersales@accord.demo")
	hq := b.units(t)["HQ"]
	for i := range 51 {
		u, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprintf("小组 %02d", i), NameEN: fmt.Sprintf("Team %02d", i), ParentID: hq.ID})
		require.NoError(t, err)
		_, err = b.st.CreateNeed(ctx, lead.ID, smart.ID, accord.NeedInput{Title: fmt.Sprintf("支持 %02d", i),
			HolderUnitID: &u.ID, Tier: accord.TierImportant, EffortDays: 1})
		require.NoError(t, err)
	}
	plans, err := b.st.UnitPlans(ctx, smart.ID)
	require.NoError(t, err)
	require.Greater(t, len(plans), 2*ui.PlansPerPage)
	cardIDs := func(p response) []string {
		var out []string
		p.doc.Find(`[data-testid="plan-card"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-unit-id", "")) })
		return out
	}
	c := b.login(t, "aftersales@accord.demo")
	first := c.get(wbPath(smart))
	require.Len(t, cardIDs(first), ui.PlansPerPage)
	require.Equal(t, wbPath(smart, "?plans=2#involved-units"), first.attrOf(`[data-testid="plans-pager"] a[rel="next"]`, "href"))

	// The board: every column counts all its units and shows its first ones.
	shown, counted := 0, 0
	first.doc.Find(`.wb-col`).Each(func(_ int, col *goquery.Selection) {
		n := col.Find(`[data-testid="board-card"]`).Length()
		require.LessOrEqual(t, n, ui.BoardColumnShown)
		count, err := strconv.Atoi(strings.TrimSpace(col.Find(`.wb-count`).Text()))
		require.NoError(t, err)
		if count > n {
			require.Equal(t, wbPath(smart, "?board=all#alliance"), col.Find(`[data-testid="board-more"] a`).AttrOr("href", ""))
			require.Contains(t, col.Find(`[data-testid="board-more"]`).Text(), fmt.Sprint(count-n))
		}
		shown, counted = shown+n, counted+count
	})
	require.Equal(t, len(plans), counted, "the board counts every unit")
	require.Less(t, shown, len(plans))
	full := c.get(wbPath(smart, "?board=all"))
	require.Equal(t, len(plans), full.wbCount(`[data-testid="board-card"]`), "asked, the board places every unit")
	require.Zero(t, full.wbCount(`[data-testid="board-more"]`))

	// The effort totals: the biggest holders, then all of them when asked.
	require.Equal(t, ui.EffortTotalsShown, first.wbCount(`[data-testid="effort-total"]`))
	require.Equal(t, wbPath(smart, "?totals=all#resource-map"), first.attrOf(`[data-testid="effort-more"] a`, "href"))
	allTotals := c.get(wbPath(smart, "?totals=all"))
	require.Greater(t, allTotals.wbCount(`[data-testid="effort-total"]`), ui.EffortTotalsShown)
	require.Zero(t, allTotals.wbCount(`[data-testid="effort-more"]`))
	require.Equal(t, first.text("effort-total-all"), allTotals.text("effort-total-all"))

	// The add form comes when wanted: as a page without JavaScript, into the map with.
	require.Zero(t, first.wbCount(`[data-testid="need-add"]`))
	addLink := `[data-testid="need-add-link"] a`
	require.Equal(t, wbPath(smart, "?add=need&page=1#resource-map"), first.attrOf(addLink, "href"))
	require.Equal(t, wbPath(smart, "/needs?add=need&page=1"), first.attrOf(addLink, "hx-get"))
	require.Equal(t, wbPath(smart, "/needs?add=need&page=2"), c.get(wbPath(smart, "?page=2")).attrOf(addLink, "hx-get"),
		"the form opens on the page being read")
	withForm := c.get(first.attrOf(addLink, "href"))
	_, open := withForm.doc.Find(`[data-testid="need-add"]`).Attr("open")
	require.True(t, open)
	require.Equal(t, len(plans)+1, withForm.wbCount(`#need-add-holder option`), "the involved units after the outside party")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+first.attrOf(addLink, "hx-get"), nil)
	require.NoError(t, err)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	require.Equal(t, http.StatusOK, frag.StatusCode)
	require.Equal(t, 1, frag.wbCount(`#resource-map [data-testid="need-add"][open]`))

	var got []string
	for n := 1; n <= (len(plans)+ui.PlansPerPage-1)/ui.PlansPerPage; n++ {
		got = append(got, cardIDs(c.get(wbPath(smart, "?plans=", fmt.Sprint(n))))...)
	}
	var want []string
	for _, p := range plans {
		want = append(want, idStr(p.UnitID))
	}
	require.Equal(t, want, got, "every unit once, in approach order")

	// The board leads to the page holding a card.
	last := plans[len(plans)-1].UnitID
	href := full.attrOf(fmt.Sprintf(`[data-testid="board-card"][data-unit-id="%d"] [data-testid="board-unit"]`, last), "href")
	require.Equal(t, wbPath(smart, "?plan=", idStr(last), "#plan-", idStr(last)), href)
	require.Equal(t, 1, c.get(href).wbCount(fmt.Sprintf(`#plan-%d`, last)))

	past := c.get(wbPath(smart, "?plans=9"))
	require.Equal(t, http.StatusOK, past.StatusCode)
	require.Empty(t, cardIDs(past))
	require.Equal(t, "This page is past the end of the list.", past.textOf(`#involved-units [data-testid="empty"] strong`))
}
