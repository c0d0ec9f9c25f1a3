package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// promiseRow finds a promise on a unit's page by what was promised.
func (r response) promiseRow(what string) *goquery.Selection {
	return r.doc.Find(`[data-testid="unit-promises"] tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return rowField(s, "what") == what
	})
}

func TestUnitPageShowsOverduePromise(t *testing.T) {
	b := setup(t)
	units := b.units(t)
	smart := b.demoProject(t, "Smart service upgrade")
	// A person who may open the project sees the promise named; the page itself is
	// open to anyone signed in (TestUnitPageNamesOnlyWhatTheViewerMayOpen).
	c := b.login(t, "training@accord.demo")

	resp := c.get("/units/" + idStr(units["Training"].ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "Training", resp.text("unit-title"))
	require.Equal(t, "Ma Li", resp.text("unit-head"))
	require.Equal(t, "Corporate functions", resp.text("unit-parent"))
	require.Equal(t, "/units/"+idStr(units["Corporate functions"].ID), resp.attrOf(`[data-testid="unit-parent"]`, "href"))
	members := resp.text("unit-members")
	require.Contains(t, members, "Ma Li")
	require.Contains(t, members, "Gao Min")
	require.Less(t, strings.Index(members, "Ma Li"), strings.Index(members, "Gao Min"), "the head first")

	// A promise not yet due is open, not red; it reads in the reader's language.
	thanks := resp.promiseRow("Thank Training publicly at the annual meeting")
	require.Equal(t, 1, thanks.Length())
	require.False(t, thanks.HasClass("overdue"))
	require.Equal(t, "Smart service upgrade", rowField(thanks, "project"))
	require.Equal(t, "/projects/"+idStr(smart.ID), thanks.Find(`[data-field="project"]`).AttrOr("href", ""))

	// The renewal drive's monthly data for After-sales is past its date.
	drive := b.demoProject(t, "Weekend insurance renewal drive")
	aftersales := b.login(t, "aftersales@accord.demo").get("/units/" + idStr(units["After-sales"].ID))
	row := aftersales.promiseRow("Share the service visits of renewing customers every month")
	require.Equal(t, 1, row.Length())
	require.True(t, row.HasClass("overdue"), "the overdue promise stands out")
	status := row.Find(`[data-field="status"]`)
	require.True(t, status.HasClass("badge") && status.HasClass("bad"))
	require.Equal(t, "Overdue", strings.TrimSpace(status.Text()))
	require.Equal(t, "Weekend insurance renewal drive", rowField(row, "project"))
	require.Equal(t, "/projects/"+idStr(drive.ID), row.Find(`[data-field="project"]`).AttrOr("href", ""))

	data := c.get("/units/" + idStr(units["Data"].ID))
	open := data.promiseRow(`A "value of data" chapter in the project report`)
	require.Equal(t, 1, open.Length())
	require.False(t, open.HasClass("overdue"))
	require.Equal(t, "Open", rowField(open, "status"))
	require.False(t, open.Find(`[data-field="status"]`).HasClass("bad"))

	// A unit nobody promised anything says so.
	legal := c.get("/units/" + idStr(units["Legal"].ID))
	require.Contains(t, legal.text("empty"), "No project has promised this unit anything yet.")
}

func TestUnitPageChineseAndMissingUnits(t *testing.T) {
	b := setup(t)
	aftersales := b.units(t)["After-sales"]
	c := b.login(t, "aftersales@accord.demo")
	for _, p := range []string{"/units/abc", "/units/0", "/units/99999999"} {
		require.Equal(t, http.StatusNotFound, c.get(p).StatusCode, p)
	}
	require.Equal(t, http.StatusSeeOther, c.post("/lang", url.Values{"lang": {"zh"}, "next": {"/"}}).StatusCode)
	resp := c.get("/units/" + idStr(aftersales.ID))
	require.Equal(t, "售后服务部", resp.text("unit-title"))
	row := resp.promiseRow("每月共享续保客户的保养回厂数据")
	require.Equal(t, "已逾期", strings.TrimSpace(row.Find(`[data-field="status"]`).Text()))
	require.Equal(t, "周末续保冲刺", rowField(row, "project"))
}

func TestUnitPageQueryCount(t *testing.T) {
	b := setup(t)
	training := b.units(t)["Training"]
	c := b.login(t, "it@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, c.get("/units/"+idStr(training.ID)).StatusCode) }
	load()
	// Session, viewer, the tree, members, the ledger with the setting sent in its round
	// trip for its generic plan.
	require.LessOrEqual(t, b.countQueries(load), int64(6))
}

func TestOrgLinksUnitPages(t *testing.T) {
	b := setup(t)
	units := b.units(t)
	resp := b.login(t, "it@accord.demo").get("/org")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	link := resp.doc.Find(`[data-testid="org-tree"] a`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Text()) == "Training"
	})
	require.Equal(t, "/units/"+idStr(units["Training"].ID), link.AttrOr("href", ""))
	require.Equal(t, len(units), resp.doc.Find(`[data-testid="org-tree"] a[href^="/units/"]`).Length())
}

// TestUnitPageNamesOnlyWhatTheViewerMayOpen: the Legal head, involved in no project,
// opens Training's page: the requests, promises and thanks of projects he may not open
// are counted, never named or linked, and every request or project link the page
// renders opens for him.
func TestUnitPageNamesOnlyWhatTheViewerMayOpen(t *testing.T) {
	b := setup(t)
	b.escSendSmart(t, time.Now())
	units := b.units(t)
	smart := b.demoProject(t, "Smart service upgrade")
	c := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, c.get("/projects/"+idStr(smart.ID)).StatusCode, "Legal may not open the project")

	resp := c.get("/units/" + idStr(units["Training"].ID))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	html, err := resp.doc.Html()
	require.NoError(t, err)
	for _, hidden := range []string{"Smart service upgrade", "Thank Training publicly", "年会上公开感谢培训部", "Train 200 service advisers"} {
		require.NotContains(t, html, hidden)
	}
	require.Equal(t, "1 on a project you cannot open", resp.text("unit-queue-hidden"), "nothing named: no \"more\"")
	require.Equal(t, "1 on a project you cannot open", resp.text("unit-promises-hidden"))
	resp.doc.Find(`a[href^="/requests/"], a[href^="/projects/"]`).Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		require.Equal(t, http.StatusOK, c.get(href).StatusCode, "a link the page renders opens: %s", href)
	})

	// Training's own head sees them named.
	own := b.login(t, "training@accord.demo").get("/units/" + idStr(units["Training"].ID))
	require.Equal(t, 1, own.promiseRow("Thank Training publicly at the annual meeting").Length())
	require.Equal(t, 0, own.doc.Find(`[data-testid="unit-queue-hidden"]`).Length())
}
