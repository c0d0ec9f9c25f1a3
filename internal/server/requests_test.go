package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// rqSmart is the demo project the requests tests play out on.
func (b *testBundle) rqSmart(t *testing.T) accord.Project {
	t.Helper()
	return b.demoProject(t, "Smart service upgrade")
}

// rqSendAll sends every ticked need of a project through its send page, as the lead.
func rqSendAll(t *testing.T, lead *client, p accord.Project, message string) response {
	t.Helper()
	page := lead.get(rqPath("/projects/", p.ID, "/send"))
	require.Equal(t, http.StatusOK, page.StatusCode)
	form := url.Values{"message": {message}}
	page.doc.Find(`input[name="need"][checked]`).Each(func(_ int, s *goquery.Selection) {
		form.Add("need", s.AttrOr("value", ""))
	})
	resp := lead.post(rqPath("/projects/", p.ID, "/send"), form)
	if resp.StatusCode == http.StatusOK && resp.doc.Find(`[data-testid="send-confirm"]`).Length() == 1 {
		// Several needs: confirm what goes out, as the page asks.
		form.Set("confirm", "1")
		resp = lead.post(rqPath("/projects/", p.ID, "/send"), form)
	}
	return resp
}

// rqRequests returns a project's requests by holding unit's English name; when a unit
// holds several, the newest wins.
func (b *testBundle) rqRequests(t *testing.T, projectID int64) map[string]accord.Request {
	t.Helper()
	list, err := b.st.ProjectRequests(context.Background(), projectID)
	require.NoError(t, err)
	out := map[string]accord.Request{}
	for _, r := range list {
		if cur, ok := out[r.HolderNameEN]; !ok || r.ID > cur.ID {
			out[r.HolderNameEN] = r
		}
	}
	return out
}

func (b *testBundle) rqRequest(t *testing.T, id int64) accord.Request {
	t.Helper()
	r, err := b.st.Request(context.Background(), id)
	require.NoError(t, err)
	return r
}

func rqPath(prefix string, id int64, rest string) string { return prefix + idStr(id) + rest }

func rqReq(id int64, rest string) string { return rqPath("/requests/", id, rest) }

func rqVersion(r accord.Request) string { return idStr(int64(r.Version)) }

// rqFlow follows a redirect and returns the page it leads to.
func rqFollow(t *testing.T, c *client, resp response) response {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	return c.get(resp.Header.Get("Location"))
}

func rqTexts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

