package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
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

func TestTrackerQueriesDoNotGrowWithRequests(t *testing.T) {
	b := setup(t)
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
