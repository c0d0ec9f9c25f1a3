package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// planFormsInline mirrors the server's threshold: the demo's project involves 4 units.
const planFormsInline = 12

func init() {
	addPolicies(map[string]policy{"GET /projects/{id}/units/{unitID}/plan/edit": projectEdit})
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
	require.Equal(t, wbPath(smart)+fmt.Sprintf("#plan-%d", last.ID), resp.Header.Get("Location"))
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