// TestRequestsSmartServiceUpgradeStory plays the story in the browser's terms.
func TestRequestsSmartServiceUpgradeStory(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")

	// The send page lists the four unit-held needs ticked, with their offers; the
	// vendor is held outside and cannot be sent.
	page := lead.get(rqPath("/projects/", smart.ID, "/send"))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, 4, page.doc.Find(`[data-testid="send-item"]`).Length())
	require.Equal(t, 4, page.doc.Find(`input[name="need"][checked]`).Length(), "P0 and P1 are ticked")
	itItem := page.doc.Find(`[data-testid="send-item"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "CRM system development")
	})
	require.Contains(t, itItem.Find(`[data-testid="send-offer"]`).Text(), "Standard requirements documents")
	require.Contains(t, itItem.Text(), "IT")
	require.Contains(t, page.text("send-external"), "External training vendor")

	sent := rqSendAll(t, lead, smart, "请各位支持智能服务升级")
	require.Equal(t, rqPath("/projects/", smart.ID, "/tracker"), sent.Header.Get("Location"))
	tracker := rqFollow(t, lead, sent)
	require.Equal(t, "4 requests sent.", tracker.text("flash"))
	require.Equal(t, 4, tracker.doc.Find(`[data-testid="tracker-row"]`).Length())
	require.Equal(t, "0 of 4 units agreed", tracker.text("tracker-summary"))
	reqs := b.rqRequests(t, smart.ID)
	require.Len(t, reqs, 4)
	it := reqs["IT"]

	// IT's head sees the request in the inbox, with the project's value and the offer.
	itHead := b.login(t, "it@accord.demo")
	inbox := itHead.get("/inbox")
	require.Equal(t, http.StatusOK, inbox.StatusCode)
	cards := inbox.doc.Find(`[data-testid="inbox-card"]`)
	require.Equal(t, 1, cards.Length())
	require.Equal(t, "CRM system development", inbox.text("card-title"))
	require.Equal(t, "20,000,000 CNY", inbox.text("card-value"))
	require.Equal(t, "Launch a CRM system and customer analytics so that after-sales service reaches out to customers instead of waiting for them.",
		inbox.text("card-goal"), "the lead's statement, in the reader's language")
	require.Contains(t, inbox.text("offer"), "Standard requirements documents")
	// The offer is labelled part by part, as the send page labels it.
	sendLabels := rqTexts(itItem.Find(`[data-testid="send-offer"] dt`))
	require.NotEmpty(t, sendLabels)
	require.Equal(t, sendLabels, rqTexts(cards.Find(`[data-testid="offer"] dt`)))
	require.Equal(t, rqTexts(itItem.Find(`[data-testid="send-offer"] dd`)), rqTexts(cards.Find(`[data-testid="offer"] dd`)))
	require.Equal(t, "请各位支持智能服务升级", inbox.text("message"))
	require.Equal(t, "1st of 1 in IT's queue", inbox.text("card-queue"))
	require.Equal(t, "120 person-days", inbox.text("card-effort"))
	require.Contains(t, inbox.text("queue"), "1 open request · 120 person-days")
	for _, a := range []string{"act-agree", "act-decline", "act-counter", "act-delegate"} {
		require.Equal(t, 1, cards.Find(`[data-testid="`+a+`"]`).Length(), a)
	}

	// Declining without an obstacle is refused and keeps the reason typed.
	resp := itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "reason": {"排期已满，至少六个月"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "排期已满，至少六个月", resp.textOf(`[data-testid="act-decline"] textarea[name="reason"]`))
	require.Contains(t, resp.textOf(`[data-testid="act-decline"] [role="alert"].alert`), "choose an obstacle",
		"a problem with the choice of obstacle, not one input: styled as an error and announced")
	require.True(t, rqOpen(resp, `[data-testid="act-decline"]`), "the form stays unfolded")

	// With "too busy" it is declined and the head goes back to the inbox.
	resp = itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "obstacle": {"too_busy"},
		"reason": {"排期已满，至少六个月"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	require.Equal(t, "/inbox", resp.Header.Get("Location"))
	it = b.rqRequest(t, it.ID)
	require.Equal(t, accord.RequestDeclined, it.State)
	require.Equal(t, accord.ObstacleTooBusy, it.Obstacle)

	// The lead sees the three strategies for "too busy".
	page = lead.get(rqReq(it.ID, ""))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Declined", page.text("request-state"))
	require.Contains(t, page.text("obstacle"), "Too busy right now")
	require.Equal(t, []string{"Lower the bar: phase it", "Raise the priority", "Bring your own resources"},
		rqTexts(page.doc.Find(`[data-testid="strategies"] .rq-strategy h3`)))
	require.Equal(t, 1, page.doc.Find(`[data-testid="strategy-phase"] [data-testid="split"]`).Length())
	require.Equal(t, "CRM system development — phase 1", page.inputValue("strategy-phase", "title"))
	require.Equal(t, "60", page.inputValue("strategy-phase", "effort_days"))
	require.Equal(t, rqReq(it.ID, "/escalate"), page.attrOf(`[data-testid="escalate-link"]`, "href"))
	require.Equal(t, 0, page.doc.Find(`[data-testid="nudge-form"]`).Length(), "the next step is the lead's, not IT's")

	// The lead splits off a phase 1: a new need, sent to IT at once.
	resp = lead.post(rqReq(it.ID, "/split"), url.Values{"strategy": {"phase"}, "title": {"CRM system development — phase 1"},
		"effort_days": {"20"}, "needed_by": {page.inputValue("strategy-phase", "needed_by")}, "message": {"先做必需功能"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	phase := b.rqRequests(t, smart.ID)["IT"]
	require.NotEqual(t, it.ID, phase.ID)
	require.Equal(t, rqReq(phase.ID, ""), resp.Header.Get("Location"))
	require.Equal(t, accord.RequestRequested, phase.State)
	require.Equal(t, "客户管理系统开发（一期）", phase.NeedTitle)
	require.Equal(t, "CRM system development — phase 1", phase.NeedTitleEN)
	require.InDelta(t, 20, phase.EffortDays, 0.001)
	require.Equal(t, "先做必需功能", phase.Message)
	require.Equal(t, accord.TierRequired, phase.Tier)
	page = rqFollow(t, lead, resp)
	require.Equal(t, "The first phase has been sent to IT.", page.text("flash"))

	// IT agrees to phase 1, naming its developer.
	dev := b.user(t, "it.dev@accord.demo")
	page = itHead.get(rqReq(phase.ID, ""))
	require.Equal(t, http.StatusOK, page.StatusCode)
	resp = itHead.post(rqReq(phase.ID, "/agree"), url.Values{"version": {rqVersion(phase)}, "key_person": {idStr(dev.ID)},
		"due_date": {"2027-02-01"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	phase = b.rqRequest(t, phase.ID)
	require.Equal(t, accord.RequestAgreed, phase.State)
	require.Equal(t, "Xu Hang", phase.KeyPersonNameEN)
	require.Equal(t, "2027-02-01", phase.DueDate.Format("2006-01-02"))

	// The developer writes progress; the tracker shows it.
	devc := b.login(t, "it.dev@accord.demo")
	resp = devc.post(rqReq(phase.ID, "/progress"), url.Values{"body": {"一期需求评审完成"}, "next_step": {"开始开发"},
		"risk": {"medium"}, "effort_days": {"3"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page = rqFollow(t, devc, resp)
	require.Equal(t, "Your progress note has been added.", page.text("flash"))
	require.Equal(t, "一期需求评审完成", page.text("progress-body"))

	tracker = lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	row := tracker.doc.Find(`[data-testid="tracker-row"][data-request-id="` + idStr(phase.ID) + `"]`)
	require.Equal(t, 1, row.Length())
	require.Contains(t, row.Find(`[data-field="latest"]`).Text(), "一期需求评审完成")
	require.Equal(t, "开始开发", strings.TrimSpace(row.Find(`[data-field="next_step"]`).Text()))
	require.Equal(t, "Medium", strings.TrimSpace(row.Find(`[data-testid="risk"]`).Text()))
	require.Equal(t, "Xu Hang", strings.TrimSpace(row.Find(`[data-field="key_person"]`).Text()))
	require.Equal(t, "Agreed", strings.TrimSpace(row.Find(`[data-testid="request-state"]`).Text()))

	// Data counters with a later date; the lead accepts and the date becomes the due date.
	data := reqs["Data"]
	dataHead := b.login(t, "data@accord.demo")
	resp = dataHead.post(rqReq(data.ID, "/counter"), url.Values{"version": {rqVersion(data)},
		"counter_scope": {"仅提供脱敏汇总数据"}, "counter_date": {"2027-01-15"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	data = b.rqRequest(t, data.ID)
	require.Equal(t, accord.RequestCountered, data.State)
	page = lead.get(rqReq(data.ID, ""))
	require.Equal(t, "2027-01-15", page.text("counter-date"))
	require.Equal(t, 1, page.doc.Find(`[data-testid="act-accept-counter"]`).Length())
	resp = lead.post(rqReq(data.ID, "/accept-counter"), url.Values{"version": {rqVersion(data)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	data = b.rqRequest(t, data.ID)
	require.Equal(t, accord.RequestAgreed, data.State)
	require.Equal(t, "2027-01-15", data.DueDate.Format("2006-01-02"))
	require.Equal(t, "仅提供脱敏汇总数据", data.Scope)

	tracker = lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	// IT agreed to phase 1, not to the rest: the phase rolls up into the CRM line, and
	// IT counts as agreed in part, as the escalation's brief counts it (issue 14).
	require.Equal(t, "1 of 4 units agreed · 1 agreed in part", tracker.text("tracker-summary"))
	parent := tracker.doc.Find(`[data-testid="tracker-row"][data-request-id="` + idStr(it.ID) + `"]`)
	require.Equal(t, "Phase: CRM system development — phase 1 · Agreed", strings.Join(strings.Fields(parent.Find(`[data-testid="tracker-phase"]`).Text()), " "))
	require.Equal(t, "Phase agreed", strings.TrimSpace(parent.Find(`[data-testid="phase-agreed"]`).Text()))
	child := tracker.doc.Find(`[data-testid="tracker-row"][data-request-id="` + idStr(phase.ID) + `"]`)
	require.Equal(t, "Phase of “CRM system development”", strings.TrimSpace(child.Find(`[data-testid="phase-of"]`).Text()))
}

// rqOpen reports whether a <details> is unfolded.
func rqOpen(r response, selector string) bool {
	_, open := r.doc.Find(selector).First().Attr("open")
	return open
}

func TestRequestSendPage(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")

	// Nothing ticked: refused, the message kept.
	resp := lead.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"message": {"请支持"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Tick at least one need to send.", resp.textOf(`#send-needs-error`))
	require.Equal(t, "alert", resp.attrOf(`#send-needs-error`, "role"), "a problem with the list, not one field, is announced")
	require.True(t, resp.doc.Find(`#send-needs-error`).HasClass("alert"), "and styled as an error")
	require.Equal(t, "请支持", resp.textOf(`textarea[name="message"]`))
	require.Equal(t, 0, resp.doc.Find(`input[name="need"][checked]`).Length(), "what the lead unticked stays unticked")

	// One need only.
	needs := b.wbNeedsByTitle(t, smart.ID)
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"need": {idStr(needs["Launch promotion"].ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page := rqFollow(t, lead, resp)
	require.Equal(t, "1 request sent.", page.text("flash"))

	// The rest, then nothing is left.
	rqSendAll(t, lead, smart, "")
	page = lead.get(rqPath("/projects/", smart.ID, "/send"))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Nothing left to send", page.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, 4, page.doc.Find(`[data-testid="send-live"] li`).Length())

	// Sending again what is already live sends nothing, and says so.
	resp = lead.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"need": {idStr(needs["Launch promotion"].ID)}})
	page = rqFollow(t, lead, resp)
	require.Equal(t, "Nothing was sent: those needs have been asked for already.", page.text("flash"))

	// Who may send: the lead and admins; others who see the project get 403, the rest 404.
	require.Equal(t, http.StatusOK, b.login(t, "admin@accord.demo").get(rqPath("/projects/", smart.ID, "/send")).StatusCode)
	require.Equal(t, http.StatusForbidden, b.login(t, "it@accord.demo").get(rqPath("/projects/", smart.ID, "/send")).StatusCode)
	legal := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, legal.get(rqPath("/projects/", smart.ID, "/send")).StatusCode)
	require.Equal(t, http.StatusNotFound, legal.post(rqPath("/projects/", smart.ID, "/send"), url.Values{"need": {idStr(needs["Launch promotion"].ID)}}).StatusCode)
}

