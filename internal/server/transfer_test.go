package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestTransferPassesARequestToTheUnitItBelongsTo (转交, issue 15): IT's head passes
// the smart service upgrade's CRM request to Data, with a reason; Data's head answers
// it afresh, the lead is told why and may send it back.
func TestTransferPassesARequestToTheUnitItBelongsTo(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	units := b.units(t)
	crm := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	page := rqReq(crm.ID, "")

	form := itHead.get(page)
	require.Equal(t, 1, form.doc.Find(`[data-testid="act-transfer"]`).Length(), "IT's head may pass it on")
	require.Zero(t, lead.get(page).doc.Find(`[data-testid="act-transfer"]`).Length(), "the lead may not")
	require.Zero(t, lead.get(page).doc.Find(`[data-testid="act-transfer-back"]`).Length(), "nothing to send back yet")

	post := func(unit, reason string) response {
		cur := b.rqRequest(t, crm.ID)
		return itHead.post(rqReq(crm.ID, "/transfer"), url.Values{"version": {rqVersion(cur)}, "unit": {unit}, "reason": {reason}})
	}
	resp := post(idStr(units["Data"].ID), "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.body, "Say why it belongs to that unit.")
	require.Equal(t, idStr(units["Data"].ID), resp.doc.Find(`select[name="unit"] option[selected]`).AttrOr("value", ""), "the choice is kept")
	resp = post(idStr(units["IT"].ID), "本就在这")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.body, "It is already with that unit.")

	// Passed on: the need is Data's now, and its head answers it.
	resp = rqFollow(t, itHead, post(idStr(units["Data"].ID), "客户画像归数据部负责"))
	require.Contains(t, resp.body, "“CRM system development” is now with Data.")
	crm = b.rqRequest(t, crm.ID)
	require.Equal(t, units["Data"].ID, crm.HolderUnitID)
	require.Equal(t, units["IT"].ID, *crm.TransferredFromUnitID)
	require.Equal(t, accord.RequestRequested, crm.State)
	require.Equal(t, units["Data"].ID, *b.wbNeeds(t, smart.ID)["CRM system development"].HolderUnitID)
	require.Equal(t, http.StatusNotFound, itHead.get(page).StatusCode, "IT no longer holds it, nor sees the project")

	data := b.login(t, "data@accord.demo")
	require.Contains(t, data.get("/notifications").plain(),
		"Huang Lei passed “CRM system development” (Smart service upgrade) to your unit: “客户画像归数据部负责”.")
	inbox := data.get("/inbox")
	require.Contains(t, inbox.body, "CRM system development")
	resp = data.get(page)
	require.Equal(t, "客户画像归数据部负责", resp.text("transferred"))
	require.Contains(t, resp.plain(), "Passed on from IT")
	require.Equal(t, 1, resp.doc.Find(`[data-testid="act-agree"]`).Length(), "Data's head answers it afresh")

	// The lead is told why, and may send it back.
	require.Contains(t, lead.get("/notifications").plain(), "passed “CRM system development” (Smart service upgrade) on to another unit")
	resp = lead.get(page)
	require.Equal(t, 1, resp.doc.Find(`[data-testid="act-transfer-back"]`).Length())
	cur := b.rqRequest(t, crm.ID)
	resp = rqFollow(t, lead, lead.post(rqReq(crm.ID, "/transfer-back"), url.Values{"version": {rqVersion(cur)}}))
	require.Contains(t, resp.body, "“CRM system development” is now with IT.")
	crm = b.rqRequest(t, crm.ID)
	require.Equal(t, units["IT"].ID, crm.HolderUnitID)
	require.Nil(t, crm.TransferredFromUnitID)
	require.Contains(t, itHead.get("/notifications").plain(), "Zhang Wei sent “CRM system development” (Smart service upgrade) back to your unit.")

	// The project's history tells both steps, with the units as named then.
	history := strings.Join(lead.get(wbPath(smart, "/history")).wbTexts(`[data-testid="history-summary"]`), "\n")
	require.Contains(t, history, "Passed “CRM system development” from IT to Data")
	require.Contains(t, history, "Sent “CRM system development” back from Data to IT")

	// Through the API, the same rule: only the holder's head, to another unit.
	cur = b.rqRequest(t, crm.ID)
	got := b.api(t, "aftersales@accord.demo").post("/requests/"+idStr(crm.ID)+"/transfer",
		map[string]any{"version": cur.Version, "unit_id": idStr(units["Data"].ID), "reason": "x"})
	require.Equal(t, http.StatusForbidden, got.status)
	moved := b.api(t, "it@accord.demo").post("/requests/"+idStr(crm.ID)+"/transfer",
		map[string]any{"version": cur.Version, "unit_id": idStr(units["Data"].ID), "reason": "归数据部"}).expect(t, http.StatusOK)
	require.Equal(t, idStr(units["IT"].ID), moved["transferred_from_unit_id"])
	require.Equal(t, "归数据部", moved["transfer_reason"])
	again := b.api(t, "data@accord.demo").post("/requests/"+idStr(crm.ID)+"/transfer",
		map[string]any{"version": moved["version"], "unit_id": idStr(units["Training"].ID), "reason": "培训部负责"}).expect(t, http.StatusOK)
	require.Equal(t, idStr(units["IT"].ID), again["transferred_from_unit_id"], "passed on again: IT stays the unit first asked")

	// Not while it waits before a superior, who was chosen for the unit holding it.
	dataReq := b.rqRequests(t, smart.ID)["Data"]
	_, err := b.st.Escalate(context.Background(), b.escViewer(t, "aftersales@accord.demo"), dataReq.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	dataReq = b.rqRequest(t, dataReq.ID)
	refused := b.api(t, "data@accord.demo").post("/requests/"+idStr(dataReq.ID)+"/transfer",
		map[string]any{"version": dataReq.Version, "unit_id": idStr(units["IT"].ID), "reason": "x"})
	require.Equal(t, http.StatusUnprocessableEntity, refused.status, "body: %s", refused.raw)
	require.Contains(t, refused.str("error.message"), "before a superior")

	// In Chinese.
	lead.lang = "zh-CN"
	require.Contains(t, lead.get(page).body, "退回最初请求的部门")
}

// TestFollowerWhoLosesSightMayStillStop: someone who follows a request they can no
// longer open (as when it is passed on to a unit they do not see) can still stop
// following it; a stranger who never followed finds nothing.
func TestFollowerWhoLosesSightMayStillStop(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	crm := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(crm.ID, "")
	legal := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, legal.post(page+"/unfollow", nil).StatusCode, "a stranger learns nothing")
	// Legal's head follows it without seeing it: made a follower in the store, as if
	// they had seen it before it moved.
	require.NoError(t, b.st.Follow(context.Background(), b.userID(t, "aftersales@accord.demo"), accord.CommentSubject{Kind: accord.CommentOnRequest, ID: crm.ID},
		b.userID(t, "legal@accord.demo"), *b.now))
	resp := legal.post(page+"/unfollow", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "one's own follow is always one's own to stop")
	require.Equal(t, "/notifications", resp.Header.Get("Location"), "not back to a page that would not open")
	followers, err := b.st.Followers(context.Background(), accord.CommentSubject{Kind: accord.CommentOnRequest, ID: crm.ID})
	require.NoError(t, err)
	require.Empty(t, followers)
}

// TestFollowerWhoLosesSightHearsNoMore: IT's developer follows the CRM request; IT's
// head passes it to Data, so IT no longer touches the project and the developer may
// no longer open it: Data's answer does not reach them.
func TestFollowerWhoLosesSightHearsNoMore(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	crm := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(crm.ID, "")
	dev := b.login(t, "it.dev@accord.demo")
	rqFollow(t, dev, dev.post(page+"/follow", nil))

	itHead := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusSeeOther, itHead.post(rqReq(crm.ID, "/transfer"), url.Values{"version": {rqVersion(crm)},
		"unit": {idStr(b.units(t)["Data"].ID)}, "reason": {"归数据部"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, dev.get(page).StatusCode, "IT no longer touches the project")
	crm = b.rqRequest(t, crm.ID)
	require.Equal(t, http.StatusSeeOther, b.login(t, "data@accord.demo").post(rqReq(crm.ID, "/agree"),
		url.Values{"version": {rqVersion(crm)}}).StatusCode)
	notes := dev.get("/notifications").plain()
	require.NotContains(t, notes, "on: Agreed", "a follower who lost sight hears nothing more")
	require.NotContains(t, notes, "归数据部")
}
