package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// The calendar feed answers anyone who has its address and nobody else: the matrix's
// placeholder is no feed's secret, so every role gets the same 404, signed in or not.
// Making and stopping a feed is every signed-in person's own business.
func init() {
	addPolicies(map[string]policy{
		"GET /calendar/{secret}.ics":          {nf, nf, nf, nf, nf, nf, nf},
		"POST /settings/calendar-feed":        signedIn,
		"POST /settings/calendar-feed/revoke": signedIn,
	})
}

// feedPath makes a feed for a demo user through the store and returns its path.
func (b *testBundle) feedPath(t *testing.T, email string) string {
	t.Helper()
	u := b.user(t, email)
	_, secret, err := b.st.CreateCalendarFeed(context.Background(), u.ID, u.ID, *b.now)
	require.NoError(t, err)
	return "/calendar/" + secret + ".ics"
}

// feed fetches a feed as a calendar app does (no session), and parses it.
func (b *testBundle) feed(t *testing.T, path string) (*ics.Calendar, map[string]*ics.VEvent) {
	t.Helper()
	resp := b.client(t).get(path)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.body)
	require.Equal(t, "text/calendar; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Empty(t, resp.Header.Values("Set-Cookie"), "no session is started for a calendar app")
	cal, err := ics.ParseCalendar(strings.NewReader(resp.body))
	require.NoError(t, err)
	byUID := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		_, dup := byUID[e.Id()]
		require.False(t, dup, "%s is on the feed twice", e.Id())
		byUID[e.Id()] = e
	}
	return cal, byUID
}

// feedUID is an item's UID on a feed fetched from the test server.
func feedUID(kind string, id int64) string {
	return "accord-" + kind + "-" + idStr(id) + "@127.0.0.1"
}

func evProp(e *ics.VEvent, p ics.ComponentProperty) string {
	if got := e.GetProperty(p); got != nil {
		return got.Value
	}
	return ""
}

