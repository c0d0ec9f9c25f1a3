package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

func TestTrackerGroupsByUnitAndMarksStaleAndOverdue(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")

	empty := lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	require.Equal(t, http.StatusOK, empty.StatusCode)
	require.Equal(t, "No requests yet", empty.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, rqPath("/projects/", smart.ID, "/send"), empty.attrOf(`[data-testid="send-link"]`, "href"))

	rqSendAll(t, lead, smart, "")
	reqs := b.rqRequests(t, smart.ID)
	training := reqs["Training"]
	resp := b.login(t, "training@accord.demo").post(rqReq(training.ID, "/agree"), map[string][]string{"version": {rqVersion(training)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)

	page := lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	require.Equal(t, "1 of 4 units agreed", page.text("tracker-summary"))
	units := rqTexts(page.doc.Find(`[data-testid="tracker-unit-name"]`))
	require.ElementsMatch(t, []string{"IT", "Data", "Training", "Marketing"}, units)
	row := page.doc.Find(`[data-testid="tracker-row"][data-request-id="` + idStr(reqs["Data"].ID) + `"]`)
	require.Equal(t, rqReq(reqs["Data"].ID, ""), row.Find(`a[data-field="title"]`).AttrOr("href", ""))
	require.Equal(t, "No update yet", strings.TrimSpace(row.Find(`[data-field="latest"]`).Text()))
	require.Equal(t, "just now", strings.TrimSpace(row.Find(`[data-field="updated"]`).Text()))
	require.Equal(t, 0, page.doc.Find(`[data-testid="stale"]`).Length())
	require.Equal(t, 0, page.doc.Find(`[data-testid="overdue"]`).Length())

	// A month on with no word: every open request is stale, Data's (due in 30 days)
	// is overdue too.
	*b.now = b.now.Add(32 * 24 * time.Hour)
	page = lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	require.Equal(t, 4, page.doc.Find(`tr.rq-stale`).Length())
	row = page.doc.Find(`[data-testid="tracker-row"][data-request-id="` + idStr(reqs["Data"].ID) + `"]`)
	require.True(t, row.HasClass("rq-overdue"))
	require.Equal(t, "Overdue", strings.TrimSpace(row.Find(`[data-testid="overdue"]`).Text()))
	require.Equal(t, "32 days ago", strings.TrimSpace(row.Find(`[data-field="updated"]`).Text()))
	require.Equal(t, 1, page.doc.Find(`[data-testid="overdue"]`).Length())

	// Anyone who sees the project sees the tracker; others do not.
	require.Equal(t, http.StatusOK, b.login(t, "marketing@accord.demo").get(rqPath("/projects/", smart.ID, "/tracker")).StatusCode)
	require.Equal(t, http.StatusNotFound, b.login(t, "legal@accord.demo").get(rqPath("/projects/", smart.ID, "/tracker")).StatusCode)
}

// The tracker drawn afresh, as after every write: this server keeps no page drawn
// before (a kept one costs the session and project statements alone).
func TestTrackerQueriesDoNotGrowWithRequests(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "")
	path := rqPath("/projects/", smart.ID, "/tracker")
	lead.get(path)
	few := b.countQueries(func() { require.Equal(t, 4, lead.get(path).doc.Find(`[data-testid="tracker-row"]`).Length()) })

	b.rqExtraRequests(t, smart, "IT", 10)
	b.rqExtraRequests(t, smart, "Data", 10)
	b.rqExtraRequests(t, smart, "Finance", 10)
	leadViewer, err := b.st.Viewer(context.Background(), smart.LeadUserID)
	require.NoError(t, err)
	for _, r := range b.rqRequests(t, smart.ID) {
		_, err := b.st.AddProgress(context.Background(), leadViewer, r.ID, accord.ProgressInput{Body: "已沟通", Risk: accord.RiskLow}, *b.now)
		require.NoError(t, err)
	}
	many := b.countQueries(func() { require.Equal(t, 34, lead.get(path).doc.Find(`[data-testid="tracker-row"]`).Length()) })
	require.Equal(t, few, many, "the tracker makes a fixed number of queries")
	require.LessOrEqual(t, many, int64(6))
}

// TestTrackerPagesKeepTheWholeProjectSummary: past 50 requests the tracker shows a
// page at a time; the summary above it counts every request on every page.
func TestTrackerPagesKeepTheWholeProjectSummary(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "")
	training := b.rqRequests(t, smart.ID)["Training"]
	resp := b.login(t, "training@accord.demo").post(rqReq(training.ID, "/agree"), map[string][]string{"version": {rqVersion(training)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	b.rqExtraRequests(t, smart, "IT", 30)
	b.rqExtraRequests(t, smart, "Finance", 30)
	path := rqPath("/projects/", smart.ID, "/tracker")

	ids := func(p response) []string {
		var out []string
		p.doc.Find(`[data-testid="tracker-row"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-request-id", ""))
		})
		return out
	}
	states := func(p response) map[string]string {
		out := map[string]string{}
		p.doc.Find(`[data-testid="tracker-states"] li`).Each(func(_ int, s *goquery.Selection) {
			out[s.AttrOr("data-state", "")] = strings.TrimSpace(s.Find(`[data-field="count"]`).Text())
		})
		return out
	}

	first := lead.get(path)
	require.Equal(t, http.StatusOK, first.StatusCode)
	require.Len(t, ids(first), 50)
	require.Equal(t, "1 of 5 units agreed", first.text("tracker-summary"))
	require.Equal(t, map[string]string{"requested": "63", "agreed": "1"}, states(first))
	require.Equal(t, "Page 1 of 2 · 64 in all", first.textOf(`nav.pager .muted`))
	require.Equal(t, path+"?page=2", first.attrOf(`nav.pager a[rel="next"]`, "href"))
	require.Zero(t, first.doc.Find(`nav.pager a[rel="prev"]`).Length())

	second := lead.get(path + "?page=2")
	require.Equal(t, http.StatusOK, second.StatusCode)
	require.Len(t, ids(second), 14, "the rest")
	require.NotContains(t, ids(first), ids(second)[0])
	require.ElementsMatch(t, b.rqAllIDs(t, smart.ID), append(ids(first), ids(second)...), "every request once")
	require.Equal(t, "1 of 5 units agreed", second.text("tracker-summary"), "the summary covers every page")
	require.Equal(t, states(first), states(second))
	require.Equal(t, path+"?page=1", second.attrOf(`nav.pager a[rel="prev"]`, "href"))

	past := lead.get(path + "?page=3")
	require.Equal(t, http.StatusOK, past.StatusCode)
	require.Empty(t, ids(past))
	require.Equal(t, "This page is past the end of the list.", past.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, path, past.attrOf(`[data-testid="empty"] a`, "href"))
	require.Equal(t, "1 of 5 units agreed", past.text("tracker-summary"))
}

// rqAllIDs lists the ids of a project's requests as the tracker writes them.
func (b *testBundle) rqAllIDs(t *testing.T, projectID int64) []string {
	t.Helper()
	rows, err := b.st.Tracker(context.Background(), projectID)
	require.NoError(t, err)
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, idStr(r.ID))
	}
	return out
}