// wbNeedsByTitle returns a project's needs by English title.
func (b *testBundle) wbNeedsByTitle(t *testing.T, projectID int64) map[string]accord.Need {
	t.Helper()
	list, err := b.st.Needs(context.Background(), projectID)
	require.NoError(t, err)
	out := map[string]accord.Need{}
	for _, n := range list {
		out[n.TitleEN] = n
	}
	return out
}

func TestRequestAccessAndParties(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]
	form := url.Values{"version": {rqVersion(it)}, "key_person": {""}}

	// Someone who may not see the project does not learn the request exists.
	legal := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, legal.get(rqReq(it.ID, "")).StatusCode)
	require.Equal(t, http.StatusNotFound, legal.post(rqReq(it.ID, "/agree"), form).StatusCode)
	require.Equal(t, http.StatusNotFound, legal.get(rqReq(999999, "")).StatusCode)

	// Marketing's head sees the project but is no party to IT's request.
	marketing := b.login(t, "marketing@accord.demo")
	page := marketing.get(rqReq(it.ID, ""))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, 0, page.doc.Find(`[data-testid="request-actions"]`).Length())
	require.Equal(t, 0, page.doc.Find(`[data-testid="progress-add"]`).Length())
	for _, action := range []string{"/agree", "/decline", "/progress", "/nudge", "/split", "/commit", "/cancel"} {
		require.Equal(t, http.StatusForbidden, marketing.post(rqReq(it.ID, action), form).StatusCode, action)
	}

	// The holder may not act for the lead, nor the lead for the holder.
	itHead := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusForbidden, itHead.post(rqReq(it.ID, "/cancel"), form).StatusCode)
	require.Equal(t, http.StatusForbidden, itHead.post(rqReq(it.ID, "/split"), url.Values{"title": {"x"}}).StatusCode)
	require.Equal(t, http.StatusForbidden, itHead.post(rqReq(it.ID, "/nudge"), nil).StatusCode)
	require.Equal(t, http.StatusForbidden, lead.post(rqReq(it.ID, "/agree"), form).StatusCode)

	// The lead sees the request with the queue place and the lead's tools.
	page = lead.get(rqReq(it.ID, ""))
	require.Equal(t, "1st of 1 in IT's queue", page.text("queue-position"))
	require.Equal(t, 1, page.doc.Find(`[data-testid="nudge-form"]`).Length())
	require.Equal(t, 1, page.doc.Find(`[data-testid="act-cancel"]`).Length())
	require.Equal(t, 0, page.doc.Find(`[data-testid="act-agree"]`).Length())

	// The holder's key person sees it through the delegation.
	dev := b.user(t, "it.dev@accord.demo")
	resp := itHead.post(rqReq(it.ID, "/delegate"), url.Values{"version": {rqVersion(it)}, "key_person": {idStr(dev.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page = rqFollow(t, itHead, resp)
	require.Equal(t, "Xu Hang now handles “CRM system development”.", page.text("flash"))
	devc := b.login(t, "it.dev@accord.demo")
	page = devc.get(rqReq(it.ID, ""))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, 1, page.doc.Find(`[data-testid="act-agree"]`).Length())
	require.Equal(t, 0, page.doc.Find(`[data-testid="act-delegate"]`).Length(), "only the head hands over")
	require.Equal(t, idStr(dev.ID), page.attrOf(`[data-testid="act-agree"] option[selected]`, "value"))
	require.Equal(t, 1, devc.get("/inbox").doc.Find(`[data-testid="inbox-card"]`).Length())

	// A key person from outside the unit is refused next to the field.
	trainer := b.user(t, "trainer@accord.demo")
	it = b.rqRequest(t, it.ID)
	resp = itHead.post(rqReq(it.ID, "/agree"), url.Values{"version": {rqVersion(it)}, "key_person": {idStr(trainer.ID)}, "due_date": {"2027-13-01"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Enter a date as yyyy-mm-dd.", resp.textOf(`[data-testid="act-agree"] #r`+idStr(it.ID)+`-agree-due_date-error`))
	require.Equal(t, "2027-13-01", resp.inputValue("act-agree", "due_date"))
	resp = itHead.post(rqReq(it.ID, "/agree"), url.Values{"version": {rqVersion(it)}, "key_person": {idStr(trainer.ID)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "The key person must be an active member of the holding unit.",
		resp.textOf(`[data-testid="act-agree"] #r`+idStr(it.ID)+`-agree-key_person-error`))
}

// TestRequestConflictKeepsTypedText: two people answer the same version; exactly one
// wins, the other sees what happened and keeps every word.
func TestRequestConflictKeepsTypedText(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	rqSendAll(t, b.login(t, "aftersales@accord.demo"), smart, "")
	data := b.rqRequests(t, smart.ID)["Data"]
	analyst := b.user(t, "data.analyst@accord.demo")
	head := b.login(t, "data@accord.demo")
	staleTab := b.login(t, "data@accord.demo")
	before := rqVersion(data)

	// The head hands the request to the analyst in one tab…
	resp := head.post(rqReq(data.ID, "/delegate"), url.Values{"version": {before}, "key_person": {idStr(analyst.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	// …and counters in another tab opened before: the counter is still possible, so the
	// form comes back as typed at the current version, and sending again works.
	resp = staleTab.post(rqReq(data.ID, "/counter"), url.Values{"version": {before}, "counter_scope": {"只给汇总数据"}, "counter_date": {"2027-03-01"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.text("card-alert"), "it is now Requested")
	require.Equal(t, "只给汇总数据", resp.textOf(`[data-testid="act-counter"] textarea[name="counter_scope"]`))
	require.Equal(t, "2027-03-01", resp.inputValue("act-counter", "counter_date"))
	current := b.rqRequest(t, data.ID)
	require.Equal(t, rqVersion(current), resp.inputValue("act-counter", "version"))
	require.True(t, rqOpen(resp, `[data-testid="act-counter"]`))

	// Now the analyst and the head answer the same version at once: the analyst agrees
	// first, the head's decline loses and its text is kept to copy.
	analystc := b.login(t, "data.analyst@accord.demo")
	resp = analystc.post(rqReq(data.ID, "/agree"), url.Values{"version": {rqVersion(current)}, "key_person": {idStr(analyst.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	resp = head.post(rqReq(data.ID, "/decline"), url.Values{"version": {rqVersion(current)}, "obstacle": {"rules"},
		"reason": {"数据涉及个人信息，需要法务审批"}, "back": {"/inbox"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, resp.text("card-alert"), "it is now Agreed")
	require.Equal(t, "数据涉及个人信息，需要法务审批", resp.textOf(`[data-testid="kept-input"] textarea`))
	require.Contains(t, resp.text("kept-input"), "Our rules do not allow it")
	require.Equal(t, 0, resp.doc.Find(`[data-testid="act-decline"]`).Length())
	require.Equal(t, accord.RequestAgreed, b.rqRequest(t, data.ID).State)
}

func TestRequestNudgeAtMostEveryFourHours(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]

	page := rqFollow(t, lead, lead.post(rqReq(it.ID, "/nudge"), nil))
	require.Equal(t, "IT has been asked for an update.", page.text("flash"))
	require.Equal(t, 0, page.doc.Find(`[data-testid="nudge-form"]`).Length())
	require.Contains(t, page.text("nudge-wait"), "The next one is possible at")

	*b.now = b.now.Add(3 * time.Hour)
	page = rqFollow(t, lead, lead.post(rqReq(it.ID, "/nudge"), nil))
	require.True(t, page.doc.Find(`[data-testid="flash"]`).HasClass("error"))
	require.Regexp(t, `^A reminder was sent recently; the next one is possible at \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\)\.$`, page.text("flash"))

	*b.now = b.now.Add(time.Hour)
	page = rqFollow(t, lead, lead.post(rqReq(it.ID, "/nudge"), nil))
	require.Equal(t, "IT has been asked for an update.", page.text("flash"))

	// IT's head was reminded twice.
	notes := b.login(t, "it@accord.demo").get("/notifications")
	var nudges int
	for _, s := range rqTexts(notes.doc.Find(`[data-testid="notification-text"]`)) {
		if strings.Contains(s, "is asking for an update") {
			nudges++
		}
	}
	require.Equal(t, 2, nudges)
}

func TestRequestProgressAndStrategyFormsKeepInput(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "")
	mk := b.rqRequests(t, smart.ID)["Marketing"]

	// Progress without a body is refused, the rest kept.
	resp := lead.post(rqReq(mk.ID, "/progress"), url.Values{"body": {"  "}, "next_step": {"周五再约"}, "risk": {"high"}, "effort_days": {"abc"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", resp.textOf(`#progress-body-error`))
	require.Equal(t, "Enter a number, for example 2 or 0.5.", resp.textOf(`#progress-effort-error`))
	require.Equal(t, "周五再约", resp.inputValue("progress-add", "next_step"))
	require.Equal(t, "high", resp.attrOf(`#progress-risk option[selected]`, "value"))

	// Marketing declines: not in its KPIs. The lead records a promise in return.
	resp = b.login(t, "marketing@accord.demo").post(rqReq(mk.ID, "/decline"), url.Values{"version": {rqVersion(mk)}, "obstacle": {"not_in_kpi"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page := lead.get(rqReq(mk.ID, ""))
	require.Equal(t, []string{"Make it count for them", "Offer something real in return", "Raise the priority"},
		rqTexts(page.doc.Find(`[data-testid="strategies"] .rq-strategy h3`)))
	require.Equal(t, 1, page.doc.Find(`[data-testid="strategy-future_return"] [data-testid="commit"]`).Length())

	resp = lead.post(rqReq(mk.ID, "/commit"), url.Values{"strategy": {"future_return"}, "what": {""}, "due_date": {"soon"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.True(t, rqOpen(resp, `[data-testid="strategy-future_return"] [data-testid="commit"]`))
	require.Equal(t, "soon", resp.inputValue("strategy-future_return", "due_date"))
	require.Equal(t, "Fill in this field.", resp.textOf(`#s-future_return-what-error`))

	resp = lead.post(rqReq(mk.ID, "/commit"), url.Values{"strategy": {"future_return"}, "what": {"宣传物料署名市场部"}, "due_date": {"2027-01-10"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page = rqFollow(t, lead, resp)
	require.Equal(t, "The promise to Marketing has been recorded.", page.text("flash"))
	list, err := b.st.Commitments(context.Background(), smart.ID)
	require.NoError(t, err)
	var found bool
	for _, c := range list {
		found = found || (c.What == "宣传物料署名市场部" && c.UnitID == mk.HolderUnitID && c.DueDate.Format("2006-01-02") == "2027-01-10")
	}
	require.True(t, found, "the promise is one of the project's commitments")

	// The lead asks again; the strategies go away with the obstacle.
	mk = b.rqRequest(t, mk.ID)
	resp = lead.post(rqReq(mk.ID, "/resend"), url.Values{"version": {rqVersion(mk)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	page = rqFollow(t, lead, resp)
	require.Equal(t, "Requested", page.text("request-state"))
	require.Equal(t, 0, page.doc.Find(`[data-testid="strategies"]`).Length())
}

func TestRequestPageInChinese(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	lead.lang = "zh"
	rqSendAll(t, lead, smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]
	page := lead.get(rqReq(it.ID, ""))
	require.Equal(t, "在"+b.units(t)["IT"].Name+"的队列中排第 1 位，共 1 项", page.text("queue-position"))
	itHead := b.login(t, "it@accord.demo")
	itHead.lang = "zh"
	resp := itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "obstacle": {"too_busy"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	page = lead.get(rqReq(it.ID, ""))
	require.Equal(t, "客户管理系统开发", page.text("request-title"))
	require.Equal(t, "已婉拒", page.text("request-state"))
	require.Equal(t, "不在队列中", page.text("queue-position"), "a declined request waits on no one")
	require.Equal(t, "可以怎么推进", page.textOf(`#strategies-title`))
	require.Equal(t, "客户管理系统开发（一期）", page.inputValue("strategy-phase", "title"))

	inbox := itHead.get("/inbox")
	require.Equal(t, "待办请求", inbox.textOf("h1"))
	tracker := lead.get(rqPath("/projects/", smart.ID, "/tracker"))
	require.Equal(t, "进度追踪表", tracker.textOf("h1"))
	require.Equal(t, "4 个部门中已有 0 个同意", tracker.text("tracker-summary"))
}
