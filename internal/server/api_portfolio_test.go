package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// apiPortfolioIDs lists the project ids of a portfolio answer, in order.
func apiPortfolioIDs(body map[string]any) []string {
	ids := []string{}
	for _, p := range body["projects"].([]any) {
		ids = append(ids, p.(map[string]any)["id"].(string))
	}
	return ids
}

// apiByID finds the object with the id in a list of a body.
func apiByID(t *testing.T, list any, id string) map[string]any {
	t.Helper()
	for _, x := range list.([]any) {
		if m := x.(map[string]any); m["id"] == id {
			return m
		}
	}
	t.Fatalf("no %s in %v", id, list)
	return nil
}

func TestAPIPortfolioMatchesThePage(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.demoProject(t, "Smart service upgrade")
	renewal := b.demoProject(t, "Weekend insurance renewal drive")
	promo := b.demoProject(t, "Inventory car promotion")
	ceo := b.api(t, "ceo@accord.demo")

	body := ceo.get("/portfolio").expect(t, http.StatusOK)
	require.Equal(t, "on_track", apiByID(t, body["projects"], idStr(smart.ID))["health"], "nothing asked yet")

	// IT declines the CRM, a P0: the project is blocked and comes first.
	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
	require.NoError(t, err)

	body = ceo.get("/portfolio").expect(t, http.StatusOK)
	require.Equal(t, 3, num(body["total"]))
	require.Nil(t, body["next_cursor"])
	first := body["projects"].([]any)[0].(map[string]any)
	require.Equal(t, idStr(smart.ID), first["id"])
	require.Equal(t, "blocked", first["health"])
	require.Equal(t, "智能服务升级", first["name"])
	require.Equal(t, "After-sales", first["unit_name_en"])
	require.Equal(t, "Zhang Wei", first["lead_name_en"])
	require.Equal(t, 20000000, num(first["expected_amount"]))
	require.Equal(t, "CNY", first["currency"])
	require.Equal(t, 1, num(dig(first, "signals.p0_declined")))
	require.Equal(t, 1, num(dig(first, "signals.declined")))
	require.Equal(t, 0, num(dig(first, "signals.escalations")))
	require.Equal(t, len(sent), num(dig(first, "signals.live")), "a declined request is still open until resolved")

	require.Equal(t, 3, num(dig(body, "summary.projects")))
	require.Equal(t, 1, num(dig(body, "summary.counts.blocked")))
	require.Equal(t, 0, num(dig(body, "summary.counts.at_risk")))
	require.Equal(t, 2, num(dig(body, "summary.counts.on_track")))
	require.Equal(t, 20000000, num(dig(body, "summary.value.blocked")))

	// The goal the project serves rolls it up with the same health.
	var smartGoal map[string]any
	for _, g := range body["goals"].([]any) {
		for _, p := range g.(map[string]any)["top"].([]any) {
			if p.(map[string]any)["id"] == idStr(smart.ID) {
				smartGoal = g.(map[string]any)
				require.Equal(t, "blocked", p.(map[string]any)["health"])
			}
		}
	}
	require.NotNil(t, smartGoal, "a goal names the project")
	require.Equal(t, 1, num(dig(smartGoal, "counts.blocked")))
	require.NotEmpty(t, body["load"])

	// The page and the API list the same projects in the same order.
	page := b.login(t, "ceo@accord.demo").get("/portfolio")
	var onPage []string
	page.doc.Find(`[data-testid="portfolio"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		onPage = append(onPage, s.AttrOr("data-project-id", ""))
	})
	require.Equal(t, onPage, apiPortfolioIDs(body))

	t.Run("filters, and 422 for values the page would ignore", func(t *testing.T) {
		require.Equal(t, []string{idStr(smart.ID)}, apiPortfolioIDs(ceo.get("/portfolio?health=blocked").expect(t, http.StatusOK)))
		require.Equal(t, []string{idStr(renewal.ID)}, apiPortfolioIDs(ceo.get("/portfolio?status=done").expect(t, http.StatusOK)))
		profit := b.demoGoals(t)["Full-year profit up 10%"]
		require.ElementsMatch(t, []string{idStr(renewal.ID), idStr(promo.ID)},
			apiPortfolioIDs(ceo.get("/portfolio?goal="+idStr(profit.ID)).expect(t, http.StatusOK)))
		bad := ceo.get("/portfolio?health=purple&status=nonsense&goal=abc")
		bad.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "Say health=blocked, at_risk or on_track.", bad.str("error.fields.health"))
		require.NotEmpty(t, bad.str("error.fields.status"))
		require.NotEmpty(t, bad.str("error.fields.goal"))
	})

	t.Run("pages follow the cursor to the end", func(t *testing.T) {
		var ids []string
		path := "/portfolio?limit=1"
		for i := 0; i < 5 && path != ""; i++ {
			resp := ceo.get(path).expect(t, http.StatusOK)
			require.Len(t, resp["projects"], 1)
			require.Equal(t, 3, num(resp["total"]))
			ids = append(ids, apiPortfolioIDs(resp)...)
			path = ""
			if next, ok := resp["next_cursor"].(string); ok {
				path = "/portfolio?limit=1&cursor=" + url.QueryEscape(next)
			}
		}
		require.Equal(t, apiPortfolioIDs(body), ids)
		ceo.get("/portfolio?cursor=zzz").expect(t, http.StatusUnprocessableEntity)
		ceo.get("/portfolio?limit=101").expect(t, http.StatusUnprocessableEntity)
	})

	t.Run("scope: the CTO sees what touches Technology", func(t *testing.T) {
		cto := b.api(t, "cto@accord.demo").get("/portfolio").expect(t, http.StatusOK)
		require.Equal(t, []string{idStr(smart.ID)}, apiPortfolioIDs(cto))
		var loaded []string
		for _, u := range cto["load"].([]any) {
			loaded = append(loaded, u.(map[string]any)["name_en"].(string))
		}
		require.Contains(t, loaded, "Data")
		require.NotContains(t, loaded, "Training", "Training is not under the CTO")
	})

	t.Run("403 for those without a portfolio, as on the page", func(t *testing.T) {
		for _, email := range []string{"trainer@accord.demo", "marketing@accord.demo", "aftersales@accord.demo"} {
			resp := b.api(t, email).get("/portfolio")
			resp.expect(t, http.StatusForbidden)
			require.Contains(t, resp.str("error.message"), "The portfolio is for executives", email)
		}
		b.api(t, "").get("/portfolio").expect(t, http.StatusUnauthorized)
	})

	t.Run("a fixed number of queries whatever the scope", func(t *testing.T) {
		admin := b.api(t, "admin@accord.demo")
		cto := b.api(t, "cto@accord.demo")
		all := b.countQueries(func() { admin.get("/portfolio").expect(t, http.StatusOK) })
		one := b.countQueries(func() { cto.get("/portfolio").expect(t, http.StatusOK) })
		require.Equal(t, one, all)
		require.LessOrEqual(t, all, int64(5), "token, viewer, the page with its plan setting, the load")
	})
}

func TestAPINotifications(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	itHead := b.api(t, "it@accord.demo")

	empty := itHead.get("/notifications").expect(t, http.StatusOK)
	require.Equal(t, []any{}, empty["notifications"])
	require.Equal(t, 0, num(empty["total"]))
	require.Equal(t, 0, num(empty["unread"]))
	require.Nil(t, empty["next_cursor"])

	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	body := itHead.get("/notifications").expect(t, http.StatusOK)
	require.Equal(t, 1, num(body["total"]))
	require.Equal(t, 1, num(body["unread"]))
	n := body["notifications"].([]any)[0].(map[string]any)
	require.Equal(t, "request_received", n["kind"])
	require.Equal(t, "Zhang Wei asks your unit for “CRM system development” (Smart service upgrade).", n["text"],
		"the sentence the notification centre shows")
	require.Equal(t, "/requests/"+idStr(it.ID), n["link"])
	require.Equal(t, idStr(it.ID), n["request_id"])
	require.Equal(t, idStr(smart.ID), n["project_id"])
	require.Equal(t, "Zhang Wei", n["actor_name_en"])
	require.Equal(t, "CRM system development", n["need_title_en"])
	require.Nil(t, n["read_at"])
	firstID := n["id"].(string)

	zh := b.api(t, "it@accord.demo")
	zh.lang = "zh-CN"
	zhText := zh.get("/notifications").expect(t, http.StatusOK)["notifications"].([]any)[0].(map[string]any)["text"]
	require.Contains(t, zhText, "智能服务升级")

	// Nobody else sees them.
	require.Equal(t, 0, num(b.api(t, "trainer@accord.demo").get("/notifications").expect(t, http.StatusOK)["total"]))

	// A nudge after the client last looked stays unread when it marks up to what it saw.
	lead := b.login(t, "aftersales@accord.demo")
	require.Equal(t, http.StatusSeeOther, lead.post(rqReq(it.ID, "/nudge"), nil).StatusCode)
	resp := itHead.post("/notifications/read", map[string]any{"up_to": firstID})
	resp.expect(t, http.StatusNoContent)
	require.Empty(t, resp.raw)
	body = itHead.get("/notifications").expect(t, http.StatusOK)
	require.Equal(t, 2, num(body["total"]))
	require.Equal(t, 1, num(body["unread"]))
	list := body["notifications"].([]any)
	require.Equal(t, "nudge", list[0].(map[string]any)["kind"])
	require.Nil(t, list[0].(map[string]any)["read_at"])
	require.NotNil(t, list[1].(map[string]any)["read_at"])

	bad := itHead.post("/notifications/read", map[string]any{"up_to": "abc"})
	bad.expect(t, http.StatusUnprocessableEntity)
	require.NotEmpty(t, bad.str("error.fields.up_to"))
	itHead.post("/notifications/read", []byte(`{"up_to": 5}`)).expect(t, http.StatusBadRequest)

	// No body marks everything.
	itHead.send(http.MethodPost, "/notifications/read", nil).expect(t, http.StatusNoContent)
	require.Equal(t, 0, num(itHead.get("/notifications").expect(t, http.StatusOK)["unread"]))
	require.Equal(t, 0, b.login(t, "it@accord.demo").get("/").doc.Find(`[data-testid="unread-count"]`).Length(),
		"the page's bell agrees")
}

func TestAPINotificationPages(t *testing.T) {
	b := setup(t)
	b.rqExtraRequests(t, b.rqSmart(t), "IT", 31)
	itHead := b.api(t, "it@accord.demo")
	seen := map[string]bool{}
	path := "/notifications"
	pages := 0
	for path != "" {
		body := itHead.get(path).expect(t, http.StatusOK)
		require.Equal(t, 31, num(body["total"]))
		require.Equal(t, 31, num(body["unread"]))
		for _, n := range body["notifications"].([]any) {
			id := n.(map[string]any)["id"].(string)
			require.False(t, seen[id], "no notification twice")
			seen[id] = true
		}
		pages++
		path = ""
		if next, ok := body["next_cursor"].(string); ok {
			path = "/notifications?cursor=" + url.QueryEscape(next)
		}
	}
	require.Equal(t, 2, pages, "20 a page by default")
	require.Len(t, seen, 31)
	require.Len(t, itHead.get("/notifications?limit=100").expect(t, http.StatusOK)["notifications"], 31)
}
