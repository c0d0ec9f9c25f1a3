package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// TestSuperiorAsksAdviceBeforeDeciding (加签, issue 15): the superior of the CRM
// escalation asks Legal's head for an opinion; she reads the escalation, answers
// once; the window shows advice pending until then; the decision's record keeps it.
func TestSuperiorAsksAdviceBeforeDeciding(t *testing.T) {
	b := setup(t)
	e, lead, _ := b.escDeclinedCRM(t)
	page := "/escalations/" + idStr(e.ID)
	superior := b.loginID(t, e.AssignedUserID)
	legal := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, legal.get(page).StatusCode, "not yet asked: nothing to see")

	resp := superior.get(page)
	require.Equal(t, 1, resp.doc.Find(`[data-testid="advice-ask-form"]`).Length())
	require.Zero(t, lead.get(page).doc.Find(`[data-testid="advice-ask-form"]`).Length(), "only the superior asks")
	require.Equal(t, http.StatusForbidden, lead.post(page+"/advice", url.Values{"adviser": {"legal@accord.demo"}}).StatusCode)

	// A side is no adviser; the form keeps what was typed.
	resp = superior.post(page+"/advice", url.Values{"adviser": {"it@accord.demo"}, "question": {"合规上能否先上一期？"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "This person is part of the escalation; ask someone outside it.", resp.textOf(`#advice-adviser-error`))
	require.Equal(t, "合规上能否先上一期？", resp.textOf(`#advice-question`))

	resp = rqFollow(t, superior, superior.post(page+"/advice", url.Values{"adviser": {"legal@accord.demo"}, "question": {"合规上能否先上一期？"}}))
	require.Equal(t, "Guo Zheng has been asked for an opinion.", resp.text("flash"))
	require.Equal(t, "Advice awaited from Guo Zheng.", resp.text("advice-pending"))

	// Legal's head is told, reads the escalation and answers once.
	require.Contains(t, legal.get("/notifications").plain(), "asks your opinion before deciding on “CRM system development” (Smart service upgrade).")
	resp = legal.get(page)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1, resp.doc.Find(`[data-testid="opinion-form"]`).Length())
	// She reads the escalation, not the project: every link on the page opens for her,
	// and none leads to the project, its tracker or the request.
	resp.doc.Find(`main a[href^="/"]`).Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		require.NotRegexp(t, `^/(projects|requests)/`, href, "a link an outside adviser cannot open")
		if !strings.HasPrefix(href, "/escalations/") {
			require.NotEqual(t, http.StatusNotFound, legal.get(href).StatusCode, href)
		}
	})
	require.Zero(t, resp.doc.Find(`[data-testid="esc-tracker"], .esc-tracker`).Length(), "no tracker of the project")
	require.Zero(t, resp.doc.Find(`[data-testid="decide-form"]`).Length(), "an adviser does not decide")
	resp = legal.post(page+"/opinion", url.Values{"opinion": {" "}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Write your opinion.", resp.textOf(`#advice-opinion-error`))
	resp = rqFollow(t, legal, legal.post(page+"/opinion", url.Values{"opinion": {"可以，客户数据脱敏即可。"}}))
	require.Equal(t, "Your opinion was given. The superior has been told.", resp.text("flash"))
	require.Zero(t, resp.doc.Find(`[data-testid="opinion-form"]`).Length(), "given once")
	require.Equal(t, http.StatusUnprocessableEntity, legal.post(page+"/opinion", url.Values{"opinion": {"改主意"}}).StatusCode)
	require.Equal(t, http.StatusForbidden, lead.post(page+"/opinion", url.Values{"opinion": {"x"}}).StatusCode, "nobody else answers")
	require.Equal(t, http.StatusNotFound, b.login(t, "data@accord.demo").post(page+"/opinion", url.Values{"opinion": {"x"}}).StatusCode,
		"nor learns it exists")

	resp = superior.get(page)
	require.Empty(t, resp.text("advice-pending"))
	item := resp.doc.Find(`[data-testid="advice-item"]`)
	require.Equal(t, "可以，客户数据脱敏即可。", strings.TrimSpace(item.Find(`[data-field="opinion"]`).Text()))
	require.Contains(t, superior.get("/notifications").plain(), "Guo Zheng gave an opinion on “CRM system development”")

	// The API tells the same.
	list := b.api(t, "legal@accord.demo").get(page+"/advice").expect(t, http.StatusOK)
	require.Equal(t, false, list["may_answer"], "answered once")
	require.Equal(t, false, list["may_ask"])
	require.Len(t, list["advice"], 1)
	require.Equal(t, false, b.api(t, "aftersales@accord.demo").get(page+"/advice").expect(t, http.StatusOK)["may_ask"],
		"the lead may not ask")
	require.Equal(t, http.StatusNotFound, b.api(t, "data@accord.demo").get(page+"/advice").status)
	got := b.api(t, "aftersales@accord.demo").post(page+"/advice", map[string]any{"adviser_user_id": idStr(b.userID(t, "finance@accord.demo"))})
	require.Equal(t, http.StatusForbidden, got.status)

	// The project's history says advice was asked and given, not by whom or what.
	history := lead.get(wbPath(b.rqSmart(t), "/history")).wbTexts(`[data-testid="history-summary"]`)
	require.Contains(t, history, "Asked someone outside for advice on an escalation")
	require.Contains(t, history, "Gave an opinion on an escalation")

	// Decided, the record the decision rests on carries the advice.
	cur, err := b.st.Escalation(context.Background(), e.ID)
	require.NoError(t, err)
	resp = rqFollow(t, superior, superior.post(page+"/decide", url.Values{"version": {idStr(int64(cur.Version))},
		"kind": {"direct"}, "note": {"按法务意见先做一期"}, "due_date": {"2027-03-01"}}))
	require.Contains(t, resp.text("brief"), "Advice the superior asked for")
	require.Contains(t, resp.text("brief"), "Guo Zheng: “可以，客户数据脱敏即可。”")
	require.Zero(t, resp.doc.Find(`[data-testid="advice-ask-form"]`).Length(), "no advice once decided")
	superior.lang = "zh-CN"
	require.Contains(t, superior.get(page).text("brief"), "决策人征询的意见")
}