func TestCalendarFeedHasEachPersonsDates(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	b := setupWith(t, func(o *server.Options) { o.Location = shanghai })
	ctx := context.Background()

	// The Smart service upgrade goes out; Data agrees, IT declines, and four days
	// later the sweep takes IT's request to the CEO.
	it, esc := b.escStalledCRM(t)
	now := b.now.In(shanghai)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	data := b.rqRequests(t, it.ProjectID)["Data"]
	dataDue := today.AddDate(0, 0, 10)
	_, err = b.st.Pool().Exec(ctx, `UPDATE requests SET due_date = $2 WHERE id = $1`, data.ID, dataDue)
	require.NoError(t, err)
	// Their project promises After-sales' support a report in five days; a kept promise
	// is not on anyone's calendar.
	lead := b.user(t, "aftersales@accord.demo")
	promiseDue := today.AddDate(0, 0, 5)
	promise, err := b.st.CreateCommitment(ctx, lead.ID, it.ProjectID, accord.CommitmentInput{UnitID: data.HolderUnitID,
		What: "每周数据质量报告", DueDate: &promiseDue, Status: accord.CommitmentOpen})
	require.NoError(t, err)
	kept, err := b.st.CreateCommitment(ctx, lead.ID, it.ProjectID, accord.CommitmentInput{UnitID: data.HolderUnitID,
		What: "已完成的承诺", DueDate: &promiseDue, Status: accord.CommitmentKept})
	require.NoError(t, err)
	require.NoError(t, b.st.SetUserLocale(ctx, b.user(t, "data@accord.demo").ID, accord.LocaleEN))

	dataUID, itUID := feedUID("request", data.ID), feedUID("request", it.ID)
	escUID, promiseUID := feedUID("escalation", esc.ID), feedUID("promise", promise.ID)

	// The head of Data owes Data's request, on its date, in English as she chose.
	headPath := b.feedPath(t, "data@accord.demo")
	cal, evs := b.feed(t, headPath)
	require.Contains(t, evs, dataUID)
	ev := evs[dataUID]
	start := ev.GetProperty(ics.ComponentPropertyDtStart)
	require.Equal(t, dataDue.Format("20060102"), start.Value)
	require.Equal(t, []string{"DATE"}, start.ICalParameters["VALUE"], "a date is an all-day event")
	require.Equal(t, "Due: Customer data analytics (Smart service upgrade)", evProp(ev, ics.ComponentPropertySummary))
	require.Contains(t, evProp(ev, ics.ComponentPropertyDescription), "the project Smart service upgrade of After-sales")
	require.Equal(t, b.srv.URL+"/requests/"+idStr(data.ID), evProp(ev, ics.ComponentPropertyUrl))
	for _, other := range []string{itUID, escUID, promiseUID} {
		require.NotContains(t, evs, other, "none of another person's items")
	}
	var name string
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "X-WR-CALNAME" {
			name = p.Value
		}
	}
	require.Equal(t, "Accord: Lin Xiao", name)

	// The lead has both requests (IT's declined is still open) and the promise, in
	// Chinese, the default; not the kept promise, not the escalation.
	leadPath := b.feedPath(t, "aftersales@accord.demo")
	var queries int64
	var leadEvs map[string]*ics.VEvent
	queries = b.countQueries(func() { _, leadEvs = b.feed(t, leadPath) })
	require.LessOrEqual(t, queries, int64(2), "the secret's owner, then the items: one query each")
	require.Contains(t, leadEvs, dataUID)
	require.Contains(t, leadEvs, itUID)
	require.Equal(t, "需要：客户数据分析（数据部）", evProp(leadEvs[dataUID], ics.ComponentPropertySummary))
	require.Contains(t, leadEvs, promiseUID)
	pe := leadEvs[promiseUID]
	require.Equal(t, promiseDue.Format("20060102"), evProp(pe, ics.ComponentPropertyDtStart))
	require.Equal(t, "承诺到期：每周数据质量报告（对数据部）", evProp(pe, ics.ComponentPropertySummary))
	require.Equal(t, b.srv.URL+"/projects/"+idStr(it.ProjectID)+"/commitments", evProp(pe, ics.ComponentPropertyUrl))
	require.NotContains(t, leadEvs, feedUID("promise", kept.ID))
	require.NotContains(t, leadEvs, escUID)

	// The CEO decides the escalation: a timed event ending when the window does, in
	// the company's zone, which the feed describes.
	ceoCal, ceoEvs := b.feed(t, b.feedPath(t, "ceo@accord.demo"))
	require.Contains(t, ceoEvs, escUID)
	de := ceoEvs[escUID]
	end := de.GetProperty(ics.ComponentPropertyDtEnd)
	require.Equal(t, []string{"Asia/Shanghai"}, end.ICalParameters["TZID"])
	require.Equal(t, esc.WindowDueAt.In(shanghai).Format("20060102T150405"), end.Value)
	endAt, err := de.GetEndAt()
	require.NoError(t, err)
	require.True(t, endAt.Equal(esc.WindowDueAt.Truncate(time.Second)), "%s is the window's end %s, to the second", endAt, esc.WindowDueAt)
	require.Equal(t, b.srv.URL+"/escalations/"+idStr(esc.ID), evProp(de, ics.ComponentPropertyUrl))
	require.True(t, strings.HasPrefix(evProp(de, ics.ComponentPropertySummary), "待决定："))
	require.Len(t, ceoCal.Timezones(), 1)
	require.NotContains(t, ceoEvs, dataUID)

	// Data's head changes: the old head no longer gets the request, the new one does.
	unit := b.units(t)["Data"]
	legal := b.user(t, "legal@accord.demo")
	_, err = b.st.SetUnitHead(ctx, b.user(t, "admin@accord.demo").ID, unit.ID, unit.Version, &legal.ID)
	require.NoError(t, err)
	_, evs = b.feed(t, headPath)
	require.NotContains(t, evs, dataUID, "no longer head, no longer owed")
	_, evs = b.feed(t, b.feedPath(t, "legal@accord.demo"))
	require.Contains(t, evs, dataUID)

	// Delivered, it leaves every calendar.
	_, err = b.st.Pool().Exec(ctx, `UPDATE requests SET state = 'delivered' WHERE id = $1`, data.ID)
	require.NoError(t, err)
	_, leadEvs = b.feed(t, leadPath)
	require.NotContains(t, leadEvs, dataUID)
	require.Contains(t, leadEvs, itUID)

	// A deactivated person's feed is gone, with the same answer as an unknown one.
	ceo := b.user(t, "ceo@accord.demo")
	p := b.feedPath(t, "trainer@accord.demo")
	trainer := b.user(t, "trainer@accord.demo")
	require.NoError(t, b.st.DeactivateUser(ctx, ceo.ID, trainer.ID, trainer.Version))
	gone := b.client(t).get(p)
	require.Equal(t, http.StatusNotFound, gone.StatusCode)
	require.Equal(t, "not found\n", gone.body)
}

