package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Out of office is every signed-in person's own page; ending an arrangement that is
// not theirs (the matrix's placeholder is nobody's) finds nothing.
func init() {
	addPolicies(map[string]policy{
		"GET /settings/away":           signedIn,
		"POST /settings/away":          signedIn,
		"POST /settings/away/{id}/end": {login, nf, nf, nf, nf, nf, nf},
	})
}

// companyDay is the company's date (UTC, the test server's zone) days from b's
// clock, as a form sends it.
func (b *testBundle) companyDay(days int) string {
	return b.now.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// TestStandInAnswersForTheAwayHead: IT's head names his developer to stand in while he
// is away; the developer answers IT's request in his name, everyone sees it as done
// for him, and once the last day is over the developer can no longer act.
func TestStandInAnswersForTheAwayHead(t *testing.T) {
	b := setup(t)
	itHead := b.login(t, "it@accord.demo")

	// Refusals keep what was typed and say what to fix.
	page := itHead.get("/settings/away")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Contains(t, page.text("standin-form"), "Stand-in's email")
	resp := itHead.post("/settings/away", url.Values{"stand_in": {"it@accord.demo"}, "starts_on": {b.companyDay(0)},
		"ends_on": {b.companyDay(-1)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.body, "Name someone other than yourself.")
	require.Contains(t, resp.body, "The last day is before the first.")
	require.Equal(t, "it@accord.demo", resp.doc.Find(`input[name="stand_in"]`).AttrOr("value", ""))
	resp = itHead.post("/settings/away", url.Values{"stand_in": {"nobody@accord.demo"}, "starts_on": {"soon"}, "ends_on": {b.companyDay(200)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.body, "No active person has this email.")

	saved := rqFollow(t, itHead, itHead.post("/settings/away", url.Values{"stand_in": {"it.dev@accord.demo"},
		"starts_on": {b.companyDay(0)}, "ends_on": {b.companyDay(2)}}))
	require.Equal(t, "Stand-in saved.", saved.text("flash"))
	require.Equal(t, "Xu Hang stands in for you", strings.TrimSpace(saved.textOf(`[data-testid="standin"] strong`)))
	require.Equal(t, "Active", saved.text("standin-state"))
	overlapping := itHead.post("/settings/away", url.Values{"stand_in": {"data@accord.demo"},
		"starts_on": {b.companyDay(1)}, "ends_on": {b.companyDay(3)}})
	require.Equal(t, http.StatusUnprocessableEntity, overlapping.StatusCode)
	require.Contains(t, overlapping.body, "overlap another stand-in")
	home := itHead.get("/")
	require.Contains(t, home.text("standin-banner"), "Xu Hang is standing in for you until "+b.companyDay(2))

	// The lead sends; the request reaches IT while its head is away.
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqSendAll(t, lead, smart, "请各位支持")
	it := b.rqRequests(t, smart.ID)["IT"]

	dev := b.login(t, "it.dev@accord.demo")
	home = dev.get("/")
	require.Contains(t, home.text("standin-banner"), "You are standing in for Huang Lei until "+b.companyDay(2))
	inbox := dev.get("/inbox")
	require.Equal(t, http.StatusOK, inbox.StatusCode)
	require.Equal(t, "CRM system development", inbox.text("card-title"), "IT's request is in the stand-in's inbox")
	require.Contains(t, inbox.text("acting-for"), "for Huang Lei")
	notes := dev.get("/notifications")
	require.Contains(t, notes.text("notification"), "For Huang Lei: Zhang Wei asks your unit for “CRM system development”")

	// The stand-in agrees, and it shows as done for the head everywhere.
	require.Equal(t, http.StatusSeeOther, dev.post(rqReq(it.ID, "/agree"), url.Values{"version": {rqVersion(it)}}).StatusCode)
	reqPage := lead.get(rqReq(it.ID, ""))
	require.Equal(t, "Xu Hang for Huang Lei", reqPage.text("answered-by"))
	require.Contains(t, lead.get("/notifications").plain(), "Xu Hang for Huang Lei answered “CRM system development”: Agreed.")
	zh := b.login(t, "aftersales@accord.demo")
	zh.lang = "zh"
	require.Equal(t, "徐航（代 黄磊）", zh.get(rqReq(it.ID, "")).text("answered-by"))
	log := dev.post(rqReq(it.ID, "/progress"), url.Values{"body": {"需求评审完成"}, "next_step": {"开始开发"}, "risk": {"low"}, "effort_days": {"1"}})
	require.Equal(t, http.StatusSeeOther, log.StatusCode, log.body)
	require.Equal(t, "Xu Hang for Huang Lei", lead.get(rqReq(it.ID, "")).text("progress-author"))
	require.Contains(t, lead.get(rqPath("/projects/", smart.ID, "/history")).body, "Xu Hang for Huang Lei",
		"the project's history names the head the step was taken for")
	admin := b.login(t, "admin@accord.demo")
	require.Contains(t, admin.get("/admin/users/"+idStr(b.user(t, "it@accord.demo").ID)).text("history"), "Named a stand-in")

	// After the last day the arrangement is over: no banner, no inbox, no acting.
	*b.now = b.now.Add(4 * 24 * time.Hour)
	inbox = dev.get("/inbox")
	require.Zero(t, inbox.doc.Find(`[data-testid="inbox-card"]`).Length(), "the head's requests left the stand-in's inbox")
	require.Zero(t, dev.get("/").doc.Find(`[data-testid="standin-banner"]`).Length())
	it = b.rqRequest(t, it.ID)
	refused := dev.post(rqReq(it.ID, "/progress"), url.Values{"body": {"还在做"}, "next_step": {"继续"}, "risk": {"low"}, "effort_days": {"1"}})
	require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, refused.StatusCode)
	require.Contains(t, itHead.get("/settings/away").body, "Nobody stands in for you")
}

// TestStandInPageInChinese: the page and its refusals speak Chinese to a Chinese reader.
func TestStandInPageInChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	c.lang = "zh"
	page := c.get("/settings/away")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Contains(t, page.body, "外出代理")
	resp := c.post("/settings/away", url.Values{"stand_in": {"it.dev@accord.demo"}, "starts_on": {b.companyDay(0)}, "ends_on": {b.companyDay(100)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.body, "最长 92 天")
	member := b.login(t, "it.dev@accord.demo")
	require.Equal(t, http.StatusOK, member.get("/settings/away").StatusCode)
	require.Contains(t, member.get("/settings/away").text("standin-not-head"), "Only department heads")
}

// TestStandInAPI: the JSON face names, lists and ends a stand-in with the same rules.
func TestStandInAPI(t *testing.T) {
	b := setup(t)
	head := b.api(t, "it@accord.demo")
	made := head.post("/stand-ins", map[string]any{"stand_in_email": "it.dev@accord.demo",
		"starts_on": b.companyDay(0), "ends_on": b.companyDay(1)}).expect(t, http.StatusCreated)
	require.Equal(t, true, made["active"])
	require.Equal(t, "Xu Hang", made["stand_in"].(map[string]any)["name_en"])
	list := b.api(t, "it.dev@accord.demo").get("/me/stand-ins").expect(t, http.StatusOK)
	require.Len(t, list["items"], 1)

	// Someone else may neither name one for the head nor end it.
	b.api(t, "legal@accord.demo").post("/stand-ins", map[string]any{"principal_id": idStr(b.user(t, "it@accord.demo").ID),
		"stand_in_email": "legal@accord.demo", "starts_on": b.companyDay(3), "ends_on": b.companyDay(4)}).expect(t, http.StatusForbidden)
	id := made["id"].(string)
	b.api(t, "legal@accord.demo").post("/stand-ins/"+id+"/end", nil).expect(t, http.StatusNotFound)
	b.api(t, "it@accord.demo").post("/stand-ins", map[string]any{"stand_in_email": "it.dev@accord.demo",
		"starts_on": "tomorrow", "ends_on": b.companyDay(1)}).expect(t, http.StatusUnprocessableEntity)
	b.api(t, "it.dev@accord.demo").post("/stand-ins/"+id+"/end", nil).expect(t, http.StatusNoContent)
	require.Empty(t, head.get("/me/stand-ins").expect(t, http.StatusOK)["items"])
}
