package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// Needs follow their requests (issue 14, part 1), played on the demo's smart service
// upgrade: IT declines the CRM system as too busy and the lead phases it.

// phDeclinedCRM sends the smart service upgrade's needs and has IT decline the CRM
// system; it returns the lead, IT's head and IT's request.
func (b *testBundle) phDeclinedCRM(t *testing.T) (accord.Project, *client, *client, accord.Request) {
	t.Helper()
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	resp := itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "obstacle": {"too_busy"},
		"reason": {"排期已满"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	return smart, lead, itHead, b.rqRequest(t, it.ID)
}

// phSplit posts a first phase of request r with effort days.
func phSplit(lead *client, r accord.Request, days string) response {
	return lead.post(rqReq(r.ID, "/split"), url.Values{"strategy": {"phase"}, "title": {"CRM system development — phase 1"},
		"effort_days": {days}, "needed_by": {""}, "message": {"先做必需功能"}})
}

func TestPhaseCannotExceedItsParent(t *testing.T) {
	b := setup(t)
	smart, lead, _, it := b.phDeclinedCRM(t)
	before := len(b.wbNeeds(t, smart.ID))

	resp := phSplit(lead, it, "999")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "999", resp.inputValue("strategy-phase", "effort_days"), "the input is kept")
	require.Equal(t, "CRM system development — phase 1", resp.inputValue("strategy-phase", "title"))
	require.Contains(t, resp.textOf(`[data-testid="strategy-phase"]`), "A phase cannot take more person-days than the need it is part of")
	require.Len(t, b.wbNeeds(t, smart.ID), before, "nothing was added or sent")

	resp = phSplit(lead, it, "40")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	phase := b.wbNeeds(t, smart.ID)["CRM system development — phase 1"]
	require.Equal(t, it.NeedID, *phase.PhaseOfNeedID)

	// The phase states its parent on the resource map; editing it past the parent is
	// refused there too, with the input kept.
	page := lead.get(wbPath(smart))
	require.Equal(t, "Phase of “CRM system development”", wbCell(page.wbNeedRow(phase.ID), "phase-of"))
	form := url.Values{"version": {idStr(int64(phase.Version))}, "title": {phase.Title}, "title_en": {phase.TitleEN},
		"tier": {"P0"}, "holder_unit_id": {idStr(*phase.HolderUnitID)}, "effort_days": {"500"}}
	resp = lead.post(wbPath(smart, "/needs/", idStr(phase.ID)), form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, resp.body)
	require.Contains(t, resp.body, "A phase cannot take more person-days than the need it is part of")
	require.Contains(t, resp.body, `value="500"`)
	require.InDelta(t, 40, b.wbNeeds(t, smart.ID)["CRM system development — phase 1"].EffortDays, 0.001)

	// In Chinese, the same refusal.
	zh := b.login(t, "aftersales@accord.demo")
	zh.lang = "zh"
	resp = phSplit(zh, b.rqRequest(t, it.ID), "999")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.textOf(`[data-testid="strategy-phase"]`), "不能超过所属需求")
}