func TestCalendarFeedRevokedAndReplacedAddressesAreGone(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	u := b.user(t, "it@accord.demo")
	first := b.feedPath(t, "it@accord.demo")
	b.feed(t, first)

	second := b.feedPath(t, "it@accord.demo")
	require.NotEqual(t, first, second)
	unknown := b.client(t).get("/calendar/" + strings.Repeat("A", 43) + ".ics")
	old := b.client(t).get(first)
	require.Equal(t, http.StatusNotFound, old.StatusCode, "a replaced address answers 404")
	require.Equal(t, unknown.StatusCode, old.StatusCode)
	require.Equal(t, unknown.body, old.body, "the same answer as an unknown secret")
	b.feed(t, second)

	revoked, err := b.st.RevokeCalendarFeed(ctx, u.ID, u.ID, *b.now)
	require.NoError(t, err)
	require.True(t, revoked)
	require.Equal(t, http.StatusNotFound, b.client(t).get(second).StatusCode, "a revoked address answers 404")
	revoked, err = b.st.RevokeCalendarFeed(ctx, u.ID, u.ID, *b.now)
	require.NoError(t, err)
	require.False(t, revoked, "stopping none changes nothing")

	// Each step is in the audit log: two made, two stopped (one by the replacement).
	var made, stopped int
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE action = 'create'),
		count(*) FILTER (WHERE action = 'revoke') FROM audit_log WHERE entity = 'calendar_feed' AND actor_user_id = $1`,
		u.ID).Scan(&made, &stopped))
	require.Equal(t, 2, made)
	require.Equal(t, 2, stopped)
}

func TestCalendarFeedOnTheSettingsPage(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")

	page := c.get("/settings/tokens")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Calendar feed", page.textOf("#calendar-feed-heading"))
	require.Contains(t, page.text("calendar-feed"), "You have no calendar feed.")
	require.Equal(t, 0, page.doc.Find(`[data-testid="calendar-feed-url"]`).Length())

	// Made: the address is shown in this answer, with how to subscribe to it.
	resp := c.post("/settings/calendar-feed", nil)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	addr := resp.attrOf(`[data-testid="calendar-feed-url"]`, "value")
	require.True(t, strings.HasPrefix(addr, b.srv.URL+"/calendar/"), addr)
	require.True(t, strings.HasSuffix(addr, ".ics"), addr)
	howto := resp.text("calendar-feed-howto")
	for _, app := range []string{"Feishu", "Outlook", "Google Calendar"} {
		require.Contains(t, howto, app)
	}
	require.Contains(t, resp.text("calendar-feed-state"), "On")
	path := strings.TrimPrefix(addr, b.srv.URL)
	b.feed(t, path)

	// Never shown again; the page says it is on and was fetched.
	page = c.get("/settings/tokens")
	require.NotContains(t, page.body, path)
	require.Equal(t, 0, page.doc.Find(`[data-testid="calendar-feed-url"]`).Length())
	require.Equal(t, "just now", page.text("calendar-feed-last-used"))
	require.Equal(t, 1, page.doc.Find(`[data-testid="calendar-feed-revoke-form"]`).Length())

	// Stopped: the address answers 404, the page offers a new one.
	resp = c.post("/settings/calendar-feed/revoke", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/settings/tokens", resp.Header.Get("Location"))
	page = c.get("/settings/tokens")
	require.Equal(t, "Your calendar feed is stopped. Its address no longer works.", page.text("flash"))
	require.Contains(t, page.text("calendar-feed"), "You have no calendar feed.")
	require.Equal(t, http.StatusNotFound, b.client(t).get(path).StatusCode)
	// Stopping again changes nothing and says nothing.
	require.Equal(t, http.StatusSeeOther, c.post("/settings/calendar-feed/revoke", nil).StatusCode)
	require.Empty(t, c.get("/settings/tokens").text("flash"))
}

func TestCalendarFeedOnTheSettingsPageInChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	c.lang = "zh-CN"
	page := c.get("/settings/tokens")
	require.Equal(t, "日历订阅", page.textOf("#calendar-feed-heading"))
	require.Contains(t, page.text("calendar-feed"), "你还没有日历订阅。")
	require.Contains(t, page.text("calendar-feed"), "（UTC）", "the company's zone")

	resp := c.post("/settings/calendar-feed", nil)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	first := strings.TrimPrefix(resp.attrOf(`[data-testid="calendar-feed-url"]`, "value"), b.srv.URL)
	require.Equal(t, "你的私人日历地址", resp.textOf(`label[for="calendar-feed-url"]`))
	require.Contains(t, resp.text("calendar-feed-howto"), "飞书")
	require.Contains(t, resp.text("calendar-feed-state"), "已开启")

	// A new address replaces the old, which stops at once.
	page = c.get("/settings/tokens")
	require.Contains(t, page.text("calendar-feed-replace-form"), "当前地址会立即失效")
	resp = c.post("/settings/calendar-feed", nil)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	second := strings.TrimPrefix(resp.attrOf(`[data-testid="calendar-feed-url"]`, "value"), b.srv.URL)
	require.NotEqual(t, first, second)
	require.Equal(t, http.StatusNotFound, b.client(t).get(first).StatusCode)
	b.feed(t, second)

	resp = c.post("/settings/calendar-feed/revoke", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "日历订阅已停止，原地址不再可用。", c.get("/settings/tokens").text("flash"))
	require.Equal(t, http.StatusNotFound, b.client(t).get(second).StatusCode)
}

func TestCalendarFeedThroughTheAPI(t *testing.T) {
	b := setup(t)
	api := b.api(t, "data@accord.demo")
	state := api.get("/me/calendar-feed").expect(t, http.StatusOK)
	require.Equal(t, false, state["active"])
	require.Nil(t, state["created_at"])

	made := api.post("/me/calendar-feed", nil).expect(t, http.StatusCreated)
	addr, _ := made["url"].(string)
	require.True(t, strings.HasPrefix(addr, b.srv.URL+"/calendar/"), addr)
	path := strings.TrimPrefix(addr, b.srv.URL)
	b.feed(t, path)
	state = api.get("/me/calendar-feed").expect(t, http.StatusOK)
	require.Equal(t, true, state["active"])
	require.NotNil(t, state["created_at"])
	require.NotNil(t, state["last_used_at"], "the fetch is noted")
	require.NotContains(t, string(api.get("/me/calendar-feed").raw), path, "the address is shown once")

	// Another person's token sees their own feed only.
	require.Equal(t, false, b.api(t, "it@accord.demo").get("/me/calendar-feed").expect(t, http.StatusOK)["active"])

	require.Equal(t, http.StatusNoContent, api.send(http.MethodDelete, "/me/calendar-feed", nil).status)
	require.Equal(t, http.StatusNotFound, b.client(t).get(path).StatusCode)
	require.Equal(t, false, api.get("/me/calendar-feed").expect(t, http.StatusOK)["active"])
	require.Equal(t, http.StatusNoContent, api.send(http.MethodDelete, "/me/calendar-feed", nil).status, "again: no change")
	require.Equal(t, http.StatusUnauthorized, b.api(t, "").post("/me/calendar-feed", nil).status)
}

// TestHostileCalendarFeedSecrets sends garbage where the secret goes: every answer is
// the same kind of 404, never a 500, and nothing sent comes back. Text people typed
// reaches a feed as data: the feed still parses, the text intact in one property.
func TestHostileCalendarFeedSecrets(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	anon := b.client(t)
	var tried int
	for _, v := range append(slices.Clone(hostileValues), "", ".", "..", "%00", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		strings.Repeat("A", 42), strings.Repeat("A", 44), strings.Repeat("x", 10000), "a.b", "日历", "\u202eevil") {
		path := "/calendar/" + url.PathEscape(v) + ".ics"
		resp := anon.get(path)
		tried++
		require.Equal(t, http.StatusNotFound, resp.StatusCode, "%q", v)
		require.NotContains(t, resp.body, scriptPayload, "%q echoed", v)
		require.Empty(t, resp.Header.Values("Set-Cookie"), "%q started a session", v)
	}
	for _, path := range []string{"/calendar/", "/calendar/.ics", "/calendar/x", "/calendar/x.ics/more", "/calendar/x.ics?x=<script>"} {
		resp := anon.get(path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		require.NotContains(t, resp.body, scriptPayload, path)
	}
	// Other methods are not served.
	require.NotEqual(t, http.StatusOK, anon.post("/calendar/"+strings.Repeat("A", 43)+".ics", nil).StatusCode)
	require.Greater(t, tried, 20)

	// A hostile need title, sent to IT, as IT's head reads it in the feed.
	r := b.escSendOne(t, "Smart service upgrade", "IT", *b.now)
	hostile := scriptPayload + "; a,b\\c\r\nDTSTART:19700101\nEND:VEVENT\x1b\x7f"
	_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title = $2, title_en = $2 WHERE id = $1`, r.NeedID, hostile)
	require.NoError(t, err)
	_, err = b.st.Pool().Exec(ctx, `UPDATE requests SET due_date = $2 WHERE id = $1`, r.ID, b.now.AddDate(0, 0, 3))
	require.NoError(t, err)
	_, evs := b.feed(t, b.feedPath(t, "it@accord.demo"))
	ev := evs[feedUID("request", r.ID)]
	require.NotNil(t, ev)
	require.Contains(t, evProp(ev, ics.ComponentPropertySummary), scriptPayload+"; a,b\\c\nDTSTART:19700101\nEND:VEVENT",
		"stored as typed, control bytes dropped, one property")
	require.Equal(t, b.now.AddDate(0, 0, 3).Format("20060102"), evProp(ev, ics.ComponentPropertyDtStart))
}
