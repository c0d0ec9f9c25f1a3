package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// rqExtraRequests adds n needs held by a unit to a project and sends them as its lead.
func (b *testBundle) rqExtraRequests(t *testing.T, p accord.Project, unitNameEN string, n int) {
	t.Helper()
	ctx := context.Background()
	unit := b.units(t)[unitNameEN].ID
	var ids []int64
	for i := 1; i <= n; i++ {
		in := accord.NeedInput{Title: fmt.Sprintf("额外需求 %d", i), TitleEN: fmt.Sprintf("Extra need %d", i), HolderUnitID: &unit,
			Tier: accord.TierImportant, EffortDays: 2}
		in.Normalize()
		need, err := b.st.CreateNeed(ctx, p.LeadUserID, p.ID, in)
		require.NoError(t, err)
		ids = append(ids, need.ID)
	}
	sent, err := b.st.SendNeeds(ctx, p.LeadUserID, p.ID, ids, "", *b.now)
	require.NoError(t, err)
	require.Len(t, sent, n)
}

func TestInboxQueueOrderAndPages(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	rqSendAll(t, b.login(t, "aftersales@accord.demo"), smart, "")
	promo := b.demoProject(t, "Inventory car promotion")
	rqSendAll(t, b.login(t, "sales@accord.demo"), promo, "库存车促销需要广告支持")

	marketing := b.login(t, "marketing@accord.demo")
	inbox := marketing.get("/inbox")
	require.Equal(t, http.StatusOK, inbox.StatusCode)
	// P0 first, then the P1 needed sooner.
	require.Equal(t, []string{"Advertising", "Launch promotion"}, rqTexts(inbox.doc.Find(`[data-testid="card-title"]`)))
	require.Equal(t, []string{"P0 Required", "P1 Important"}, rqTexts(inbox.doc.Find(`[data-testid="inbox-card"] [data-testid="tier"]`)))
	require.Equal(t, []string{"1st of 2 in Marketing's queue", "2nd of 2 in Marketing's queue"}, rqTexts(inbox.doc.Find(`[data-testid="card-queue"]`)))
	require.Equal(t, "Marketing 2 open requests · 23 person-days", rqTexts(inbox.doc.Find(`[data-testid="queue"]`))[0])
	require.Equal(t, "Inventory car promotion", inbox.text("card-project"))
	require.Equal(t, "库存车促销需要广告支持", inbox.text("message"))
	require.Equal(t, 0, inbox.doc.Find(`.pager`).Length())

	// 30 more: two pages of 20, in the same queue order.
	b.rqExtraRequests(t, smart, "Marketing", 30)
	inbox = marketing.get("/inbox")
	require.Equal(t, 20, inbox.doc.Find(`[data-testid="inbox-card"]`).Length())
	require.Contains(t, inbox.textOf(`.pager`), "Page 1 of 2 · 32 in all")
	page2 := marketing.get("/inbox?page=2")
	require.Equal(t, 12, page2.doc.Find(`[data-testid="inbox-card"]`).Length())
	require.Equal(t, "/inbox?page=2", page2.inputValue("inbox-card", "back"))

	// Someone with nothing waiting sees the empty state.
	empty := b.login(t, "legal@accord.demo").get("/inbox")
	require.Equal(t, http.StatusOK, empty.StatusCode)
	require.Equal(t, "Nothing is waiting on you", empty.textOf(`[data-testid="empty"] strong`))
}

// The inbox drawn afresh, as after every write: this server keeps no page drawn
// before (a kept one costs the session and epochs statements alone).
func TestInboxQueriesDoNotGrowWithRequests(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	smart := b.rqSmart(t)
	rqSendAll(t, b.login(t, "aftersales@accord.demo"), smart, "")
	marketing := b.login(t, "marketing@accord.demo")
	marketing.get("/inbox")
	few := b.countQueries(func() { require.Equal(t, 1, marketing.get("/inbox").doc.Find(`[data-testid="inbox-card"]`).Length()) })

	b.rqExtraRequests(t, smart, "Marketing", 15)
	b.rqExtraRequests(t, b.demoProject(t, "Inventory car promotion"), "Marketing", 15)
	many := b.countQueries(func() { require.Equal(t, 20, marketing.get("/inbox").doc.Find(`[data-testid="inbox-card"]`).Length()) })
	require.Equal(t, few, many, "the inbox makes a fixed number of queries")
	require.LessOrEqual(t, many, int64(8))
}

func TestInboxCardAnswersInPlace(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	rqSendAll(t, b.login(t, "aftersales@accord.demo"), smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	inbox := itHead.get("/inbox")
	cardID := "request-" + idStr(it.ID)
	require.Equal(t, "#"+cardID, inbox.attrOf(`[data-testid="act-decline"] form`, "hx-target"))

	// A refusal redraws the card with the problem and the text kept.
	resp := itHead.rqHTMXPost(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "reason": {"太忙"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1, resp.doc.Find(`article#`+cardID).Length())
	require.Equal(t, 0, resp.doc.Find(`header.topbar`).Length(), "a fragment, not a page")
	require.Equal(t, "太忙", resp.textOf(`[data-testid="act-decline"] textarea[name="reason"]`))
	require.Contains(t, resp.textOf(`[data-testid="act-decline"] [role="alert"].alert`), "choose an obstacle")

	// Success redraws the card in its new state, with what happened.
	resp = itHead.rqHTMXPost(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "obstacle": {"too_busy"}, "reason": {"太忙"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "“CRM system development” is now Declined. The other side has been told.", resp.text("card-notice"))
	require.Equal(t, "Declined", resp.text("request-state"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="request-actions"]`).Length())
}

// rqHTMXPost sends a form as htmx does from a page of the same site.
func (c *client) rqHTMXPost(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}