func TestWithdrawnPhaseIsArchivedAndLeavesEveryList(t *testing.T) {
	b := setup(t)
	smart, lead, _, it := b.phDeclinedCRM(t)
	summary := lead.get(wbPath(smart)).text("needs-summary")

	resp := phSplit(lead, it, "40")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	phaseReq := b.rqRequests(t, smart.ID)["IT"]
	phase := b.wbNeeds(t, smart.ID)["CRM system development — phase 1"]
	days := func(summary string) string { _, d, _ := strings.Cut(summary, "·"); return strings.TrimSpace(d) }
	live := lead.get(wbPath(smart)).text("needs-summary")
	require.NotEqual(t, summary, live, "the phase is on the map while it is live")
	require.Equal(t, days(summary), days(live), "its days are within its parent's, not added to them")

	// Withdrawn by mistake: the lead cancels its request.
	resp = lead.post(rqReq(phaseReq.ID, "/cancel"), url.Values{"version": {rqVersion(phaseReq)}, "reason": {"误发"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)

	// On the send list it no longer comes back ticked.
	send := lead.get(rqPath("/projects/", smart.ID, "/send"))
	item := send.doc.Find(`[data-testid="send-item"][data-need-id="` + idStr(phase.ID) + `"]`)
	require.Equal(t, 1, item.Length())
	require.Equal(t, 0, item.Find(`input[checked]`).Length(), "a withdrawn need is not ticked again")

	// It can be removed: archived, as its cancelled request still refers to it.
	page := lead.get(wbPath(smart))
	version := page.wbNeedRow(phase.ID).Find(`[data-testid="need-delete"] [name="version"]`).AttrOr("value", "")
	resp = lead.post(wbPath(smart, "/needs/", idStr(phase.ID), "/delete"), url.Values{"version": {version}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page = lead.get(wbPath(smart))
	require.Contains(t, page.text("notice"), "Archived “CRM system development — phase 1”")
	require.Equal(t, 0, page.wbNeedRow(phase.ID).Length())
	require.Equal(t, summary, page.text("needs-summary"), "the project's total is as before the phase")

	send = lead.get(rqPath("/projects/", smart.ID, "/send"))
	require.Equal(t, 0, send.doc.Find(`[data-testid="send-item"][data-need-id="`+idStr(phase.ID)+`"]`).Length())
	retro := lead.get(rqPath("/projects/", smart.ID, "/retro"))
	require.NotContains(t, retro.body, "CRM system development — phase 1")

	// The cancelled request keeps its page and names its need.
	req := lead.get(rqReq(phaseReq.ID, ""))
	require.Equal(t, http.StatusOK, req.StatusCode)
	require.Contains(t, req.body, "CRM system development — phase 1")
}

func TestCounterMustNarrowTheScopeOrMoveTheDateLater(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, ""))
	it := b.rqRequests(t, smart.ID)["IT"]
	require.NotNil(t, it.DueDate)
	earlier := it.DueDate.AddDate(0, 0, -7).Format("2006-01-02")
	later := it.DueDate.AddDate(0, 1, 0).Format("2006-01-02")

	for _, lang := range []string{"en", "zh"} {
		itHead := b.login(t, "it@accord.demo")
		itHead.lang = lang
		resp := itHead.post(rqReq(it.ID, "/counter"), url.Values{"version": {rqVersion(it)}, "counter_date": {earlier}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, lang)
		require.Equal(t, earlier, resp.doc.Find(`[data-testid="act-counter"] input[name="counter_date"]`).AttrOr("value", ""))
		want := map[string]string{"en": "An earlier date alone is an agreement", "zh": "只是提前日期等于同意"}[lang]
		require.Contains(t, resp.textOf(`[data-testid="act-counter"]`), want)
		require.Equal(t, accord.RequestRequested, b.rqRequest(t, it.ID).State)
	}

	itHead := b.login(t, "it@accord.demo")
	resp := itHead.post(rqReq(it.ID, "/counter"), url.Values{"version": {rqVersion(it)}, "counter_date": {later}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	require.Equal(t, accord.RequestCountered, b.rqRequest(t, it.ID).State)
}

func TestBulkSendConfirmsWhatGoesOut(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	needs := b.wbNeeds(t, smart.ID)
	crm, data := needs["CRM system development"], needs["Customer data analytics"]
	form := url.Values{"need": {idStr(crm.ID), idStr(data.ID)}, "message": {"请支持"}}

	// Two needs ticked: a confirmation lists each, nothing is sent yet.
	resp := lead.post(rqPath("/projects/", smart.ID, "/send"), form)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "Check before sending", resp.textOf("h1"))
	items := resp.doc.Find(`[data-testid="send-confirm-item"]`)
	require.Equal(t, 2, items.Length())
	first := items.FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("data-need-id", "") == idStr(crm.ID)
	})
	require.Contains(t, first.Text(), "CRM system development")
	require.Equal(t, "IT", wbCell(first, "send-confirm-holder"))
	require.Equal(t, "120 person-days", wbCell(first, "send-confirm-effort"))
	require.Equal(t, crm.NeededBy.Format("2006-01-02"), wbCell(first, "send-confirm-date"))
	require.Equal(t, "请支持", resp.text("send-confirm-message"))
	require.Equal(t, "Send 2 requests", resp.text("send-confirm"))
	require.Empty(t, b.rqRequests(t, smart.ID), "nothing went out before confirming")

	// In Chinese, the same step reads as Chinese.
	zh := b.login(t, "aftersales@accord.demo")
	zh.lang = "zh"
	resp = zh.post(rqPath("/projects/", smart.ID, "/send"), form)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "发送前确认", resp.textOf("h1"))
	require.Equal(t, "发送 2 条请求", resp.text("send-confirm"))

	// Going back keeps the selection and the message.
	back := url.Values{"need": form["need"], "message": form["message"], "change": {"1"}}
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), back)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var ticked []string
	resp.doc.Find(`input[name="need"][checked]`).Each(func(_ int, s *goquery.Selection) { ticked = append(ticked, s.AttrOr("value", "")) })
	require.ElementsMatch(t, []string{idStr(crm.ID), idStr(data.ID)}, ticked)
	require.Equal(t, "请支持", strings.TrimSpace(resp.textOf(`textarea[name="message"]`)))
	require.Empty(t, b.rqRequests(t, smart.ID))

	// Confirming sends them.
	form.Set("confirm", "1")
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), form)
	tracker := rqFollow(t, lead, resp)
	require.Equal(t, "2 requests sent.", tracker.text("flash"))
	require.Len(t, b.rqRequests(t, smart.ID), 2)

	// One need goes at once: there is nothing to compare; nor when only one of those
	// ticked can still go.
	training, promo := needs["Train 200 service advisers"], needs["Launch promotion"]
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"need": {idStr(training.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"need": {idStr(promo.ID), idStr(crm.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Len(t, b.rqRequests(t, smart.ID), 4)
}

func TestAPIHoldsPhasesAndCountersToTheSameRules(t *testing.T) {
	b := setup(t)
	smart, lead, _, it := b.phDeclinedCRM(t)
	resp := phSplit(lead, it, "40")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	phase := b.wbNeeds(t, smart.ID)["CRM system development — phase 1"]

	api := b.api(t, "aftersales@accord.demo")
	got := api.patch("/needs/"+idStr(phase.ID), map[string]any{"version": phase.Version, "effort_days": 999})
	require.Equal(t, http.StatusUnprocessableEntity, got.status, "body: %s", got.raw)
	require.Contains(t, got.str("error.fields.effort_days"), "A phase cannot take more person-days")

	// The data head's counter with only an earlier date is refused, as on the page.
	data := b.rqRequests(t, smart.ID)["Data"]
	dataAPI := b.api(t, "data@accord.demo")
	earlier := data.DueDate.AddDate(0, 0, -3).Format("2006-01-02")
	got = dataAPI.post("/requests/"+idStr(data.ID)+"/counter", map[string]any{"version": data.Version, "counter_date": earlier})
	require.Equal(t, http.StatusUnprocessableEntity, got.status, "body: %s", got.raw)
	require.Contains(t, got.str("error.fields.counter_date"), "An earlier date alone is an agreement")

	// The API's tracker links phase and parent as the page does: the phase row names
	// the need it came from and follows its parent's row, which lists it.
	phaseReq := b.rqRequests(t, smart.ID)["IT"]
	require.Equal(t, phase.ID, phaseReq.NeedID)
	got = api.get("/projects/" + idStr(smart.ID) + "/tracker")
	require.Equal(t, http.StatusOK, got.status, "body: %s", got.raw)
	rows := got.body["rows"].([]any)
	at := map[string]int{}
	for i, row := range rows {
		at[dig(row, "request.id").(string)] = i
	}
	parentRow, phaseRow := rows[at[idStr(it.ID)]], rows[at[idStr(phaseReq.ID)]]
	require.Equal(t, at[idStr(it.ID)]+1, at[idStr(phaseReq.ID)], "the phase follows its parent")
	require.Equal(t, idStr(it.NeedID), dig(phaseRow, "phase_of_need_id"))
	require.Nil(t, dig(parentRow, "phase_of_need_id"))
	phases := dig(parentRow, "phases").([]any)
	require.Len(t, phases, 1)
	require.Equal(t, idStr(phaseReq.ID), dig(phases[0], "request_id"))
	require.Equal(t, "CRM system development — phase 1", dig(phases[0], "title_en"))
	require.Equal(t, "requested", dig(phases[0], "state"))
	require.Empty(t, dig(phaseRow, "phases"))
}
